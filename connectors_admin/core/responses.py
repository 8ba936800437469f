"""Answers with no body."""

from __future__ import annotations

from django.http import HttpResponse


def no_content(status: int = 204) -> HttpResponse:
    """`status` with no body, and so no Content-Type: Django gives every response one
    (`text/html; charset=utf-8`) unless told, which says a page follows where none does (a 204
    has no body by definition)."""
    response = HttpResponse(status=status)
    del response["Content-Type"]
    return response
