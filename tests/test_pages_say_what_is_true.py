"""What the dashboard, credential, operation and error pages and the management commands say is
true: credential use, disabled credentials, what a viewer may do, what was sent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Connector, EmbeddedCredential, Submission
from connectors_admin.credentials.models import Credential

from .test_embedded_credentials import AWS_SECRET, HTMX, SOURCE, s3_source_form


@pytest.mark.django_db(transaction=True)
def test_checking_a_connection_again_marks_the_embedded_credential_used(
    owner_client, sandbox, team, owner
):
    """The record's "Check connection" sends the kept configuration again, AWS secret included:
    that use of the stored AWS key is neither audited nor shown as its last use."""
    from .conftest import make_aisquared_credential

    aisq = make_aisquared_credential(team, owner)
    aws = Credential(
        team=team, kind="aws", label="Data lake", public={"aws_access_key_id": "AKIA" + "D" * 16}
    )
    aws.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    aws.save()
    response = owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    assert "Connector created" in response.content.decode()
    connector = Connector.objects.get()
    assert EmbeddedCredential.objects.get(connector=connector).credential == aws
    # Forget the create's use, then run the record's connection check.
    Credential.objects.filter(pk=aws.pk).update(last_used_at=None)
    used_before = AuditEvent.objects.filter(action="credential.used", target_id=str(aws.pk)).count()
    check = reverse("connectors:action", args=["acme", connector.pk, "check"])
    owner_client.post(check)
    run = Submission.objects.get(action="check", connector=connector)
    sent = " ".join(str(a.request) for a in run.attempts.all())
    assert run.attempts.exists() and "secret_access" in sent  # the AWS secret went out (redacted)
    aws.refresh_from_db()
    assert aws.last_used_at is not None, "the AWS key was sent, yet its page says 'never used'"
    assert (
        AuditEvent.objects.filter(action="credential.used", target_id=str(aws.pk)).count()
        > used_before
    )


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["data team", "data.team", "équipe"])
def test_create_team_refuses_a_slug_no_url_can_hold(make_user, slug):
    """`create_team --slug` stores any text: a slug with a space, a dot or an accent matches no
    team URL, so its owner gets a server error on every page (the home page's redirect, the
    header's team switcher) instead of a refusal from the command."""
    from django.core.management import CommandError

    from connectors_admin.accounts.models import Team

    founder = make_user("founder")
    try:
        call_command("create_team", "Data Team", "--owner", "founder", "--slug", slug)
    except CommandError:
        return  # refused in words: what should happen
    assert Team.objects.filter(slug=slug).exists()
    client = Client(raise_request_exception=False)
    client.force_login(founder)
    response = client.get("/")
    assert response.status_code in (200, 302), (
        f"team slug {slug!r} was accepted, and its owner's home page answers {response.status_code}"
    )


@pytest.mark.django_db
def test_compare_says_when_the_stored_secret_cannot_be_decrypted(owner_client, credential):
    """With a stored secret no configured key decrypts (a key removed too early), "Is this the
    same secret?" answers "Paste a value to compare." to someone who did paste one: untrue,
    and it hides the real problem the rest of the app names (UNDECRYPTABLE_MESSAGE)."""
    from cryptography.fernet import Fernet

    from connectors_admin.core.crypto import PREFIX

    foreign = PREFIX + Fernet(Fernet.generate_key()).encrypt(b'{"secret": "x"}').decode()
    Credential.objects.filter(pk=credential.pk).update(secret_ciphertext=foreign)
    url = reverse("credentials:compare", args=["acme", credential.pk])
    html = owner_client.post(
        url, {"secret": "something-pasted-here"}, headers=HTMX
    ).content.decode()
    assert "Paste a value to compare." not in html
    assert "decrypt" in html


@pytest.mark.django_db(transaction=True)
def test_the_lookup_of_a_lost_create_marks_its_credential_used(
    owner_client, sandbox, credential, fault, tasks
):
    """The background lookup of a create whose answer was lost calls the provider with the
    credential (its page lists that call under "Provider calls"), but neither moves "Last used"
    nor audits the use, unlike every other call, the background refresh included."""
    from .test_platform import create_s3

    fault("late")
    create_s3(owner_client, credential)
    Credential.objects.filter(pk=credential.pk).update(last_used_at=None)
    assert tasks.run("reconcile_create") == ["found"]
    lookup = Submission.objects.get(action="reconcile")
    assert lookup.credential_id == credential.pk and lookup.attempts.exists()
    html = owner_client.get(
        reverse("credentials:detail", args=["acme", credential.pk])
    ).content.decode()
    assert "Look for a create whose answer was lost</a>" in html  # listed as a call made with it
    credential.refresh_from_db()
    assert credential.last_used_at is not None, "its page says 'Last used: never' beside the call"
    assert AuditEvent.objects.filter(
        action="credential.used",
        target_id=str(credential.pk),
        message__contains=f"(submission {lookup.pk})",
    ).exists()


@pytest.mark.django_db
def test_the_dashboard_says_a_disabled_credential_is_disabled(owner_client, credential):
    """The dashboard's "Stored credentials" shows a disabled credential as "verified", with no
    word that it is disabled (the credential list and its page both say "disabled"): members
    go to create a connector with it and find it refused."""
    from django.utils import timezone

    Credential.objects.filter(pk=credential.pk).update(
        enabled=False, last_check_at=timezone.now(), last_check_ok=True
    )
    listing = owner_client.get(reverse("credentials:list", args=["acme"])).content.decode()
    assert "status-disabled" in listing  # the list says so
    html = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    row = html[html.index('id="cred-heading"') :]
    assert credential.label in row
    assert "disabled" in row, "the dashboard shows it as 'verified', not disabled"


@pytest.mark.django_db
def test_an_unknown_address_does_not_show_djangos_exception_class(owner_client):
    """The 404 page prints the exception's text when it differs from the path; for an address
    no route matches, Django hands it the class name, so users read "Resolver404"."""
    response = owner_client.get("/teams/acme/nothing-here/")
    assert response.status_code == 404
    assert "Resolver404" not in response.content.decode()


@pytest.mark.django_db
def test_the_400_page_for_control_characters_carries_the_security_headers(owner_client):
    """Refused before the CSP and clickjacking middleware run, the control-character 400 page
    (a full page with the layout's scripts) goes out with no Content-Security-Policy and no
    X-Frame-Options, unlike every other page."""
    response = owner_client.get(reverse("connectors:dashboard", args=["acme"]), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "control character" in response.content.decode()
    assert "Content-Security-Policy" in response.headers
    assert response.headers.get("X-Frame-Options") == "DENY"


@pytest.mark.django_db(transaction=True)
def test_an_operation_whose_process_died_mid_call_does_not_say_nothing_was_sent(
    owner_client, sandbox, credential, tasks
):
    """A worker killed while the provider's answer was on its way leaves no exchange recorded
    (each is stored when it ends). The sweep's lookup then finds the connector at the provider,
    yet the operation's page says "Nothing was sent" under "Created — found afterwards"."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from connectors_admin.connectors.tasks import sweep_submissions
    from connectors_admin.sandbox.models import SandboxConnector

    from .test_platform import create_s3

    def killed_mid_call(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "connectors_attempt"'):
            raise SystemExit(1)  # a worker's timeout, while the answer was being read
        return execute(sql, params, many, context)

    with connection.execute_wrapper(killed_mid_call), pytest.raises(SystemExit):
        create_s3(owner_client, credential)
    assert SandboxConnector.objects.exists()  # the provider made it
    lost = Submission.objects.get(action="create")
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=1))
    tasks.backend.clear()
    sweep_submissions()
    assert tasks.run("reconcile_create") == ["found"]
    html = owner_client.get(
        reverse("connectors:submission", args=["acme", lost.pk])
    ).content.decode()
    assert "Created — found afterwards" in html
    assert "Nothing was sent" not in html


@pytest.mark.django_db
def test_seed_demo_with_a_capitalised_email_can_sign_in_by_email(client):
    """`seed_demo --email` stores the address as typed; allauth looks accounts up by the
    lower-cased address, so a demo user given "Demo@Example.com" can never sign in by email
    (not even typing it exactly), though sign-in is "by username or email"."""
    call_command(
        "seed_demo",
        "--username",
        "demo",
        "--password",
        "first-pass-1",
        "--email",
        "Demo@Example.com",
    )
    assert client.login(username="demo", password="first-pass-1")  # the username works
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "Demo@Example.com", "password": "first-pass-1"}
    )
    assert response.status_code == 302, "the email it was seeded with does not sign it in"


@pytest.mark.django_db
def test_a_viewers_dashboard_does_not_offer_creates_it_refuses(client_for, viewer):
    """The dashboard hides "New connector" from a viewer but still links every template's
    create form and "Import existing ones", each answering 403 for that role."""
    client = client_for(viewer)
    html = client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    create = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    assert client.get(create).status_code == 403
    assert f'href="{create}"' not in html
    assert "/connectors/import/" not in html


@pytest.mark.django_db
def test_an_operation_refused_before_sending_says_so_once(owner_client, team, credential):
    refused = Submission.objects.create(
        team=team,
        credential=credential,
        provider="mixpanel",
        template="mixpanel-s3",
        action="refresh",
        outcome="failed",
        error_message="Its credential is disabled. Nothing was sent.",
    )
    html = owner_client.get(reverse("connectors:submission", args=["acme", refused.pk])).text
    exchanges = html[html.index('id="exchanges-heading"') :]
    assert exchanges.count("Nothing was sent") == 1
