"""Sign-in on django-allauth: the page in the product's layout and CSP, throttled attempts with the
lock-out said and audited, password reset throttled, no open sign-up, two-factor (authenticator
app, recovery codes) and a team that requires it. Through the test client, with real codes."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from connectors_admin.audit.models import Action, AuditEvent

from .conftest import PASSWORD
from .totp import totp

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")


def sign_in(client, login: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password}, **extra)


def audited(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_sign_in_page_is_ours_and_runs_no_inline_script(client):
    page = client.get(LOGIN)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="topbar"' in html and "<h1>Sign in</h1>" in html
    assert "script-src 'self' 'nonce-" in page["Content-Security-Policy"]
    for tag in re.findall(r"<script[^>]*>", html):  # files, or JSON data the browser never runs
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert 'for="id_login"' in html and 'for="id_password"' in html  # labelled fields
    assert "Forgotten your password?" in html and "invitation" in html
    # htmx and app.js only: the passkey scripts load on the passkey page (first view, 4 requests)
    assert len(re.findall(r"<script[^>]*src=", html)) == 2
    assert "sign up" not in html.lower()


def test_no_open_sign_up(client):
    page = client.get(reverse("account_signup"))
    assert "No open sign-up" in page.content.decode()
    client.post(
        reverse("account_signup"),
        {
            "username": "eve",
            "email": "eve@example.com",
            "password1": "x" * 12,
            "password2": "x" * 12,
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="eve").exists()


@pytest.mark.parametrize("login", ["olivia", "olivia@example.com"])
def test_sign_in_by_username_or_email_is_audited(client, owner, login):
    response = sign_in(client, login, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200
    (event,) = audited(Action.SIGNED_IN)
    assert event.actor == owner and event.client_ip == "203.0.113.7"


def test_a_wrong_password_is_said_and_audited_without_the_password(client, owner, caplog):
    page = sign_in(client, "olivia", "not-my-password-1234")
    assert page.status_code == 200
    assert "The username or password is not right." in page.content.decode()
    (event,) = audited(Action.SIGN_IN_FAILED)
    assert "olivia" in event.message
    everything = str(list(AuditEvent.objects.values())) + caplog.text + page.content.decode()
    assert "not-my-password-1234" not in everything


def test_repeated_failures_pause_sign_in_for_the_account_and_say_so(client, owner, settings):
    for _ in range(settings.LOGIN_ATTEMPTS):
        assert "not right" in sign_in(client, "olivia", "wrong").content.decode()
    # The right password is refused too while the account is paused; said in plain words.
    page = sign_in(client, "olivia")
    text = page.content.decode()
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in text and "reset it" in text
    sign_in(client, "olivia")
    (locked,) = audited(Action.SIGN_IN_LOCKED)  # once per lock-out, not once per attempt
    assert "olivia" in locked.message and "wrong" not in locked.message
    # Another account from elsewhere is not paused.
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("mia", password=PASSWORD)
    assert sign_in(client, "mia", REMOTE_ADDR="198.51.100.4").status_code == 302


def test_an_accounts_added_address_shares_its_count_of_failed_sign_ins(client, owner, settings):
    from allauth.account.models import EmailAddress
    from django.test import Client

    EmailAddress.objects.create(user=owner, email="o.private@example.net", verified=False)
    for _ in range(settings.LOGIN_ATTEMPTS):
        sign_in(client, "olivia", "wrong")
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    page = sign_in(elsewhere, "o.private@example.net")
    assert "Too many failed sign-ins" in page.content.decode()
    assert "_auth_user_id" not in elsewhere.session


def test_password_reset_is_mailed_and_throttled(client, owner):
    url = reverse("account_reset_password")
    for _ in range(3):
        assert client.post(url, {"email": "olivia@example.com"}).status_code == 302
    assert len(mail.outbox) == 3 and "password" in mail.outbox[0].subject.lower()
    refused = client.post(url, {"email": "olivia@example.com"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert len(mail.outbox) == 3


def test_a_password_reset_reads_as_the_product_and_leads_back_to_sign_in(client, owner):
    """The reset pages are the product's own: plain words, a way back to sign in, and no
    "contact us" without saying whom."""
    url = reverse("account_reset_password")
    page = client.get(url).content.decode()
    assert "<h1>Reset your password</h1>" in page and "Send the link" in page
    assert f'href="{reverse("account_login")}">Back to sign in' in page
    assert "contact us" not in page.lower()
    sent = client.post(url, {"email": "olivia@example.com"}, follow=True).content.decode()
    assert "<h1>Check your email</h1>" in sent and "contact us" not in sent.lower()
    link = re.search(r"https?://[^\s]+/password/reset/key/[^\s]+", mail.outbox[0].body)[0]
    chooser = client.get(link, follow=True)
    assert "<h1>Choose a new password</h1>" in chooser.content.decode()
    done = client.post(
        chooser.redirect_chain[-1][0] if chooser.redirect_chain else link,
        {"password1": "a-new-long-passphrase-42", "password2": "a-new-long-passphrase-42"},
        follow=True,
    ).content.decode()
    assert "<h1>Password changed</h1>" in done
    # Used once: the same link again says so and offers a new one.
    again = client.get(link, follow=True).content.decode()
    assert "<h1>This link no longer works</h1>" in again
    assert f'href="{url}">Ask for a new one' in again


# --- two-factor ---------------------------------------------------------------------------------
def enrol_totp(client) -> str:
    """Turn on an authenticator app through the pages, as a person would: read the secret off
    the page, type the current code. Returns the secret."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:  # allauth asks for the password again before a security change
        assert page["Location"].startswith(reverse("account_reauthenticate"))
        assert client.post(page["Location"], {"password": PASSWORD}).status_code == 302
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page.get("Location")
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())
    assert secret, "the secret is shown for typing into an app"
    # The QR code's text alternative says what it is, not the secret again.
    qr = re.search(r"<img [^>]*>", page.content.decode())[0]
    assert 'alt="QR code for your authenticator app' in qr and secret[1] not in qr
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret[1])})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret[1]


@pytest.mark.django_db(transaction=True)  # allauth reports changes once they are committed
def test_totp_enrolment_then_sign_in_with_a_code_and_with_a_recovery_code(client, owner, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # the sign-in code is the next period's: codes are single-use
    assert sign_in(client, "olivia").status_code == 302
    secret = enrol_totp(client)
    # The owner of the account is told by email that two-factor was turned on.
    assert any("olivia@example.com" in m.to for m in mail.outbox)
    stored = Authenticator.objects.get(user=owner, type="totp").data["secret"]
    assert secret not in stored and stored.startswith("fernet:")  # encrypted at rest
    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    recovery = re.findall(r"\b\d{8}\b", codes_page)
    assert len(set(recovery)) >= 10
    assert [e.after["method"] for e in audited(Action.TWO_FACTOR_ADDED)] == [
        "authenticator app",
        "recovery codes",
    ]
    client.post(reverse("account_logout"))

    # Password, then the code: a wrong code is refused and audited, the right one signs in.
    response = sign_in(client, "olivia")
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode()
    assert audited(Action.TWO_FACTOR_FAILED)
    import time

    response = client.post(reverse("mfa_authenticate"), {"code": totp(secret, time.time() + 30)})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(owner.pk)
    client.post(reverse("account_logout"))

    # A recovery code works once.
    sign_in(client, "olivia")
    assert client.post(reverse("mfa_authenticate"), {"code": recovery[0]}).status_code == 302
    client.post(reverse("account_logout"))
    sign_in(client, "olivia")
    again = client.post(reverse("mfa_authenticate"), {"code": recovery[0]})
    assert again.status_code == 200 and "_auth_user_id" not in client.session
    assert secret not in str(list(AuditEvent.objects.values()))


# --- a team that requires two-factor --------------------------------------------------------------
def give_totp(user) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


def test_a_member_without_two_factor_is_sent_to_set_it_up_first(client_for, team, member):
    team.require_two_factor = True
    team.save()
    client = client_for(member)
    dashboard = reverse("connectors:dashboard", args=["acme"])
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    page = client.get(response["Location"]).content.decode()
    assert "Acme Data requires two-factor authentication" in page
    assert f'href="{dashboard}"' in page  # the way back, once it is set up
    # htmx requests are redirected the htmx way; the home page leads to the same place.
    fragment = client.get(reverse("connectors:list", args=["acme"]), HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"] == reverse("mfa_index")
    assert client.get(reverse("connectors:home"), follow=True).redirect_chain[-1][0] == reverse(
        "mfa_index"
    )
    give_totp(member)
    assert client.get(dashboard).status_code == 200
    assert 'href="/teams/acme/' not in client.get(reverse("mfa_index")).content.decode()


def test_recovery_codes_alone_do_not_count(client_for, team, member):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(member)
    team.require_two_factor = True
    team.save()
    assert client_for(member).get(reverse("connectors:dashboard", args=["acme"])).status_code == 302


def test_only_an_owner_with_two_factor_can_require_it(client_for, team, owner, make_user):
    from connectors_admin.accounts.models import Membership, Role

    admin = make_user("ada")
    Membership.objects.create(team=team, user=admin, role=Role.ADMIN)
    url = reverse("accounts:two-factor", args=["acme"])
    assert client_for(admin).post(url, {"require": "on"}).status_code == 403
    client = client_for(owner)
    page = client.post(url, {"require": "on"}, follow=True).content.decode()
    assert "Set up two-factor for your own account first" in page
    team.refresh_from_db()
    assert not team.require_two_factor
    give_totp(owner)
    page = client.post(url, {"require": "on"}, follow=True).content.decode()
    team.refresh_from_db()
    assert team.require_two_factor and "Two-factor is now required" in page
    # The members page says who has it.
    assert page.count('class="status status-active">On<') == 1
    assert page.count('class="status status-failed">Off<') == 1
    (event,) = audited(Action.TEAM_TWO_FACTOR)
    assert event.after == {"require_two_factor": True} and event.team == team
    client.post(url, {})
    team.refresh_from_db()
    assert not team.require_two_factor


def test_the_members_page_keeps_its_query_count(
    client_for, team, owner, make_user, django_assert_num_queries
):
    from connectors_admin.accounts.models import Membership

    client = client_for(owner)
    url = reverse("accounts:members", args=["acme"])
    client.get(url)
    for i in range(20):
        Membership.objects.create(team=team, user=make_user(f"user{i}"))
    with django_assert_num_queries(QUERIES_MEMBERS):
        client.get(url)


# session, user, memberships+teams (the page's and the header's switcher), the members with
# their two-factor state, pending invitations
QUERIES_MEMBERS = 5


def test_the_admin_has_no_sign_in_form_of_its_own(client, make_user):
    operator = make_user("root", is_staff=True, is_superuser=True)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN + "?next=")
    # Its password form no longer signs anyone in (it would skip throttling and two-factor).
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "root").status_code == 302
    assert client.get("/admin/").status_code == 200
    assert operator.pk == int(client.session["_auth_user_id"])


def test_the_passkey_page_keeps_a_safe_next_only(client):
    url = reverse("passkey-login")
    page = client.get(url, {"next": "/teams/acme/"}).content.decode()
    assert 'name="next" value="/teams/acme/"' in page and 'id="passkey_login"' in page
    assert "webauthn.js" in page
    # Disabled until allauth's script has hooked it (app.js enables it after): an early click
    # would send its form empty. The browser tests click it once enabled.
    assert re.search(r'<button [^>]*id="passkey_login"[^>]* disabled data-enabled-by-script', page)
    assert 'name="next"' not in client.get(url, {"next": "https://evil.example/"}).content.decode()


def test_behind_proxies_each_client_is_counted_and_audited_by_its_own_address(
    client, owner, settings, make_user
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for number in range(10):  # one client fails often, under made-up names
        sign_in(client, f"nobody{number}", "x", HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    # Another client behind the same proxy signs in: the first one's failures are its own.
    other = Client()
    response = sign_in(other, "olivia", HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy)
    assert response.status_code == 302
    assert audited(Action.SIGNED_IN)[0].client_ip == "203.0.113.50"
    assert {e.client_ip for e in audited(Action.SIGN_IN_FAILED)} == {"198.51.100.66"}
    # A header shorter than the proxies that would have written it is ignored.
    settings.TRUSTED_PROXY_COUNT = 2
    sign_in(Client(), "nobody", "x", HTTP_X_FORWARDED_FOR="192.0.2.9", **proxy)
    assert audited(Action.SIGN_IN_FAILED)[-1].client_ip == "10.0.0.1"


def test_the_lock_out_counts_per_account_whichever_name_is_typed(client, owner, settings):
    for _ in range(settings.LOGIN_ATTEMPTS):
        sign_in(client, "olivia", "wrong")
    page = sign_in(client, "olivia@example.com")  # the same account by its email
    assert "Too many failed sign-ins" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_failed_sign_in_keeps_only_a_name_that_is_an_account(client, owner):
    sign_in(client, "correct-horse-typed-in-the-wrong-box", "x")
    sign_in(client, "OLIVIA", "x")
    first, second = audited(Action.SIGN_IN_FAILED)
    assert "correct-horse" not in first.message and "not an account here" in first.message
    assert "OLIVIA" in second.message


def test_a_queued_bulk_action_does_not_run_for_a_member_without_required_two_factor(
    team, member, credential
):
    from connectors_admin.connectors.tasks import run_connector_action

    from .test_connectors_pages import make_connectors

    (connector,) = make_connectors(team, credential, member, 1)
    team.require_two_factor = True
    team.save()
    assert run_connector_action.call(str(connector.pk), "refresh", member.pk) == "not allowed"
