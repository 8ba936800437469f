from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .log import record
from .models import Action


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs) -> None:
    record(Action.SIGNED_IN, request=request, actor=user, target=user)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the username tried: Django already removes the password from `credentials`.
    username = str(credentials.get("username", ""))[:150]
    record(Action.SIGN_IN_FAILED, request=request, message=f"Username tried: {username}")
