"""What is secret in a Kafka connector's properties, wherever they appear: declared secret
properties, any key that names a password, a token or a key by its look, and the user-info or
password parameter of a URL in any value. One place decides, so the forms, the actions and the
reading of answers agree."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from connectors_admin.core.redaction import REDACTED, mask_members
from connectors_admin.core.safety import JSONTooDeep, has_control_characters, loads_bounded

from .catalogue import PLAIN_KEYS, SECRET_KEYS

SECRET_LOOK = re.compile(
    r"(password|passwd|secret|private\.?key|credential|token|api\.?key|sasl\.jaas|user\.info"
    r"|connection\.(uri|string)|authorization|keyfile|headers\.additional)",
    re.IGNORECASE,
)
# scheme://user:password@host, and ?password=… / ;password=… in JDBC URLs.
URL_PASSWORD = re.compile(r"(://[^:/@\s\"']*:)([^@\s\"'/]+)(@)")
PARAM_PASSWORD = re.compile(r"([?&;](?:password|pwd)=)([^&;\s\"']+)", re.IGNORECASE)
# A member of JSON text that does not parse, as people mistype it: its key and its value each
# in double quotes, in single quotes (as Python writes them), or in none (a bare word; a bare
# value runs to the next comma, brace or line end). The comma after it goes with it.
LOOSE_MEMBER = re.compile(
    r"""(?:"(?P<dk>(?:[^"\\]|\\.)*)"|'(?P<sk>(?:[^'\\]|\\.)*)'|(?<![\w.\-"'])(?P<bk>[A-Za-z_][\w.\-]*))"""
    r"""\s*:\s*"""
    r"""(?:"(?P<dv>(?:[^"\\]|\\.)*)"|'(?P<sv>(?:[^'\\]|\\.)*)'|(?P<bv>[^\s,{}\[\]"'][^,{}\n]*))"""
    r"""\s*,?[ \t]*"""
)


def is_secret_key(key: str, extra: Any = ()) -> bool:
    key = str(key)
    if key in SECRET_KEYS or key in extra:
        return True
    return key not in PLAIN_KEYS and bool(SECRET_LOOK.search(key))


def url_passwords(value: str) -> list[str]:
    """The passwords inside a value's URLs, as written and percent-decoded."""
    found = [m.group(2) for m in URL_PASSWORD.finditer(value)]
    found += [m.group(2) for m in PARAM_PASSWORD.finditer(value)]
    return list(dict.fromkeys([*found, *(unquote(f) for f in found)]))


def mask_urls(value: str) -> str:
    value = URL_PASSWORD.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(3)}", value)
    return PARAM_PASSWORD.sub(lambda m: f"{m.group(1)}{REDACTED}", value)


def secret_values(data: Any, extra: Any = ()) -> list[str]:
    """Every secret string in a properties map or a whole answer (walked in depth): the values
    under secret keys, and the passwords inside URLs."""
    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and value and value != REDACTED:
            if key and is_secret_key(key, extra):
                found.append(value)
                found.extend(url_passwords(value))
            else:
                found.extend(url_passwords(value))

    walk(data)
    return list(dict.fromkeys(v for v in found if v and v != REDACTED))


def masked(properties: Any, extra: Any = ()) -> Any:
    """A properties map with secret values masked and URL passwords masked in the others."""
    if not isinstance(properties, dict):
        return properties
    return {
        key: (REDACTED if is_secret_key(key, extra) else mask_urls(value))
        if isinstance(value, str) and value
        else value
        for key, value in properties.items()
    }


def mask_text(text: str, extra: Any = ()) -> str:
    """An answer's text with every secret-looking member's value masked, found by its key (or
    among `extra`), and URL passwords masked (the answer may be cut short, so this does not
    parse it)."""
    return mask_urls(mask_members(text, lambda key: is_secret_key(key, extra)))


def typed_map(text: str) -> dict[str, Any] | None:
    """A JSON object as typed, whatever its values (a number where Kafka Connect wants a string,
    say), or None: enough to find the secrets in it before anything is shown again, even when
    `parse_properties` then refuses it."""
    try:
        data = loads_bounded(text)
    except ValueError:  # JSONTooDeep included
        return None
    return data if isinstance(data, dict) else None


def _member_text(quoted: str) -> str | None:
    try:
        return json.loads(f'"{quoted}"')
    except ValueError:
        return None


def _loose_part(found: re.Match, double: str, single: str, bare: str) -> str | None:
    if found.group(double) is not None:
        return _member_text(found.group(double))
    if found.group(single) is not None:
        return found.group(single).replace("\\'", "'")
    return found.group(bare).rstrip()


def _loose_members(text: str):
    for found in LOOSE_MEMBER.finditer(text):
        key = _loose_part(found, "dk", "sk", "bk")
        value = _loose_part(found, "dv", "sv", "bv")
        if key is not None and value is not None:
            yield found, key, value


def readable_members(text: str) -> dict[str, str]:
    """The members of JSON text that does not parse (the first of a repeated key), found
    without parsing, quoted or not: what it holds while it is refused, so that a secret typed
    in it is taken out before the text is shown again."""
    found: dict[str, str] = {}
    for _member, key, value in _loose_members(text):
        found.setdefault(key, value)
    return found


def without_members(text: str, keys: Any) -> str:
    """JSON text that does not parse without its members for `keys` (and the comma after
    each), every other character as typed."""
    dropped = [m.span() for m, key, _value in _loose_members(text) if key in keys]
    for start, end in reversed(dropped):
        text = text[:start] + text[end:]
    return text


def as_text(value: Any) -> str:
    """A value typed into a JSON map as Kafka Connect takes it: a string (a number or true typed
    without quotes, written as JSON writes it); nothing for null."""
    if value is None or isinstance(value, str):
        return value or ""
    return json.dumps(value)


def parse_properties(text: str) -> dict[str, str]:
    """A properties map typed as JSON: one object, every value a string, no control characters.
    ValueError says what is wrong in plain words (never quoting a value)."""
    try:
        data = loads_bounded(text)
    except JSONTooDeep:
        raise ValueError("This JSON is nested too deeply.") from None
    except ValueError:
        raise ValueError("This is not valid JSON: check quotes, commas and braces.") from None
    if not isinstance(data, dict):
        raise ValueError('The properties are one JSON object: {"key": "value"}.')
    wrong = [k for k, v in data.items() if not isinstance(v, str)]
    if wrong:
        raise ValueError(
            'Kafka Connect takes every value as a string: write each in quotes, such as "1" '
            f'or "true". Not a string: {", ".join(wrong[:5])}.'
        )
    if has_control_characters(data):
        raise ValueError("A value holds a control character (such as NUL).")
    return data
