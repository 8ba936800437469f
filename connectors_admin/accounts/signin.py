"""Sign-in on django-allauth, adapted to a product whose accounts come from invitations, operators
and single sign-on: no open sign-up, throttled attempts with the lock-out said plainly and
audited, and OpenID Connect tokens whose issuer and signature are always checked."""

from __future__ import annotations

import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from requests import RequestException

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action
from connectors_admin.core.crypto import DecryptionError, decrypt_text, encrypt_text, rotate

from .models import users_named


def login_tried(credentials: dict[str, Any]) -> str:
    """The name someone signed in with (never the password), bounded for the audit row."""
    return str(credentials.get("username") or credentials.get("email") or "")[:150]


def account_for(login: str) -> int | None:
    """The id of the one account whose username or email (its own, or one it added) is
    `login`, else None: each account has one count of failed sign-ins, whatever it is named by."""
    login = login.strip()
    if not login:
        return None
    matches = set(users_named(login).values_list("pk", flat=True)[:2])
    if "@" in login:  # allauth signs in with any address an account added, too
        added = EmailAddress.objects.filter(email__iexact=login)
        matches |= set(added.values_list("user_id", flat=True)[:2])
    return matches.pop() if len(matches) == 1 else None


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, worded for people: the reset link sits under the form."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Username or email"
        login.widget.attrs.update({"autocomplete": "username", "placeholder": ""})
        password = self.fields["password"]
        password.help_text = ""
        password.widget.attrs["placeholder"] = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed sign-ins for this account or from this address. Sign-in is paused "
            "for a few minutes; if you have forgotten your password, reset it below."
        ),
        "username_password_mismatch": "The username or password is not right.",
        "email_password_mismatch": "The email or password is not right.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by accepting an invitation, by an operator, or through SSO.
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failures per name typed; an account with a username and an email
        # would get twice the guesses. Count per account when the name finds exactly one.
        account = account_for(login_tried(credentials))
        if account is not None:
            return f"account:{account}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login = login_tried(credentials)
            # Audited once per lock-out window and account, not once per refused attempt.
            window = settings.LOGIN_LOCKOUT_MINUTES * 60
            counted = self._get_login_attempts_cache_key(request, **credentials)
            key = "lockout-audited:" + hashlib.sha256(counted.lower().encode()).hexdigest()
            if cache.add(key, 1, timeout=window):
                shown = login if account_for(login) is not None else "not an account here"
                record(
                    Action.SIGN_IN_LOCKED,
                    request=request,
                    message=f"Sign-in paused after repeated failures. Login tried: {shown}",
                )
            raise


class MFAAdapter(DefaultMFAAdapter):
    """Authenticator app secrets and recovery-code seeds are encrypted at rest with the same
    keys as the team's credentials (CREDENTIAL_KEYS)."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)


# Where each kind of authenticator keeps its encrypted secret (a passkey keeps only public data).
ENCRYPTED_KEYS = {"totp": "secret", "recovery_codes": "seed"}


def rotate_authenticator_secrets() -> tuple[int, int]:
    """Re-encrypt every authenticator secret under the first key: (done, failed)."""
    from allauth.mfa.models import Authenticator

    done = failed = 0
    for authenticator in Authenticator.objects.filter(type__in=ENCRYPTED_KEYS).iterator():
        key = ENCRYPTED_KEYS[authenticator.type]
        try:
            authenticator.data[key] = rotate(authenticator.data[key])
        except (DecryptionError, KeyError):
            failed += 1
            continue
        authenticator.save(update_fields=["data"])
        done += 1
    return done, failed


def sso_refusal(exception: BaseException | None) -> str:
    """Why a single sign-on did not complete, in plain words (never the token or a URL)."""
    if isinstance(exception, RequestException):
        return "The identity provider did not answer; it may be down or unreachable from here."
    text = str(exception or "")
    if "another issuer" in text:
        return (
            "The identity provider's discovery document names another issuer than the one "
            "configured for it."
        )
    if "id_token" in text:
        return (
            "The identity token it sent did not pass the checks (signature, issuer, audience "
            "or expiry)."
        )
    return "The sign-in was not completed at the identity provider."


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        reason = sso_refusal(exception)
        if extra_context is not None:
            extra_context["reason"] = reason
        record(
            Action.SIGN_IN_FAILED,
            request=request,
            message=f"Single sign-on through {getattr(provider, 'name', 'a provider')}: {reason}",
        )

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        # Someone the operator's identity provider vouches for gets an account, and no team:
        # a team's owner or admin invites them or adds them.
        return True

    def save_user(self, request: HttpRequest, sociallogin, form=None):
        """An address that is already another account's (its own email, as an operator made
        it, with no address row; or one it added) is not given to the new account, verified
        or not: it would take that account's sign-in by email, its password resets and its
        additions to teams by email."""
        users = get_user_model().objects
        sociallogin.email_addresses = [
            address
            for address in sociallogin.email_addresses
            if not users.filter(email__iexact=address.email).exists()
            and not EmailAddress.objects.filter(email__iexact=address.email).exists()
        ]
        return super().save_user(request, sociallogin, form)


# Asymmetric signatures only (an HMAC "signature" would be keyed with the shared client secret),
# and a minute's leeway for an identity provider whose clock is a little ahead or behind.
ID_TOKEN_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}
CLOCK_LEEWAY_SECONDS = 60


class CheckedOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, stricter: the discovery document must name the issuer
    the operator configured, and the id_token's signature is checked against the issuer's keys
    even when it came straight from the token endpoint (a loopback or internal provider may not
    be behind TLS)."""

    @property
    def openid_config(self) -> dict:
        config = super().openid_config
        configured = self.get_provider().app.settings["server_url"].rstrip("/")
        configured = configured.removesuffix("/.well-known/openid-configuration")
        if str(config.get("issuer", "")).rstrip("/") != configured:
            raise OAuth2Error("The provider's discovery document names another issuer.")
        return config

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        # Imported here, as allauth defers it too: PyJWT, and the parts of cryptography it loads
        # (x509, every key type), serve SSO sign-ins only, not every worker.
        import jwt

        config = self.openid_config
        try:
            header = jwt.get_unverified_header(id_token)
            algorithm = header.get("alg")
            if algorithm not in ID_TOKEN_ALGORITHMS:
                raise OAuth2Error("Invalid id_token: unexpected algorithm")
            return jwt.decode(
                id_token,
                key=self._signing_key(config["jwks_uri"], header.get("kid")),
                algorithms=[algorithm],
                audience=app.client_id,
                issuer=config["issuer"],
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except (jwt.PyJWTError, KeyError, TypeError, ValueError) as error:
            # A malformed token or key set is refused like a bad one, never a server error.
            raise OAuth2Error("Invalid id_token") from error

    def _signing_key(self, jwks_uri: str, kid: str | None):
        """The issuer's signing key named by `kid`, or its only one when the token names none."""
        import jwt

        with get_social_adapter().get_requests_session() as session:
            response = session.get(jwks_uri)
            response.raise_for_status()
            keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"]
        chosen = [k for k in keys if k.get("kid") == kid] if kid else keys
        if len(chosen) != 1:
            raise OAuth2Error("Invalid id_token: no single matching signing key")
        return jwt.PyJWK(chosen[0]).key


def passkey_login(request: HttpRequest) -> HttpResponse:
    """Sign-in with a passkey on a page of its own: its three WebAuthn scripts load only here,
    so the sign-in page most people see stays four requests."""
    next_url = request.GET.get("next", "")
    redirect_field = ""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        redirect_field = format_html('<input type="hidden" name="next" value="{}">', next_url)
    return render(request, "account/passkey_login.html", {"redirect_field": redirect_field})


def _run(view_class, request: HttpRequest, provider_id: str) -> HttpResponse:
    adapter = CheckedOIDCAdapter(request, provider_id)
    try:
        if request.method == "POST":
            # Checked before anyone is sent to the issuer (allauth's provider builds the
            # authorize URL with its own adapter, which does not compare issuers).
            adapter.openid_config  # noqa: B018
        return view_class.adapter_view(adapter)(request)
    except SocialApp.DoesNotExist:
        raise Http404("No such sign-in provider.") from None
    except (OAuth2Error, RequestException) as error:
        # The provider is down or answered something we refuse: said, never a server error.
        return render_authentication_error(request, adapter.get_provider(), exception=error)


def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _run(OAuth2LoginView, request, provider_id)


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _run(OAuth2CallbackView, request, provider_id)
