"""Input no browser should send, refused in plain words before any view or database sees it,
and JSON parsed with a bound on its nesting."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# C0 control characters other than tab, line feed and carriage return (NUL among them):
# PostgreSQL refuses NUL in text, and no form field of ours takes any of them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Not on one line: a line break or another control character (a tab is allowed), as in a
# header value, which no HTTP request can carry.
NOT_ONE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
MAX_JSON_DEPTH = 64


class JSONTooDeep(ValueError):
    """JSON nested deeper than anything we read legitimately."""


def loads_bounded(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, refusing nesting deeper than `max_depth` before parsing (a document of tens
    of thousands of `[` would otherwise exhaust the parser's recursion)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONTooDeep(f"The JSON is nested deeper than {max_depth} levels.")
        elif char in "]}":
            depth -= 1
    return json.loads(text)


def has_control_characters(value: Any) -> bool:
    """Is there a control character in any string inside `value` (JSON-like data)?"""
    if isinstance(value, str):
        return bool(CONTROL.search(value))
    if isinstance(value, dict):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_control_characters(v) for v in value)
    return False


class RefuseControlCharactersMiddleware:
    """A query string or form value with a control character (NUL, say) answers 400 at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._suspicious(request):
            html = render_to_string("400.html", {"reason": "control"}, request=request)
            return HttpResponse(html, status=400)
        return self.get_response(request)

    @staticmethod
    def _suspicious(request: HttpRequest) -> bool:
        if CONTROL.search(request.path):
            return True
        sources = [request.GET]
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            sources.append(request.POST)
        return any(
            CONTROL.search(key) or any(CONTROL.search(v) for v in values)
            for source in sources
            for key, values in source.lists()
        )
