"""A connector's record shows each value in the words its create form offered for it (the words
the user picked: "Mixpanel events", not mixpanel_event), with the value as the provider's API
spells it beside them, for whoever compares with the API. The words come from each template's
own form through the provider interface; what the form offers no words for is shown as it is."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from connectors_admin.connectors.models import Connector, Submission

from .conftest import S3_FORM

HTMX = {"HX-Request": "true"}


def entry(html: str, label: str) -> str:
    """The summary's value for `label`, as marked up."""
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>(.*?)</dd>", html, re.S)
    assert found, label
    return found.group(1)


def api_value(code: str, provider: str) -> str:
    return (
        f'<span class="api-value" title="As {provider}&#x27;s API spells it">'
        f'<span class="visually-hidden">(in {provider}&#x27;s API:</span> <code>{code}</code>'
    )


@pytest.mark.django_db(transaction=True)
def test_a_mixpanel_record_says_what_the_form_offered_and_keeps_the_apis_spelling(
    owner_client, sandbox, credential
):
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}
    card = owner_client.post(url, form, headers=HTMX).content.decode()
    assert "Connector created" in card
    detail = owner_client.get(
        reverse("connectors:detail", args=["acme", Connector.objects.get().pk])
    ).content.decode()
    for html in (card, detail):
        assert (
            entry(html, "Data format")
            == "Mixpanel events "
            + api_value("mixpanel_event", "Mixpanel")
            + '<span class="visually-hidden">)</span></span>'
        )
        assert entry(html, "AWS region").startswith(
            "US East (Ohio) " + api_value("us-east-2", "Mixpanel")
        )
        assert entry(html, "Type").startswith("Amazon S3 " + api_value("s3Import", "Mixpanel"))
        # The same words either way: said once.
        assert entry(html, "Compression") == "gzip"
        # Free text is shown as it is.
        assert entry(html, "Bucket") == "acme-events"
    # The record as returned still holds the provider's values.
    assert "&quot;data_format&quot;: &quot;mixpanel_event&quot;" in detail


@pytest.mark.django_db(transaction=True)
def test_a_videovector_record_says_its_mode_scopes_and_region_in_the_forms_words(
    owner_client, sandbox, vv, team, owner
):
    from connectors_admin.credentials.models import Credential

    aws = Credential(
        team=team, kind="aws", label="Lake", public={"aws_access_key_id": "AKIA" + "W" * 16}
    )
    aws.set_secrets({"aws_secret_access_key": "wordsTestSecret" + "0" * 25}, owner)
    aws.save()
    form = {
        "credential": vv.pk,
        "name": "Archive",
        "scopes": ["import", "export"],
        "import_mode": "new_only",
        "export_base_path": "exports/review",
        "bucket": "media-archive",
        "region": "eu-west-1",
        "use__aws": str(aws.pk),
        "form_token": str(uuid.uuid4()),
    }
    owner_client.post(reverse("connectors:create", args=["acme", "videovector-s3"]), form)
    connector = Connector.objects.get()
    assert connector.summary["Import mode"] == "new_only"  # stored as the API spells it
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content
    html = html.decode()
    assert entry(html, "Import mode").startswith(
        "New files only " + api_value("new_only", "VideoVector")
    )
    assert entry(html, "Scopes") == "Import, Export"  # the API's but for case: said once
    assert entry(html, "AWS region").startswith(
        "Europe (Ireland) " + api_value("eu-west-1", "VideoVector")
    )
    assert entry(html, "Storage") == "s3://media-archive"


@pytest.mark.django_db
def test_a_value_the_form_does_not_offer_is_shown_as_it_is_with_no_more_queries(
    owner_client, team, owner, credential, django_assert_num_queries
):
    """A record stored before, or a value the provider added since, is shown as it came; the
    words cost no query (the detail page's count is the one test_connectors_pages pins)."""
    connector = Connector.objects.create(
        team=team,
        credential=credential,
        provider="mixpanel",
        template="mixpanel-s3",
        remote_id="c-1",
        remote_status="active",
        name="acme-events/",
        summary={
            "Data format": "mixpanel_lookup_table",
            "Compression": "none",
            "Type": "s3Import",
        },
        record={"connector_id": "c-1"},
        context={"project_id": 4242, "residency": "us"},
        created_by=owner,
    )
    Submission.objects.create(
        team=team,
        user=owner,
        credential=credential,
        provider="mixpanel",
        template="mixpanel-s3",
        action="create",
        connector=connector,
        request={"curl": "curl --request POST --url https://example.invalid"},
    )
    with django_assert_num_queries(7):
        html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk]))
    html = html.content.decode()
    assert entry(html, "Data format") == "mixpanel_lookup_table"
    assert entry(html, "Compression") == "None"  # the form's word; the same but for case
    assert entry(html, "Type").startswith("Amazon S3 ")


@pytest.mark.django_db(transaction=True)
def test_the_import_list_says_each_data_format_in_the_forms_words(
    owner_client, sandbox, credential
):
    import requests

    body = {
        "connector_type": "gcsImport",
        "connector_properties": {"gcs_bucket": "made-elsewhere", "gcs_prefix": ""},
        "category_properties": {"data_format": "remap_people", "compression": "none"},
    }
    made = requests.post(
        f"{sandbox}/sandbox/api/app/projects/4242/connectors",
        json=body,
        auth=("sa.acme", "any-secret"),
        timeout=5,
    )
    assert made.status_code in (200, 201), made.text
    page = owner_client.get(
        reverse("connectors:import", args=["acme", "mixpanel-gcs"]),
        {"credential": credential.pk, "project_id": 4242, "residency": "us"},
    ).content.decode()
    assert "User profiles with remapped properties " + api_value("remap_people", "Mixpanel") in page


# --- AI Squared: the catalogue's title of a connector, kept with the record ------------------------
@pytest.mark.django_db(transaction=True)
def test_an_ai_squared_record_says_its_catalogue_connector_by_its_title(
    owner_client, sandbox, team, owner
):
    """The form offered "PostgreSQL" from the catalogue; the record holds the provider's
    internal name, Postgresql. The title is kept with the record when it is made, so its
    pages say it without fetching the catalogue (the detail page's count is the one
    test_connectors_pages pins)."""
    from .conftest import aisquared_payload, make_aisquared_credential

    aisq = make_aisquared_credential(team, owner)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    form = {**aisquared_payload(aisq), "form_token": str(uuid.uuid4())}
    card = owner_client.post(url, form, headers=HTMX).content.decode()
    assert "Connector created" in card
    connector = Connector.objects.get()
    assert connector.summary["Connector"] == "Postgresql"  # stored as the API spells it
    detail = reverse("connectors:detail", args=["acme", connector.pk])
    for html in (card, owner_client.get(detail).content.decode()):
        assert entry(html, "Connector") == "PostgreSQL"  # the API's but for case: said once
    # Refreshed, the record keeps it: the summary is read anew, the words stay in its context.
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "refresh"]))
    assert entry(owner_client.get(detail).content.decode(), "Connector") == "PostgreSQL"
    # A record kept before the words were: shown as the API spells it, as it was.
    Connector.objects.filter(pk=connector.pk).update(
        context={k: v for k, v in connector.context.items() if k != "words"}
    )
    assert entry(owner_client.get(detail).content.decode(), "Connector") == "Postgresql"


@pytest.mark.django_db(transaction=True)
def test_an_imported_ai_squared_connector_is_listed_and_kept_with_its_catalogue_title(
    owner_client, sandbox, team, owner
):
    import json
    from pathlib import Path

    import requests

    from .conftest import AISQ_TOKEN, make_aisquared_credential

    aisq = make_aisquared_credential(team, owner)
    samples = Path(__file__).resolve().parents[1] / "connectors_admin/sandbox/aisquared_catalog"
    s3 = json.loads((samples / "_samples.json").read_text())["source-amazons3"]
    made = requests.post(
        f"{sandbox}/sandbox/api/v1/connectors",
        json={
            "connector": {
                "name": "Landing bucket",
                "connector_type": "source",
                "connector_name": "AmazonS3",
                "configuration": s3,
            }
        },
        headers={"Authorization": f"Bearer {AISQ_TOKEN}", "Workspace-Id": "7"},
        timeout=5,
    )
    assert made.status_code == 201, made.text
    url = reverse("connectors:import", args=["acme", "aisquared-source"])
    listed = owner_client.get(url, {"credential": aisq.pk}).content.decode()
    said = "Amazon S3 " + api_value("AmazonS3", "AI Squared")
    assert said in listed
    ids = re.findall(r'name="remote_id" value="([^"]+)"', listed)
    assert owner_client.post(url, {"credential": aisq.pk, "remote_id": ids}).status_code == 302
    imported = Connector.objects.get()
    assert imported.context["words"] == {"Connector": {"AmazonS3": "Amazon S3"}}
    html = owner_client.get(reverse("connectors:detail", args=["acme", imported.pk]))
    assert entry(html.content.decode(), "Connector").startswith(said)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("template", "provider"),
    [("kafka-connect", "Kafka Connect"), ("upstash-kafka", "Upstash")],
)
def test_a_kafka_record_says_its_class_in_the_forms_words_and_keeps_the_class_name(
    owner_client, sandbox, kc, upstash, template, provider
):
    from .test_kafka import CLUSTER, MONGO, create, mongo_form

    extra = {"cluster_id": CLUSTER} if template == "upstash-kafka" else {}
    card = create(owner_client, template, mongo_form(kc if extra == {} else upstash, **extra))
    assert "Connector created" in card
    connector = Connector.objects.get()
    detail = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk]))
    refreshed = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    ).content.decode()
    for html in (card, detail.content.decode(), refreshed):
        # The class the form offered as "MongoDB Source", and the class as the API names it.
        assert entry(html, "Connector class").startswith(
            "MongoDB Source " + api_value(MONGO, provider)
        )
