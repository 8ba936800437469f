"""The whole credential lifecycle: every kind, edit, rotate, test, disable, delete, compare, usage."""

from __future__ import annotations

import html
import json
import logging
import re
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.credentials.kinds import KINDS
from connectors_admin.credentials.models import Credential

from .conftest import MIXPANEL_SECRET, S3_FORM, make_aisquared_credential, make_credential
from .test_odd_answers import script  # noqa: F401  (the scripted loopback server)

# Fake values built at run time, so nothing that looks like a real secret sits in the source.
AWS_KEY_ID = "AKIA" + "FAKE" * 4
AWS_SECRET = "fake/Secret+Access=Key" + "x" * 18
VV_KEY = "sk_live_" + "ab12" * 12
PEM = "-----BEGIN " + "PRIVATE KEY-----\nMIIfake\n-----END " + "PRIVATE KEY-----\n"


def key_file(**overrides) -> SimpleUploadedFile:
    data = {
        "type": "service_account",
        "project_id": "acme-data",
        "private_key_id": "0123456789abcdef9876",
        "private_key": PEM,
        "client_email": "importer@acme-data.iam.gserviceaccount.com",
        **overrides,
    }
    return SimpleUploadedFile("key.json", json.dumps(data).encode(), "application/json")


def add(client, kind, **fields):
    return client.post(
        reverse("credentials:add", args=["acme", kind]), {"label": f"My {kind}", **fields}
    )


KIND_FORMS = {
    "mixpanel": {"username": "sa", "secret": MIXPANEL_SECRET, "project_id": "1", "residency": "us"},
    "aisquared": {
        "instance": "AI Squared (hosted)",
        "workspace_id": "7",
        "token": "jwt-token-aaaa-1111",
    },
    "videovector": {"auth_type": "api_key", "token": VV_KEY},
    "upstash": {"email": "ops@example.com", "api_key": "upstash-key-7777"},
    "aws": {"aws_access_key_id": AWS_KEY_ID, "aws_secret_access_key": AWS_SECRET},
    "azure": {
        "tenant_id": "11111111-2222-3333-4444-555555555555",
        "client_id": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
        "client_secret": "azure-secret-9999",
    },
    "uri": {"uri": "postgresql://app:db-password-5555@db.internal:5432/app"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(KIND_FORMS))
def test_every_kind_is_stored_encrypted_with_only_public_fields_in_clear(owner_client, kind):
    response = add(owner_client, kind, **KIND_FORMS[kind])
    assert response.status_code == 302, response.content.decode()[:2000]
    credential = Credential.objects.get()
    secrets = credential.secrets()
    assert set(secrets) == set(KINDS[kind].secret_fields)
    for value in secrets.values():
        assert value not in json.dumps(credential.public)
        assert value not in credential.secret_ciphertext
    html = owner_client.get(response["Location"]).content.decode()
    for value in secrets.values():
        assert value not in html


@pytest.mark.django_db
def test_uri_shows_only_scheme_and_host(owner_client):
    add(owner_client, "uri", **KIND_FORMS["uri"])
    assert Credential.objects.get().public == {"scheme": "postgresql", "host": "db.internal"}


@pytest.mark.django_db
def test_gcp_key_file_is_checked_and_stored_whole(owner_client):
    response = owner_client.post(
        reverse("credentials:add", args=["acme", "gcp"]), {"label": "GCS", "key_file": key_file()}
    )
    assert response.status_code == 302
    credential = Credential.objects.get()
    assert credential.public == {
        "client_email": "importer@acme-data.iam.gserviceaccount.com",
        "project_id": "acme-data",
    }
    assert json.loads(credential.secrets()["service_account_json"])["private_key"] == PEM
    assert credential.hint_text() == "…9876"  # the key id's end, not the file's


@pytest.mark.django_db
def test_a_key_files_page_says_its_hint_is_the_key_ids_end(owner_client):
    owner_client.post(
        reverse("credentials:add", args=["acme", "gcp"]), {"label": "GCS", "key_file": key_file()}
    )
    credential = Credential.objects.get()
    html = owner_client.get(reverse("credentials:detail", args=["acme", credential.pk])).content
    page = html.decode()
    assert "<dt>The private key id in the key file ends with</dt>" in page
    assert "…9876" in page
    assert "service account json ends with" not in page.lower()
    # The rotate page and the dashboard's hint say the same.
    rotate = owner_client.get(reverse("credentials:rotate", args=["acme", credential.pk]))
    assert "(The private key id in the key file ends with …9876)" in rotate.content.decode()
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert 'title="The private key id in the key file ends with …9876"' in dashboard


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("k.json", b"not json", "application/json"), "This is not JSON"),
        (key_file(type="authorized_user"), "not a service-account key"),
        (key_file(private_key=""), "The key file lacks: private_key"),
        (key_file(private_key="abc"), "not a PEM private key"),
        (
            SimpleUploadedFile("k.json", b"{" + b" " * 70000 + b"}", "application/json"),
            "over 64 KiB",
        ),
    ],
)
def test_gcp_bad_key_files_are_refused(owner_client, upload, message):
    response = owner_client.post(
        reverse("credentials:add", args=["acme", "gcp"]), {"label": "G", "key_file": upload}
    )
    assert message in response.content.decode()
    assert Credential.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        ("aws", "aws_access_key_id", "AKIA123", "AKIA or ASIA"),
        ("aws", "aws_secret_access_key", "short", "40 letters"),
        ("azure", "tenant_id", "not-a-guid", "A GUID"),
        ("uri", "uri", "just words", "A URI with a scheme"),
        ("uri", "uri", "mysql://u:p@<b>host</b>:3306/db", "The host after “@” is a name"),
        # A host no login from it could be sent to (connectors name hosts without "_").
        ("uri", "uri", "postgresql://u:p@my_db.internal/db", "The host after “@” is a name"),
        ("videovector", "token", "sk_live_nothex", "48 lowercase hex"),
    ],
)
def test_storage_formats_are_checked(owner_client, kind, field, value, message):
    response = add(owner_client, kind, **{**KIND_FORMS[kind], field: value})
    assert message in html.unescape(response.content.decode())
    assert Credential.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_api_key_is_only_said_to_be_required(owner_client):
    page = add(owner_client, "videovector", auth_type="api_key", token="").content.decode()
    assert "This field is required." in page
    assert "48 lowercase hex" not in page
    assert Credential.objects.count() == 0


@pytest.mark.django_db
def test_an_optional_field_left_empty_is_not_shown_as_an_empty_row(owner_client):
    response = add(owner_client, "kafkaconnect", cluster="Sandbox", username="", password="")
    assert response.status_code == 302
    assert Credential.objects.get().public == {"cluster": "Sandbox", "username": ""}
    page = owner_client.get(response["Location"]).content.decode()
    assert "<dt>Cluster</dt><dd>Sandbox</dd>" in page
    assert "<dt>User</dt>" not in page


@pytest.mark.django_db
def test_edit_changes_public_fields_and_keeps_the_secret(owner_client, credential):
    url = reverse("credentials:edit", args=["acme", credential.pk])
    page = owner_client.get(url).content.decode()
    assert 'name="secret"' not in page
    response = owner_client.post(
        url, {"label": "Renamed", "username": "sa.new", "project_id": "99", "residency": "in"}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.label == "Renamed"
    assert credential.public == {"username": "sa.new", "project_id": 99, "residency": "in"}
    assert credential.secrets() == {"secret": MIXPANEL_SECRET}


@pytest.mark.django_db(transaction=True)
def test_a_cluster_stays_put_while_connectors_made_there_are_live(
    owner_client,
    sandbox,
    kc,
    script,  # noqa: F811  (the fixture imported above)
    settings,
    tasks,
):
    """A Kafka Connect connector is known by its name only: were its credential pointed at
    another cluster, its actions would reach that cluster's connector of the same name (a
    Delete, Production's). So the cluster cannot change while one is live, and says why."""
    from .test_kafka import create, mongo_form

    settings.KAFKA_CONNECT_CLUSTERS = {"Production": script.url}
    script.on("DELETE", r"^/connectors/orders-cdc$", status=204, text="")
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    edit = reverse("credentials:edit", args=["acme", kc.pk])
    assert "Cluster cannot change while 1 connector made with this credential is there" in (
        owner_client.get(edit).content.decode()
    )

    page = owner_client.post(
        edit, {"label": "Ops cluster", "cluster": "Production", "username": "ops"}
    ).content.decode()

    assert "Cluster cannot change while 1 connector" in page and "errorlist" in page
    kc.refresh_from_db()
    assert kc.public["cluster"] == "Sandbox"
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    assert ("DELETE", "/connectors/orders-cdc") not in script.seen  # Production's is untouched
    connector.refresh_from_db()
    assert connector.deleted_at is not None
    # Once none is live there, it can point elsewhere.
    owner_client.post(edit, {"label": "Ops cluster", "cluster": "Production", "username": "ops"})
    kc.refresh_from_db()
    assert kc.public["cluster"] == "Production"


@pytest.mark.django_db
def test_an_ai_squared_instance_and_workspace_stay_put_while_connectors_are_live(
    owner_client, client_for, make_user, team, owner
):
    """AI Squared numbers connectors per workspace: the same rule keeps a live connector's
    instance and workspace, on the team's page and in the operators' admin."""
    operator = make_user("root", is_staff=True, is_superuser=True)
    credential = make_aisquared_credential(team, owner)
    Connector.objects.create(
        team=team,
        credential=credential,
        provider="aisquared",
        template="aisquared-source",
        remote_id="12",
    )
    edit = reverse("credentials:edit", args=["acme", credential.pk])
    kept = {"label": "Workspace 7", "instance": "AI Squared (hosted)"}

    page = owner_client.post(edit, {**kept, "workspace_id": "8"}).content.decode()
    assert "Workspace id cannot change while 1 connector made with this credential" in page
    admin = reverse("admin:credentials_credential_change", args=[credential.pk])
    moved = '{"instance": "AI Squared (hosted)", "workspace_id": 8}'
    page = client_for(operator).post(admin, {"label": "Workspace 7", "public": moved})
    page = page.content.decode()
    assert "workspace_id cannot change while 1 connector" in page
    credential.refresh_from_db()
    assert credential.public["workspace_id"] == 7
    # Its label is still edited freely.
    assert owner_client.post(edit, {**kept, "label": "W7", "workspace_id": "7"}).status_code == 302
    credential.refresh_from_db()
    assert credential.label == "W7"


@pytest.mark.django_db
def test_rotate_replaces_the_secret_and_connectors_keep_their_link(
    owner_client, team, owner, credential
):
    from .test_connectors_pages import make_connectors

    (connector,) = make_connectors(team, credential, owner, 1)
    old_fingerprint = credential.fingerprints()["secret"]
    url = reverse("credentials:rotate", args=["acme", credential.pk])
    page = owner_client.get(url).content.decode()
    assert 'name="username"' not in page and 'name="secret"' in page
    response = owner_client.post(url, {"secret": "brand-new-secret-4321"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.secrets() == {"secret": "brand-new-secret-4321"}
    assert credential.fingerprints()["secret"] != old_fingerprint
    assert credential.hint_text() == "…4321"
    connector.refresh_from_db()
    assert connector.credential == credential


@pytest.mark.django_db
def test_rotating_a_gcp_key_updates_the_shown_account(owner_client):
    owner_client.post(
        reverse("credentials:add", args=["acme", "gcp"]), {"label": "G", "key_file": key_file()}
    )
    credential = Credential.objects.get()
    owner_client.post(
        reverse("credentials:rotate", args=["acme", credential.pk]),
        {
            "key_file": key_file(
                client_email="new@acme-data.iam.gserviceaccount.com", private_key_id="ffff1234"
            )
        },
    )
    credential.refresh_from_db()
    assert credential.public["client_email"] == "new@acme-data.iam.gserviceaccount.com"
    assert credential.hint_text() == "…1234"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["mixpanel", "aisquared", "videovector", "upstash"])
def test_testing_a_provider_credential_calls_the_provider(owner_client, sandbox, kind):
    add(owner_client, kind, **KIND_FORMS[kind])
    credential = Credential.objects.get()
    url = reverse("credentials:test", args=["acme", credential.pk])
    html = owner_client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section id="check-panel"')
    assert "accepted the credential" in html
    assert "data-focus" in html  # asked for: the result takes focus
    credential.refresh_from_db()
    assert credential.last_check_ok is True and credential.last_check_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["mixpanel", "aisquared", "upstash"])
def test_a_refused_credential_fails_its_test_in_plain_words(owner_client, sandbox, kind):
    secret_field = KINDS[kind].secret_fields[0]
    add(owner_client, kind, **{**KIND_FORMS[kind], secret_field: "invalid-credential-1"})
    credential = Credential.objects.get()
    response = owner_client.post(reverse("credentials:test", args=["acme", credential.pk]))
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.last_check_ok is False
    assert "HTTP 401" in credential.last_check_message
    page = owner_client.get(reverse("credentials:list", args=["acme"])).content.decode()
    assert "failed" in page


@pytest.mark.django_db(transaction=True)
def test_a_provider_that_times_out_fails_the_test_within_the_limit(
    owner_client, sandbox, credential, fault
):
    fault("timeout", times=3)  # a read: tried three times, each try within the limit
    owner_client.post(reverse("credentials:test", args=["acme", credential.pk]))
    credential.refresh_from_db()
    assert credential.last_check_ok is False
    test = Submission.objects.get(action="test-credential")
    assert [a.error_kind for a in test.attempts.all()] == ["timeout"] * 3
    assert (
        f"did not answer within {settings.PROVIDER_READ_TIMEOUT:g} second"
        in credential.last_check_message
    )


@pytest.mark.django_db
def test_storage_secrets_are_tested_for_form_only(owner_client):
    add(owner_client, "aws", **KIND_FORMS["aws"])
    credential = Credential.objects.get()
    owner_client.post(reverse("credentials:test", args=["acme", credential.pk]))
    credential.refresh_from_db()
    assert credential.last_check_ok is True
    assert "No call is made" in credential.last_check_message


@pytest.mark.django_db(transaction=True)
def test_a_disabled_credential_cannot_be_used(owner_client, sandbox, credential):
    toggle = reverse("credentials:toggle", args=["acme", credential.pk])
    detail = reverse("credentials:detail", args=["acme", credential.pk])
    # The page's button asks for the other state.
    assert 'name="enabled" value="0"' in owner_client.get(detail).content.decode()
    owner_client.post(toggle, {"enabled": "0"})
    owner_client.post(toggle, {"enabled": "0"})  # a double click: disabled, and said once
    assert 'name="enabled" value="1"' in owner_client.get(detail).content.decode()
    credential.refresh_from_db()
    assert credential.enabled is False
    assert AuditEvent.objects.filter(action="credential.disabled").count() == 1
    assert owner_client.post(toggle).status_code == 400
    create = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    page = owner_client.get(create).content.decode()
    assert "Your Mixpanel credential is disabled" in page and "No Mixpanel credential" not in page
    detail = reverse("credentials:detail", args=["acme", credential.pk])
    assert f'<a href="{detail}">{credential.label}</a>' in page  # where to enable it
    owner_client.post(
        create, {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}
    )
    assert Submission.objects.count() == 0
    owner_client.post(toggle, {"enabled": "1"})
    credential.refresh_from_db()
    assert credential.enabled is True


@pytest.mark.django_db(transaction=True)
def test_refresh_with_a_disabled_credential_says_so(owner_client, sandbox, credential):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    connector = Connector.objects.get()
    Credential.objects.filter(pk=credential.pk).update(enabled=False)
    html = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "This credential is disabled" in html and "An admin can enable it" in html
    # A connector keeps the credential it was made with: there is no other to pick.
    assert "pick another" not in html


@pytest.mark.django_db(transaction=True)
def test_delete_is_refused_while_a_connector_uses_it_and_lists_them(
    owner_client, sandbox, credential
):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    connector = Connector.objects.get()
    url = reverse("credentials:delete", args=["acme", credential.pk])
    response = owner_client.post(url)
    html = response.content.decode()
    assert response.status_code == 409
    assert "cannot be deleted: 1 connector uses it" in html
    assert reverse("connectors:detail", args=["acme", connector.pk]) in html
    listing = reverse("connectors:list", args=["acme"])
    assert f'href="{listing}?credential={credential.pk}"' in html  # to act on them together
    assert Credential.objects.filter(pk=credential.pk).exists()

    # Once the connector is deleted at the provider, the credential can go.
    response = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "delete"])
    )
    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.remote_status == "deleted"
    assert owner_client.post(url).status_code == 302
    assert not Credential.objects.filter(pk=credential.pk).exists()
    connector.refresh_from_db()
    assert connector.credential is None
    assert (
        "(since deleted)"
        in owner_client.get(
            reverse("connectors:detail", args=["acme", connector.pk])
        ).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pasted", "answer"), [(MIXPANEL_SECRET, "yes, it is"), ("something-else", "no, it differs")]
)
def test_is_this_the_same_secret(owner_client, credential, pasted, answer):
    url = reverse("credentials:compare", args=["acme", credential.pk])
    html = owner_client.post(
        url, {"secret": pasted}, headers={"HX-Request": "true"}
    ).content.decode()
    assert html.lstrip().startswith('<section id="compare-panel"')
    assert answer in html
    assert pasted not in html


@pytest.mark.django_db
def test_gcp_compare_ignores_json_formatting(owner_client):
    owner_client.post(
        reverse("credentials:add", args=["acme", "gcp"]), {"label": "G", "key_file": key_file()}
    )
    credential = Credential.objects.get()
    stored = json.loads(credential.secrets()["service_account_json"])
    pasted = json.dumps(stored, indent=4)
    html = owner_client.post(
        reverse("credentials:compare", args=["acme", credential.pk]),
        {"service_account_json": pasted},
    ).content.decode()
    assert "yes, it is the stored secret" in html


@pytest.mark.django_db(transaction=True)
def test_usage_lists_connectors_and_calls_and_last_use(owner_client, sandbox, credential):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    connector = Connector.objects.get()
    html = owner_client.get(
        reverse("credentials:detail", args=["acme", credential.pk])
    ).content.decode()
    assert connector.name in html
    assert "Create</a> Mixpanel Cloud Import: Amazon S3" in html  # linked to the operation
    credential.refresh_from_db()
    assert credential.last_used_at is not None
    assert "Last used for a connector: never" not in html


@pytest.mark.django_db
def test_same_secret_gives_the_same_fingerprint_across_credentials(team, owner):
    a = make_credential(team, owner, label="A")
    b = make_credential(team, owner, label="B")
    c = make_credential(team, owner, label="C", secret="another-secret-0000")
    assert a.fingerprints() == b.fingerprints() != c.fingerprints()


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "queries"), [(1, 7), (60, 9)])
def test_the_credential_page_pages_its_usage_with_a_constant_query_count(
    owner_client, team, owner, credential, rows, queries, django_assert_num_queries
):
    from connectors_admin.connectors.models import Submission

    from .test_connectors_pages import make_connectors

    make_connectors(team, credential, owner, rows)
    Submission.objects.bulk_create(
        Submission(
            team=team,
            user=owner,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
        )
        for _ in range(rows)
    )
    url = reverse("credentials:detail", args=["acme", credential.pk])
    # session, user, memberships+teams (the page's and the switcher's), credential, a page for
    # each of the two lists (and its count when the first page does not hold it all), embedded
    # copies
    with django_assert_num_queries(queries):
        html = owner_client.get(url).content.decode()
    assert f"({rows})" in html
    if rows > 25:
        assert "Page 1 of 3" in html and "?connectors=2" in html and "?calls=2" in html
        second = owner_client.get(url, {"connectors": 3, "calls": 2}).content.decode()
        assert "Page 3 of 3" in second and "Page 2 of 3" in second


@pytest.mark.django_db
def test_a_credentials_usage_past_the_cap_is_not_counted_to_the_end(
    owner_client, team, owner, credential, settings
):
    from .test_connectors_pages import make_connectors

    settings.LIST_COUNT_CAP = 30
    make_connectors(team, credential, owner, 40)
    url = reverse("credentials:detail", args=["acme", credential.pk])
    html = owner_client.get(url).content.decode()
    assert "Connectors created with it (30+)" in html and "Page 1<" in html
    last = owner_client.get(url, {"connectors": 2}).content.decode()
    assert "?connectors=1" in last and "?connectors=3" not in last


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 40])
def test_the_credential_list_counts_usage_up_to_the_cap_in_constant_queries(
    owner_client, team, owner, credential, settings, rows, django_assert_num_queries
):
    from .test_connectors_pages import make_connectors

    settings.LIST_COUNT_CAP = 30
    spare = make_credential(team, owner, label="Spare")
    make_connectors(team, credential, owner, rows)
    deleted = make_connectors(team, spare, owner, 2)
    Connector.objects.filter(pk=deleted[0].pk).update(deleted_at="2026-01-01T00:00:00Z")
    # session, user, memberships+teams, the credentials with both counts
    with django_assert_num_queries(4):
        html = owner_client.get(reverse("credentials:list", args=["acme"])).content.decode()
    counts = re.findall(r'>(Production|Spare)</a>.*?<td class="k-count">([\d,+]+)</td>', html, re.S)
    # A connector deleted since still counts: it was made with the credential.
    assert counts == [("Production", "30+" if rows > 30 else str(rows)), ("Spare", "2")]


@pytest.mark.django_db
def test_rotating_checks_the_secret_against_the_stored_values(owner_client, team, owner, kc):
    # Kafka Connect: the password belongs to the stored user (the rotate form does not ask).
    url = reverse("credentials:rotate", args=["acme", kc.pk])
    assert owner_client.post(url, {"password": "a-new-password-1"}).status_code == 302
    kc.refresh_from_db()
    assert kc.secrets()["password"] == "a-new-password-1" and kc.public["username"] == "ops"
    no_user = Credential(team=team, kind="kafkaconnect", label="Open", public={"cluster": "x"})
    no_user.set_secrets({"password": ""}, owner)
    no_user.save()
    refused = owner_client.post(
        reverse("credentials:rotate", args=["acme", no_user.pk]), {"password": "pw-12345678"}
    )
    assert refused.status_code == 200
    assert "edit the credential to set its user first" in refused.content.decode()
    # VideoVector: an API key keeps its format check when it is rotated.
    key = Credential(team=team, kind="videovector", label="VV", public={"auth_type": "api_key"})
    key.set_secrets({"token": "sk_live_" + "a" * 48}, owner)
    key.save()
    url = reverse("credentials:rotate", args=["acme", key.pk])
    bad = owner_client.post(url, {"token": "not-a-key"})
    assert bad.status_code == 200 and "An API key is sk_live_" in bad.content.decode()
    assert owner_client.post(url, {"token": "sk_live_" + "b" * 48}).status_code == 302
    # Editing it (no key typed there) checks no key.
    edit = reverse("credentials:edit", args=["acme", key.pk])
    assert owner_client.post(edit, {"label": "VV2", "auth_type": "api_key"}).status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["add", "edit"])
def test_a_label_taken_between_the_check_and_the_save_is_said_not_a_500(
    owner_client, team, owner, credential, page
):
    from django.db import connection

    other = {"done": False}

    def another_tab_saves_first(execute, sql, params, many, context):
        # The other request's save lands just after this one's label check.
        result = execute(sql, params, many, context)
        if not other["done"] and '"credentials_credential"."label" =' in sql:
            other["done"] = True
            make_credential(team, owner, label="Taken")
        return result

    if page == "add":
        url = reverse("credentials:add", args=["acme", "mixpanel"])
        data = {
            "label": "Taken",
            "username": "sa.other",
            "secret": "another-secret-000",
            "project_id": "4242",
            "residency": "us",
        }
    else:
        url = reverse("credentials:edit", args=["acme", credential.pk])
        data = {"label": "Taken", "username": "sa.acme", "project_id": "4242", "residency": "us"}
    with connection.execute_wrapper(another_tab_saves_first):
        response = owner_client.post(url, data)
    assert other["done"]
    assert response.status_code == 200
    assert "already has a credential of this kind with this label" in response.content.decode()
    assert Credential.objects.filter(label="Taken").count() == 1


@pytest.mark.django_db(transaction=True)
def test_new_login_values_or_enabling_again_are_tested_anew(owner_client, credential, tasks):
    from django.utils import timezone

    def verified() -> None:
        Credential.objects.filter(pk=credential.pk).update(
            last_check_at=timezone.now(), last_check_ok=True, last_check_message="Accepted."
        )
        tasks.backend.clear()

    verified()
    # Another user: the last test said nothing of it.
    edit = reverse("credentials:edit", args=["acme", credential.pk])
    data = {"label": "Production", "username": "someone.else", "project_id": "4242"}
    assert owner_client.post(edit, {**data, "residency": "eu"}).status_code == 302
    credential.refresh_from_db()
    assert credential.last_check_ok is None and credential.check_pending
    assert tasks.names() == ["verify_credential"]
    # A new label alone changes nothing a test says.
    verified()
    owner_client.post(edit, {**data, "label": "Renamed", "residency": "eu"})
    credential.refresh_from_db()
    assert credential.last_check_ok is True and tasks.names() == []
    # A test while disabled said only that it is disabled: enabling it tests it again.
    toggle = reverse("credentials:toggle", args=["acme", credential.pk])
    owner_client.post(toggle, {"enabled": "0"})
    owner_client.post(reverse("credentials:test", args=["acme", credential.pk]))
    tasks.backend.clear()
    owner_client.post(toggle, {"enabled": "1"})
    assert tasks.names() == ["verify_credential"]
    credential.refresh_from_db()
    assert credential.check_pending and "disabled" not in credential.last_check_message


@pytest.mark.django_db(transaction=True)
def test_a_test_of_the_secret_before_a_rotation_does_not_verify_the_new_one(
    owner_client, sandbox, credential
):
    from django.db import connection

    from connectors_admin.credentials.testing import run_test

    rotated = []

    def rotated_meanwhile(execute, sql, params, many, context):
        # The test's answer is in; the rotation lands just before the test stores it (when it
        # reads whether the credential still holds the values it tested).
        if not rotated and sql.startswith('SELECT "credentials_credential"."secret_set_at"'):
            rotated.append(True)
            owner_client.post(
                reverse("credentials:rotate", args=["acme", credential.pk]),
                {"secret": "the-next-secret-0000"},
            )
        return execute(sql, params, many, context)

    stale = Credential.objects.get(pk=credential.pk)
    with connection.execute_wrapper(rotated_meanwhile):
        assert run_test(stale).ok  # the old secret worked
    assert rotated
    credential.refresh_from_db()
    # The new secret is still to be tested (its own test is queued), not "verified".
    assert credential.last_check_ok is None and credential.check_pending


@pytest.mark.django_db(transaction=True)
def test_a_new_label_while_a_test_runs_keeps_its_result(owner_client, sandbox, credential):
    from django.db import connection

    from connectors_admin.credentials.testing import run_test

    renamed = []

    def renamed_meanwhile(execute, sql, params, many, context):
        if not renamed and sql.startswith('SELECT "credentials_credential"."secret_set_at"'):
            renamed.append(True)
            other_tab = Credential.objects.get(pk=credential.pk)
            other_tab.label = "Renamed"
            other_tab.save()  # as the edit page saves it
        return execute(sql, params, many, context)

    with connection.execute_wrapper(renamed_meanwhile):
        assert run_test(Credential.objects.get(pk=credential.pk)).ok
    credential.refresh_from_db()
    assert renamed and credential.last_check_ok is True  # a label says nothing a test does


@pytest.mark.django_db
def test_a_refused_delete_counts_every_connector_that_uses_it(
    owner_client, team, owner, credential, settings, django_assert_num_queries
):
    """The refusal lists the newest hundred and counts them all (up to the lists' cap), each
    connector once however many places of its configuration carry the secret."""
    from connectors_admin.connectors.models import EmbeddedCredential

    from .test_connectors_pages import make_connectors

    make_connectors(team, credential, owner, 103)
    gone = make_connectors(team, credential, owner, 2)
    Connector.objects.filter(pk__in=[c.pk for c in gone]).update(deleted_at="2026-01-01T00:00Z")
    other = make_credential(team, owner, label="Other")
    for number, carrier in enumerate(make_connectors(team, other, owner, 3)):
        EmbeddedCredential.objects.create(connector=carrier, credential=credential, slot="a")
        if number == 0:  # the same secret in a second place of one configuration
            EmbeddedCredential.objects.create(connector=carrier, credential=credential, slot="b")
    url = reverse("credentials:delete", args=["acme", credential.pk])
    # session, user, memberships, the credential, the newest it made, the count of those it
    # made and of those carrying it (capped), its creates not settled (two)
    with django_assert_num_queries(9):
        html = owner_client.get(url).text
    assert "cannot be deleted: 106 connectors use it" in html
    assert html.count('<li><a href="/teams/acme/connectors/') == 100
    assert "The newest 100 are listed here; the other 6 are in the connector list." in html

    settings.LIST_COUNT_CAP = 50  # a count past the cap says so, as the lists do
    html = owner_client.get(url).text
    assert "cannot be deleted: 50+ connectors use it" in html
    assert html.count('<li><a href="/teams/acme/connectors/') == 50
    assert "the others are in the connector list." in html
    settings.LIST_COUNT_CAP = 10_000

    Connector.objects.filter(credential=credential).update(deleted_at="2026-01-01T00:00Z")
    html = owner_client.get(url).text  # three carry it, all listed, no count read
    assert "cannot be deleted: 3 connectors use it" in html and "are listed here" not in html


@pytest.mark.django_db
def test_the_credentials_list_counts_each_connector_that_uses_it_once(
    owner_client, team, owner, credential
):
    from connectors_admin.connectors.models import EmbeddedCredential

    from .test_connectors_pages import make_connectors

    made = make_connectors(team, credential, owner, 3)
    Connector.objects.filter(pk=made[0].pk).update(deleted_at="2026-01-01T00:00Z")  # closed
    # One it made also carries it; another credential's connector carries it in two places.
    EmbeddedCredential.objects.create(connector=made[1], credential=credential, slot="a")
    other = make_credential(team, owner, label="Other")
    (carrier,) = make_connectors(team, other, owner, 1)
    for slot in ("a", "b"):
        EmbeddedCredential.objects.create(connector=carrier, credential=credential, slot=slot)
    html = owner_client.get(reverse("credentials:list", args=["acme"])).text
    row = re.search(r'<tr>\s*<td class="k-label"><a [^>]*>Production</a>.*?</tr>', html, re.S)
    counts = re.findall(r'<td class="k-count">(\d+)</td>', row.group(0))
    # The three it made (one deleted since), and the other that carries it: each once.
    assert counts == ["4"], counts
    refused = owner_client.post(reverse("credentials:delete", args=["acme", credential.pk])).text
    assert "cannot be deleted: 3 connectors use it" in refused  # the live ones


def test_a_form_sent_back_says_which_typed_secret_to_type_again(owner_client):
    # The secret input comes back empty (a secret never goes back to the browser): the error
    # summary says so, instead of leaving an empty box to be found on the next try.
    response = add(owner_client, "mixpanel", username="sa", secret=MIXPANEL_SECRET, project_id=0)
    html = response.content.decode()
    assert "Please correct the fields marked below." in html
    assert "“Service account secret” is not sent back to your browser: type it again." in html
    assert MIXPANEL_SECRET not in html
    # Nothing typed into it: nothing to type again.
    html = add(owner_client, "mixpanel", username="sa", project_id=0).content.decode()
    assert "Please correct the fields marked below." in html and "type it again" not in html


def test_a_form_sent_back_says_to_choose_a_key_file_again_not_to_type_it(owner_client):
    # A file input is never filled in again by a browser: it is chosen again, not typed.
    garbage = SimpleUploadedFile("k.json", b"not json at all", "application/json")
    html = add(owner_client, "gcp", key_file=garbage).content.decode()
    assert "Please correct the fields marked below." in html
    said = "“Service-account key file (JSON)” is not sent back to your browser: choose the file"
    assert f"{said} again." in html
    assert "type it again" not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["aisquared", "videovector", "uri"])
def test_a_secret_with_a_line_break_is_refused_by_the_form_never_quoted(owner_client, kind):
    """A password input takes no line break, but a crafted post can send one. In a header (a
    bearer token, an API key) no request could carry it: the form refuses it, saying why, and
    the page does not show what was typed."""
    fields = KIND_FORMS[kind]
    secret_field = KINDS[kind].secret_fields[0]
    typed = "line-break-secret-do-not-leak\r\nX-Injected: 1"
    if kind == "uri":
        typed = "postgresql://app:line-break-secret-do-not-leak\n@db.internal/shop"
    html = add(owner_client, kind, **{**fields, secret_field: typed}).content.decode()
    assert "Type this on one line: it holds a line break or another control character." in html
    assert "line-break-secret-do-not-leak" not in html
    assert not Credential.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["aisquared", "videovector"])
def test_a_stored_secret_no_header_can_carry_fails_its_test_in_plain_words(
    owner_client, sandbox, kind, caplog, tasks, owner
):
    """One stored before the form refused them (or by an operator in the admin): its test
    fails in plain words, nothing sent, instead of an error that quotes the header, secret
    included, into the logs and the task's result."""
    caplog.set_level(logging.DEBUG)
    add(owner_client, kind, **KIND_FORMS[kind])
    credential = Credential.objects.get()
    credential.set_secrets({"token": "line-break-secret-do-not-leak\nX-Injected: 1"}, owner)
    credential.save()
    response = owner_client.post(reverse("credentials:test", args=["acme", credential.pk]))
    assert response.status_code == 302
    assert tasks.run("verify_credential") in ([], ["failed"])  # the test ran here, or queued
    credential.refresh_from_db()
    assert credential.last_check_ok is False
    assert "holds a line break or another control character" in credential.last_check_message
    page = owner_client.get(reverse("credentials:detail", args=["acme", credential.pk]))
    assert "line-break-secret-do-not-leak" not in page.content.decode()
    assert "line-break-secret-do-not-leak" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_an_edit_cannot_send_a_bearer_token_as_an_api_key(owner_client, sandbox):
    """A VideoVector token stored to be sent as a bearer token: an edit that switches it to an
    API key is refused when the stored secret is not one (the add and rotate forms refuse such
    a key), saying how to get there; once rotated to an API key, the switch is taken."""
    add(owner_client, "videovector", auth_type="bearer", token="bearer-token-do-not-leak")
    credential = Credential.objects.get()
    edit = reverse("credentials:edit", args=["acme", credential.pk])
    refused = owner_client.post(edit, {"label": "My videovector", "auth_type": "api_key"})
    html = refused.content.decode()
    assert "The stored secret is not an API key" in html and "rotate it to the API key" in html
    assert "bearer-token-do-not-leak" not in html
    credential.refresh_from_db()
    assert credential.public["auth_type"] == "bearer"
    owner_client.post(
        reverse("credentials:rotate", args=["acme", credential.pk]),
        {"token": KIND_FORMS["videovector"]["token"]},
    )
    taken = owner_client.post(edit, {"label": "My videovector", "auth_type": "api_key"})
    assert taken.status_code == 302
    credential.refresh_from_db()
    assert credential.public["auth_type"] == "api_key"
