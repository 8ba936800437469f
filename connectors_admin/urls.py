from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# Operators sign in through the product's own sign-in (throttled, two-factor, SSO), never through
# the admin's separate password form.
admin.site.login = secure_admin_login(admin.site.login)

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
