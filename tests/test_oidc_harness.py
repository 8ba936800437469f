"""The loopback OpenID provider of tests/oidc_harness.py, driven with plain requests (no app,
no database): discovery, the authorization-code flow, id_token checks and the broken modes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

if (
    TYPE_CHECKING
):  # a runtime import, before pytest loads the plugin, would skip its assert rewriting
    from .oidc_harness import OIDCProvider

pytest_plugins = ["tests.oidc_harness"]  # the session-scoped `oidc_provider` fixture


@pytest.fixture
def provider(oidc_provider) -> Iterator[OIDCProvider]:
    """The session's provider, back in "normal" mode after each test."""
    yield oidc_provider
    oidc_provider.set_mode("normal")


@pytest.fixture
def discovery(provider) -> dict:
    response = requests.get(provider.discovery_url, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def authorize(provider: OIDCProvider, discovery: dict, **extra: str) -> tuple[dict, str]:
    """Run the user's part of the code flow; the callback's query and the nonce sent."""
    state, nonce = secrets.token_urlsafe(), secrets.token_urlsafe()
    query = {
        "client_id": provider.client_id,
        "redirect_uri": provider.redirect_uri,
        "response_type": "code",
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        **extra,
    }
    callback = provider.authorize(f"{discovery['authorization_endpoint']}?{urlencode(query)}")
    parts = urlsplit(callback)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == provider.redirect_uri
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert params["state"] == state, params
    assert params.get("code"), params
    return params, nonce


def exchange(provider, discovery, code: str, *, basic: bool = False, **extra: str) -> dict:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": provider.redirect_uri,
        **extra,
    }
    auth = None
    if basic:  # client_secret_basic
        auth = (provider.client_id, provider.client_secret)
    else:  # client_secret_post
        data |= {"client_id": provider.client_id, "client_secret": provider.client_secret}
    response = requests.post(discovery["token_endpoint"], data=data, auth=auth, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def login(provider, discovery) -> str:
    """A whole code flow; the id_token."""
    params, _ = authorize(provider, discovery)
    return exchange(provider, discovery, params["code"])["id_token"]


def signing_key(id_token: str, discovery: dict) -> jwt.PyJWK:
    """The provider's published key named by the token's kid."""
    keys = jwt.PyJWKSet.from_dict(requests.get(discovery["jwks_uri"], timeout=5).json())
    kid = jwt.get_unverified_header(id_token)["kid"]
    return next(key for key in keys.keys if key.key_id == kid)


def verify(id_token: str, provider: OIDCProvider, discovery: dict) -> dict:
    """What a relying party checks: signature, issuer, audience, expiry."""
    key = signing_key(id_token, discovery)
    return jwt.decode(
        id_token, key, algorithms=["RS256"], audience=provider.client_id, issuer=provider.issuer
    )


def test_discovery_names_the_issuer_and_its_endpoints(provider, discovery):
    assert discovery["issuer"] == provider.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(provider.issuer + "/")
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert {"sub", "email", "email_verified", "preferred_username"} <= set(
        discovery["claims_supported"]
    )


@pytest.mark.parametrize("basic", [False, True], ids=["client_secret_post", "client_secret_basic"])
def test_code_flow_gives_a_signed_id_token_and_userinfo(provider, discovery, basic):
    params, nonce = authorize(provider, discovery)
    tokens = exchange(provider, discovery, params["code"], basic=basic)

    claims = verify(tokens["id_token"], provider, discovery)
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == provider.client_id
    assert claims["nonce"] == nonce
    assert claims["email"] == provider.email
    assert claims["email_verified"] is True
    assert claims["preferred_username"] == provider.username
    assert claims["sub"]

    userinfo = requests.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=5,
    ).json()
    assert userinfo == {
        "sub": claims["sub"],
        "email": provider.email,
        "email_verified": True,
        "preferred_username": provider.username,
    }


def test_pkce_s256_is_checked_when_sent(provider, discovery):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    pkce = {"code_challenge": challenge.rstrip(b"=").decode(), "code_challenge_method": "S256"}

    params, _ = authorize(provider, discovery, **pkce)
    wrong = requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": provider.redirect_uri,
            "code_verifier": secrets.token_urlsafe(48),
        },
        auth=(provider.client_id, provider.client_secret),
        timeout=5,
    )
    assert wrong.status_code == 400, wrong.text

    params, _ = authorize(provider, discovery, **pkce)
    tokens = exchange(provider, discovery, params["code"], code_verifier=verifier)
    assert verify(tokens["id_token"], provider, discovery)["email"] == provider.email


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_loopback_redirect_uris_match_any_port(provider, discovery, host):
    redirect_uri = f"http://{host}:54321/accounts/oidc/loopback/login/callback/"
    query = {"client_id": provider.client_id, "redirect_uri": redirect_uri}
    query |= {"response_type": "code", "scope": "openid", "state": "s"}
    callback = provider.authorize(f"{discovery['authorization_endpoint']}?{urlencode(query)}")
    assert callback.startswith(redirect_uri + "?")
    assert "code=" in callback


def test_an_unregistered_redirect_uri_is_refused(provider, discovery):
    query = urlencode(
        {
            "client_id": provider.client_id,
            "redirect_uri": "http://evil.example/callback/",
            "response_type": "code",
            "scope": "openid",
        }
    )
    with pytest.raises(AssertionError, match="answered 400"):
        provider.authorize(f"{discovery['authorization_endpoint']}?{query}")


def test_tamper_breaks_the_signature(provider, discovery):
    provider.set_mode("tamper")
    id_token = login(provider, discovery)
    with pytest.raises(jwt.InvalidSignatureError):
        verify(id_token, provider, discovery)
    assert jwt.decode(id_token, options={"verify_signature": False})["email"] == (
        "attacker@example.com"
    )


@pytest.mark.parametrize(
    ("mode", "error", "claim", "value"),
    [
        ("wrong-issuer", jwt.InvalidIssuerError, "iss", "/other"),
        ("wrong-audience", jwt.InvalidAudienceError, "aud", "someone-else"),
    ],
)
def test_wrong_claims_are_validly_signed(provider, discovery, mode, error, claim, value):
    provider.set_mode(mode)
    id_token = login(provider, discovery)
    with pytest.raises(error):
        verify(id_token, provider, discovery)
    # Same key (and kid) as normal tokens: only the claim gives them away.
    key = signing_key(id_token, discovery)
    options = {"verify_aud": False, "verify_iss": False}
    claims = jwt.decode(id_token, key, algorithms=["RS256"], options=options)
    assert claims[claim] == (provider.base_url + value if claim == "iss" else value)
    assert claims["email"] == provider.email


def test_normal_mode_restores_good_tokens(provider, discovery):
    provider.set_mode("tamper")
    provider.set_mode("normal")
    id_token = login(provider, discovery)
    assert verify(id_token, provider, discovery)["email"] == provider.email
