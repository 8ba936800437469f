"""htmx helpers shared by every views module."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


def htmx_partial(request: HttpRequest) -> bool:
    """Should this request get a fragment? htmx requests do; boosted ones get whole pages, and
    so does the page htmx asks for to restore on Back when its history cache no longer holds it
    (it puts the answer in place of the whole body)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


class VaryOnHtmxMiddleware:
    """A URL answers a fragment to htmx and the whole page otherwise: say so to caches (the
    browser's own, on Back and Forward), so one is never shown for the other."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in ("GET", "HEAD"):
            patch_vary_headers(response, ("HX-Request",))
        return response
