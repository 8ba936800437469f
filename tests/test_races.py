"""Two things at once: a double click on an action, a background refresh beside a user's change.
Real concurrency (threads, each with its own database connection, against the sandbox on the
live server), with the sandbox holding an answer so that the second request runs while the
first waits."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from connectors_admin.connectors.models import Attempt, Connector, Submission

from .conftest import S3_FORM

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls: Callable[[], Any], stagger: float = 0.3) -> list[Any]:
    """Run each call in its own thread (its own database connection), each started `stagger`
    seconds after the one before; their results (or the exception each raised), in order."""
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = []
    for i, call in enumerate(calls):
        thread = threading.Thread(target=run, args=(i, call))
        thread.start()
        threads.append(thread)
        time.sleep(stagger)
    for thread in threads:
        thread.join(30)
    return results


def answering(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def created(client, credential) -> Connector:
    client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    return Connector.objects.get()


def test_a_double_clicked_delete_sends_one_delete(owner, sandbox, credential, fault, settings):
    connector = created(answering(owner), credential)
    settings.PROVIDER_READ_TIMEOUT = 10  # an answer held on purpose is waited for, however busy
    fault("slow", method="DELETE", delay_ms=800)  # the first delete waits on the provider
    url = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    first, second = at_once(lambda: answering(owner).post(url), lambda: answering(owner).post(url))
    assert first.status_code == second.status_code == 302
    deletes = Attempt.objects.filter(method="DELETE")
    assert deletes.count() == 1, [(a.response_status, a.submission_id) for a in deletes]
    connector.refresh_from_db()
    assert connector.deleted_at is not None
    # Each click has its operation; the second says it was sent once, by the first.
    sent, shared = Submission.objects.filter(action="delete").order_by("pk")
    assert sent.outcome == shared.outcome == "succeeded"
    assert not shared.attempts.exists() and f"by operation {sent.pk}" in shared.error_message


def test_a_credential_is_not_deleted_while_a_lost_create_is_looked_for(
    owner, sandbox, credential, fault, tasks, settings
):
    from connectors_admin.credentials.models import Credential

    client = answering(owner)
    fault("late", method="POST")  # applied, answer lost: the background looks for it
    client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    lost = Submission.objects.get(action="create")
    assert lost.reconciliation == "pending"
    (queued,) = tasks.queued("reconcile_create")
    settings.PROVIDER_READ_TIMEOUT = 10  # an answer held on purpose is waited for, however busy
    fault("slow", method="GET", delay_ms=800)  # the lookup waits on the provider
    delete = reverse("credentials:delete", args=["acme", credential.pk])
    looked, deleted = at_once(
        lambda: queued.task.call(*queued.args), lambda: answering(owner).post(delete)
    )
    assert looked == "found", looked
    assert deleted.status_code == 409  # refused: the lookup still needs it
    assert Credential.objects.filter(pk=credential.pk).exists()
    assert Connector.objects.get().credential_id == credential.pk


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="holds a row lock (PostgreSQL's row locks)"
)


class RowHeld:
    """A row locked FOR UPDATE by another connection until `release()`: what runs meanwhile and
    needs that row waits, so that the test can line requests up behind it."""

    def __init__(self, model, *pks, no_key: bool = False) -> None:
        # `no_key`: FOR NO KEY UPDATE, which stops the row's updates but lets rows that point
        # at it be inserted (an operation's exchanges, say).
        self.locked, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(model, pks, no_key))
        self.thread.start()
        assert self.locked.wait(10)

    def _hold(self, model, pks, no_key) -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                rows = model.objects.select_for_update(no_key=no_key).filter(pk__in=pks)
                list(rows.values_list("pk"))
                self.locked.set()
                self.done.wait(30)
        finally:
            connections.close_all()

    @staticmethod
    def waiting() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]

    def wait_for_waiters(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while self.waiting() < count:
            assert time.monotonic() < deadline, "nothing waited on the row"
            time.sleep(0.05)

    def release(self) -> None:
        self.done.set()
        self.thread.join(10)


@postgres_only
def test_a_credential_deleted_while_a_create_is_sent_is_said_not_an_error_page(
    owner, sandbox, credential
):
    from connectors_admin.credentials.models import Credential

    held = RowHeld(Credential, credential.pk)
    results: dict[str, Any] = {}

    def delete() -> None:
        url = reverse("credentials:delete", args=["acme", credential.pk])
        results["delete"] = answering(owner).post(url)
        connections.close_all()

    def create() -> None:
        results["create"] = answering(owner).post(
            reverse("connectors:create", args=["acme", "mixpanel-s3"]),
            {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
        )
        connections.close_all()

    threads = [threading.Thread(target=delete)]
    threads[0].start()
    held.wait_for_waiters(1)  # the delete waits for the row
    threads.append(threading.Thread(target=create))
    threads[1].start()
    held.wait_for_waiters(2)  # the create has read the credential, and waits to record it
    held.release()
    for thread in threads:
        thread.join(30)
    assert results["delete"].status_code == 302
    assert not Credential.objects.filter(pk=credential.pk).exists()
    response = results["create"]
    assert response.status_code == 200, response.status_code
    # Said in words: the credential is gone (the form offers to add one), and recorded.
    assert "No Mixpanel credential yet" in response.text
    said = Submission.objects.get(action="create")
    assert said.outcome == "failed" and "credential was deleted" in said.error_message
    assert not Attempt.objects.exists()  # nothing was sent


def rotating(owner, uri, new_uri: str) -> Callable[[], Any]:
    """The owner's rotation of the stored connection URI `uri` to `new_uri`, to run later."""
    return lambda: answering(owner).post(
        reverse("credentials:rotate", args=["acme", uri.pk]), {"uri": new_uri}
    )


def one_after_another(held: RowHeld, *calls: Callable[[], Any]) -> list[Any]:
    """Each call in its own thread, queued in this order behind the held row; then released."""
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            results[i] = call()
        finally:
            connections.close_all()

    threads = []
    for i, call in enumerate(calls):
        threads.append(threading.Thread(target=run, args=(i, call)))
        threads[-1].start()
        held.wait_for_waiters(i + 1)
    held.release()
    for thread in threads:
        thread.join(30)
    return results


# An edit or a rotation of the `credential` fixture (Mixpanel), as the credential's pages post it.
EDIT_OR_ROTATE = pytest.mark.parametrize(
    "change",
    [
        (
            "edit",
            {"label": "Renamed", "username": "sa.acme", "project_id": "4242", "residency": "us"},
        ),
        ("rotate", {"secret": "brand-new-secret-4321"}),
    ],
)


@postgres_only
@EDIT_OR_ROTATE
def test_a_credential_disabled_while_it_is_edited_stays_disabled(owner, credential, change):
    from connectors_admin.credentials.models import Credential

    name, data = change
    disable = reverse("credentials:toggle", args=["acme", credential.pk])
    url = reverse(f"credentials:{name}", args=["acme", credential.pk])
    disabled, changed = one_after_another(
        RowHeld(Credential, credential.pk),
        lambda: answering(owner).post(disable, {"enabled": "0"}),
        lambda: answering(owner).post(url, data),
    )
    assert disabled.status_code == changed.status_code == 302
    credential.refresh_from_db()
    assert credential.enabled is False  # as the audit trail says
    if name == "edit":
        assert credential.label == "Renamed"


@postgres_only
@EDIT_OR_ROTATE
def test_a_credential_deleted_while_it_is_edited_is_said_gone(owner, credential, change):
    """The change read the credential before the delete went through: it finds no row to save
    and says the credential was deleted (a 404, not a server error), without making it again."""
    from connectors_admin.credentials.models import Credential

    name, data = change
    delete = reverse("credentials:delete", args=["acme", credential.pk])
    url = reverse(f"credentials:{name}", args=["acme", credential.pk])
    deleted, changed = one_after_another(
        RowHeld(Credential, credential.pk),
        lambda: answering(owner).post(delete),
        lambda: answering(owner).post(url, data),
    )
    assert deleted.status_code == 302
    assert changed.status_code == 404 and "deleted meanwhile" in changed.text
    assert not Credential.objects.filter(pk=credential.pk).exists()


def eventually(find: Callable[[], Any], seconds: float = 10) -> Any:
    """What `find` returns once it returns something, polled."""
    deadline = time.monotonic() + seconds
    while not (found := find()):
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.02)
    return found


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """`call` started in its own thread (its own connection); its result lands in the list."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(call())
        except Exception as exc:
            result.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def pending(action: str) -> Callable[[], Submission | None]:
    return lambda: Submission.objects.filter(action=action, outcome="pending").first()


@postgres_only
def test_a_refresh_read_before_a_pause_is_not_stored_over_it_as_the_pause_ends(
    owner, sandbox, kc, fault, tasks, settings
):
    """The refresh read RUNNING before the pause; it checks for changes just after the pause
    stored PAUSED and before the pause's operation was closed (its finish time recorded)."""
    from connectors_admin.connectors.tasks import refresh_connector

    from .test_kafka import create, mongo_form

    create(answering(owner), "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    assert connector.remote_status == "RUNNING"

    settings.PROVIDER_READ_TIMEOUT = 10  # an answer held on purpose is waited for, however busy
    fault("slow", provider="kafkaconnect", method="GET", delay_ms=0)  # the refresh's first read
    fault("slow", provider="kafkaconnect", method="GET", delay_ms=700)  # and its status read
    refreshing, _ = in_thread(lambda: refresh_connector.call(str(connector.pk)))
    refresh = eventually(pending("refresh"))
    eventually(lambda: refresh.attempts.exists())
    # Its status read (RUNNING, read before the pause) is recorded once this is let go.
    refresh_held = RowHeld(Submission, refresh.pk)
    refresh_held.wait_for_waiters(1)

    fault("slow", provider="kafkaconnect", method="PUT", delay_ms=700)
    url = reverse("connectors:action", args=["acme", connector.pk, "pause"])
    pausing, paused = in_thread(lambda: answering(owner).post(url))
    pause = eventually(pending("pause"))
    # The pause stores PAUSED, then waits to close its operation.
    pause_held = RowHeld(Submission, pause.pk, no_key=True)
    pause_held.wait_for_waiters(2)
    assert Connector.objects.get().remote_status == "PAUSED"

    refresh_held.release()  # the refresh checks for changes now, and stores what it read, or not
    refreshing.join(30)
    pause_held.release()
    pausing.join(30)
    assert paused[0].status_code == 302
    connector.refresh_from_db()
    assert connector.remote_status == "PAUSED", "the refresh put back the state it read before"


@postgres_only
def test_a_retry_that_gets_the_connector_its_lost_first_try_s_lookup_just_recorded_keeps_it(
    owner, team, sandbox, fault, tasks, settings
):
    """The lookup of a lost create records the connector, then waits to link its try to it;
    the retry (the same idempotency key, so the same connector) meets that record meanwhile."""
    from connectors_admin.audit.models import AuditEvent
    from connectors_admin.credentials.models import Credential

    from .test_videovector import ADMIN_KEY, AWS_SECRET, common, create_url

    vv = Credential(team=team, kind="videovector", label="Media", public={"auth_type": "api_key"})
    vv.set_secrets({"token": ADMIN_KEY}, owner)
    vv.save()
    aws = Credential(
        team=team, kind="aws", label="Footage", public={"aws_access_key_id": "AKIA" + "F" * 16}
    )
    aws.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    aws.save()
    fault("late", provider="videovector")
    form = common(vv, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk))
    html = answering(owner).post(create_url("s3"), form, headers={"HX-Request": "true"}).text
    first = Submission.objects.get(action="create")
    assert first.reconciliation == "pending", html
    (queued,) = tasks.queued("reconcile_create")

    settings.PROVIDER_READ_TIMEOUT = 10  # an answer held on purpose is waited for, however busy
    fault("slow", provider="videovector", method="GET", delay_ms=600)  # the lookup's listing
    looking, looked = in_thread(lambda: queued.task.call(*queued.args))
    eventually(pending("reconcile"))
    first_held = RowHeld(Submission, first.pk, no_key=True)  # its try waits to be closed
    first_held.wait_for_waiters(1)

    create_key = html.split('name="create_key" value="', 1)[1].split('"', 1)[0]
    retry = {**form, "form_token": str(uuid.uuid4()), "create_key": create_key}
    retrying, retried = in_thread(
        lambda: answering(owner).post(create_url("s3"), retry, headers={"HX-Request": "true"})
    )
    eventually(lambda: retried or RowHeld.waiting() >= 2)
    first_held.release()
    looking.join(30)
    retrying.join(30)
    assert looked == ["found"], looked
    assert "Connector created" in retried[0].text
    # One record of the one connector at VideoVector, live, that both tries made.
    records = list(Connector.objects.values_list("remote_id", "deleted_at", "last_error"))
    assert len(records) == 1, records  # not closed as "deleted there", and recorded again
    connector = Connector.objects.get()
    assert connector.deleted_at is None and not connector.last_error
    assert not AuditEvent.objects.filter(action="connector.deleted").exists()
    assert set(Submission.objects.filter(action="create").values_list("connector", flat=True)) == {
        connector.pk
    }


@postgres_only
def test_a_refresh_that_fails_as_the_connector_is_deleted_leaves_the_delete_s_words(
    owner, sandbox, credential, fault
):
    from connectors_admin.credentials.models import Credential
    from connectors_admin.sandbox.models import SandboxFault

    connector = created(answering(owner), credential)
    credential_held = RowHeld(
        Credential, credential.pk, no_key=True
    )  # the refresh waits to mark it used
    refresh = reverse("connectors:action", args=["acme", connector.pk, "refresh"])
    refreshing, _ = in_thread(lambda: answering(owner).post(refresh))
    submission = eventually(pending("refresh"))
    credential_held.wait_for_waiters(1)
    refresh_held = RowHeld(Submission, submission.pk)  # and then to record its exchange
    fault("status", method="GET", status=403)  # which fails
    credential_held.release()
    eventually(lambda: not SandboxFault.objects.exists() and RowHeld.waiting() >= 1)

    delete = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    assert answering(owner).post(delete).status_code == 302
    refresh_held.release()
    refreshing.join(30)
    connector.refresh_from_db()
    assert connector.deleted_at is not None
    assert connector.last_error == "", connector.last_error  # what the delete said: nothing wrong


@postgres_only
def test_a_credential_rotated_while_it_is_edited_keeps_both_changes(owner, team, credential):
    """Each request read the credential before the other saved: neither puts back the stored
    fields it read over what the other wrote (the rotated key's host; the edited project)."""
    from connectors_admin.credentials.models import Credential

    from .conftest import stored_uri

    uri = stored_uri(team, owner, "postgresql://app:old-pw-1234@db-old.internal:5432/shop")
    rotated, edited = one_after_another(
        RowHeld(Credential, uri.pk),
        rotating(owner, uri, "postgresql://app:new-pw-5678@db-new.internal:5432/shop"),
        lambda: answering(owner).post(
            reverse("credentials:edit", args=["acme", uri.pk]), {"label": "Primary"}
        ),
    )
    assert rotated.status_code == edited.status_code == 302
    uri.refresh_from_db()
    assert uri.label == "Primary"
    assert uri.public["host"] == "db-new.internal", uri.public  # the host of the secret held

    edit = {"label": "Production", "username": "sa.acme", "project_id": "5151", "residency": "us"}
    edited, rotated = one_after_another(
        RowHeld(Credential, credential.pk),
        lambda: answering(owner).post(
            reverse("credentials:edit", args=["acme", credential.pk]), edit
        ),
        lambda: answering(owner).post(
            reverse("credentials:rotate", args=["acme", credential.pk]),
            {"secret": "brand-new-secret-4321"},
        ),
    )
    assert edited.status_code == rotated.status_code == 302
    credential.refresh_from_db()
    assert credential.public["project_id"] == 5151, credential.public
    assert credential.secrets()["secret"] == "brand-new-secret-4321"


def test_the_sweep_does_not_queue_a_second_lookup_of_a_lost_create_while_one_waits(
    owner, sandbox, credential, fault, tasks
):
    """The workers are behind: the lookup queued when the answer was lost has not run when
    the sweep comes by. Queued twice, it would ask twice in a row when they catch up, and the
    few lookups a lost create gets (a few minutes apart) would run out twice as fast."""
    from datetime import timedelta

    from django.utils import timezone

    from connectors_admin.connectors import services
    from connectors_admin.connectors.tasks import sweep_submissions

    fault("late")  # the create is applied, its answer lost
    answering(owner).post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    lost = Submission.objects.get(action="create")
    assert len(tasks.queued("reconcile_create")) == 1
    Submission.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    for _ in range(2):  # two sweeps, five minutes apart, while the lookup waits
        sweep_submissions()
    fault("status", status=503, times=9)  # and the provider is down when the workers come to it
    assert tasks.run("reconcile_create") == ["pending"]  # one lookup, asked again later
    assert services._lookups(lost) == 1
    # The next sweep queues it again, now that none waits.
    assert sweep_submissions().endswith("1 reconciliations queued")


@postgres_only
@pytest.mark.parametrize(
    "change", [("edit", {"label": "Primary"}), ("toggle", {"enabled": "0"})], ids=str
)
def test_a_background_test_ending_while_a_credential_is_edited_or_disabled_is_kept(
    owner, team, change
):
    """The test queued by a rotation ends after the edit (a new label) or the disable read the
    credential, and before either saved: neither puts back the "not tested yet" it read over
    the test's result (its page would say "being tested" until the next day's re-test)."""
    from connectors_admin.credentials.models import Credential
    from connectors_admin.credentials.tasks import verify_credential

    from .conftest import stored_uri

    uri = stored_uri(team, owner, "postgresql://app:pw-1234@db.internal:5432/shop")
    assert uri.check_pending  # just stored: its test is queued
    name, data = change
    tested, changed = one_after_another(
        RowHeld(Credential, uri.pk),
        lambda: verify_credential.call(uri.pk),
        lambda: answering(owner).post(reverse(f"credentials:{name}", args=["acme", uri.pk]), data),
    )
    assert tested == "ok" and changed.status_code == 302
    uri.refresh_from_db()
    assert uri.last_check_ok is True and uri.last_check_at is not None
    assert not uri.check_pending


@postgres_only
def test_a_background_test_ending_while_an_operator_edits_a_credential_is_kept(
    owner, team, make_user
):
    """The same in the admin: an operator renames a credential while its test runs. The
    change saves what it changes (the label), not the "not tested yet" it read."""
    import json

    from connectors_admin.credentials.models import Credential
    from connectors_admin.credentials.tasks import verify_credential

    from .conftest import stored_uri

    operator = make_user("root", is_staff=True, is_superuser=True)
    uri = stored_uri(team, owner, "postgresql://app:pw-1234@db.internal:5432/shop")
    assert uri.check_pending
    url = reverse("admin:credentials_credential_change", args=[uri.pk])
    form = {"label": "Primary", "public": json.dumps(uri.public), "enabled": "on"}
    tested, changed = one_after_another(
        RowHeld(Credential, uri.pk),
        lambda: verify_credential.call(uri.pk),
        lambda: answering(operator).post(url, form),
    )
    assert tested == "ok" and changed.status_code == 302, changed.content[:2000]
    uri.refresh_from_db()
    assert uri.label == "Primary"
    assert uri.last_check_ok is True and not uri.check_pending


@postgres_only
def test_a_test_of_the_old_secret_ending_as_it_is_rotated_is_not_kept(owner, team):
    """A test read the credential's values before a rotation committed, and its answer came
    after: it is not kept as the test of the new secret (which waits for its own)."""
    from connectors_admin.credentials.models import Credential
    from connectors_admin.credentials.tasks import verify_credential

    from .conftest import stored_uri

    uri = stored_uri(team, owner, "postgresql://app:old-pw-1234@db.internal:5432/shop")
    rotated, tested = one_after_another(
        RowHeld(Credential, uri.pk),
        rotating(owner, uri, "postgresql://app:new-pw-5678@db.internal:5432/shop"),
        lambda: verify_credential.call(uri.pk),
    )
    assert rotated.status_code == 302 and tested == "ok"
    uri.refresh_from_db()
    assert uri.check_pending and uri.last_check_ok is None


# --- an invitation accepted twice at the same instant ---------------------------------------------
class InsertsHeld(RowHeld):
    """A model's table locked by another connection in SHARE mode until `release()`: its rows
    can be read but none written, so two requests that checked a name is free both wait to take
    it."""

    def _hold(self, model, pks, no_key) -> None:
        from django.db import transaction

        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{model._meta.db_table}" IN SHARE MODE')
                self.locked.set()
                self.done.wait(30)
        finally:
            connections.close_all()


def invitation_link(owner) -> str:
    from django.core import mail

    answering(owner).post(
        reverse("accounts:invite", args=["acme"]),
        {"invite-email": "nina@example.com", "invite-role": "member"},
    )
    (message,) = mail.outbox
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


@postgres_only
def test_an_invitation_accepted_twice_at_once_by_its_invitee_joins_once_and_says_so(
    owner, make_user
):
    """A double click on "Join": one membership, one audit event, and the second click is told
    that this person is in the team, not sent to a team admin for a new link."""
    from connectors_admin.accounts.models import Invitation, Membership
    from connectors_admin.audit.models import AuditEvent

    link = invitation_link(owner)
    nina = make_user("nina", email="nina@example.com")
    first, second = answering(nina), answering(nina)
    joined, again = one_after_another(
        RowHeld(Invitation, Invitation.objects.get().pk),  # both clicks wait to claim it
        lambda: first.post(link),
        lambda: second.post(link),
    )
    assert joined.status_code == again.status_code == 302, (joined.status_code, again.status_code)
    assert joined["Location"] == again["Location"] == "/teams/acme/"
    assert Membership.objects.filter(user=nina).count() == 1
    assert AuditEvent.objects.filter(action="member.invitation_accepted").count() == 1
    said = second.get(again["Location"]).content.decode()
    assert "You joined Acme Data with this invitation already." in said
    assert "Welcome" not in said


@postgres_only
@pytest.mark.parametrize("names", [("nina", "nina"), ("nina", "noor")], ids=["twice", "two"])
def test_an_invitation_accepted_at_once_with_new_accounts_makes_one_account_and_says_so(
    owner, names
):
    """Two "Make my account and join" at once, each name checked free before either was taken:
    a double click (the same name) or two people the link reached (two names). One account,
    one membership; the other is told plainly that the link was used, with no account made
    for nothing and no server error."""
    from django.contrib.auth import get_user_model

    from connectors_admin.accounts.models import Membership

    link = invitation_link(owner)
    password = "long enough passphrase 42"
    first, second = (Client(raise_request_exception=False) for _ in names)
    answers = one_after_another(
        InsertsHeld(get_user_model()),  # both have checked the name, and wait to add it
        lambda: first.post(link, {"username": names[0], "password": password}),
        lambda: second.post(link, {"username": names[1], "password": password}),
    )
    assert sorted(a.status_code for a in answers) == [302, 410], [a.status_code for a in answers]
    (made,) = get_user_model().objects.exclude(pk=owner.pk)
    assert list(Membership.objects.exclude(user=owner).values_list("user", flat=True)) == [made.pk]
    (used,) = [a for a in answers if a.status_code == 410]
    said = re.sub(r"<[^>]+>", "", used.content.decode())
    assert "It was already used: each link works once" in said
    assert "If you accepted it yourself, sign in to reach the team." in said
