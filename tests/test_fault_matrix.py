"""Every provider call other than a create, against every way a provider can fail: refused,
too slow, each status that means something, a web page, an answer that is not JSON or not the
documented shape, an enormous answer, a redirect. Whatever the call and the fault, the page
says what happened in plain words (no server error, no exception's name, no provider markup),
the operation and its exchanges are recorded, nothing is marked done that was not, and no
secret reaches the page, the record or the log."""

from __future__ import annotations

import html
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors_admin.connectors.models import Attempt, Connector, Submission
from connectors_admin.core import crypto
from connectors_admin.credentials.models import Credential

from .conftest import (
    AISQ_TOKEN,
    DB_PASSWORD,
    KAFKA_CONNECT_PASSWORD,
    MIXPANEL_SECRET,
    UPSTASH_KEY,
    make_aisquared_credential,
    make_credential,
)
from .test_kafka import CLUSTER
from .test_odd_answers import answering, script  # noqa: F401 (a fixture)
from .test_videovector import ADMIN_KEY

# HTTP failure handling, not the database's: run once, in the SQLite pass (the Makefile), as
# the browser tests are; what it writes is what the other tests write on both databases.
pytestmark = pytest.mark.faults

HTMX = {"HX-Request": "true"}
BROWSE = {"prefix": "videos/", "pattern": "*.{mp4,mov}", "recursive": "on"}


# --- what the provider answers, for every request the action makes -----------------------------
def _faults(secret: str) -> dict[str, dict[str, Any] | None]:
    """Each fault as the scripted server plays it; None is a provider that is not there."""
    page = "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
    return {
        "refused": None,
        "timeout": {"status": 200, "text": "{}", "type": "application/json", "trickle": 0.6},
        "401": {"status": 401, "json": {"error": f"bad credential {secret}"}},
        "403": {"status": 403, "json": {"error": "forbidden"}},
        "404-page": {"status": 404, "text": "<html><h1>404 Not Found</h1></html>"},
        "409": {"status": 409, "json": {"error": "conflict"}},
        "422-odd": {"status": 422, "json": [None, 5, {"loc": 7, "msg": ["x"]}, secret]},
        "429": {"status": 429, "json": {"error": "slow down"}, "headers": {"Retry-After": "30"}},
        "500": {"status": 500, "json": {"error": f"boom {secret}"}},
        "502-html": {"status": 502, "text": page},
        "503-html": {"status": 503, "text": page.replace("502 Bad Gateway", "503 Unavailable")},
        "200-html": {"status": 200, "text": page.replace("502 Bad Gateway", "Sign in")},
        "200-text": {"status": 200, "text": "OK", "type": "text/plain"},
        "200-list": {"status": 200, "json": [1, 2, 3]},
        "200-empty": {"status": 200, "json": {}},
        "200-null": {"status": 200, "json": None},
        "200-types": {
            "status": 200,
            "json": {
                "status": 5,
                "state": [],
                "data": "x",
                "results": 7,
                "connector_id": 7,
                "success": "yes",
                "message": 3,
                "connector": 1,
                "tasks": {},
                "name": 9,
                "connection_status": "ok",
                "config": [],
                "type": None,
            },
        },
        "huge": {
            "status": 200,
            "text": "[" + "0," * (5 * 2**20) + "0]",
            "type": "application/json",
        },
        "redirect": {"status": 302, "headers": {"Location": "https://sso.example.com/login"}},
    }


FAULTS = list(_faults(""))
# The suite runs twice (SQLite, PostgreSQL) within its time: the wide products take the faults
# that reach different code (the others are the same paths: 403 as 401, 502 as 503, each odd
# 200 shape as one of these), and the credential test, whose answers' shapes matter, all.
SOME = [
    "refused",
    "timeout",
    "401",
    "404-page",
    "422-odd",
    "503-html",
    "200-html",
    "200-list",
    "200-types",
    "huge",
]
FEW = ["refused", "timeout", "401", "503-html", "200-html", "200-types"]
SECRETS = (
    MIXPANEL_SECRET,
    AISQ_TOKEN,
    DB_PASSWORD,
    UPSTASH_KEY,
    KAFKA_CONNECT_PASSWORD,
    ADMIN_KEY,
)


@pytest.fixture
def faulty(script, settings, closed_port):  # noqa: F811 (the fixture imported above)
    """Plays `fault` for every request; points every provider at a closed port for `refused`."""
    settings.PROVIDER_READ_TIMEOUT = 0.3
    settings.PROVIDER_RETRY_BACKOFF = 0
    settings.KAFKA_CONNECT_CLUSTERS = {"Loop": script.url}

    def play(fault: str, secret: str) -> None:
        answer = _faults(secret)[fault]
        if answer is None:
            nowhere = f"http://127.0.0.1:{closed_port}"
            for name in (
                "MIXPANEL_API_URL", "MIXPANEL_EU_API_URL", "MIXPANEL_IN_API_URL",
                "AISQUARED_API_URL", "VIDEOVECTOR_API_URL", "UPSTASH_API_URL",
            ):  # fmt: skip
                setattr(settings, name, nowhere)
            settings.KAFKA_CONNECT_CLUSTERS = {"Loop": nowhere}
            return
        answer = dict(answer)
        status = answer.pop("status")
        for method in ("GET", "POST", "PUT", "DELETE"):
            script.on(method, r".*", status, **answer)

    return play


# --- one live connector of each provider ---------------------------------------------------------
def _connector(credential: Credential, **fields: Any) -> Connector:
    connector = Connector.objects.create(team=credential.team, credential=credential, **fields)
    # Older than the grace a new connector has before "not found" is believed.
    Connector.objects.filter(pk=connector.pk).update(created_at=timezone.now() - timedelta(hours=1))
    connector.refresh_from_db()
    return connector


def mixpanel(team, owner) -> tuple[Connector, str]:
    return _connector(
        make_credential(team, owner), provider="mixpanel", template="mixpanel-s3",
        remote_id="232f40cc-7ccc-4da3-b9c3-d8c1d14142c6", remote_status="active",
        name="Events", context={"project_id": 4242, "residency": "us"},
    ), MIXPANEL_SECRET  # fmt: skip


def aisquared(team, owner) -> tuple[Connector, str]:
    connector = _connector(
        make_aisquared_credential(team, owner), provider="aisquared",
        template="aisquared-source", remote_id="4", remote_status="connected", name="Shop DB",
        context={
            "connector_type": "source", "connector_name": "Postgresql",
            "secret_paths": [["credentials", "password"]], "embedded": [],
        },
    )  # fmt: skip
    configuration = {
        "data_type": "structured",
        "credentials": {"auth_type": "username/password", "username": "u", "password": DB_PASSWORD},
        "host": "db.example.com", "port": "5432", "database": "shop", "schema": "public",
    }  # fmt: skip
    connector.secret_config = crypto.encrypt_json(
        {"configuration": configuration, "secret_values": [DB_PASSWORD]}
    )
    connector.save(update_fields=["secret_config"])
    return connector, AISQ_TOKEN


def videovector(team, owner) -> tuple[Connector, str]:
    credential = Credential(
        team=team, kind="videovector", label="Media", public={"auth_type": "api_key"}
    )
    credential.set_secrets({"token": ADMIN_KEY}, owner)
    credential.save()
    return _connector(
        credential, provider="videovector", template="videovector-s3", remote_id="conn_1",
        remote_status="active", name="Footage",
    ), ADMIN_KEY  # fmt: skip


def upstash(team, owner) -> tuple[Connector, str]:
    credential = Credential(
        team=team, kind="upstash", label="Upstash", public={"email": "ops@example.com"}
    )
    credential.set_secrets({"api_key": UPSTASH_KEY}, owner)
    credential.save()
    return _connector(
        credential, provider="upstash", template="upstash-kafka", remote_id="u1",
        remote_status="running", name="orders", context={"cluster_id": CLUSTER},
    ), UPSTASH_KEY  # fmt: skip


def kafkaconnect(team, owner) -> tuple[Connector, str]:
    credential = Credential(
        team=team, kind="kafkaconnect", label="Loop", public={"cluster": "Loop", "username": "ops"}
    )
    credential.set_secrets({"password": KAFKA_CONNECT_PASSWORD}, owner)
    credential.save()
    return _connector(
        credential, provider="kafkaconnect", template="kafka-connect", remote_id="orders",
        remote_status="RUNNING", name="orders",
    ), KAFKA_CONNECT_PASSWORD  # fmt: skip


MAKERS = {
    "mixpanel": mixpanel,
    "aisquared": aisquared,
    "videovector": videovector,
    "upstash": upstash,
    "kafkaconnect": kafkaconnect,
}
ACTIONS = [
    ("mixpanel", "refresh"),
    ("mixpanel", "delete"),
    ("aisquared", "refresh"),
    ("aisquared", "check"),
    ("aisquared", "delete"),
    ("videovector", "refresh"),
    ("videovector", "test"),
    ("videovector", "browse"),
    ("videovector", "delete"),
    ("upstash", "refresh"),
    ("upstash", "pause"),
    ("upstash", "restart"),
    ("upstash", "delete"),
    ("kafkaconnect", "refresh"),
    ("kafkaconnect", "pause"),
    ("kafkaconnect", "stop"),
    ("kafkaconnect", "restart"),
    ("kafkaconnect", "delete"),
]


# A change answered 2xx with a body that is not a web page: the status is the provider's word
# that it was accepted (Kafka Connect answers 202 and no body, Upstash "OK"), so it may be
# recorded done; a web page never is. Not a delete: each provider documents its answer to one
# (Mixpanel's and VideoVector's bodies, AI Squared's and Kafka Connect's 204, Upstash's 200
# "OK"), and another 2xx is read back, which these faults answer too: never recorded deleted.
CHANGES = {"pause", "stop", "restart"}
ACCEPTED_BY_STATUS = {"200-text", "200-list", "200-empty", "200-null", "200-types"}


def said_plainly(text: str) -> None:
    for wrong in (
        "Traceback", "Error:", "KeyError", "TypeError", "AttributeError", "ValueError",
        "JSONDecodeError", "Bad Gateway", "503 Unavailable", "nginx", "<h1>Sign in",
        "Server Error (500)",
    ):  # fmt: skip
        assert wrong not in text, wrong


def no_secret(*texts: str) -> None:
    together = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in together, secret


@pytest.mark.django_db
@pytest.mark.parametrize("fault", SOME)
@pytest.mark.parametrize(("provider", "action"), ACTIONS)
def test_an_action_against_a_faulty_provider_fails_in_plain_words_and_changes_nothing(
    faulty, team, owner, caplog, provider, action, fault
):
    connector, secret = MAKERS[provider](team, owner)
    before = (connector.remote_status, connector.record, connector.name)
    faulty(fault, secret)
    url = reverse("connectors:action", args=["acme", connector.pk, action])
    client = answering(owner)

    with caplog.at_level(logging.DEBUG):
        if action == "browse":
            page = client.get(url, BROWSE)
        else:
            page = client.post(url, headers=HTMX, follow=True)

    assert page.status_code == 200, page.status_code
    text = html.unescape(page.content.decode())
    said_plainly(text)
    submission = Submission.objects.get(action=action)
    attempts = list(Attempt.objects.filter(submission=submission))
    assert attempts and all(a.error_kind or a.response_status for a in attempts)
    from connectors_admin.audit.models import AuditEvent

    audit = str(list(AuditEvent.objects.values()))
    no_secret(
        text, caplog.text, audit, str(submission.__dict__), str([a.__dict__ for a in attempts])
    )
    if action in CHANGES and fault in ACCEPTED_BY_STATUS and submission.outcome == "succeeded":
        return
    assert submission.outcome == "failed"
    assert submission.error_message and submission.error_message in text
    said_plainly(submission.error_message)
    connector.refresh_from_db()
    assert connector.deleted_at is None
    assert (connector.remote_status, connector.record, connector.name) == before
    if action == "browse":  # the form keeps what was typed
        assert 'value="videos/"' in page.content.decode()
    no_secret(connector.last_error)


# --- testing a stored credential ------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("provider", list(MAKERS))
def test_a_credential_test_against_a_faulty_provider_is_said_and_recorded(
    faulty, team, owner, caplog, provider, fault
):
    from connectors_admin.audit.models import AuditEvent

    credential = MAKERS[provider](team, owner)[0].credential
    faulty(fault, credential.secrets()[next(iter(credential.secrets()))])
    url = reverse("credentials:test", args=["acme", credential.pk])

    with caplog.at_level(logging.DEBUG):
        page = answering(owner).post(url, headers=HTMX)

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    said_plainly(text)
    credential.refresh_from_db()
    assert credential.last_check_at is not None
    event = AuditEvent.objects.get(action="credential.tested")
    assert event.after == {"ok": credential.last_check_ok}
    assert credential.last_check_message in text and event.message == credential.last_check_message
    said_plainly(credential.last_check_message)
    no_secret(text, caplog.text, credential.last_check_message, str(event.__dict__))
    if provider == "videovector" and fault in ACCEPTED_BY_STATUS and credential.last_check_ok:
        return  # /auth/validate answers 204 with no body: its status is all it says
    assert credential.last_check_ok is False
    assert "accepted" not in credential.last_check_message


# --- listing and importing connectors made elsewhere -----------------------------------------------
IMPORTS = {
    "mixpanel": ("mixpanel-s3", {"project_id": "4243", "residency": "eu"}),
    "aisquared": ("aisquared-source", {}),
    "videovector": ("videovector-s3", {}),
    "upstash": ("upstash-kafka", {"cluster_id": CLUSTER}),
    "kafkaconnect": ("kafka-connect", {}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["list", "import"])
@pytest.mark.parametrize("fault", FEW)
@pytest.mark.parametrize("provider", list(IMPORTS))
def test_an_import_against_a_faulty_provider_is_said_and_records_nothing_more(
    faulty, team, owner, caplog, provider, fault, step
):
    existing, secret = MAKERS[provider](team, owner)
    template, inputs = IMPORTS[provider]
    faulty(fault, secret)
    url = reverse("connectors:import", args=["acme", template])
    query = {"credential": existing.credential.pk, **inputs}
    client = answering(owner)

    with caplog.at_level(logging.DEBUG):
        if step == "list":
            page = client.get(url, query)
        else:
            page = client.post(url, {**query, "remote_id": ["77", "x-1"]}, follow=True)

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    said_plainly(text)
    submission = Submission.objects.exclude(connector=existing).get()
    if provider == "kafkaconnect" and fault == "200-empty":  # a cluster with no connectors
        assert submission.outcome == "succeeded" and list(Connector.objects.all()) == [existing]
        return
    assert submission.outcome == "failed"
    assert submission.error_message and submission.error_message in text
    attempts = list(Attempt.objects.filter(submission=submission))
    assert attempts and all(a.error_kind or a.response_status for a in attempts)
    assert list(Connector.objects.all()) == [existing]  # nothing imported
    for value in inputs.values():  # the form keeps what was typed
        assert f'value="{value}"' in page.content.decode() or value in text
    no_secret(text, caplog.text, str(submission.__dict__), str([a.__dict__ for a in attempts]))


# --- a list that cannot be read agrees with nothing --------------------------------------------------
@pytest.fixture
def loop(script):  # noqa: F811 (the fixture imported above)
    """The scripted loopback server, every provider pointed at it."""
    return script


VV_NOT_FOUND = {"error": {"code": "not_found", "message": "Connector conn_1 not found."}}
ODD_LISTS = [[1, 2, 3], [{"id": "conn_1", "provider": "s3"}], [None], [{"connector_id": 7}]]


@pytest.mark.django_db
@pytest.mark.parametrize("listed", ODD_LISTS)
@pytest.mark.parametrize("action", ["refresh", "delete"])
def test_videovector_not_found_with_an_unreadable_list_leaves_the_connector_live(
    loop,
    team,
    owner,
    listed,
    action,
):
    """VideoVector's own 404 is believed only when its list agrees: a list whose entries cannot
    be read (not objects, no `connector_id`) agrees with nothing."""
    connector, _ = videovector(team, owner)
    loop.on("GET", r"/api/v2/connectors/conn_1$", 404, json=VV_NOT_FOUND)
    loop.on("DELETE", r"/api/v2/connectors/conn_1$", 404, json=VV_NOT_FOUND)
    loop.on("GET", r"/api/v2/connectors$", json=listed)

    page = answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, action]), headers=HTMX, follow=True
    )

    assert page.status_code == 200
    connector.refresh_from_db()
    assert connector.deleted_at is None and connector.remote_status == "active"
    submission = Submission.objects.get(action=action)
    assert submission.outcome == "failed"
    assert "does not look like VideoVector's connector list" in submission.error_message
    assert submission.error_message in html.unescape(page.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("listed", ODD_LISTS)
def test_videovector_import_of_an_unreadable_list_says_so_not_that_none_are_there(
    loop,
    team,
    owner,
    listed,
):
    connector, _ = videovector(team, owner)
    loop.on("GET", r"/api/v2/connectors$", json=listed)
    url = reverse("connectors:import", args=["acme", "videovector-s3"])

    client = answering(owner)
    shown = client.get(url, {"credential": connector.credential.pk})
    tried = client.post(url, {"credential": connector.credential.pk, "remote_id": "conn_1"})

    listing, importing = Submission.objects.exclude(connector=connector).order_by("pk")
    assert listing.outcome == importing.outcome == "failed"
    for page, submission in ((shown, listing), (tried, importing)):
        assert "does not look like VideoVector's connector list" in submission.error_message
        assert submission.error_message in html.unescape(page.content.decode())
    assert "no longer listed" not in html.unescape(tried.content.decode())
    assert list(Connector.objects.all()) == [connector]


# --- a reconfigure keeps what was typed ----------------------------------------------------------------
TYPED_SECRET = "mongodb://orders:TypedSecretDoNotLeak-77@mongo.internal:27017"


@pytest.mark.django_db
@pytest.mark.parametrize("fault", SOME)
@pytest.mark.parametrize("provider", ["upstash", "kafkaconnect"])
def test_a_reconfigure_against_a_faulty_provider_keeps_the_form_and_the_connector(
    faulty, team, owner, caplog, provider, fault
):
    from .test_kafka import MONGO

    connector, secret = MAKERS[provider](team, owner)
    current = {
        "connector.class": MONGO,
        "tasks.max": "1",
        "database": "shop",
        "collection": "orders",
        "topic.prefix": "mongo",
    }
    connector.record = {"name": "orders", "config": current, "properties": current}
    connector.secret_config = crypto.encrypt_json(
        {
            "configuration": {**current, "connection.uri": DB_PASSWORD},
            "secret_values": [DB_PASSWORD],
        }
    )
    connector.save(update_fields=["record", "secret_config"])
    before = (connector.remote_status, connector.record, connector.secret_config)
    faulty(fault, secret)
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    typed = {**current, "collection": "typed-collection-42"}

    with caplog.at_level(logging.DEBUG):
        page = answering(owner).post(
            url,
            {
                "properties": json.dumps(typed),
                "secret_properties": f"connection.uri={TYPED_SECRET}",
            },
        )

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    said_plainly(text)
    assert "typed-collection-42" in text  # the typed map is shown again
    assert "TypedSecretDoNotLeak" not in text + caplog.text  # the typed secret never is
    submission = Submission.objects.get(action="reconfigure")
    assert submission.outcome == "failed"
    assert submission.error_message and submission.error_message in text
    attempts = list(Attempt.objects.filter(submission=submission))
    assert attempts
    connector.refresh_from_db()
    assert (connector.remote_status, connector.record, connector.secret_config) == before
    assert connector.deleted_at is None
    stored = str(submission.__dict__) + str([a.__dict__ for a in attempts])
    no_secret(text, caplog.text, stored)
    assert "TypedSecretDoNotLeak" not in stored


# --- pushing a rotated secret into the connectors that carry it -----------------------------------
SANDBOX_FAULTS = [
    *[("status", {"status": code}) for code in (401, 404, 409, 422, 503)],
    ("timeout", {}),
    ("drop", {}),
    ("garbage", {}),
    ("shape", {}),
    ("late", {}),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["GET", "PUT"])
@pytest.mark.parametrize(("mode", "options"), SANDBOX_FAULTS, ids=lambda v: str(v))
def test_a_push_against_a_faulty_provider_is_said_and_leaves_the_copy_old(
    fault, settings, team, owner, caplog, mode, options, method
):
    from connectors_admin.connectors.models import EmbeddedCredential

    from .test_embedded_credentials import (
        AWS_SECRET,
        ROTATED_AWS_SECRET,
        SOURCE,
        s3_source_form,
    )

    settings.PROVIDER_READ_TIMEOUT = 1
    settings.PROVIDER_RETRY_BACKOFF = 0
    aisq = make_aisquared_credential(team, owner)
    aws = Credential(
        team=team, kind="aws", label="Data lake", public={"aws_access_key_id": "AKIA" + "D" * 16}
    )
    aws.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    aws.save()
    client = answering(owner)
    client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]),
        {"aws_secret_access_key": ROTATED_AWS_SECRET},
    )
    fault(mode, provider="aisquared", method=method, times=3, **options)

    with caplog.at_level(logging.DEBUG):
        page = client.post(reverse("connectors:push-rotated", args=["acme", aws.pk]), follow=True)

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    said_plainly(text)
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "failed"
    assert pushed.error_message and pushed.error_message in text
    assert pushed.attempts.exists()
    assert not EmbeddedCredential.objects.get().is_current  # not said pushed
    stored = str(pushed.__dict__) + str(list(pushed.attempts.values()))
    for secret in (AWS_SECRET, ROTATED_AWS_SECRET, AISQ_TOKEN):
        assert secret not in text + caplog.text + stored


# --- AI Squared's check connection, from the form ----------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("mode", "options"), SANDBOX_FAULTS, ids=lambda v: str(v))
def test_a_check_from_the_form_against_a_faulty_provider_keeps_the_form(
    fault, settings, team, owner, caplog, mode, options
):
    from .conftest import aisquared_payload

    settings.PROVIDER_READ_TIMEOUT = 1
    settings.PROVIDER_RETRY_BACKOFF = 0
    aisq = make_aisquared_credential(team, owner)
    fault(mode, provider="aisquared", method="POST", times=3, **options)
    payload = aisquared_payload(aisq, cfg__host="typed-host-42.example.com")

    with caplog.at_level(logging.DEBUG):
        page = answering(owner).post(
            reverse("connectors:check", args=["acme", "aisquared-source"]), payload, headers=HTMX
        )

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    said_plainly(text)
    assert 'value="typed-host-42.example.com"' in page.content.decode()
    check = Submission.objects.get(action="check-config")
    assert check.outcome == "failed" and check.error_message in text
    assert check.attempts.exists()
    assert not Connector.objects.exists()
    stored = str(check.__dict__) + str(list(check.attempts.values()))
    no_secret(text, caplog.text, stored)


# --- the background lookup for a create whose answer was lost -------------------------------------
def _lost_create(provider: str, team, owner, client) -> None:
    """A create the provider applied and whose answer was lost (the sandbox's `late`)."""
    import uuid

    from .conftest import S3_FORM, aisquared_payload

    if provider == "mixpanel":
        credential = make_credential(team, owner)
        url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
        form = {**S3_FORM, "credential": credential.pk}
    elif provider == "aisquared":
        url = reverse("connectors:create", args=["acme", "aisquared-source"])
        form = aisquared_payload(make_aisquared_credential(team, owner))
    else:
        from .test_videovector import common

        credential = videovector(team, owner)[0].credential
        Connector.objects.all().delete()
        aws = Credential(
            team=team, kind="aws", label="Footage", public={"aws_access_key_id": "AKIA" + "F" * 16}
        )
        aws.set_secrets({"aws_secret_access_key": "awsLostDoNotLeak" + "0" * 24}, owner)
        aws.save()
        url = reverse("connectors:create", args=["acme", "videovector-s3"])
        form = common(credential, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk))
    client.post(url, {**form, "form_token": str(uuid.uuid4())}, headers=HTMX)


# Each lost create takes the sandbox's "late" answer (seconds): every fault for one provider,
# the others' own lookups against a few.
LOOKUPS = [
    *[("mixpanel", mode, options) for mode, options in SANDBOX_FAULTS],
    *[
        (provider, mode, options)
        for provider in ("aisquared", "videovector")
        for mode, options in SANDBOX_FAULTS
        if mode in ("status", "garbage", "shape", "timeout")
        and options.get("status") in (None, 503)
    ],
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("provider", "mode", "options"), LOOKUPS, ids=lambda v: str(v))
def test_a_lost_create_s_lookup_against_a_faulty_provider_concludes_nothing(
    fault, settings, team, owner, tasks, caplog, provider, mode, options
):
    settings.PROVIDER_READ_TIMEOUT = 1
    settings.PROVIDER_RETRY_BACKOFF = 0
    fault("late", provider=provider, method="POST")
    _lost_create(provider, team, owner, answering(owner))
    create = Submission.objects.get(action="create")
    assert create.reconciliation == "pending"
    fault(mode, provider=provider, method="GET", times=10, **options)

    with caplog.at_level(logging.DEBUG):
        tasks.run("reconcile_create")

    create.refresh_from_db()
    # It was created there: neither "not created" nor adopted from an answer not read.
    assert create.reconciliation in ("pending", "unknown"), create.reconciliation
    assert not Connector.objects.exists()
    lookup = Submission.objects.get(action="reconcile")
    assert lookup.outcome == "failed" and lookup.attempts.exists()
    said_plainly(lookup.error_message + create.error_message)
    stored = str(lookup.__dict__) + str(list(lookup.attempts.values())) + str(create.__dict__)
    no_secret(caplog.text, stored)


# --- the scheduled refresh, in the background ------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("fault", SOME)
def test_a_scheduled_refresh_of_every_provider_against_a_fault_is_recorded_not_raised(
    faulty, team, owner, caplog, fault
):
    from connectors_admin.connectors.tasks import refresh_connectors

    made = [MAKERS[name](team, owner)[0] for name in MAKERS]
    before = {c.pk: (c.remote_status, c.record) for c in made}
    faulty(fault, "")

    with caplog.at_level(logging.DEBUG):
        outcomes = refresh_connectors.call([str(c.pk) for c in made])

    assert outcomes == ["failed"] * len(made)
    for connector in Connector.objects.all():
        assert connector.deleted_at is None
        assert (connector.remote_status, connector.record) == before[connector.pk]
        assert connector.last_error
        said_plainly(connector.last_error)
    for submission in Submission.objects.all():
        assert submission.outcome == "failed" and submission.attempts.exists()
    no_secret(caplog.text, str(list(Attempt.objects.values())))


# --- AI Squared's catalogue, fetched and refreshed for the form ------------------------------------
CATALOGUE_FAULTS = [f for f in FAULTS if f not in ("200-list",)]  # a list is the right shape


@pytest.mark.django_db
@pytest.mark.parametrize("fault", CATALOGUE_FAULTS)
def test_a_catalogue_refresh_against_a_faulty_provider_keeps_what_was_typed(
    faulty, loop, team, owner, caplog, fault
):
    from pathlib import Path

    catalogue = Path(__file__).resolve().parents[1] / "connectors_admin/sandbox/aisquared_catalog"
    postgres = json.loads((catalogue / "source-postgresql.json").read_text())
    loop.on("GET", r"/api/v1/connector_definitions", json=[postgres])
    credential = make_aisquared_credential(team, owner)
    client = answering(owner)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    assert (
        b"cfg__host"
        in client.get(url, {"credential": credential.pk, "connector_name": "Postgresql"}).content
    )
    faulty(fault, AISQ_TOKEN)
    typed = aisquared_payload_typed(credential)

    with caplog.at_level(logging.DEBUG):
        page = client.post(
            reverse("connectors:fields", args=["acme", "aisquared-source"]) + "?refresh=1",
            typed,
            headers=HTMX,
        )

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    said_plainly(text)
    assert "AI Squared" in text
    assert "typed-host-42.example.com" in text  # what was typed is still in the form
    assert "is shown instead" in text  # from the copy fetched before, and said so
    no_secret(text, caplog.text)


@pytest.mark.django_db
@pytest.mark.parametrize("fault", FEW)
def test_a_create_while_the_catalogue_cannot_be_fetched_keeps_what_was_typed_for_its_return(
    faulty, loop, settings, team, owner, caplog, fault
):
    from pathlib import Path

    catalogue = Path(__file__).resolve().parents[1] / "connectors_admin/sandbox/aisquared_catalog"
    postgres = json.loads((catalogue / "source-postgresql.json").read_text())
    credential = make_aisquared_credential(team, owner)  # none of its catalogue cached
    faulty(fault, AISQ_TOKEN)
    client = answering(owner)

    with caplog.at_level(logging.DEBUG):
        page = client.post(
            reverse("connectors:create", args=["acme", "aisquared-source"]),
            aisquared_payload_typed(credential),
            headers=HTMX,
        )
        text = html.unescape(page.content.decode())
        settings.AISQUARED_API_URL = loop.url  # the catalogue answers again
        loop.on("GET", r"/api/v1/connector_definitions", json=[postgres])
        token = text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
        back = client.post(
            reverse("connectors:fields", args=["acme", "aisquared-source"]) + "?refresh=1",
            {"credential": credential.pk, "form_token": token},
            headers=HTMX,
        ).content.decode()

    assert page.status_code == 200
    said_plainly(text)
    assert "AI Squared" in text and "What you typed is kept for this form" in text
    assert "typed-host-42.example.com" not in text  # which values are secret is not known
    assert not Submission.objects.filter(action="create").exists()
    assert 'value="typed-host-42.example.com"' in back and 'value="reader"' in back
    assert "kept from your last attempt" in back  # the password, never shown
    no_secret(text, back, caplog.text)


def aisquared_payload_typed(credential) -> dict:
    import uuid

    from .conftest import aisquared_payload

    return {
        **aisquared_payload(credential, cfg__host="typed-host-42.example.com"),
        "form_token": str(uuid.uuid4()),
    }


# --- bulk actions from the list, run in the background ---------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("fault", FEW)
@pytest.mark.parametrize("kind", ["refresh", "test", "delete"])
def test_a_bulk_action_against_a_faulty_provider_says_each_failure_on_the_list(
    faulty, team, owner, tasks, caplog, kind, fault
):
    made = [MAKERS[name](team, owner)[0] for name in MAKERS]
    before = {c.pk: (c.remote_status, c.record) for c in made}
    faulty(fault, "")
    client = answering(owner)
    picked = {"action": kind, "scope": "selected", "connector": [c.pk for c in made]}

    with caplog.at_level(logging.DEBUG):
        client.post(reverse("connectors:bulk", args=["acme"]), {**picked, "confirmed": "1"})
        ran = len(tasks.queued("run_connector_action"))
        tasks.run("run_connector_action")
        page = client.get(reverse("connectors:list", args=["acme"]))

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    said_plainly(text)
    runs = Submission.objects.filter(action__in=("refresh", "test", "check", "delete"))
    assert runs.count() == ran > 0
    for submission in runs:
        assert submission.outcome == "failed" and submission.attempts.exists()
        said_plainly(submission.error_message)
    for connector in Connector.objects.all():
        assert connector.deleted_at is None
        assert (connector.remote_status, connector.record) == before[connector.pk]
    failed = runs.filter(outcome="failed").count()
    assert f"{failed} failed" in text
    no_secret(text, caplog.text, str(list(Attempt.objects.values())))
