"""Storing provider credentials: encrypted at rest, write-only, shown only by their last characters."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from connectors_admin.credentials.models import Credential

from .conftest import MIXPANEL_SECRET

pytestmark = pytest.mark.django_db
ADD = reverse("credentials:add", args=["acme", "mixpanel"])
FORM = {
    "label": "Production",
    "username": "sa.acme",
    "secret": MIXPANEL_SECRET,
    "project_id": "4242",
    "residency": "eu",
}


def test_owner_adds_a_credential(owner_client, owner):
    response = owner_client.post(ADD, FORM)
    credential = Credential.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("credentials:detail", args=["acme", credential.pk])
    assert credential.public == {"username": "sa.acme", "project_id": 4242, "residency": "eu"}
    assert credential.secrets() == {"secret": MIXPANEL_SECRET}
    assert credential.secret_hints["secret"]["last4"] == MIXPANEL_SECRET[-4:]
    assert len(credential.secret_hints["secret"]["fingerprint"]) == 16
    assert credential.secret_set_by == owner
    assert credential.secret_set_at is not None


def test_secret_is_encrypted_in_the_database_column(owner_client):
    owner_client.post(ADD, FORM)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_ciphertext, public, secret_hints FROM credentials_credential")
        (stored, public, hints) = cursor.fetchone()
    assert stored.startswith("fernet:")
    assert MIXPANEL_SECRET not in stored + str(public) + str(hints)


def test_detail_page_shows_fingerprint_who_and_when_never_the_secret(owner_client):
    owner_client.post(ADD, FORM)
    credential = Credential.objects.get()
    html = owner_client.get(
        reverse("credentials:detail", args=["acme", credential.pk])
    ).content.decode()
    assert "…" + MIXPANEL_SECRET[-4:] in html
    assert "olivia" in html
    assert "European Union" in html
    assert MIXPANEL_SECRET not in html


def test_invalid_form_keeps_values_but_never_renders_the_secret_back(owner_client):
    response = owner_client.post(ADD, {**FORM, "project_id": "not-a-number"})
    html = response.content.decode()
    assert "Enter a whole number" in html
    assert 'value="sa.acme"' in html
    assert MIXPANEL_SECRET not in html
    assert Credential.objects.count() == 0


def test_label_must_be_unique_per_team_and_provider(owner_client):
    owner_client.post(ADD, FORM)
    response = owner_client.post(ADD, FORM)
    assert "already has a credential of this kind with this label" in response.content.decode()
    assert Credential.objects.count() == 1


def test_members_and_viewers_cannot_add_credentials(client_for, member, viewer):
    assert client_for(member).post(ADD, FORM).status_code == 403
    assert client_for(viewer).get(ADD).status_code == 403
    assert Credential.objects.count() == 0


def test_other_teams_credentials_are_invisible(client_for, outsider, credential):
    client = client_for(outsider)
    assert (
        client.get(reverse("credentials:detail", args=["acme", credential.pk])).status_code == 404
    )
    assert (
        client.get(reverse("credentials:detail", args=["other", credential.pk])).status_code == 404
    )


def test_unknown_provider_is_404(owner_client):
    assert owner_client.get(reverse("credentials:add", args=["acme", "nope"])).status_code == 404


def test_repr_and_str_never_show_the_secret(credential):
    assert MIXPANEL_SECRET not in repr(credential) + str(credential)


@pytest.mark.django_db
def test_a_connection_uri_is_hinted_by_its_host_not_by_its_end(owner_client, team):
    uri = "postgresql://db.example.com/shop?user=app&password=Tr0ub4dor"
    response = owner_client.post(
        reverse("credentials:add", args=["acme", "uri"]), {"label": "Shop", "uri": uri}
    )
    assert response.status_code == 302
    credential = Credential.objects.get(kind="uri")
    assert credential.hint_text() == "set, not shown"
    page = owner_client.get(reverse("credentials:detail", args=["acme", credential.pk]))
    html = page.content.decode()
    assert "db.example.com" in html and "4dor" not in html and "Tr0ub" not in html


@pytest.mark.django_db
def test_a_uri_python_cannot_read_is_refused_without_repeating_its_password(owner_client, caplog):
    # urlsplit's own error quotes the bracketed part: here, the password.
    password = "Br4cket-pw-never-shown"
    with caplog.at_level("DEBUG"):
        response = owner_client.post(
            reverse("credentials:add", args=["acme", "uri"]),
            {"label": "Replica", "uri": f"postgresql://app:[{password}]@db.example.com/shop"},
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "must be percent-encoded" in html
    assert password not in html and password not in caplog.text
    assert not Credential.objects.filter(kind="uri").exists()


@pytest.mark.django_db
def test_a_credential_page_says_what_is_stored_in_plain_words(owner_client, team, owner):
    open_cluster = Credential(
        team=team, kind="kafkaconnect", label="Open cluster", public={"cluster": "Sandbox"}
    )
    open_cluster.set_secrets({"password": ""}, owner)  # a cluster without authentication
    open_cluster.save()
    html = owner_client.get(
        reverse("credentials:detail", args=["acme", open_cluster.pk])
    ).content.decode()
    assert "None stored" in html and "too short" not in html and "Fingerprint" not in html
    assert "Is this the same secret?" not in html  # nothing to compare with
    assert ">New connector</a>" in html and "Connector connector" not in html


@pytest.mark.django_db
def test_new_connector_buttons_never_say_connector_twice():
    from connectors_admin.providers import TEMPLATES

    labels = {slug: template.new_label for slug, template in TEMPLATES.items()}
    assert labels["upstash-kafka"] == "New Kafka connector"
    assert labels["kafka-connect"] == "New connector"
    assert labels["mixpanel-s3"] == "New Amazon S3 connector"
    assert not [label for label in labels.values() if label.lower().count("connector") != 1]


@pytest.mark.django_db
def test_a_credential_without_a_secret_never_says_one_is_stored(owner_client, team, owner):
    credential = Credential(
        team=team, kind="kafkaconnect", label="Open cluster", public={"cluster": "Sandbox"}
    )
    credential.set_secrets({"password": ""}, owner)
    credential.save()
    assert credential.hint_text() == "no secret"
    listed = owner_client.get(reverse("credentials:list", args=["acme"])).text
    assert "no secret" in listed and ">stored<" not in listed
    rotate = owner_client.get(reverse("credentials:rotate", args=["acme", credential.pk])).text
    assert "No secret is set now" in rotate and "ending in" not in rotate


@pytest.mark.django_db
def test_adding_a_cluster_without_a_password_never_speaks_of_an_encrypted_secret(owner_client):
    """A Kafka Connect cluster without auth is stored with no secret: neither the message nor
    the page it lands on says one was encrypted, set, or is being tested."""
    response = owner_client.post(
        reverse("credentials:add", args=["acme", "kafkaconnect"]),
        {"label": "Open cluster", "cluster": "Sandbox", "username": "", "password": ""},
        follow=True,
    )
    html = response.text
    assert "“Open cluster” is stored. It holds no secret." in html
    assert "Its secret is encrypted" not in html and "Encrypted at rest" not in html
    assert "No secret is stored: calls made with it send none." in html
    assert "The new secret is being tested" not in html
    assert "It is being tested in the background" in html


@pytest.mark.django_db
def test_a_disabled_credential_keeps_its_last_real_test(owner_client, credential):
    from datetime import UTC, datetime

    tested = datetime(2026, 5, 1, tzinfo=UTC)
    Credential.objects.filter(pk=credential.pk).update(
        enabled=False, last_check_at=tested, last_check_ok=True, last_check_message="It works."
    )
    url = reverse("credentials:test", args=["acme", credential.pk])
    answer = owner_client.post(url, follow=True).text
    assert "This credential is disabled; enable it to test it." in answer
    credential.refresh_from_db()
    assert (credential.last_check_at, credential.last_check_ok) == (tested, True)
    assert "Test now" not in answer and "enable it to test it again" in answer


@pytest.mark.django_db
def test_a_credential_whose_last_test_failed_says_so_beside_its_new_connector_buttons(
    owner_client, credential
):
    from django.utils import timezone

    url = reverse("credentials:detail", args=["acme", credential.pk])
    Credential.objects.filter(pk=credential.pk).update(
        last_check_at=timezone.now(), last_check_ok=False, last_check_message="Refused (HTTP 401)."
    )
    page = owner_client.get(url).content.decode()
    actions = page.split('class="page-actions"', 1)[1].split('class="toolbar"', 1)[0]
    assert "New Amazon S3 connector" in actions  # still offered
    assert 'aria-describedby="last-test-failed"' in actions
    note = actions.split('id="last-test-failed"', 1)[1].split("</p>", 1)[0]
    assert "Its last test failed" in note and "<time datetime=" in note

    Credential.objects.filter(pk=credential.pk).update(last_check_ok=True)
    assert "last-test-failed" not in owner_client.get(url).content.decode()
