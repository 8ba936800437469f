"""Creating Mixpanel connectors through the form, against the sandbox over real HTTP."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.connectors.tasks import sweep_submissions
from connectors_admin.credentials.models import Credential
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import GCS_FORM, MIXPANEL_SECRET, S3_FORM, make_credential

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}


def create_url(template: str = "mixpanel-s3") -> str:
    return reverse("connectors:create", args=["acme", template])


def post(
    client, credential, form=S3_FORM, template="mixpanel-s3", token=None, htmx=True, **overrides
):
    data = {
        **form,
        "credential": credential.pk,
        "form_token": str(token or uuid.uuid4()),
        **overrides,
    }
    return client.post(create_url(template), data, headers=HTMX if htmx else {})


def test_form_starts_from_the_credential_defaults(owner_client, credential):
    response = owner_client.get(create_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="project_id" value="4242"' in html
    assert '<option value="us" selected>' in html
    assert 'name="form_token"' in html
    assert MIXPANEL_SECRET not in html


def test_changing_credential_swaps_in_its_defaults_and_keeps_typed_values(
    owner_client, team, owner, credential
):
    eu = make_credential(team, owner, label="EU", project_id=777, residency="eu")
    url = reverse("connectors:fields", args=["acme", "mixpanel-s3"]) + "?changed=credential"
    response = owner_client.post(url, {**S3_FORM, "credential": eu.pk}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="template-fields"')
    assert 'value="777"' in html
    assert '<option value="eu" selected>' in html
    assert 'value="acme-events"' in html  # what was typed stays
    assert "<html" not in html


def test_s3_create_sends_the_documented_body_and_shows_the_record(
    owner_client, sandbox, credential, owner
):
    response = post(owner_client, credential, s3_prefix="/cloudimport/event")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="create-panel"')
    assert "Connector created" in html
    assert "HX-Trigger" in response.headers

    connector = Connector.objects.get()
    remote = SandboxConnector.objects.get()
    assert connector.remote_id == remote.remote_id
    assert remote.scope == "4242"
    assert remote.data["connector_type"] == "s3Import"
    assert remote.data["connector_properties"] == {
        "s3_bucket": "acme-events",
        "s3_prefix": "cloudimport/event",  # leading slash stripped
        "s3_region": "us-east-2",
        "s3_role": "arn:aws:iam::123456789012:role/mixpanel-import",
    }
    assert remote.data["category_properties"] == {
        "data_format": "mixpanel_event",
        "compression": "gzip",
    }
    assert remote.data["created_by"] == "sa.acme"
    assert connector.remote_id in html
    assert connector.name == "acme-events/cloudimport/event"
    assert connector.summary["Created at"].endswith(" UTC")  # not the raw ISO string
    assert connector.created_by == owner
    assert connector.context == {"project_id": 4242, "residency": "us"}

    submission = Submission.objects.get()
    assert submission.outcome == "succeeded"
    assert submission.connector == connector
    assert submission.response_status == 200
    assert submission.request["method"] == "POST"
    assert submission.request["url"].endswith("/sandbox/api/app/projects/4242/connectors")
    assert submission.request["headers"]["Authorization"] == "[redacted]"
    assert '--user sa.acme:"$MIXPANEL_SECRET"' in submission.request["curl"]
    assert submission.duration_ms is not None
    assert MIXPANEL_SECRET not in str(submission.request) + submission.response_body


def test_gcs_create_with_empty_prefix_imports_the_whole_bucket(owner_client, sandbox, credential):
    response = post(owner_client, credential, form=GCS_FORM, template="mixpanel-gcs")
    assert "Connector created" in response.content.decode()
    remote = SandboxConnector.objects.get()
    assert remote.data["connector_type"] == "gcsImport"
    assert remote.data["connector_properties"] == {"gcs_bucket": "acme-exports", "gcs_prefix": ""}
    assert Connector.objects.get().name == "acme-exports (whole bucket)"


def test_without_javascript_a_plain_post_redirects_to_the_record(owner_client, sandbox, credential):
    response = post(owner_client, credential, htmx=False)
    connector = Connector.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connectors:detail", args=["acme", connector.pk])


def test_the_same_form_token_never_creates_a_second_connector(owner_client, sandbox, credential):
    token = uuid.uuid4()
    first = post(owner_client, credential, token=token)
    second = post(owner_client, credential, token=token)
    third = post(owner_client, credential, token=token, htmx=False)
    assert Connector.objects.count() == 1
    assert SandboxConnector.objects.count() == 1
    assert Submission.objects.count() == 1
    remote_id = Connector.objects.get().remote_id
    assert remote_id in first.content.decode()
    assert remote_id in second.content.decode()
    assert third.status_code == 302


def test_a_new_form_token_creates_a_new_connector(owner_client, sandbox, credential):
    post(owner_client, credential)
    post(owner_client, credential)
    assert Connector.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("s3_bucket", "Bad_Bucket", "lowercase letters"),
        ("s3_bucket", "192.168.1.1", "not an IP address"),
        ("s3_region", "us", "AWS region code"),
        ("s3_role", "arn:aws:iam::123:role/x", "12-digit account id"),
        ("data_format", "csv", "Select a valid choice"),
        ("compression", "zip", "Select a valid choice"),
        ("residency", "moon", "Select a valid choice"),
        ("project_id", "abc", "Enter a whole number"),
        ("project_id", "9" * 23, "longer than any Mixpanel project id"),
    ],
)
def test_invalid_fields_are_refused_before_any_call(
    owner_client, credential, field, value, message
):
    response = post(owner_client, credential, **{field: value})
    html = response.content.decode()
    assert message in html
    assert f'id="field-{field}"' in html
    assert Submission.objects.count() == 0


def test_gcs_bucket_rules(owner_client, credential):
    response = post(
        owner_client, credential, form=GCS_FORM, template="mixpanel-gcs", gcs_bucket="google-data"
    )
    assert "cannot start with “goog” or contain “google”" in response.content.decode()


def test_inline_validation_renders_one_field_with_its_error(owner_client, credential):
    url = reverse("connectors:validate", args=["acme", "mixpanel-s3", "s3_region"])
    response = owner_client.post(url, {**S3_FORM, "s3_region": "mars-1"}, headers=HTMX)
    html = response.content.decode()
    assert 'id="field-s3_region"' in html
    assert "That is not an AWS region code" in html
    assert 'value="mars-1"' in html
    assert "s3_bucket" not in html
    fixed = owner_client.post(url, S3_FORM, headers=HTMX).content.decode()
    assert "not an AWS region code" not in fixed


def test_no_credential_offers_to_add_one(owner_client, team):
    html = owner_client.get(create_url()).content.decode()
    assert "No Mixpanel credential yet" in html
    assert reverse("credentials:add", args=["acme", "mixpanel"]) in html


def assert_failure_kept_values(response, *phrases):
    html = response.content.decode()
    assert response.status_code == 200
    for phrase in phrases:
        assert phrase in html, phrase
    # Every typed value is still there.
    assert 'value="acme-events"' in html
    assert 'value="arn:aws:iam::123456789012:role/mixpanel-import"' in html
    assert '<option value="mixpanel_event" selected>' in html
    assert MIXPANEL_SECRET not in html
    assert Connector.objects.count() == 0
    submission = Submission.objects.get()
    assert submission.outcome == "failed"
    assert submission.finished_at is not None
    return submission


def test_provider_rejects_the_credential(owner_client, sandbox, team, owner):
    bad = make_credential(team, owner, secret="invalid-secret-0000")
    response = post(owner_client, bad)
    submission = assert_failure_kept_values(
        response, "did not accept the credential (HTTP 401)", "Invalid service account credentials"
    )
    assert submission.response_status == 401
    # What to do next: another credential, or this one's page to rotate its secret.
    html = response.content.decode()
    detail = reverse("credentials:detail", args=["acme", bad.pk])
    assert "Pick another credential below" in html
    assert f'<a href="{detail}">open “{bad.label}”</a> to rotate its secret' in html


def test_a_member_refused_by_the_provider_is_sent_to_an_admin(client_for, member, sandbox, team):
    bad = make_credential(team, member, secret="invalid-secret-0000")
    html = post(client_for(member), bad).content.decode()
    assert "ask an admin to rotate the secret of “Production”" in html
    assert reverse("credentials:detail", args=["acme", bad.pk]) not in html


def test_project_not_enrolled_is_a_403(owner_client, sandbox, credential):
    response = post(owner_client, credential, project_id="403")
    assert_failure_kept_values(
        response, "refused access (HTTP 403)", "not enrolled in Cloud Import"
    )


def test_provider_400_is_pinned_to_the_field_it_names(owner_client, sandbox, credential, fault):
    fault("status", status=400, message="s3_region is not a region Mixpanel can read from.")
    response = post(owner_client, credential)
    submission = assert_failure_kept_values(response, "rejected the request (HTTP 400)")
    html = response.content.decode()
    field_block = html.split('id="field-s3_region"', 1)[1].split('id="field-', 1)[0]
    assert "s3_region is not a region Mixpanel can read from." in field_block
    assert submission.field_errors == {
        "s3_region": "s3_region is not a region Mixpanel can read from."
    }


def test_rate_limited(owner_client, sandbox, credential, fault):
    fault("status", status=429)
    response = post(owner_client, credential)
    assert_failure_kept_values(
        response, "rate limiting requests (HTTP 429)", "Try again in 30 seconds"
    )


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(owner_client, sandbox, credential, fault, status):
    fault("status", status=status)
    response = post(owner_client, credential)
    assert_failure_kept_values(response, f"server error (HTTP {status})", "try again later")


def test_timeout_is_not_retried_and_says_it_may_have_been_applied(
    owner_client, sandbox, credential, fault
):
    fault("timeout")
    response = post(owner_client, credential)
    submission = assert_failure_kept_values(
        response,
        f"did not answer within {settings.PROVIDER_READ_TIMEOUT:g} second",
        "may still have been applied",
    )
    assert submission.error_kind == "timeout"
    assert submission.response_status is None


def test_refused_connection(owner_client, credential, settings, closed_port):
    settings.MIXPANEL_API_URL = f"http://127.0.0.1:{closed_port}"
    response = post(owner_client, credential)
    submission = assert_failure_kept_values(
        response, "Could not reach Mixpanel", "Nothing was sent"
    )
    assert submission.error_kind == "unreachable"
    assert submission.request["url"].startswith(f"http://127.0.0.1:{closed_port}/api/app/")


def test_dropped_connection(owner_client, sandbox, credential, fault):
    fault("drop")
    response = post(owner_client, credential)
    submission = assert_failure_kept_values(response, "closed the connection without answering")
    assert submission.error_kind == "dropped"


def test_answer_that_is_not_json(owner_client, sandbox, credential, fault):
    fault("garbage")
    response = post(owner_client, credential)
    submission = assert_failure_kept_values(response, "something that is not JSON (text/html)")
    assert submission.response_status == 200
    assert "502 Bad Gateway" in submission.response_body


def test_answer_with_an_unexpected_shape(owner_client, sandbox, credential, fault):
    fault("shape")
    response = post(owner_client, credential)
    assert_failure_kept_values(response, "does not look like a Mixpanel connector")


def test_slow_answer_within_the_timeout_succeeds(owner_client, sandbox, credential, fault):
    fault("slow", delay_ms=300)
    response = post(owner_client, credential)
    assert "Connector created" in response.content.decode()
    assert Submission.objects.get().duration_ms >= 300


def test_a_failed_attempt_renders_a_fresh_token_for_the_deliberate_retry(
    owner_client, sandbox, credential, fault
):
    fault("status", status=503)
    token = uuid.uuid4()
    html = post(owner_client, credential, token=token).content.decode()
    assert f'name="form_token" value="{token}"' not in html
    # A 5xx leaves the outcome unclear: the idempotency key of the first try is kept.
    assert f'name="create_key" value="{token}"' in html
    new_token = html.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    retried = post(owner_client, credential, token=uuid.UUID(new_token))
    assert "Connector created" in retried.content.decode()
    assert list(Submission.objects.order_by("created_at").values_list("outcome", flat=True)) == [
        "failed",
        "succeeded",
    ]


def test_a_retry_while_the_last_try_may_have_created_it_asks_first(
    owner_client, sandbox, credential, fault
):
    """Mixpanel takes no idempotency key: its answer lost, a create may have been made while
    the page says the outcome is unclear. Sending the form again (same form, new token) would
    make a second connector: it is refused, saying why, until "Send it again anyway" is
    ticked; every value stays in the form."""
    fault("late")  # the sandbox creates it, then answers after our read timeout
    html = post(owner_client, credential).content.decode()
    assert "Outcome unclear." in html
    create_key = html.split('name="create_key" value="', 1)[1].split('"', 1)[0]
    new_token = html.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    retry = {"token": uuid.UUID(new_token), "create_key": create_key}
    refused = html_of(post(owner_client, credential, **retry))
    assert "The last try may have created this connector" in refused
    assert 'name="send_again"' in refused and "Follow what became of it" in refused
    assert 'value="acme-events"' in refused  # kept
    assert Submission.objects.filter(action="create").count() == 1
    assert SandboxConnector.objects.count() == 1
    sent = html_of(post(owner_client, credential, send_again="1", **retry))
    assert "Connector created" in sent
    assert SandboxConnector.objects.count() == 2  # asked for: a second one


def html_of(response) -> str:
    return response.content.decode()


def test_a_repost_while_the_first_still_waits_keeps_the_idempotency_key(
    owner_client, credential, owner, settings
):
    """The first post of this form is still waiting for its provider: its outcome is unclear,
    so the next deliberate send must carry the same key (a provider that honours it then
    answers with the connector the first made, not a second one)."""
    settings.PROVIDER_CONNECT_TIMEOUT = settings.PROVIDER_READ_TIMEOUT = 0.1  # waits 1.2 s
    token, key = uuid.uuid4(), uuid.uuid4()
    Submission.objects.create(
        team=credential.team, user=owner, credential=credential, provider="mixpanel",
        template="mixpanel-s3", form_token=token,
    )  # fmt: skip
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(token), "create_key": key}
    html = owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]), form, headers=HTMX
    ).content.decode()
    assert "This form was already sent and is still waiting for an answer" in html
    assert f'name="create_key" value="{key}"' in html


def test_logs_name_ids_and_statuses_never_secrets(owner_client, sandbox, credential, fault, caplog):
    caplog.set_level(logging.DEBUG)
    fault("status", status=401, message=f"bad secret {MIXPANEL_SECRET}")
    post(owner_client, credential)
    post(owner_client, credential)
    assert caplog.records, "expected log records"
    assert MIXPANEL_SECRET not in caplog.text
    submission = Submission.objects.filter(outcome="failed").get()
    assert MIXPANEL_SECRET not in submission.error_message
    assert MIXPANEL_SECRET not in submission.response_body
    assert "[redacted]" in submission.response_body


def test_viewer_cannot_create(client_for, viewer, credential):
    response = client_for(viewer).get(create_url())
    assert response.status_code == 403


def test_outsider_gets_404(client_for, outsider, credential):
    assert client_for(outsider).get(create_url()).status_code == 404


def test_member_can_create(client_for, member, sandbox, credential):
    response = post(client_for(member), credential)
    assert "Connector created" in response.content.decode()


def test_another_teams_credential_is_not_accepted(client_for, outsider, other_team, credential):
    response = client_for(outsider).post(
        reverse("connectors:create", args=["other", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    assert "No Mixpanel credential yet" in response.content.decode()
    assert Submission.objects.count() == 0


@pytest.fixture
def stalling_server():
    """A loopback server that sends the headers and half the body of a 200, then stalls."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.recv(65536)
            conn.sendall(
                b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"status": "ok", '
            )
            stop.wait(5)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    listener.close()


def test_a_stall_mid_answer_is_a_timeout_that_may_have_applied(
    owner_client, credential, settings, stalling_server
):
    settings.MIXPANEL_API_URL = stalling_server
    response = post(owner_client, credential)
    submission = assert_failure_kept_values(
        response,
        f"did not answer within {settings.PROVIDER_READ_TIMEOUT:g} second",
        "may still have been applied",
    )
    assert submission.error_kind == "timeout"
    assert "Nothing was sent" not in response.content.decode()


def test_a_very_long_prefix_is_created_and_recorded(owner_client, sandbox, credential):
    response = post(owner_client, credential, s3_prefix="p/" * 200)
    assert "Connector created" in response.content.decode()
    connector = Connector.objects.get()
    assert len(connector.name) == 255
    assert Submission.objects.get().outcome == "succeeded"


def test_stale_pending_submissions_are_marked_abandoned(owner_client, sandbox, credential):
    from datetime import timedelta

    from django.utils import timezone

    stale = Submission.objects.create(
        team=credential.team,
        credential=credential,
        provider="mixpanel",
        template="mixpanel-s3",
        form_token=uuid.uuid4(),
    )
    Submission.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh = Submission.objects.create(
        team=credential.team, credential=credential, provider="mixpanel", template="mixpanel-s3"
    )
    sweep_submissions()  # the background schedule's sweep
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert fresh.outcome == "pending"  # it may still be waiting for its answer
    assert stale.outcome == "failed" and stale.error_kind == "abandoned"
    # Looked for as a create whose answer was lost: the team's pages say so.
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert "Creates whose answer was lost" in dashboard


def test_a_create_whose_process_died_is_looked_for_at_the_provider(
    owner_client, sandbox, credential, tasks
):
    from datetime import timedelta

    from django.utils import timezone

    # A create the provider applied, whose process died before recording anything: here, a
    # create that went through, with what the app recorded after the call taken back.
    post(owner_client, credential)
    made = SandboxConnector.objects.get()
    Connector.objects.all().delete()
    Submission.objects.update(
        outcome="pending",
        connector=None,
        response_status=None,
        finished_at=None,
        created_at=timezone.now() - timedelta(hours=1),
    )
    tasks.backend.clear()
    assert sweep_submissions() == "1 abandoned, 1 reconciliations queued"
    assert tasks.run("reconcile_create") == ["found"]
    lost = Submission.objects.get(action="create")
    assert lost.error_kind == "abandoned" and lost.connector.remote_id == made.remote_id


# The sweep looks again for a lost create only once it is old enough. How old is not a number of
# its own: no sooner than the lookup its lost answer queued would have run (that call could last
# connect + read timeout, then the lookup waits as long again: a provider still applying the create
# would not show it yet, and "not created" would invite a second one), and no later than a create
# the same sweep says abandoned (older than `call_budget()`), which is to be looked for in that run.
# Between the two, any age is right; under the default timeouts (5 s, 30 s) that is 70 s to 165 s.
# Both bounds move with the time-outs, and so must the age: each is pinned under the defaults, a
# long read time-out (a lower bound past two minutes), and the test settings' short ones (an
# upper bound under two minutes).
TIMEOUTS = pytest.mark.parametrize(
    ("connect", "read"), [(5, 30), (5, 120), (2, 1)], ids=["default", "long-read", "short"]
)


def _lost_create(credential, seconds: float, **fields) -> Submission:
    lost = Submission.objects.create(
        team=credential.team,
        credential=credential,
        provider="mixpanel",
        template="mixpanel-s3",
        identity={"create_key": "k"},
        **fields,
    )
    ago = timezone.now() - timedelta(seconds=seconds)
    Submission.objects.filter(pk=lost.pk).update(created_at=ago)
    return lost


@pytest.mark.django_db
@TIMEOUTS
def test_the_sweep_does_not_look_for_a_lost_create_before_its_own_lookup_would(
    credential, tasks, settings, connect, read
):
    """Its answer lost, the create is said pending reconciliation and its lookup is queued at
    the commit; a process that died in between never queued it. The sweep looks for it, but not
    before that lookup would have: a provider may still be applying the create."""
    settings.PROVIDER_CONNECT_TIMEOUT, settings.PROVIDER_READ_TIMEOUT = connect, read
    own_lookup_at = 2 * (connect + read)  # seconds after the create began, at the latest
    _lost_create(credential, own_lookup_at - 1, outcome="failed", reconciliation="pending")

    assert sweep_submissions() == "0 abandoned, 0 reconciliations queued"
    assert tasks.queued("reconcile_create") == []


@pytest.mark.django_db
@TIMEOUTS
def test_a_create_the_sweep_says_abandoned_is_looked_for_in_the_same_sweep(
    credential, tasks, settings, connect, read
):
    from connectors_admin.connectors.services import call_budget

    settings.PROVIDER_CONNECT_TIMEOUT, settings.PROVIDER_READ_TIMEOUT = connect, read
    lost = _lost_create(credential, call_budget().total_seconds() + 1)  # its process died

    assert sweep_submissions() == "1 abandoned, 1 reconciliations queued"
    assert [r.args for r in tasks.queued("reconcile_create")] == [[lost.pk]]


@pytest.mark.django_db
def test_a_new_form_starts_from_a_credential_that_works(owner_client, team, owner, credential):
    failing = make_credential(team, owner, label="A failing one")
    Credential.objects.filter(pk=failing.pk).update(
        last_check_at=datetime(2026, 1, 1, tzinfo=UTC), last_check_ok=False
    )
    Credential.objects.filter(pk=credential.pk).update(
        last_check_at=datetime(2026, 1, 1, tzinfo=UTC), last_check_ok=True
    )
    page = owner_client.get(reverse("connectors:create", args=["acme", "mixpanel-s3"])).text
    picked = re.search(r'<option value="(\d+)"[^>]*selected', page)
    assert picked and int(picked[1]) == credential.pk  # not the failing one, first by label


def test_a_create_commits_its_try_before_the_call_and_all_it_records_after_in_one(
    owner_client, between, credential
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connectors_admin.audit.models import AuditEvent

    seen = []

    def arrived():
        # Another connection, as the call arrives: the try is committed, pending (its lookup
        # finds it should the process die mid-call), with its credential marked used; and no
        # row the create wrote is still locked (PostgreSQL says so at once, with NOWAIT).
        nowait = connection.features.has_select_for_update_nowait
        with transaction.atomic():
            used = Credential.objects.select_for_update(nowait=nowait).get(pk=credential.pk)
            tried = Submission.objects.select_for_update(nowait=nowait).get()
        said = AuditEvent.objects.filter(action="credential.used").count()
        seen.append((tried.outcome, used.last_used_at is not None, said))

    between.on("POST", r"/connectors$", arrived)
    with CaptureQueriesContext(connection) as queries:
        post(owner_client, credential, htmx=False)
    between.check()
    assert seen == [("pending", True, 1)]
    statements = [q["sql"].split(" ")[0] for q in queries]
    commits = [n for n, s in enumerate(statements) if s == "COMMIT"]
    # Two commits: the try with its credential marked used (update, audit event); then the
    # exchange, the connector, its audit event and the try's outcome, together.
    assert len(commits) == 2
    first, second = [" ".join(statements[:n]) for n in commits]
    tables = [q["sql"] for q in queries[commits[0] : commits[1]]]
    assert first.count("INSERT") == 2 and first.count("UPDATE") == 1
    assert any('INTO "connectors_attempt"' in sql for sql in tables)
    assert any('INTO "connectors_connector"' in sql for sql in tables)
    assert second.count("INSERT") == 5 and second.count("UPDATE") == 2
    assert Submission.objects.get().outcome == "succeeded"
    assert Submission.objects.get().connector == Connector.objects.get()


def test_a_credential_deleted_during_the_call_is_recorded_part_by_part(
    owner_client, between, credential, caplog
):
    """The credential goes while the call is out (an operator's delete behind the app's back):
    its rows are refused only at the commit that records the answer. The create is then
    recorded part by part: the connector the provider made, without the credential."""
    from connectors_admin.audit.models import AuditEvent

    between.on(
        "POST", r"/connectors$", lambda: Credential.objects.filter(pk=credential.pk).delete()
    )
    caplog.set_level(logging.INFO)
    response = post(owner_client, credential)
    between.check()
    assert not Credential.objects.filter(pk=credential.pk).exists()
    submission = Submission.objects.get()
    connector = Connector.objects.get()
    assert submission.outcome == "succeeded" and submission.connector == connector
    assert connector.credential is None and submission.credential is None
    assert connector.remote_id == SandboxConnector.objects.get().remote_id
    assert submission.attempts.count() == 1 and submission.response_status == 200
    assert AuditEvent.objects.filter(action="connector.created").count() == 1
    assert f"submission {submission.pk}: recorded part by part" in caplog.text
    assert connector.remote_id in response.content.decode()
    assert MIXPANEL_SECRET not in caplog.text + response.content.decode()


def test_a_lost_answer_is_noted_on_the_team_in_the_commit_that_records_it(
    owner_client, sandbox, credential, fault
):
    """The team's stamp and the create's reconciliation commit together: a process that stops
    between two commits must not leave a lost create that the team's pages never look for
    (the sweep only stamps creates it abandons, not ones already said lost)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fault("late")
    with CaptureQueriesContext(connection) as queries:
        post(owner_client, credential, htmx=False)
    assert Submission.objects.get().reconciliation == "pending"
    sql = [q["sql"] for q in queries]
    said_lost = max(
        n
        for n, s in enumerate(sql)
        if s.startswith('UPDATE "connectors_submission"') and '"reconciliation" = ' in s
    )
    stamped = max(n for n, s in enumerate(sql) if s.startswith('UPDATE "accounts_team"'))
    commits = [n for n, s in enumerate(sql) if s == "COMMIT"]
    # No commit between the two: one transaction records the reconciliation and the stamp.
    assert not [n for n in commits if min(said_lost, stamped) < n < max(said_lost, stamped)]
    assert [n for n in commits if n > max(said_lost, stamped)]


def test_the_sweep_stamps_the_teams_in_the_commit_that_says_their_creates_lost(
    team, owner, credential
):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from connectors_admin.connectors.services import abandon_stale_submissions

    stale = Submission.objects.create(
        team=team, user=owner, credential=credential, provider="mixpanel", template="mixpanel-s3"
    )
    Submission.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with CaptureQueriesContext(connection) as queries:
        assert abandon_stale_submissions() == 1
    sql = [q["sql"] for q in queries]
    stamped = max(n for n, s in enumerate(sql) if s.startswith('UPDATE "accounts_team"'))
    said_lost = min(n for n, s in enumerate(sql) if s.startswith('UPDATE "connectors_submission"'))
    assert not [n for n, s in enumerate(sql) if s == "COMMIT" and said_lost < n < stamped]
    assert [n for n, s in enumerate(sql) if s == "COMMIT" and n > stamped]
    team.refresh_from_db()
    assert team.lost_answers_until > timezone.now()


def test_a_team_saved_from_an_earlier_read_keeps_its_lost_answers_stamp(team):
    from datetime import timedelta

    from django.utils import timezone

    from connectors_admin.accounts.models import Team
    from connectors_admin.connectors.lost import note_lost

    read_before = Team.objects.get(pk=team.pk)  # a form, the admin
    made = timezone.now()
    note_lost([team.pk], made)  # meanwhile, a create's answer is lost
    read_before.name = "Acme Renamed"
    read_before.save()
    saved = Team.objects.get(pk=team.pk)
    assert saved.name == "Acme Renamed"
    assert saved.lost_answers_until == made + timedelta(days=7)


def test_import_a_projects_connectors_made_elsewhere(owner_client, sandbox, credential, tasks):
    """Mixpanel lists connectors project by project: the import asks which (starting from the
    credential's default), offers that project's connectors of the template's type, and
    records the ones not recorded yet, each refreshed like one made here."""
    import requests

    post(owner_client, credential, htmx=False)  # made here, recorded already
    api = f"{sandbox}/sandbox/api/app/projects"
    auth = ("sa.elsewhere", "another-service-account-secret")

    def made_elsewhere(project: int, kind: str, bucket: str) -> None:
        prefix = "s3" if kind == "s3Import" else "gcs"
        body = {
            "connector_type": kind,
            "connector_properties": {
                f"{prefix}_bucket": bucket,
                f"{prefix}_prefix": "exports/",
                **(
                    {"s3_region": "eu-west-1", "s3_role": S3_FORM["s3_role"]}
                    if prefix == "s3"
                    else {}
                ),
            },
            "category_properties": {"data_format": "mixpanel_people", "compression": "none"},
        }
        answer = requests.post(f"{api}/{project}/connectors", json=body, auth=auth, timeout=5)
        assert answer.status_code == 200, answer.text

    made_elsewhere(4242, "s3Import", "legacy-events")
    made_elsewhere(4242, "gcsImport", "legacy-gcs")
    made_elsewhere(777, "s3Import", "other-project")
    url = reverse("connectors:import", args=["acme", "mixpanel-s3"])
    blank = owner_client.get(url).content.decode()
    assert re.search(r'name="project_id" value="4242"', blank)  # the credential's default
    page = owner_client.get(
        url, {"credential": credential.pk, "project_id": 4242, "residency": "us"}
    ).content.decode()
    assert "2 connectors at Mixpanel" in page and "Recorded already" in page
    assert "legacy-events/exports/" in page and "mixpanel_people" in page
    assert "legacy-gcs" not in page and "other-project" not in page
    ids = re.findall(r'name="remote_id" value="([^"]+)"', page)
    assert len(ids) == 1
    form = {"credential": credential.pk, "project_id": 4242, "residency": "us", "remote_id": ids}
    assert owner_client.post(url, form).status_code == 302
    imported = Connector.objects.get(remote_id=ids[0])
    assert imported.context == {"project_id": 4242, "residency": "us"}
    assert imported.name == "legacy-events/exports/"
    owner_client.post(reverse("connectors:action", args=["acme", imported.pk, "refresh"]))
    assert Submission.objects.filter(action="refresh", outcome="succeeded").count() == 1
    assert Connector.objects.count() == 2
    assert MIXPANEL_SECRET not in page


def test_a_project_listed_past_the_page_limit_says_what_it_could_not_read(
    owner_client, sandbox, credential, settings
):
    """Mixpanel's list is the only read, page by page, up to a limit: past it, an import says
    it offers only what it read, and a connector further on is not said deleted."""
    # Pages of a list this long can take more than the suite's one-second read time-out on a
    # busy machine, which is not what this test is about.
    settings.PROVIDER_READ_TIMEOUT = 10
    from connectors_admin.providers.mixpanel import MAX_LIST_PAGES
    from connectors_admin.sandbox.mixpanel import PAGE_SIZE

    post(owner_client, credential, htmx=False)  # ours, first in the list
    ours = Connector.objects.get()
    listed = SandboxConnector.objects.get()
    SandboxConnector.objects.bulk_create(
        SandboxConnector(
            provider="mixpanel",
            scope="4242",
            remote_id=str(uuid.uuid4()),
            data={**listed.data, "connector_id": str(uuid.uuid4()), "status": "active"},
        )
        for _ in range(MAX_LIST_PAGES * PAGE_SIZE)
    )
    # Ours is now past the pages read: made first, it is moved to the end of the list.
    SandboxConnector.objects.filter(pk=listed.pk).update(
        created_at=timezone.now() + timedelta(days=1)
    )
    url = reverse("connectors:import", args=["acme", "mixpanel-s3"])
    page = owner_client.get(
        url, {"credential": credential.pk, "project_id": 4242, "residency": "us"}
    ).content.decode()
    assert f"Mixpanel lists more than {MAX_LIST_PAGES} pages of connectors in project 4242" in page
    assert "The connectors further on are not offered here." in page
    assert page.count('name="remote_id"') == MAX_LIST_PAGES * PAGE_SIZE
    said = owner_client.post(
        reverse("connectors:action", args=["acme", ours.pk, "refresh"]), headers=HTMX
    ).content.decode()
    assert f"Connector {ours.remote_id} is not in them, so its status cannot be read." in said
    assert "may have been deleted" not in said
    ours.refresh_from_db()
    assert ours.deleted_at is None
    # Ticked from a list read before (another tab), one past the cut is not said gone.
    ticked = {"credential": credential.pk, "project_id": 4242, "residency": "us"}
    imported = owner_client.post(url, {**ticked, "remote_id": ["past-the-cut"]}, follow=True)
    assert (
        "1 of those ticked was not imported: 1 is past the part of the list that was read."
        in imported.content.decode()
    )
