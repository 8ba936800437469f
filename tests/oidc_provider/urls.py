"""URLs and views of the test OpenID Connect provider.

Besides DOT's own endpoints (under /o/) and a login page, a test-only control endpoint,
POST /_mode, makes the token endpoint hand out broken id_tokens, so tests can prove that the
relying party rejects them.
"""

import base64
import json

import jwt
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import TokenView


class ClaimsValidator(OAuth2Validator):
    """Adds the claims an SSO login needs to the id_token and userinfo (DOT adds `sub`).

    DOT's default `oidc_claim_scope` already releases email/email_verified with the "email"
    scope and preferred_username with "profile".
    """

    # This request-agnostic form (no `request` argument, values are callables) also makes DOT
    # list the claims in discovery's claims_supported.
    def get_additional_claims(self):
        return {
            "email": lambda request: request.user.email,
            "email_verified": lambda request: True,
            "preferred_username": lambda request: request.user.get_username(),
        }


MODES = ("normal", "tamper", "wrong-issuer", "wrong-audience", "clock-ahead", "no-kid")
mode = "normal"  # one provider process per test session, so module state is fine


@csrf_exempt
@require_POST
def set_mode(request):
    global mode
    if request.POST.get("mode") not in MODES:
        return HttpResponseBadRequest(f"mode must be one of {', '.join(MODES)}")
    mode = request.POST["mode"]
    return HttpResponse(status=204)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def alter_id_token(id_token: str, how: str) -> str:
    claims = jwt.decode(id_token, options={"verify_signature": False})
    if how == "tamper":
        # Swap the payload but keep the original signature: it no longer verifies.
        claims["email"] = "attacker@example.com"
        header, _, signature = id_token.split(".")
        return f"{header}.{_b64url(json.dumps(claims).encode())}.{signature}"
    if how == "wrong-issuer":
        claims["iss"] = f"{settings.BASE_URL}/other"
    elif how == "wrong-audience":
        claims["aud"] = "someone-else"
    elif how == "clock-ahead":  # a provider whose clock runs 20 s ahead: still a valid token
        claims["iat"] += 20
        claims["nbf"] = claims["iat"]
    # Validly signed with the provider's own key (and kid), so only the claim is wrong.
    kid = jwt.get_unverified_header(id_token)["kid"]
    headers = {} if how == "no-kid" else {"kid": kid}  # kid is optional in a JWS header
    private_key = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    return jwt.encode(claims, private_key, algorithm="RS256", headers=headers)


@csrf_exempt  # as DOT's TokenView is
def token(request):
    response = TokenView.as_view()(request)
    how = mode
    if how != "normal" and response.status_code == 200:
        body = json.loads(response.content)
        if "id_token" in body:
            body["id_token"] = alter_id_token(body["id_token"], how)
            response.content = json.dumps(body)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
    return response


urlpatterns = [
    path("login/", LoginView.as_view(template_name="login.html"), name="login"),
    path("_mode", set_mode),
    # Shadows DOT's token endpoint (same URL, matched first; discovery still names it).
    path("o/token/", token),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
