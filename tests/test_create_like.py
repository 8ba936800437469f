"""“Create another like this”: a connector's create form prefilled from what it was made with
(never a secret), for every template, through the test client and the sandbox."""

from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from connectors_admin.connectors.models import Connector, EmbeddedCredential
from connectors_admin.credentials.models import Credential

from .conftest import (
    AISQ_TOKEN,
    DB_PASSWORD,
    GCS_FORM,
    KAFKA_CONNECT_PASSWORD,
    MIXPANEL_SECRET,
    S3_FORM,
    UPSTASH_KEY,
    aisquared_payload,
    make_aisquared_credential,
    make_credential,
)
from .test_embedded_credentials import PEM_LINES, key_file
from .test_embedded_later_life import s3_sink
from .test_kafka import AWS_SECRET as KAFKA_AWS_SECRET
from .test_kafka import CLUSTER, MONGO, MONGO_PASSWORD, MONGO_URI, S3_SINK, mongo_form
from .test_platform import create_s3
from .test_videovector import (
    ADMIN_KEY,
    AWS_SECRET,
    AZURE_SECRET,
    CLIENT,
    TENANT,
    common,
)

HTMX = {"HX-Request": "true"}
SECRETS = (
    MIXPANEL_SECRET,
    AISQ_TOKEN,
    DB_PASSWORD,
    KAFKA_CONNECT_PASSWORD,
    UPSTASH_KEY,
    ADMIN_KEY,
    AWS_SECRET,
    AZURE_SECRET,
    PEM_LINES[1],
    MONGO_PASSWORD,
    KAFKA_AWS_SECRET,
)


class FormValues(HTMLParser):
    """What a browser would post for the page's create form, as rendered: inputs with their
    values (boxes only when ticked), the selected option of each select, each text area's text."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first: tuple[str, str] | None = None
        self._picked = False
        self._textarea: str | None = None
        self._text = ""
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if (
            tag == "form"
            and "form_token" not in a.get("action", "")
            and "card form" in a.get("class", "")
        ):
            self._in_form = True
        if not self._in_form or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("file", "submit", "button"):
                return
            self.values.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._first, self._picked = a["name"], None, False
        elif tag == "option" and self._select is not None:
            option = (self._select, a.get("value", ""))
            self._first = self._first or option
            if "selected" in a:
                self.values.append(option)
                self._picked = True
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            if not self._picked and self._first:
                self.values.append(self._first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.values.append((self._textarea, text))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def posted(html: str, **changes: Any) -> dict[str, Any]:
    parser = FormValues()
    parser.feed(html)
    data: dict[str, Any] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    data = {k: v if len(v) > 1 or k in ("scopes", "_shown") else v[0] for k, v in data.items()}
    data.update(changes)
    return data


def like_url(template: str, connector: Connector | str) -> str:
    pk = connector.pk if isinstance(connector, Connector) else connector
    return f"{reverse('connectors:create', args=['acme', template])}?like={pk}"


def open_like(client, template: str, connector: Connector) -> str:
    detail = client.get(reverse("connectors:detail", args=["acme", connector.pk])).content.decode()
    assert "Create another like this" in detail
    assert like_url(template, connector).replace("&", "&amp;") in detail
    response = client.get(like_url(template, connector))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Starts like" in html
    for secret in SECRETS:  # nowhere in the page, nor in the address
        assert secret not in html
        assert secret not in response.request["QUERY_STRING"]
    return html


def create_from(client, template: str, html: str, **changes: Any) -> str:
    data = posted(html, **changes)
    assert "like" not in data
    url = reverse("connectors:create", args=["acme", template])
    return client.post(url, data, headers=HTMX).content.decode()


def selected(html: str, value: Any) -> bool:
    return f'<option value="{value}" selected>' in html


# --- Mixpanel --------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_mixpanel_s3_starts_like_the_connector_and_makes_a_second_one(
    owner_client, sandbox, credential
):
    create_s3(owner_client, credential)
    first = Connector.objects.get()
    html = open_like(owner_client, "mixpanel-s3", first)
    for value in ("acme-events", "cloudimport/event", "us-east-2", "4242"):
        assert f'value="{value}"' in html
    assert 'value="arn:aws:iam::123456789012:role/mixpanel-import"' in html
    assert selected(html, "mixpanel_event") and selected(html, "gzip") and selected(html, "us")
    assert selected(html, credential.pk)
    assert "No secret to type again" in html and "Change the bucket or the prefix" in html
    done = create_from(owner_client, "mixpanel-s3", html, s3_bucket="acme-events-2")
    assert "Connector created" in done, done[:3000]
    second = Connector.objects.exclude(pk=first.pk).get()
    assert second.record["connector_properties"]["s3_bucket"] == "acme-events-2"
    assert (
        second.record["connector_properties"]["s3_role"]
        == first.record["connector_properties"]["s3_role"]
    )


@pytest.mark.django_db(transaction=True)
def test_mixpanel_gcs_starts_like_the_connector(owner_client, sandbox, credential):
    url = reverse("connectors:create", args=["acme", "mixpanel-gcs"])
    form = {**GCS_FORM, "gcs_bucket": "acme-exports", "credential": credential.pk}
    owner_client.post(url, {**form, "form_token": str(uuid.uuid4())})
    first = Connector.objects.get()
    html = open_like(owner_client, "mixpanel-gcs", first)
    assert 'value="acme-exports"' in html and selected(html, "eu")
    assert selected(html, "mixpanel_people") and selected(html, "none")
    done = create_from(owner_client, "mixpanel-gcs", html, gcs_bucket="acme-exports-2")
    assert "Connector created" in done, done[:3000]
    assert Connector.objects.count() == 2


# --- VideoVector -----------------------------------------------------------------------------------
def stored(team, owner, kind: str, public: dict, secrets: dict, label: str) -> Credential:
    credential = Credential(team=team, kind=kind, label=label, public=public)
    credential.set_secrets(secrets, owner)
    credential.save()
    return credential


@pytest.mark.django_db(transaction=True)
def test_videovector_s3_keeps_the_stored_aws_key_picked(owner_client, sandbox, vv, team, owner):
    aws = stored(
        team,
        owner,
        "aws",
        {"aws_access_key_id": "AKIA" + "F" * 16},
        {"aws_secret_access_key": AWS_SECRET},
        "Footage",
    )
    other = stored(
        team,
        owner,
        "aws",
        {"aws_access_key_id": "AKIA" + "G" * 16},
        {"aws_secret_access_key": "another-aws-secret-" + "8" * 21},
        "Archive",  # first by label: the default a new form would pick
    )
    url = reverse("connectors:create", args=["acme", "videovector-s3"])
    form = common(
        vv,
        bucket="media-archive",
        region="eu-west-1",
        use__aws=str(aws.pk),
        scopes=["import", "export"],
        export_base_path="exports/review",
        import_mode="new_only",
    )
    assert "Connector created" in owner_client.post(url, form, headers=HTMX).content.decode()
    first = Connector.objects.get()
    html = open_like(owner_client, "videovector-s3", first)
    assert selected(html, aws.pk) and not selected(html, other.pk)
    assert 'value="Footage"' in html and 'value="media-archive"' in html
    assert 'value="eu-west-1"' in html and 'value="exports/review"' in html
    assert "No secret to type again" in html
    done = create_from(owner_client, "videovector-s3", html, bucket="media-archive-2")
    assert "Connector created" in done, done[:3000]
    second = Connector.objects.exclude(pk=first.pk).get()
    assert second.record["bucket"] == "media-archive-2"
    assert second.record["scopes"] == ["import", "export"]
    assert second.record["import_mode"] == "new_only"
    assert EmbeddedCredential.objects.get(connector=second).credential == aws


@pytest.mark.django_db(transaction=True)
def test_videovector_azure_typed_by_hand_asks_for_the_principal_again(owner_client, sandbox, vv):
    url = reverse("connectors:create", args=["acme", "videovector-azure"])
    form = common(
        vv,
        storage_account="acmemedia",
        container="videos",
        use__azure="here",
        tenant_id=TENANT,
        client_id=CLIENT,
        client_secret=AZURE_SECRET,
    )
    assert "Connector created" in owner_client.post(url, form, headers=HTMX).content.decode()
    first = Connector.objects.get()
    html = open_like(owner_client, "videovector-azure", first)
    assert 'value="acmemedia"' in html and 'value="videos"' in html
    assert "Type again, as secrets are never filled in" in html
    assert "Tenant id, Client (application) id, Client secret" in html
    assert TENANT not in html and CLIENT not in html  # never shown back: not guessed
    done = create_from(
        owner_client,
        "videovector-azure",
        html,
        container="videos-2",
        tenant_id=TENANT,
        client_id=CLIENT,
        client_secret=AZURE_SECRET,
    )
    assert "Connector created" in done, done[:3000]
    assert Connector.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_videovector_gcs_keeps_the_stored_key_file_picked(owner_client, sandbox, vv, team, owner):
    gcp = stored(
        team,
        owner,
        "gcp",
        {"project_id": "acme"},
        {"service_account_json": json.dumps(key_file())},
        "Media key",
    )
    url = reverse("connectors:create", args=["acme", "videovector-gcs"])
    form = common(
        vv, bucket="raw-footage", gcp_project_id="acme-media", use__credentials_file=str(gcp.pk)
    )
    assert "Connector created" in owner_client.post(url, form, headers=HTMX).content.decode()
    first = Connector.objects.get()
    html = open_like(owner_client, "videovector-gcs", first)
    assert selected(html, gcp.pk) and 'value="acme-media"' in html
    done = create_from(owner_client, "videovector-gcs", html, bucket="raw-footage-2")
    assert "Connector created" in done, done[:3000]
    assert EmbeddedCredential.objects.filter(credential=gcp).count() == 2


# --- AI Squared ------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_aisquared_source_suggests_a_name_and_asks_for_the_password(owner_client, sandbox, team):
    aisq = make_aisquared_credential(team)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    payload = {**aisquared_payload(aisq), "description": "Orders", "form_token": str(uuid.uuid4())}
    assert "Connector created" in owner_client.post(url, payload, headers=HTMX).content.decode()
    first = Connector.objects.get()
    html = open_like(owner_client, "aisquared-source", first)
    assert selected(html, "Postgresql") and 'value="Shop DB (copy)"' in html
    assert 'value="db.example.com"' in html and 'value="reader"' in html
    assert 'value="5432"' in html and 'value="shop"' in html and ">\nOrders</textarea>" in html
    assert "Type again, as secrets are never filled in: <strong>Database password</strong>" in html
    assert "Names are unique among the workspace" in html
    done = create_from(
        owner_client, "aisquared-source", html, cfg__credentials__password=DB_PASSWORD
    )
    assert "Connector created" in done, done[:3000]
    second = Connector.objects.exclude(pk=first.pk).get()
    assert second.name == "Shop DB (copy)"
    assert second.record["attributes"]["configuration"]["host"] == "db.example.com"


# --- Kafka -----------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_kafka_connect_keeps_class_and_properties_and_asks_for_the_uri(owner_client, sandbox, kc):
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    form = mongo_form(kc, other_properties="errors.tolerance=all")
    assert "Connector created" in owner_client.post(url, form, headers=HTMX).content.decode()
    first = Connector.objects.get()
    html = open_like(owner_client, "kafka-connect", first)
    assert MONGO_URI not in html
    assert selected(html, MONGO) and 'value="orders-cdc-copy"' in html
    assert 'value="shop"' in html and 'value="orders"' in html and 'value="mongo"' in html
    assert "errors.tolerance=all" in html
    assert "Connection URI" in html.split("Type again, as secrets are never filled in:")[1][:200]
    done = create_from(owner_client, "kafka-connect", html, p_connection_uri=MONGO_URI)
    assert "Connector created" in done, done[:3000]
    second = Connector.objects.exclude(pk=first.pk).get()
    assert second.name == "orders-cdc-copy"
    assert second.record["config"]["database"] == "shop"
    assert second.record["config"]["errors.tolerance"] == "all"


@pytest.mark.django_db(transaction=True)
def test_kafka_s3_sink_keeps_the_stored_aws_key(owner_client, sandbox, kc, team, owner):
    aws = stored(
        team,
        owner,
        "aws",
        {"aws_access_key_id": "AKIA" + "K" * 16},
        {"aws_secret_access_key": KAFKA_AWS_SECRET},
        "Lake",
    )
    form = s3_sink(kc, aws)
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    assert "Connector created" in owner_client.post(url, form, headers=HTMX).content.decode()
    first = Connector.objects.get()
    html = open_like(owner_client, "kafka-connect", first)
    assert selected(html, aws.pk) and selected(html, S3_SINK)
    assert 'value="acme-lake"' in html and 'value="orders,invoices"' in html
    assert "No secret to type again" in html
    done = create_from(owner_client, "kafka-connect", html, p_aws_s3_bucket_name="acme-lake-2")
    assert "Connector created" in done, done[:3000]
    second = Connector.objects.exclude(pk=first.pk).get()
    assert second.record["config"]["aws.s3.bucket.name"] == "acme-lake-2"
    assert second.record["config"]["tasks.max"] == "2"
    assert EmbeddedCredential.objects.get(connector=second).credential == aws


@pytest.mark.django_db(transaction=True)
def test_upstash_keeps_the_cluster_and_class(owner_client, sandbox, upstash, tasks):
    url = reverse("connectors:create", args=["acme", "upstash-kafka"])
    form = mongo_form(upstash, cluster_id=CLUSTER)
    assert "Connector created" in owner_client.post(url, form, headers=HTMX).content.decode()
    first = Connector.objects.get()
    owner_client.post(reverse("connectors:action", args=["acme", first.pk, "refresh"]))
    html = open_like(owner_client, "upstash-kafka", first)
    assert f'value="{CLUSTER}"' in html and selected(html, MONGO)
    assert 'value="orders-cdc-copy"' in html and 'value="shop"' in html
    done = create_from(owner_client, "upstash-kafka", html, p_connection_uri=MONGO_URI)
    assert "Connector created" in done, done[:3000]
    assert Connector.objects.count() == 2


# --- who may, and which connector ------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_another_team_s_connector_or_another_template_is_not_found(
    owner_client, client_for, outsider, other_team, sandbox, credential
):
    theirs = make_credential(other_team, label="Theirs")
    client_for(outsider).post(
        reverse("connectors:create", args=["other", "mixpanel-s3"]),
        {**S3_FORM, "credential": theirs.pk, "form_token": str(uuid.uuid4())},
    )
    their_connector = Connector.objects.get(team=other_team)
    assert owner_client.get(like_url("mixpanel-s3", their_connector)).status_code == 404
    create_s3(owner_client, credential)
    ours = Connector.objects.get(team=credential.team)
    assert owner_client.get(like_url("mixpanel-gcs", ours)).status_code == 404
    assert owner_client.get(like_url("mixpanel-s3", "not-a-uuid")).status_code == 404
    assert owner_client.get(like_url("mixpanel-s3", uuid.uuid4())).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_viewer_sees_no_link_and_may_not_open_it(
    owner_client, client_for, viewer, sandbox, credential
):
    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    as_viewer = client_for(viewer)
    detail = as_viewer.get(reverse("connectors:detail", args=["acme", connector.pk]))
    assert detail.status_code == 200 and "Create another like this" not in detail.content.decode()
    assert as_viewer.get(like_url("mixpanel-s3", connector)).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_rotated_key_s_videovector_connector_links_to_the_prefilled_form(
    owner_client, client_for, viewer, sandbox, vv, team, owner
):
    aws = stored(
        team,
        owner,
        "aws",
        {"aws_access_key_id": "AKIA" + "F" * 16},
        {"aws_secret_access_key": AWS_SECRET},
        "Footage",
    )
    url = reverse("connectors:create", args=["acme", "videovector-s3"])
    form = common(vv, bucket="media-archive", region="eu-west-1", use__aws=str(aws.pk))
    assert "Connector created" in owner_client.post(url, form, headers=HTMX).content.decode()
    connector = Connector.objects.get()
    aws.set_secrets({"aws_secret_access_key": "rotated-aws-secret-" + "5" * 21}, owner)
    aws.save()
    page = owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    link = like_url("videovector-s3", connector).replace("&", "&amp;")
    assert f'<a href="{link}">create it again</a> to update it' in page
    viewer_page = client_for(viewer).get(reverse("credentials:detail", args=["acme", aws.pk]))
    assert "create it again to update it" in viewer_page.content.decode()
    assert link not in viewer_page.content.decode()
    html = open_like(owner_client, "videovector-s3", connector)
    assert selected(html, aws.pk)


@pytest.mark.django_db(transaction=True)
def test_aisquared_a_value_with_a_secret_masked_inside_is_typed_again_not_copied(
    owner_client, sandbox, team
):
    """The record masks a secret wherever its value appears, inside a longer value too: that
    value is not copied with the mask in it (it would be sent so), it is typed again."""
    aisq = make_aisquared_credential(team)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    payload = {
        **aisquared_payload(aisq, cfg__schema=f"{DB_PASSWORD}_archive"),
        "form_token": str(uuid.uuid4()),
    }
    assert "Connector created" in owner_client.post(url, payload, headers=HTMX).content.decode()
    first = Connector.objects.get()
    assert "[redacted]_archive" in str(first.record)
    html = open_like(owner_client, "aisquared-source", first)
    assert "[redacted]" not in html
    said = re.search(r"Type again, as secrets are never filled in: (.*?)</", html, re.S)
    assert said and "Schema" in said[1], said


def aisquared_with_stored(kind: str, client, team, owner) -> tuple[str, Credential, str]:
    """An AI Squared connector whose secret came from a stored credential of `kind`: its
    template, that credential, and the label of the secret's input when typed by hand."""
    from .conftest import stored_uri
    from .test_embedded_credentials import AWS_SECRET as AISQ_AWS_SECRET
    from .test_embedded_credentials import s3_source_form, sheets_form

    aisq = make_aisquared_credential(team, owner)
    token = {"form_token": str(uuid.uuid4())}
    if kind == "aws":
        picked = stored(
            team, owner, "aws", {"aws_access_key_id": "AKIA" + "D" * 16},
            {"aws_secret_access_key": AISQ_AWS_SECRET}, "Data lake",
        )  # fmt: skip
        template, form = "aisquared-source", s3_source_form(aisq, use__aws=str(picked.pk))
        label = "AWS secret key"
    elif kind == "uri":
        picked = stored_uri(
            team, owner, "postgresql://reader:pw-do-not-leak-31@db.example.com/shop"
        )
        form = {**aisquared_payload(aisq), "use__credentials": str(picked.pk), **token}
        template, label = "aisquared-source", "Database password"
    else:
        picked = stored(
            team, owner, "gcp", {"project_id": "acme-analytics"},
            {"service_account_json": json.dumps(key_file())}, "Loader key",
        )  # fmt: skip
        template = "aisquared-destination"
        form = sheets_form(aisq, use__credentials_json=str(picked.pk))
        label = "Google service account key file (JSON)"
    url = reverse("connectors:create", args=["acme", template])
    assert "Connector created" in client.post(url, form, headers=HTMX).content.decode()
    return template, picked, label


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["aws", "uri", "gcp"])
def test_aisquared_a_secret_from_a_stored_credential_is_picked_again_not_typed_again(
    owner_client, sandbox, team, owner, kind
):
    template, picked, label = aisquared_with_stored(kind, owner_client, team, owner)
    first = Connector.objects.get()

    html = open_like(owner_client, template, first)

    assert selected(html, picked.pk)  # the stored credential, picked again
    assert "Type again" not in html and label not in html  # its secret's input is not shown
    assert "No secret to type again" in html
    assert "pw-do-not-leak-31" not in html
    done = create_from(owner_client, template, html)
    assert "Connector created" in done, done[:3000]
    second = Connector.objects.exclude(pk=first.pk).get()
    assert EmbeddedCredential.objects.get(connector=second).credential == picked


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("gone", ["disabled", "deleted"])
def test_aisquared_a_stored_credential_no_longer_offered_is_to_pick_again_not_to_type(
    owner_client, sandbox, team, owner, gone
):
    template, picked, label = aisquared_with_stored("aws", owner_client, team, owner)
    first = Connector.objects.get()
    if gone == "disabled":
        picked.enabled = False
        picked.save()
    else:  # the connector deleted, then the credential (refused while the connector was live)
        owner_client.post(reverse("connectors:action", args=["acme", first.pk, "delete"]))
        owner_client.post(reverse("credentials:delete", args=["acme", picked.pk]))
        assert not Credential.objects.filter(pk=picked.pk).exists()

    html = open_like(owner_client, template, first)

    said = html.split('class="alert alert-info like-notice"', 1)[1].split("</div>", 1)[0]
    assert "Type again" not in said and label not in said  # it was never typed by hand
    assert "No secret to type again" not in said  # nor is it held by a credential picked
    assert re.search(r"Pick again.*AWS access key", said, re.S), said
    assert said.count("AWS access key") == 1  # said once
