"""Every request gets an id (a sane incoming X-Request-ID is kept), echoed in the response,
stamped on every log record and kept in the audit trail, so a failure the user saw can be found
in the server's output. Imports no model: logging is configured before apps load."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.http import HttpRequest

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CURRENT_REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdMiddleware:
    """Gives each request its id and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = CURRENT_REQUEST_ID.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            CURRENT_REQUEST_ID.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the request's id on every log record ("-" outside a request), so a 500 in the
    server's error output can be matched with what the user saw and the audit trail."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or CURRENT_REQUEST_ID.get()
        return True
