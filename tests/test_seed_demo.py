from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connectors_admin.accounts.models import Membership, Team

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_then_updates_idempotently(client):
    call_command("seed_demo", "--username", "demo", "--password", "first-pass-1")
    call_command("seed_demo", "--username", "demo", "--password", "second-pass-2")
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("second-pass-2")
    assert Team.objects.filter(slug="demo", name="Demo").count() == 1
    assert Membership.objects.get(user=user).role == "owner"
    assert client.login(username="demo", password="second-pass-2")
    assert client.get("/").headers["Location"] == "/teams/demo/"


def test_seed_demo_refuses_an_empty_password():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--username", "demo", "--password", "")
