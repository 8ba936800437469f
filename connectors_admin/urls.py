from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("connectors_admin.accounts.urls")),
    path("", include("connectors_admin.accounts.team_urls")),
    path("", include("connectors_admin.accounts.audit_urls")),
    path("", include("connectors_admin.connectors.urls")),
    path("", include("connectors_admin.credentials.urls")),
]

if settings.SANDBOX:
    urlpatterns.append(path("sandbox/", include("connectors_admin.sandbox.urls")))
