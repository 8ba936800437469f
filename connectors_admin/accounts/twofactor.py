"""A team that requires two-factor authentication: its members without an authenticator app or a
security key are sent to set one up before they see anything of the team, and come back to it
once they have."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from connectors_admin.core.responses import no_content

# Recovery codes alone are not a second factor: they back one up.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
RETURN_TO = "two_factor_return_to"


class TwoFactorRequired(Exception):
    def __init__(self, team) -> None:
        super().__init__(f"{team.name} requires two-factor authentication.")
        self.team = team


def has_two_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def with_two_factor(memberships):
    """Memberships annotated with `two_factor`: whether the member has a second factor."""
    factors = Authenticator.objects.filter(user=OuterRef("user"), type__in=SECOND_FACTORS)
    return memberships.annotate(two_factor=Exists(factors))


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._admin_refused(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        # Back where they were going: the "continue" link on the two-factor pages is done with.
        session = getattr(request, "session", None)
        if (
            session is not None
            and response.status_code == 200
            and session.get(RETURN_TO) == request.get_full_path()
        ):
            del session[RETURN_TO]
        return response

    @staticmethod
    def _admin_refused(request: HttpRequest) -> HttpResponse | None:
        """The admin shows every team's connectors, credentials and audit trail: an operator
        who is a member of a team that requires two-factor needs it there too."""
        if not request.path.startswith(reverse("admin:index")):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        strict = user.memberships.filter(team__require_two_factor=True).select_related("team")
        member = strict.first()
        if member is None or has_two_factor(user):
            return None
        return TwoFactorRequiredMiddleware._send_to_set_up(request, member.team)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, TwoFactorRequired):
            return None
        return self._send_to_set_up(request, exception.team)

    @staticmethod
    def _send_to_set_up(request: HttpRequest, team) -> HttpResponse:
        if request.method == "GET":
            request.session[RETURN_TO] = request.get_full_path()
        messages.warning(
            request,
            f"{team.name} requires two-factor authentication. Add an authenticator app or a "
            "security key to your account; you go back to the team when it is set up.",
        )
        target = reverse("mfa_index")
        if getattr(request, "htmx", False):
            response = no_content()
            response["HX-Redirect"] = target
            return response
        return redirect(target)
