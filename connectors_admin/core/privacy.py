"""A signed-in user's pages are theirs alone."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """An answer made for a signed-in session is kept by no cache: not a shared one (a proxy),
    nor the browser's own, which would show it again after sign-out on a shared computer
    (Back). Django's admin marks its pages so; this does it for every page of the app. An
    answer that set its own Cache-Control keeps it; anonymous pages are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session already read (every signed-in page reads it): asking an unread one
        # would load it, and make an answer that never looked at it vary on the cookie.
        if (
            session is not None
            and session.accessed
            and session.get(SESSION_KEY)
            and not response.has_header("Cache-Control")
        ):
            add_never_cache_headers(response)
        return response
