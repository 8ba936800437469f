from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from connectors_admin import __version__

SECTIONS = {
    "connectors:dashboard": "dashboard",
    "connectors": "connectors",
    "credentials": "credentials",
}


def app(request: HttpRequest) -> dict[str, object]:
    match = getattr(request, "resolver_match", None)
    nav = ""
    if match is not None:
        nav = SECTIONS.get(match.view_name) or SECTIONS.get(match.namespace, "")
    return {"sandbox": settings.SANDBOX, "version": __version__, "nav": nav}
