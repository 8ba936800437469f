"""Single sign-on with OpenID Connect against a real provider (django-oauth-toolkit) running in a
second process on loopback: the account is made with no team; a token from another issuer, for
another audience or with a broken signature is refused; a provider that is down is said."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from connectors_admin.audit.models import Action, AuditEvent

pytest_plugins = ["tests.oidc_harness"]
pytestmark = pytest.mark.django_db


def configure(settings, issuer: str, secret: str, client_id: str) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "loopback",
                    "name": "Loopback IdP",
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {"server_url": issuer, "oauth_pkce_enabled": True},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        }
    }


@pytest.fixture
def sso(settings, oidc_provider):
    configure(settings, oidc_provider.issuer, oidc_provider.client_secret, oidc_provider.client_id)
    return oidc_provider


def start(client) -> str:
    """Press "Loopback IdP" on the sign-in page: the POST that sends the browser to the issuer."""
    url = reverse("oidc-login", args=["loopback"])
    response = client.post(url)
    assert response.status_code == 302, response.content.decode()[:1000]
    return response["Location"]


def test_the_sign_in_page_offers_the_configured_provider(client, sso):
    html = client.get(reverse("account_login")).content.decode()
    assert "Loopback IdP (single sign-on)" in html
    assert 'action="/accounts/oidc/loopback/login/?process=login"' in html  # a POST, with CSRF


def test_sign_in_through_sso_makes_an_account_with_no_team(client, sso):
    authorize = start(client)
    assert authorize.startswith(sso.issuer + "/authorize/")
    assert "code_challenge=" in authorize  # PKCE
    callback = sso.authorize(authorize)
    response = client.get(callback.removeprefix("http://testserver"))
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(email=sso.email)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.memberships.exists()
    page = client.get(reverse("connectors:home")).content.decode()
    assert "not a member of any team" in page or "no team" in page.lower()
    actions = set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert {Action.SIGNED_UP_SSO, Action.SIGNED_IN} <= actions
    # Signing in again finds the same account.
    client.post(reverse("account_logout"))
    client.get(sso.authorize(start(client)).removeprefix("http://testserver"))
    assert get_user_model().objects.filter(email=sso.email).count() == 1
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("mode", ["tamper", "wrong-issuer", "wrong-audience"])
def test_a_bad_id_token_is_refused(client, sso, mode):
    sso.set_mode(mode)
    try:
        callback = sso.authorize(start(client))
        page = client.get(callback.removeprefix("http://testserver"))
    finally:
        sso.set_mode("normal")
    assert page.status_code in (200, 400, 401)
    assert "_auth_user_id" not in client.session
    assert (
        not get_user_model().objects.filter(email__in=[sso.email, "attacker@example.com"]).exists()
    )
    text = page.content.decode()
    assert "could not sign you in" in text.lower() and "did not pass the checks" in text
    (event,) = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED)
    assert "Loopback IdP" in event.message and sso.client_secret not in event.message


@pytest.mark.parametrize("mode", ["clock-ahead", "no-kid"])
def test_a_valid_token_from_a_provider_with_quirks_is_accepted(client, sso, mode):
    # A clock a little ahead (iat in our future) and a header without a kid (optional; the
    # issuer has one signing key) are both valid: no refusal, and never a server error.
    sso.set_mode(mode)
    try:
        response = client.get(sso.authorize(start(client)).removeprefix("http://testserver"))
    finally:
        sso.set_mode("normal")
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.session["_auth_user_id"]


def test_an_issuer_whose_discovery_names_another_is_refused(client, settings, oidc_provider):
    # Same server under another name: its discovery document names 127.0.0.1, not localhost.
    other = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    configure(settings, other, oidc_provider.client_secret, oidc_provider.client_id)
    page = client.post(reverse("oidc-login", args=["loopback"]))
    assert page.status_code in (200, 400, 401)
    assert "names another issuer" in page.content.decode()


def test_a_provider_that_is_down_is_said_not_a_server_error(client, settings, oidc_provider):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configure(settings, f"http://127.0.0.1:{port}/o", "x", "y")
    page = client.post(reverse("oidc-login", args=["loopback"]))
    assert page.status_code in (200, 400, 401)
    assert "did not answer" in page.content.decode()


def test_an_unknown_provider_is_not_found(client, sso):
    assert client.post(reverse("oidc-login", args=["nope"])).status_code == 404


def test_providers_come_from_the_environment_with_the_secret_from_a_file(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from connectors_admin.settings import _oidc_apps

    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret-from-file\n")
    monkeypatch.setenv("OIDC_PROVIDERS", "corp-idp")
    monkeypatch.setenv("OIDC_CORP_IDP_ISSUER", "https://idp.example.com/realms/x/")
    monkeypatch.setenv("OIDC_CORP_IDP_CLIENT_ID", "connectors")
    monkeypatch.setenv("OIDC_CORP_IDP_CLIENT_SECRET_FILE", str(secret_file))
    monkeypatch.setenv("OIDC_CORP_IDP_NAME", "Corp")
    (app,) = _oidc_apps()
    assert app["provider_id"] == "corp-idp" and app["name"] == "Corp"
    assert app["secret"] == "s3cret-from-file"
    assert app["settings"]["server_url"] == "https://idp.example.com/realms/x"
    monkeypatch.setenv("OIDC_CORP_IDP_CLIENT_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured) as refused:
        _oidc_apps()
    assert "OIDC_CORP_IDP_CLIENT_SECRET_FILE" in str(refused.value)
    monkeypatch.delenv("OIDC_CORP_IDP_ISSUER")
    with pytest.raises(ImproperlyConfigured, match="OIDC_CORP_IDP_ISSUER"):
        _oidc_apps()


def test_the_csp_lets_the_sign_in_button_reach_the_issuer():
    from connectors_admin.settings import sso_origins

    apps = [
        {"settings": {"server_url": "https://idp.example.com/realms/x"}},
        {"settings": {"server_url": "https://idp.example.com/other"}},
        {"settings": {"server_url": "http://127.0.0.1:9000/o"}},
        {
            "settings": {
                "server_url": "https://cognito-idp.eu-west-1.amazonaws.com/pool",
                "authorize_url": "https://corp.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
            }
        },
    ]
    assert sso_origins(apps) == [
        "http://127.0.0.1:9000",
        "https://cognito-idp.eu-west-1.amazonaws.com",
        "https://corp.auth.eu-west-1.amazoncognito.com",
        "https://idp.example.com",
    ]


def test_an_operator_made_accounts_address_is_not_given_to_a_new_sso_account(
    client, sso, make_user
):
    """An account made by an operator has its address as its email only (no address row).
    Someone whose identity provider asserts that address gets an account without it: it
    would take the first account's sign-in by email and its password resets."""
    from allauth.account.models import EmailAddress
    from django.test import Client

    from .conftest import PASSWORD

    made = make_user("vic", email=sso.email)
    signup = client.get(sso.authorize(start(client)).removeprefix("http://testserver"))
    assert signup["Location"] == "/accounts/3rdparty/signup/"
    client.post(signup["Location"], {"email": "other@example.com", "username": "sso2"})
    newcomer = get_user_model().objects.get(username="sso2")
    assert not EmailAddress.objects.filter(user=newcomer, email__iexact=sso.email).exists()
    assert get_user_model().objects.filter(email__iexact=sso.email).get() == made
    signed_in = Client().post(reverse("account_login"), {"login": sso.email, "password": PASSWORD})
    assert signed_in.status_code == 302
