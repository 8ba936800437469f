"""htmx helpers shared by every views module."""

from __future__ import annotations

from django.http import HttpRequest


def htmx_partial(request: HttpRequest) -> bool:
    """Should this request get a fragment? htmx requests do, boosted ones get whole pages."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted
