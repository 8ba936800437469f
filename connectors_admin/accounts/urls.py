from __future__ import annotations

from django.urls import include, path

from . import invitations, signin

urlpatterns = [
    # OpenID Connect through our stricter adapter (issuer and signature always checked); the
    # routes are allauth's own, so its links and callbacks land here.
    path("oidc/<str:provider_id>/login/", signin.oidc_login, name="oidc-login"),
    path("oidc/<str:provider_id>/login/callback/", signin.oidc_callback, name="oidc-callback"),
    path("passkey/", signin.passkey_login, name="passkey-login"),
    path("", include("allauth.urls")),
    path("invitations/<str:token>/", invitations.accept, name="invitation"),
]
