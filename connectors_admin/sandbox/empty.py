"""An answer with no body, as the providers' servers send one."""

from __future__ import annotations

from django.http import HttpResponse


def no_content(status: int = 204) -> HttpResponse:
    """`status` with no body and so no Content-Type: Django gives every response one
    (`text/html`) unless told, where Multiwoven's `head :no_content` sends none (Rack's spec
    forbids one on a 204), nor does Kafka Connect's Jersey on a response without an entity (its
    204s, and the 202 of pause, resume and stop), nor VideoVector on /auth/validate's 204."""
    response = HttpResponse(status=status)
    del response["Content-Type"]
    return response
