"""What the Kafka sandboxes (Kafka Connect, Upstash) keep of a configuration's secrets.

Both real APIs answer a connector's configuration as it was sent, secrets in clear, and our app
reads them back (an import links a connector to the stored credentials whose values it holds).
The sandbox answers the same, but does not keep those values in clear in its rows, which the
Django admin shows: each secret value is kept as `sha256:<hex>` (what tests and the admin can
compare against, as the AI Squared and VideoVector sandboxes keep theirs), and the values
themselves only encrypted with CREDENTIAL_KEYS beside it, to answer with.

A value is secret when its key is one a plugin declares PASSWORD, when its key names a password,
a token, a key or a login by its look, or when it holds a password inside a URL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from typing import Any

from connectors_admin.core.crypto import decrypt_json, encrypt_json

PREFIX = "sha256:"
SEALED = "_sealed"  # the row data's key for the encrypted secret values
SECRET_LOOK = re.compile(
    r"(password|passwd|pwd|secret|private\.?key|credential|token|api\.?key|jaas|user\.info"
    r"|connection\.(uri|string)|authorization$|auth$|keyfile|headers)",
    re.IGNORECASE,
)
URL_PASSWORD = re.compile(r"://[^:/@\s]*:[^@\s/]+@|[?&;](password|pwd)=", re.IGNORECASE)


def digest(value: str | bytes) -> str:
    """How every sandbox keeps a secret value: what a test compares what it received against."""
    return (
        PREFIX + hashlib.sha256(value if isinstance(value, bytes) else value.encode()).hexdigest()
    )


def is_secret(key: str, value: Any, declared: Collection[str] = ()) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return key in declared or bool(SECRET_LOOK.search(key) or URL_PASSWORD.search(value))


def seal(config: dict[str, Any], declared: Collection[str] = ()) -> tuple[dict[str, Any], str]:
    """(the configuration as kept, each secret value as its digest; the secrets encrypted)."""
    secrets = {k: v for k, v in config.items() if is_secret(k, v, declared)}
    kept = {k: digest(v) if k in secrets else v for k, v in config.items()}
    return kept, encrypt_json(secrets)


def reveal(kept: dict[str, Any], sealed: str | None) -> dict[str, Any]:
    """The configuration as it was sent, from what `seal` kept."""
    secrets = decrypt_json(sealed) if sealed else {}
    return {k: secrets.get(k, v) for k, v in kept.items()}


def _swap(text: str, pairs: dict[str, str]) -> str:
    """Each key of `pairs` in `text` replaced by its value, in one pass (longest first): what one
    replacement writes is never read again by the next."""
    pairs = {old: new for old, new in pairs.items() if old}
    if not pairs:
        return text
    pattern = re.compile("|".join(re.escape(old) for old in sorted(pairs, key=len, reverse=True)))
    return pattern.sub(lambda match: pairs[match[0]], text)


def _sealed_pairs(config: dict[str, Any], kept: dict[str, Any]) -> dict[str, str]:
    return {
        value: kept[key]
        for key, value in config.items()
        if isinstance(value, str) and value and kept.get(key) != value
    }


def hide(text: str, config: dict[str, Any], kept: dict[str, Any]) -> str:
    """A text that may quote the configuration's secrets (a validator's message) as kept."""
    return _swap(text, _sealed_pairs(config, kept))


def show(text: str, config: dict[str, Any], kept: dict[str, Any]) -> str:
    """`hide` undone: the text as the provider says it."""
    return _swap(text, {new: old for old, new in _sealed_pairs(config, kept).items()})
