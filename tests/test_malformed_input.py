"""No input answers 500: each request that once broke a page answers a 4xx or a form error in
plain words, and a fuzz run over the URL conf (hypothesis, bounded) finds no server error."""

from __future__ import annotations

import html
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors_admin.audit.log import record
from connectors_admin.core.safety import JSONTooDeep, loads_bounded
from connectors_admin.credentials.models import Credential

from .test_roles import EXPECTED

pytestmark = pytest.mark.django_db
NESTED = "[" * 30_000 + "]" * 30_000  # 60 KB, under the key file's size cap


def test_non_ascii_digits_in_a_credential_choice(owner_client, credential):
    for name, extra in (("connectors:create", []), ("connectors:fields", [])):
        url = reverse(name, args=["acme", "mixpanel-s3", *extra])
        response = owner_client.generic(
            "POST" if name.endswith("fields") else "GET", url + "?credential=%C2%B2"
        )
        assert response.status_code < 500, name
    url = reverse("connectors:validate", args=["acme", "mixpanel-s3", "s3_bucket"])
    assert owner_client.post(url + "?credential=%C2%B2", {"credential": "²"}).status_code < 500


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("connectors:list", "?status=%00"),
        ("audit:list", "?actor=%00"),
        ("audit:csv", "?actor=%00"),
    ],
)
def test_a_nul_byte_is_refused_in_plain_words(owner_client, name, query):
    response = owner_client.get(reverse(name, args=["acme"]) + query)
    assert response.status_code == 400
    assert "control character" in response.content.decode()


def test_a_nul_byte_in_the_team_switch(owner_client):
    response = owner_client.post(reverse("accounts:switch"), {"team": "acme\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize("date", ["2024-02-30", "2024-13-01", "0000-01-01"])
def test_impossible_dates_in_the_audit_filters(owner_client, date):
    page = owner_client.get(reverse("audit:list", args=["acme"]), {"since": date})
    assert page.status_code == 200
    assert "is not a date" in page.content.decode()
    export = owner_client.get(reverse("audit:csv", args=["acme"]), {"until": date})
    assert export.status_code == 400  # said before the CSV starts, never a truncated export


def test_an_audit_range_that_ends_before_it_starts_is_said(owner_client, team, owner):
    record("member.added", actor=owner, team=team, target=owner)
    dates = {"since": "2026-03-10", "until": "2026-03-01"}
    page = html.unescape(owner_client.get(reverse("audit:list", args=["acme"]), dates).text)
    assert "From (Mar 10, 2026) is after To (Mar 1, 2026)" in page
    assert "Nothing recorded for these filters" not in page  # the dates are left out
    export = owner_client.get(reverse("audit:csv", args=["acme"]), dates)
    assert export.status_code == 400 and "is after To" in export.text


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (NESTED.encode(), "nested deeper"),
        (
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": "p",
                    "private_key_id": "k",
                    "private_key": "-----BEGIN " + "PRIVATE KEY-----\n\u0000",
                    "client_email": "a@b.iam.gserviceaccount.com",
                }
            ).encode(),
            "control character",
        ),
    ],
)
def test_hostile_key_files_are_refused_on_add_and_rotate(owner_client, team, content, said):
    add = owner_client.post(
        reverse("credentials:add", args=["acme", "gcp"]),
        {"label": "Hostile", "key_file": SimpleUploadedFile("k.json", content)},
    )
    assert add.status_code == 200 and said in add.content.decode()
    gcp = Credential(team=team, kind="gcp", label="Kept", public={"project_id": "p"})
    gcp.set_secrets({"service_account_json": "{}"})
    gcp.save()
    rotate = owner_client.post(
        reverse("credentials:rotate", args=["acme", gcp.pk]),
        {"key_file": SimpleUploadedFile("k.json", content)},
    )
    assert rotate.status_code == 200 and said in rotate.content.decode()


def test_the_sandbox_fault_control_refuses_deep_json(client, settings):
    response = client.post("/sandbox/_faults/", NESTED, content_type="application/json")
    assert response.status_code == 400


def test_bounded_json_parsing():
    assert loads_bounded('{"a": [1, {"b": "[[[["}]}') == {"a": [1, {"b": "[[[["}]}
    with pytest.raises(JSONTooDeep):
        loads_bounded("[" * 65 + "]" * 65)


def test_a_server_error_is_logged_with_its_request_id(owner, caplog, settings):
    settings.ROOT_URLCONF = "tests.test_error_pages"
    client = Client(raise_request_exception=False, headers={"X-Request-ID": "trace-me-42"})
    client.force_login(owner)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500 and response["X-Request-ID"] == "trace-me-42"
    assert any(getattr(r, "request_id", "") == "trace-me-42" for r in caplog.records)


# --- fuzz: every team URL, malformed values, as an owner -----------------------------------------
def _team_urls() -> list[tuple[str, str]]:
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(
                    entry.url_patterns, route, ":".join(filter(None, [namespace, entry.namespace]))
                )
            elif "<slug:team>" in route and f"{namespace}:{entry.name}" in EXPECTED:
                found.append((f"{namespace}:{entry.name}", route))

    walk(get_resolver().url_patterns, "", "")
    return found


NASTY = st.one_of(
    st.sampled_from(["\x00", "²", "٣", "2024-02-30", "0000-01-01", "-1", "9" * 30, "[" * 200]),
    st.text(max_size=40),
    st.just("x" * 100_000),
)


@pytest.fixture
def world(team, owner, credential):
    from .test_connectors_pages import make_connectors

    (connector,) = make_connectors(team, credential, owner, 1)
    return {
        "connector": connector.pk,
        "credential": credential.pk,
        "submission": connector.submissions.create(team=team).pk,
        "member": owner.memberships.get().pk,
        "invitation": team.invitations.create(
            email="x@example.com", token_hash="1" * 64, expires_at=connector.created_at
        ).pk,
    }


@pytest.fixture
def clients(client_for, owner, member, viewer, outsider):
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(owner)
    return {
        "owner": client_for(owner),
        "member": client_for(member),
        "viewer": client_for(viewer),
        "outsider": client_for(outsider),
        "owner without CSRF token": csrf,
    }


def _other_teams_data(other_team) -> str:
    from connectors_admin.accounts.models import Membership
    from connectors_admin.audit.models import AuditEvent

    rows = [
        list(Credential.objects.filter(team=other_team).values()),
        list(Membership.objects.filter(team=other_team).values()),
        AuditEvent.objects.filter(team=other_team).count(),
    ]
    return json.dumps(rows, default=str, sort_keys=True)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_team_url_answers_a_server_error(clients, world, other_team, data):
    before = _other_teams_data(other_team)
    who = data.draw(st.sampled_from(sorted(clients)))
    name, _route = data.draw(st.sampled_from(_team_urls()))
    methods, kwargs = EXPECTED[name]
    args = [world.get(v, v) for v in kwargs.values()]
    if data.draw(st.booleans()):  # a malformed id in the path where one is taken
        args = [
            data.draw(st.sampled_from(["0", "9" * 18])) if isinstance(a, int) else a for a in args
        ]
    url = reverse(name, args=["acme", *args])
    method = data.draw(st.sampled_from(sorted(methods)))
    keys = ["status", "template", "page", "credential", "since", "until", "actor", "action"]
    keys += ["s3_bucket", "name", "connector_name", "label", "role", "form_token", "pattern"]
    values = data.draw(st.dictionaries(st.sampled_from(keys), NASTY, max_size=4))
    client = clients[who]
    response = client.get(url, values) if method == "get" else client.post(url, values)
    assert response.status_code < 500, (who, name, method, values)
    if who == "outsider":  # another team's objects do not exist for them (or the input is refused)
        assert response.status_code in (400, 404), (name, method)
    if who == "owner without CSRF token" and method == "post":
        assert response.status_code in (400, 403), name
    assert _other_teams_data(other_team) == before


# --- fuzz: the sign-in and account pages (allauth's, and the invitation link) ---------------------
def _account_routes() -> list[str]:
    """Every route under accounts/, with each path parameter left as a placeholder."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif route.startswith("accounts/"):
                found.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ACCOUNT_KEYS = ["login", "password", "email", "code", "password1", "password2", "oldpassword"]
ACCOUNT_KEYS += ["remember", "credential", "name", "passwordless", "action", "next", "key"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_account_url_answers_a_server_error(client_for, owner, data):
    import re

    route = data.draw(st.sampled_from(_account_routes()))
    path = "/" + re.sub(
        r"<[^>]+>", lambda _: data.draw(st.sampled_from(["x", "1", "²", "%00"])), route
    )
    client = client_for(owner) if data.draw(st.booleans()) else Client()
    values = data.draw(st.dictionaries(st.sampled_from(ACCOUNT_KEYS), NASTY, max_size=4))
    method = data.draw(st.sampled_from(["get", "post"]))
    response = getattr(client, method)(path, values)
    assert response.status_code < 500, (route, method, values)


@pytest.mark.parametrize(
    ("name", "param", "args"),
    [
        ("audit:list", "page", []),
        ("connectors:list", "page", []),
        ("credentials:detail", "connectors", ["credential"]),
        ("credentials:detail", "calls", ["credential"]),
    ],
)
def test_a_page_number_past_any_table_is_not_a_server_error(
    owner_client, world, credential, settings, name, param, args
):
    from connectors_admin.audit.log import record
    from connectors_admin.audit.models import Action
    from connectors_admin.connectors.models import Submission

    record(Action.MEMBER_INVITED, team=credential.team)
    Submission.objects.update(credential=credential)
    settings.LIST_COUNT_CAP = 0  # every list with a row is capped: any page number is asked for
    url = reverse(name, args=["acme", *[credential.pk for _ in args]])
    assert owner_client.get(url, {param: "9" * 25}).status_code == 200


def test_an_admin_page_number_past_any_table_is_not_a_server_error(
    client, world, make_user, settings
):
    from connectors_admin.audit.log import record
    from connectors_admin.audit.models import Action

    record(Action.MEMBER_INVITED)
    settings.LIST_COUNT_CAP = 0
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    for changelist in ("connectors/connector", "connectors/submission", "audit/auditevent"):
        assert client.get(f"/admin/{changelist}/", {"p": "9" * 25}).status_code < 500
