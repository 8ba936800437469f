"""Refusals and failures are pages in the product's layout that say why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path, reverse

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug, not the user's doing")


urlpatterns = [path("boom/", _boom), path("", include("connectors_admin.urls"))]


def test_a_refused_role_sees_why_in_the_products_layout(client_for, viewer):
    response = client_for(viewer).post(reverse("connectors:create", args=["acme", "mixpanel-s3"]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role (Viewer) cannot create or change connectors." in html
    assert 'class="topbar"' in html and "Not allowed" in html


def test_each_capability_is_named_when_refused(client_for, member):
    response = client_for(member).get(reverse("audit:list", args=["acme"]))
    assert response.status_code == 403
    assert "Your role (Member) cannot see the audit trail." in response.content.decode()


def test_an_unknown_page_is_a_404_in_the_layout(owner_client):
    response = owner_client.get("/teams/acme/nothing-here/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html and 'class="topbar"' in html


def test_a_404_says_the_apps_reason_never_djangos_query_wording(owner_client, credential):
    missing = "/teams/acme/connectors/00000000-0000-0000-0000-000000000000/"
    html = owner_client.get(missing).content.decode()
    assert "This page does not exist" in html
    assert "matches the given query" not in html and "No Connector" not in html
    # A reason the app gives itself is still said.
    assert "No such team." in owner_client.get("/teams/nope/").content.decode()


@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_renders_the_500_page(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "a bug, not the user" not in html  # the exception stays in the log
