"""Sign-in and account security events, as they happen, into the audit trail. Only names and
kinds are kept: never a password, a code or a key."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q
from django.dispatch import receiver

from .log import record
from .models import Action

# How each kind of allauth authenticator is named in the trail.
METHODS = {
    "totp": "authenticator app",
    "recovery_codes": "recovery codes",
    "webauthn": "security key or passkey",
}


def _via(request) -> str:
    """How the person signed in, when allauth knows: password, SSO, passkey, with two-factor."""
    if request is None or not hasattr(request, "session"):
        return ""
    methods = [m.get("method") for m in request.session.get("account_authentication_methods", [])]
    return ", ".join(filter(None, methods))


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs) -> None:
    via = _via(request)
    record(
        Action.SIGNED_IN,
        request=request,
        actor=user,
        target=user,
        message=f"via {via}" if via else "",
    )


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the name tried (Django already removes the password from `credentials`), and only
    # when it names an account: a password typed into the name field is not kept.
    tried = str(credentials.get("username") or credentials.get("email") or "").strip()[:150]
    users = get_user_model().objects.filter(Q(username__iexact=tried) | Q(email__iexact=tried))
    shown = tried if tried and users.exists() else "not an account here"
    record(Action.SIGN_IN_FAILED, request=request, message=f"Login tried: {shown}")


@receiver(account_signals.password_changed)
def password_changed(sender, request, user, **kwargs) -> None:
    record(Action.PASSWORD_CHANGED, request=request, actor=user, target=user)


@receiver(account_signals.password_reset)
def password_reset(sender, request, user, **kwargs) -> None:
    record(Action.PASSWORD_RESET, request=request, actor=user, target=user)


@receiver(account_signals.user_signed_up)
def signed_up(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None:  # open sign-up is off: accounts come from invitations and SSO
        return
    record(
        Action.SIGNED_UP_SSO,
        request=request,
        actor=user,
        target=user,
        message=f"through {sociallogin.account.get_provider().name}",
    )


def _method(authenticator) -> str:
    return METHODS.get(authenticator.type, authenticator.type)


@receiver(mfa_signals.authenticator_added)
def two_factor_added(sender, request, user, authenticator, **kwargs) -> None:
    _two_factor(Action.TWO_FACTOR_ADDED, request, user, after={"method": _method(authenticator)})


@receiver(mfa_signals.authenticator_removed)
def two_factor_removed(sender, request, user, authenticator, **kwargs) -> None:
    _two_factor(Action.TWO_FACTOR_REMOVED, request, user, before={"method": _method(authenticator)})


def _two_factor(action: Action, request, user, **values) -> None:
    record(action, request=request, actor=user, target=user, **values)


@receiver(mfa_signals.authenticator_reset)
def recovery_codes_reset(sender, request, user, authenticator, **kwargs) -> None:
    record(Action.RECOVERY_CODES_RESET, request=request, actor=user, target=user)


@receiver(mfa_signals.authentication_failed)
def two_factor_failed(sender, request, user, authenticator=None, **kwargs) -> None:
    method = _method(authenticator) if authenticator is not None else "code"
    record(
        Action.TWO_FACTOR_FAILED,
        request=request,
        actor=user,
        target=user,
        message=f"A wrong {method} code was given.",
    )
