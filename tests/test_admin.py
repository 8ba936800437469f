"""The operators' admin: every model is there, searchable, and secrets are replaceable, never readable."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from connectors_admin.connectors.models import Submission
from connectors_admin.credentials.models import Credential

from .conftest import MIXPANEL_SECRET, S3_FORM

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator_client(client):
    operator = get_user_model().objects.create_superuser(
        "root", "root@example.com", "pw-operator-1"
    )
    client.force_login(operator)
    return client


def test_every_admin_page_renders_without_the_secret(
    operator_client, owner_client, sandbox, credential
):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    submission = Submission.objects.get()
    urls = [
        reverse("admin:index"),
        reverse("admin:accounts_team_changelist"),
        reverse("admin:accounts_team_change", args=[credential.team.pk]),
        reverse("admin:accounts_membership_changelist"),
        reverse("admin:credentials_credential_changelist"),
        reverse("admin:credentials_credential_change", args=[credential.pk]),
        reverse("admin:credentials_credential_add"),
        reverse("admin:connectors_connector_changelist"),
        reverse("admin:connectors_connector_change", args=[submission.connector.pk]),
        reverse("admin:connectors_submission_changelist"),
        reverse("admin:connectors_submission_change", args=[submission.pk]),
        reverse("admin:connectors_submission_changelist") + "?q=acme&outcome__exact=succeeded",
        reverse("admin:credentials_credential_changelist") + "?q=Prod",
        reverse("admin:connectors_attempt_changelist"),
        reverse("admin:connectors_attempt_change", args=[submission.attempts.get().pk]),
        reverse("admin:accounts_invitation_changelist"),
        reverse("admin:core_scheduledjob_changelist"),
    ]
    for url in urls:
        response = operator_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert MIXPANEL_SECRET not in html, url
        assert credential.secret_ciphertext not in html, url


def test_operator_replaces_a_secret_without_seeing_it(operator_client, credential):
    url = reverse("admin:credentials_credential_change", args=[credential.pk])
    form = {
        "team": credential.team.pk,
        "kind": "mixpanel",
        "label": "Production",
        "public": '{"username": "sa.acme", "project_id": 4242, "residency": "us"}',
        "enabled": "on",
        "new_secret": "replacement-secret-7788",
    }
    response = operator_client.post(url, form)
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.secrets() == {"secret": "replacement-secret-7788"}
    assert credential.secret_set_by.username == "root"
    # Leaving the field empty keeps the stored secret.
    operator_client.post(url, {**form, "new_secret": ""})
    credential.refresh_from_db()
    assert credential.secrets() == {"secret": "replacement-secret-7788"}


def test_a_new_credential_in_the_admin_needs_its_secret(operator_client, team):
    response = operator_client.post(
        reverse("admin:credentials_credential_add"),
        {"team": team.pk, "kind": "mixpanel", "label": "X", "public": "{}", "new_secret": ""},
    )
    assert "A new credential needs its secret." in response.content.decode()
    assert Credential.objects.count() == 0


def test_a_credentials_kind_and_team_are_read_only_once_it_exists(admin_client, credential):
    url = f"/admin/credentials/credential/{credential.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="kind"' not in page and 'name="team"' not in page
    assert "Mixpanel API credential" in page  # shown, not editable
    response = admin_client.post(
        url,
        {
            "kind": "aws",
            "team": credential.team.pk,
            "label": "Renamed",
            "public": '{"username": "sa.acme", "project_id": 4242, "residency": "us"}',
            "enabled": "on",
            "new_secret": "",
        },
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.kind, credential.label) == ("mixpanel", "Renamed")
    assert (
        admin_client.get("/admin/credentials/credential/add/").content.decode().count('name="kind"')
        == 1
    )


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(
    "changelist", ["connectors_connector", "connectors_submission", "audit_auditevent"]
)
def test_admin_changelists_are_lean_whatever_the_rows(
    operator_client, team, owner, credential, rows, changelist, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connectors_admin.audit.log import record
    from connectors_admin.connectors.models import Connector

    for number in range(rows):
        connector = Connector.objects.create(
            team=team,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            remote_id=f"c-{number}",
            name=f"bucket/{number}",
            remote_status="active",
            record={"big": "x" * 2000},
            created_by=owner,
        )
        Submission.objects.create(
            team=team,
            user=owner,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            connector=connector,
            request={"big": "y" * 2000},
        )
        record("connector.created", actor=owner, team=team, target=connector, after={"n": number})
    url = reverse(f"admin:{changelist}_changelist")
    with CaptureQueriesContext(connection) as queries:
        assert operator_client.get(url, {"q": "c-1"}).status_code == 200
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert "DISTINCT" not in sql.upper()  # filter choices are declared, not scanned
    assert '"big"' not in sql and "yyyy" not in sql
    heavy = {
        "connectors_connector": '"record"',
        "connectors_submission": '"response_body"',
        "audit_auditevent": '"before"',
    }[changelist]
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not any(heavy in s and "LIMIT" in s for s in selects)  # not loaded for the list
    counts = [s for s in selects if "COUNT(" in s.upper()]
    assert len(counts) <= 1  # the filtered count only, never the full table's too
    with django_assert_max_num_queries(len(queries.captured_queries)):
        operator_client.get(url, {"q": "c-1"})


def test_admin_changelists_count_no_further_than_the_cap(
    operator_client, team, owner, credential, settings
):
    from .test_connectors_pages import make_connectors

    settings.LIST_COUNT_CAP = 5
    make_connectors(team, credential, owner, 8)
    html = operator_client.get("/admin/connectors/connector/").content.decode()
    assert "5+ connectors" in html
    assert html.count('/change/">') == 8  # every row still listed
    settings.LIST_COUNT_CAP = 100
    assert "8 connectors" in operator_client.get("/admin/connectors/connector/").content.decode()


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("connectors_connector", {}),
        ("connectors_connector", {"q": "<b>&", "o": "-2"}),
        ("connectors_connector", {"q": "0LEANPKSLOT0"}),  # the rows' key slot, searched for
        ("connectors_submission", {"outcome__exact": "failed"}),
        ("audit_auditevent", {}),
        ("audit_auditevent", {"action__exact": "connector.created"}),
    ],
)
def test_lean_changelist_rows_are_djangos_own_markup(
    operator_client, team, owner, credential, changelist, query
):
    """The rows rendered a column at a time are byte for byte what Django's admin renders: the
    change links with the list's filters kept, choices' labels, related names, dates, empty
    values and escaping."""
    from django.contrib.admin.templatetags.admin_list import result_list

    from connectors_admin.audit.log import record
    from connectors_admin.connectors.models import Connector
    from connectors_admin.core.templatetags.lean_admin import lean_rows

    for number, name in enumerate(["<b>&amp; 'x'", "plain", "", "a 0LEANPKSLOT0 b", "  padded "]):
        connector = Connector.objects.create(
            team=team,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            remote_id=f"<b>&-{number}",
            name=name,
            remote_status="active" if number else "",
            created_by=owner if number != 1 else None,
        )
        Submission.objects.create(
            team=team,
            user=owner if number else None,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            connector=connector,
            outcome="failed",
            response_status=502 if number else None,
        )
        record("connector.created", actor=owner, team=team, target=connector)
    response = operator_client.get(reverse(f"admin:{changelist}_changelist"), query)
    assert response.status_code == 200
    cl = response.context["cl"]
    ours = lean_rows(cl)
    assert ours is not None and len(ours) == len(cl.result_list) > 0
    django = [list(row) for row in result_list(cl)["results"]]
    assert ["".join(row) for row in ours] == ["".join(row) for row in django]
    html = response.content.decode()
    assert all("".join(row) in html for row in ours)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["disable_credentials", "test_credentials"])
def test_view_only_operators_cannot_run_the_credential_actions(client, credential, action):
    from django.contrib.auth.models import Permission

    from connectors_admin.audit.models import AuditEvent

    staff = get_user_model().objects.create_user("ops", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_credential"))
    client.force_login(staff)
    url = reverse("admin:credentials_credential_changelist")
    page = client.get(url)
    assert page.status_code == 200 and action not in page.content.decode()
    client.post(url, {"action": action, "_selected_action": [credential.pk], "index": "0"})
    credential.refresh_from_db()
    assert credential.enabled and credential.last_check_at is None
    assert not AuditEvent.objects.filter(actor=staff).exclude(action="auth.signed_in").exists()


def test_the_admin_keeps_the_delete_protection_of_credentials_in_use(
    operator_client, team, owner, credential
):
    from connectors_admin.audit.models import AuditEvent
    from connectors_admin.connectors.models import Connector, EmbeddedCredential

    from .conftest import make_aisquared_credential

    aws = Credential(team=team, kind="aws", label="Lake", public={"aws_access_key_id": "AKIA1"})
    aws.set_secrets({"aws_secret_access_key": "lake-secret-0000"}, owner)
    aws.save()
    # A live connector created with `credential`, and one carrying the AWS key inside.
    Connector.objects.create(
        team=team, credential=credential, template="mixpanel-s3", remote_id="1"
    )
    carrier = Connector.objects.create(
        team=team,
        credential=make_aisquared_credential(team, owner),
        template="aisquared-source",
        remote_id="2",
    )
    EmbeddedCredential.objects.create(connector=carrier, credential=aws, slot="aws")
    spare = Credential(team=team, kind="aws", label="Spare", public={"aws_access_key_id": "AKIA2"})
    spare.set_secrets({"aws_secret_access_key": "spare-secret-000"}, owner)
    spare.save()
    for used in (credential, aws):
        url = reverse("admin:credentials_credential_delete", args=[used.pk])
        assert operator_client.post(url, {"post": "yes"}).status_code == 409
    # The delete page says why, not that the operator lacks a role: which connectors use it,
    # and what to do first.
    url = reverse("admin:credentials_credential_delete", args=[aws.pk])
    page = operator_client.get(url)
    said = page.content.decode()
    assert page.status_code == 200
    assert "“Lake” cannot be deleted: it is used by 1 live connector." in said
    assert reverse("admin:connectors_connector_change", args=[carrier.pk]) in said
    assert "carries its secret in its configuration" in said
    assert "Delete that connector first, or re-point it to another credential" in said
    assert "owners and admins" not in said and "lake-secret-0000" not in said
    changelist = reverse("admin:credentials_credential_changelist")
    picked = {"action": "delete_selected", "_selected_action": [aws.pk, spare.pk]}
    confirm = operator_client.post(changelist, picked).content.decode()
    assert "Lake" in confirm and "live connectors use it or carry it" in confirm
    assert "permission" not in confirm
    operator_client.post(changelist, {**picked, "post": "yes"})
    assert Credential.objects.filter(pk__in=[credential.pk, aws.pk, spare.pk]).count() == 3
    # One not in use goes, and the team's audit trail says so.
    url = reverse("admin:credentials_credential_delete", args=[spare.pk])
    assert operator_client.post(url, {"post": "yes"}).status_code == 302
    assert not Credential.objects.filter(pk=spare.pk).exists()
    assert AuditEvent.objects.filter(action="credential.deleted", target_id=str(spare.pk)).exists()


def test_a_secret_replaced_in_the_admin_is_tested_anew(operator_client, team, credential, tasks):
    from django.utils import timezone

    Credential.objects.filter(pk=credential.pk).update(
        last_check_at=timezone.now(), last_check_ok=True, last_check_message="Accepted."
    )
    tasks.backend.clear()
    url = reverse("admin:credentials_credential_change", args=[credential.pk])
    public = '{"username": "sa.acme", "project_id": 4242, "residency": "us"}'
    data = {"label": "Production", "public": public, "enabled": "on"}
    response = operator_client.post(url, {**data, "new_secret": "a-brand-new-secret-1"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.last_check_ok is None and credential.check_pending
    assert tasks.names() == ["verify_credential"]
    # A key file that is not JSON is stored as typed (the operator's call), not a 500.
    response = operator_client.post(
        reverse("admin:credentials_credential_add"),
        {
            "team": team.pk,
            "kind": "gcp",
            "label": "Key",
            "public": "{}",
            "enabled": "on",
            "new_secret": "not a key file",
        },
    )
    assert response.status_code == 302


def test_operators_read_connectors_and_operations_but_cannot_edit_or_delete_them(
    operator_client, team, owner, credential
):
    """A connector marked deleted or removed in the admin would stay live at its provider,
    unrecorded, and free its credential for a delete that protection refuses; none of it
    would reach the audit trail. Records are read here, not edited."""
    from connectors_admin.connectors.models import Attempt, Connector, Submission

    connector = Connector.objects.create(
        team=team, credential=credential, template="mixpanel-s3", remote_id="1", name="Lake"
    )
    submission = Submission.objects.create(
        team=team, user=owner, credential=credential, provider="mixpanel",
        template="mixpanel-s3", connector=connector,
    )  # fmt: skip
    attempt = Attempt.objects.create(submission=submission, number=1, method="POST", url="u")
    for model, obj in (("connector", connector), ("submission", submission), ("attempt", attempt)):
        change = reverse(f"admin:connectors_{model}_change", args=[obj.pk])
        page = operator_client.get(change)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        delete = reverse(f"admin:connectors_{model}_delete", args=[obj.pk])
        assert operator_client.post(delete, {"post": "yes"}).status_code == 403
    operator_client.post(
        reverse("admin:connectors_connector_change", args=[connector.pk]),
        {"name": "", "deleted_at_0": "2026-01-01", "deleted_at_1": "00:00:00"},
    )
    connector.refresh_from_db()
    assert connector.deleted_at is None and connector.name == "Lake"
    credential_delete = reverse("admin:credentials_credential_delete", args=[credential.pk])
    assert operator_client.post(credential_delete, {"post": "yes"}).status_code == 409
    assert Credential.objects.filter(pk=credential.pk).exists()


def test_operators_change_members_under_the_teams_rules_and_on_its_audit_trail(
    operator_client, team, owner, member
):
    from connectors_admin.accounts.models import Invitation, Membership
    from connectors_admin.audit.models import AuditEvent

    only_owner = Membership.objects.get(user=owner)
    change = reverse("admin:accounts_membership_change", args=[only_owner.pk])
    refused = operator_client.post(change, {"role": "viewer"})
    assert refused.status_code == 200 and "A team keeps at least one owner" in refused.text
    delete = reverse("admin:accounts_membership_delete", args=[only_owner.pk])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 403
    only_owner.refresh_from_db()
    assert only_owner.role == "owner"

    membership = Membership.objects.get(user=member)
    change = reverse("admin:accounts_membership_change", args=[membership.pk])
    assert operator_client.post(change, {"role": "admin"}).status_code == 302
    delete = reverse("admin:accounts_membership_delete", args=[membership.pk])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 302
    said = list(
        AuditEvent.objects.filter(team=team, message="via the admin")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert said == ["member.role_changed", "member.removed"]

    team_change = reverse("admin:accounts_team_change", args=[team.pk])
    operator_client.post(
        team_change,
        {"name": team.name, "slug": team.slug, "require_two_factor": "on",
         "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert AuditEvent.objects.filter(team=team, action="team.two_factor").exists()

    from django.utils import timezone

    revoked = Invitation.objects.create(
        team=team, email="x@example.com", token_hash="h", invited_by=owner,
        expires_at=timezone.now(), revoked_at=timezone.now(),
    )  # fmt: skip
    invitation = reverse("admin:accounts_invitation_change", args=[revoked.pk])
    operator_client.post(invitation, {"revoked_at_0": "", "revoked_at_1": ""})
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None


def test_a_second_factor_removed_in_the_admin_is_on_the_audit_trail(operator_client, member):
    from allauth.mfa.models import Authenticator

    from connectors_admin.audit.models import AuditEvent

    totp = Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={})
    delete = reverse("admin:mfa_authenticator_delete", args=[totp.pk])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 302
    removed = AuditEvent.objects.get(action="auth.two_factor_removed")
    assert removed.target_id == str(member.pk) and "via the admin" in removed.message


def test_an_operator_in_a_team_requiring_two_factor_needs_it_in_the_admin_too(
    client_for, team, make_user
):
    from allauth.mfa.models import Authenticator

    from connectors_admin.accounts.models import Membership

    staff = make_user("ops", is_staff=True, is_superuser=True)
    Membership.objects.create(team=team, user=staff, role="viewer")
    client = client_for(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    team.require_two_factor = True
    team.save()
    refused = client.get(reverse("admin:connectors_connector_changelist"))
    assert refused.status_code == 302 and refused["Location"] == reverse("mfa_index")
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    assert client.get(reverse("admin:connectors_connector_changelist")).status_code == 200


def test_an_operators_changes_to_accounts_are_on_the_audit_trail(operator_client, make_user):
    """Adding an account, making it a superuser, setting its password and deleting it in the
    admin are each recorded with the operator and what changed, never a password or its hash."""
    from connectors_admin.audit.models import AuditEvent

    new_password = "Operator-set-pw-do-not-leak-42"
    added = operator_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "grace",
            "usable_password": "true",
            "password1": new_password,
            "password2": new_password,
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    grace = get_user_model().objects.get(username="grace")
    change = reverse("admin:auth_user_change", args=[grace.pk])
    form = {
        "username": "grace",
        "email": "grace@example.com",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
    }
    assert operator_client.post(change, form).status_code == 302
    assert operator_client.post(change, form).status_code == 302  # nothing changed: nothing said
    password = reverse("admin:auth_user_password_change", args=[grace.pk])
    answer = operator_client.post(
        password, {"password1": new_password + "x", "password2": new_password + "x"}
    )
    assert answer.status_code == 302
    delete = reverse("admin:auth_user_delete", args=[grace.pk])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 302

    events = list(AuditEvent.objects.filter(target_label="grace").order_by("pk"))
    assert [(e.action, e.actor_name, e.target_label) for e in events] == [
        ("auth.account_added", "root", "grace"),
        ("auth.account_changed", "root", "grace"),
        ("auth.password_changed", "root", "grace"),
        ("auth.account_deleted", "root", "grace"),
    ]
    assert set(events[1].after["fields"]) >= {"Superuser status", "Staff status", "Email address"}
    assert events[2].message == "set via the admin"
    stored = str(list(AuditEvent.objects.values()))
    assert new_password not in stored and "pbkdf2" not in stored and "md5$" not in stored


def test_the_admin_counts_and_names_the_connectors_that_carry_a_credential(
    operator_client, team, owner
):
    """As the team's own pages do: a storage secret carried inside connectors is in use by them,
    not "used by no connector" beside a delete the admin refuses."""
    from connectors_admin.connectors.models import Connector, EmbeddedCredential

    from .conftest import make_aisquared_credential

    aws = Credential(team=team, kind="aws", label="Lake", public={"aws_access_key_id": "AKIA1"})
    aws.set_secrets({"aws_secret_access_key": "lake-secret-0000"}, owner)
    aws.save()
    source = make_aisquared_credential(team, owner)
    for remote_id in ("carrier-1", "carrier-2"):
        carrier = Connector.objects.create(
            team=team, credential=source, template="aisquared-source", remote_id=remote_id
        )
        EmbeddedCredential.objects.create(connector=carrier, credential=aws, slot="aws")
    gone = Connector.objects.create(
        team=team, credential=source, template="aisquared-source", remote_id="carrier-gone"
    )
    EmbeddedCredential.objects.create(connector=gone, credential=aws, slot="aws")
    Connector.objects.filter(pk=gone.pk).update(deleted_at=gone.created_at)

    changelist = operator_client.get(reverse("admin:credentials_credential_changelist"))
    html = changelist.content.decode()
    row = html[html.index(f"/{aws.pk}/change/") :]
    row = row[: row.index("</tr>")]
    assert '<td class="field-connector_count">2</td>' in row

    page = operator_client.get(reverse("admin:credentials_credential_change", args=[aws.pk]))
    used_by = page.content.decode()
    assert "no connector" not in used_by
    assert "carrier-1" in used_by and "carrier-2" in used_by and "carrier-gone" not in used_by


@pytest.mark.parametrize("rows", [1, 40])
def test_operations_say_what_they_did_and_the_credential_a_test_was_of(
    operator_client, team, owner, credential, rows, django_assert_num_queries
):
    """A credential's test has no template and no connector: the operations changelist says
    "Test the credential" and which credential (linked, with its kind), not the slug and a
    dash; the other operations their label and template. Rendered a column at a time as
    Django's own markup, in the same queries whatever the rows, without the credentials'
    secrets or JSON columns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connectors_admin.core.templatetags.lean_admin import lean_rows

    gone = Credential.objects.create(team=team, kind="mixpanel", label="Old <key>", public={})
    for number in range(rows):
        Submission.objects.create(
            team=team,
            user=owner if number % 2 else None,
            credential=credential,
            provider="mixpanel",
            action="test-credential",
            outcome="succeeded",
        )
        Submission.objects.create(
            team=team,
            user=owner,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            action="refresh",
        )
    Submission.objects.create(
        team=team, credential=gone, provider="mixpanel", action="test-credential"
    )
    gone.delete()
    url = reverse("admin:connectors_submission_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = operator_client.get(url)
    html = response.content.decode()
    link = reverse("admin:credentials_credential_change", args=[credential.pk])
    assert (
        html.count(
            f'<td class="field-subject"><a href="{link}">Production</a> (Mixpanel API credential)</td>'
        )
        == rows
    )
    assert html.count('<td class="field-operation">Test the credential</td>') == rows + 1
    assert '<td class="field-subject">Mixpanel API credential (since deleted)</td>' in html
    assert html.count('<td class="field-operation">Refresh status</td>') == rows
    assert html.count('<td class="field-subject">Mixpanel Cloud Import: Amazon S3</td>') == rows
    assert ">test-credential<" not in html and "Old &lt;key&gt;" not in html
    # Django's own markup, a column at a time.
    from django.contrib.admin.templatetags.admin_list import result_list

    cl = response.context["cl"]
    ours = lean_rows(cl)
    assert ours is not None
    django = [list(row) for row in result_list(cl)["results"]]
    assert ["".join(row) for row in ours] == ["".join(row) for row in django]
    # The credential comes with each row, its secret and JSON columns left unloaded.
    listed = next(
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "connectors_submission"."id"')
    )
    assert (
        'JOIN "credentials_credential"' in listed and '"credentials_credential"."label"' in listed
    )
    for heavy in ("secret_ciphertext", "secret_hints", '"public"', "last_check_message"):
        assert heavy not in listed
    with django_assert_num_queries(len(queries.captured_queries)):
        operator_client.get(url)
    assert len(queries.captured_queries) == 6


def test_every_admin_page_declares_the_app_s_icon(operator_client, credential):
    """Without one, each admin page's load asks for /favicon.ico, and its 404 is logged in the
    browser's console; the admin declares the icon the app's own pages declare."""
    icon = '<link rel="icon" href="data:,">'
    for url in (
        reverse("admin:index"),
        reverse("admin:credentials_credential_changelist"),
        reverse("admin:credentials_credential_change", args=[credential.pk]),
        reverse("admin:credentials_credential_delete", args=[credential.pk]),
    ):
        page = operator_client.get(url).content.decode()
        assert page.count(icon) == 1, url
        assert "Django administration" in page  # the admin's own header still
