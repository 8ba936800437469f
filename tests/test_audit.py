"""The audit trail: what is recorded, that it is append-only, browsing, CSV, and no secret anywhere."""

from __future__ import annotations

import csv
import html
import io
import logging
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from connectors_admin.audit.models import Action, AppendOnlyError, AuditEvent
from connectors_admin.connectors.models import Connector
from connectors_admin.credentials.models import Credential

from .conftest import PASSWORD, S3_FORM

AUDIT = reverse("audit:list", args=["acme"])
CSV_URL = reverse("audit:csv", args=["acme"])
SECRETS = {
    "mixpanel": "audit-mixpanel-secret-QQ11",
    "rotated": "audit-rotated-secret-RR22",
    "azure": "audit-azure-secret-SS33",
}


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_full_session_is_audited_without_any_secret(client, owner, make_user, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    assert (
        client.post(reverse("account_login"), {"login": "olivia", "password": "wrong"}).status_code
        == 200
    )
    client.post(
        reverse("account_login"),
        {"login": "olivia", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    client.post(
        reverse("credentials:add", args=["acme", "mixpanel"]),
        {
            "label": "Prod",
            "username": "sa",
            "secret": SECRETS["mixpanel"],
            "project_id": "5",
            "residency": "us",
        },
    )
    credential = Credential.objects.get(kind="mixpanel")
    client.post(
        reverse("credentials:add", args=["acme", "azure"]),
        {
            "label": "Blob",
            "tenant_id": "11111111-2222-3333-4444-555555555555",
            "client_id": "11111111-2222-3333-4444-555555555555",
            "client_secret": SECRETS["azure"],
        },
    )
    client.post(
        reverse("credentials:edit", args=["acme", credential.pk]),
        {"label": "Production", "username": "sa", "project_id": "5", "residency": "eu"},
    )
    client.post(reverse("credentials:test", args=["acme", credential.pk]))
    client.post(
        reverse("credentials:compare", args=["acme", credential.pk]),
        {"secret": SECRETS["mixpanel"]},
    )
    client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {
            **S3_FORM,
            "residency": "eu",
            "credential": credential.pk,
            "form_token": str(uuid.uuid4()),
        },
    )
    connector = Connector.objects.get()
    client.post(reverse("connectors:action", args=["acme", connector.pk, "refresh"]))
    client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    client.post(
        reverse("credentials:rotate", args=["acme", credential.pk]), {"secret": SECRETS["rotated"]}
    )
    client.post(reverse("credentials:toggle", args=["acme", credential.pk]), {"enabled": "0"})
    client.post(reverse("credentials:toggle", args=["acme", credential.pk]), {"enabled": "1"})
    make_user("newbie")
    client.post(reverse("accounts:members", args=["acme"]), {"user": "newbie", "role": "viewer"})
    membership = owner.memberships.model.objects.get(user__username="newbie")
    client.post(reverse("accounts:member-role", args=["acme", membership.pk]), {"role": "member"})
    client.post(reverse("accounts:member-remove", args=["acme", membership.pk]))
    client.post(reverse("credentials:delete", args=["acme", credential.pk]))

    assert actions() == [
        "auth.sign_in_failed",
        "auth.signed_in",
        "credential.added",
        "credential.added",
        "credential.edited",
        "credential.tested",
        "credential.used",
        "connector.created",
        "credential.used",
        "connector.refreshed",
        "credential.used",
        "connector.deleted",
        "credential.rotated",
        "credential.disabled",
        "credential.enabled",
        "member.added",
        "member.role_changed",
        "member.removed",
        "credential.deleted",
    ]
    signed_in = AuditEvent.objects.get(action="auth.signed_in")
    assert signed_in.client_ip == "203.0.113.9"
    assert len(signed_in.request_id) == 32
    edited = AuditEvent.objects.get(action="credential.edited")
    assert edited.before["public.residency"] == "us" and edited.after["public.residency"] == "eu"
    assert edited.actor_name == "olivia" and edited.team.slug == "acme"
    rotated = AuditEvent.objects.get(action="credential.rotated")
    assert rotated.before["secret.secret"].startswith("fingerprint:")
    assert rotated.before["secret.secret"] != rotated.after["secret.secret"]

    # No secret in the trail's rows (read raw), its pages, its export, or the logs.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        raw_rows = repr(cursor.fetchall())
    page = client.get(AUDIT).content.decode()
    export = b"".join(client.get(CSV_URL).streaming_content).decode()
    for secret in SECRETS.values():
        assert secret not in raw_rows
        assert secret not in page
        assert secret not in export
        assert secret not in caplog.text
    assert "Credential secret rotated" in page
    assert '<span class="mono">ok</span>: yes' in page  # booleans in words
    assert "wrong" not in raw_rows  # a failed sign-in's password is never kept


@pytest.mark.django_db
def test_events_are_append_only(owner):
    event = AuditEvent.objects.create(action="auth.signed_in", actor=owner, actor_name="olivia")
    event.message = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(message="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_browse_filters_and_only_the_teams_events(owner_client, owner, team, other_team):
    AuditEvent.objects.create(
        action="member.added", actor=owner, actor_name="olivia", team=team, target_label="mia"
    )
    AuditEvent.objects.create(
        action="credential.added", actor=owner, actor_name="olivia", team=team, target_label="Prod"
    )
    AuditEvent.objects.create(
        action="credential.added", actor_name="zed", team=other_team, target_label="Theirs"
    )
    html = owner_client.get(AUDIT, {"action": "credential.added"}).content.decode()
    assert "Prod" in html and "mia" not in html and "Theirs" not in html
    assert "Prod" not in owner_client.get(AUDIT, {"actor": "nobody"}).content.decode()
    assert "Prod" not in owner_client.get(AUDIT, {"since": "2999-01-01"}).content.decode()
    # It offers the actions a team's trail can hold: not an account's own (signing in, say).
    assert '<option value="credential.added"' in html
    assert '<option value="auth.signed_in"' not in html


@pytest.mark.django_db
def test_the_trail_shows_every_detail_that_changed_was_set_or_went(owner_client, owner, team):
    """Details as before → after; one set where nothing was before; one gone with its target
    (a member removed) as it was; one dropped from a target still there as before → —."""
    AuditEvent.objects.create(
        action="credential.edited",
        actor=owner,
        team=team,
        target_label="Prod",
        before={"label": "Prod", "region": "eu", "project": 1},
        after={"label": "Prod", "region": "us", "bucket": "raw"},
    )
    AuditEvent.objects.create(
        action="member.removed",
        actor=owner,
        team=team,
        target_label="mia",
        before={"user": "mia", "role": "member"},
    )
    page = owner_client.get(AUDIT).content.decode()
    removed, edited = (
        [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in re.findall(r"<div>(.*?)</div>", d)]
        for d in re.findall(r'<td class="small a-details">(.*?)</td>', page, re.S)
    )
    assert removed == ["role: member", "user: mia"]
    assert edited == ["bucket: raw", "project: 1 → —", "region: eu → us"]


@pytest.mark.django_db
def test_csv_export_is_filtered_and_safe_for_spreadsheets(owner_client, owner, team):
    AuditEvent.objects.create(
        action="credential.added",
        actor=owner,
        actor_name="olivia",
        team=team,
        target_label='=HYPERLINK("http://evil")',
    )
    AuditEvent.objects.create(
        action="member.added", actor=owner, actor_name="olivia", team=team, target_label="mia"
    )
    response = owner_client.get(CSV_URL, {"action": "credential.added"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time", "action", "actor"]
    assert len(rows) == 2
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'


@pytest.mark.django_db
def test_operators_see_the_trail_read_only_in_the_admin(client, owner, team):
    event = AuditEvent.objects.create(
        action="member.added", actor=owner, actor_name="olivia", team=team
    )
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    client.force_login(root)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    change = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"message": "x"})
    event.refresh_from_db()
    assert event.message == ""


@pytest.mark.django_db
def test_request_id_is_echoed_and_a_sane_incoming_one_kept(owner_client):
    response = owner_client.get("/", headers={"X-Request-ID": "trace-abc.123"})
    assert response["X-Request-ID"] == "trace-abc.123"
    response = owner_client.get("/", headers={"X-Request-ID": "bad id with spaces"})
    assert response["X-Request-ID"] != "bad id with spaces"


@pytest.mark.django_db
def test_audit_pager_and_export_encode_the_filters(owner_client, owner, team):
    for _ in range(60):
        AuditEvent.objects.create(action="member.added", actor_name="a&b", team=team)
    html = owner_client.get(AUDIT, {"actor": "a&b"}).content.decode()
    assert "actor=a%26b&amp;page=2" in html
    assert "export.csv?actor=a%26b" in html


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_the_trail_keeps_a_constant_query_count(
    owner_client, owner, team, rows, django_assert_num_queries
):
    from connectors_admin.audit.log import record

    for i in range(rows):
        record(Action.MEMBER_INVITED, actor=owner, team=team, after={"email": f"p{i}@x.io"})
    url = reverse("audit:list", args=["acme"])
    # session, user, memberships+teams (the page's, and the header's team switcher), the page;
    # no count: the first page (50 rows) holds them all
    with django_assert_num_queries(4):
        assert owner_client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_long_trail_is_not_counted_to_the_end(owner_client, owner, team, settings):
    from connectors_admin.audit.log import record

    settings.LIST_COUNT_CAP = 20
    for i in range(60):
        record(Action.MEMBER_INVITED, actor=owner, team=team, after={"email": f"p{i}@x.io"})
    url = reverse("audit:list", args=["acme"])
    html = owner_client.get(url).content.decode()
    assert "Page 1</span>" in html and "Older" in html  # no "of N": the rows were not all counted
    last = owner_client.get(url, {"page": 2}).content.decode()  # 50 a page: 10 rows left
    assert "Newer" in last and "Older" not in last and "Page 2</span>" in last
