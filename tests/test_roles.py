"""Every page and htmx endpoint checks the role; another team's objects answer 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors_admin.accounts.models import Membership, Role

from .conftest import S3_FORM
from .test_connectors_pages import make_connectors

pytestmark = pytest.mark.django_db

# (url name, method, capability needed; "view" = any member)
ENDPOINTS = [
    ("connectors:dashboard", "get", "view"),
    ("connectors:list", "get", "view"),
    ("connectors:detail", "get", "view"),
    ("connectors:pick", "get", "create_connector"),
    ("connectors:create", "get", "create_connector"),
    ("connectors:create", "post", "create_connector"),
    ("connectors:validate", "post", "create_connector"),
    ("connectors:fields", "post", "create_connector"),
    ("connectors:check", "post", "create_connector"),
    ("connectors:action", "post", "create_connector"),
    ("connectors:refresh-many", "post", "create_connector"),
    ("connectors:submission", "get", "view"),
    ("credentials:list", "get", "view"),
    ("credentials:detail", "get", "view"),
    ("credentials:new", "get", "manage_credentials"),
    ("credentials:add", "get", "manage_credentials"),
    ("credentials:add", "post", "manage_credentials"),
    ("credentials:edit", "get", "manage_credentials"),
    ("credentials:edit", "post", "manage_credentials"),
    ("credentials:rotate", "get", "manage_credentials"),
    ("credentials:test", "post", "manage_credentials"),
    ("credentials:toggle", "post", "manage_credentials"),
    ("credentials:delete", "get", "manage_credentials"),
    ("credentials:compare", "post", "manage_credentials"),
    ("accounts:members", "get", "view"),
    ("accounts:members", "post", "manage_members"),
    ("accounts:member-role", "post", "manage_members"),
    ("accounts:member-remove", "post", "manage_members"),
    ("audit:list", "get", "view_audit"),
    ("audit:csv", "get", "view_audit"),
]
ALLOWED = {
    "owner": {"view", "create_connector", "manage_credentials", "manage_members", "view_audit"},
    "admin": {"view", "create_connector", "manage_credentials", "manage_members", "view_audit"},
    "member": {"view", "create_connector"},
    "viewer": {"view"},
}


@pytest.fixture
def world(team, owner, make_user, credential):
    (connector,) = make_connectors(team, credential, owner, 1, status="deleted")
    connector.deleted_at = connector.created_at
    connector.save()
    target = Membership.objects.create(team=team, user=make_user("target"), role=Role.VIEWER)
    users = {"owner": owner}
    for role in ("admin", "member", "viewer"):
        users[role] = make_user(f"a-{role}")
        Membership.objects.create(team=team, user=users[role], role=role)
    args = {
        "connectors:detail": [connector.pk],
        "connectors:action": [connector.pk, "refresh"],
        "connectors:submission": [connector.submissions.create(team=team).pk],
        "connectors:create": ["mixpanel-s3"],
        "connectors:validate": ["mixpanel-s3", "s3_bucket"],
        "connectors:fields": ["mixpanel-s3"],
        "connectors:check": ["aisquared-source"],
        "credentials:add": ["aws"],
        "credentials:detail": [credential.pk],
        "credentials:edit": [credential.pk],
        "credentials:rotate": [credential.pk],
        "credentials:test": [credential.pk],
        "credentials:toggle": [credential.pk],
        "credentials:delete": [credential.pk],
        "credentials:compare": [credential.pk],
        "accounts:member-role": [target.pk],
        "accounts:member-remove": [target.pk],
    }
    return users, args


def _call(client, name, method, args, team_slug="acme"):
    url = reverse(name, args=[team_slug, *args.get(name, [])])
    data = (
        {**S3_FORM, "role": "member", "user": "nobody-here", "label": ""}
        if method == "post"
        else None
    )
    return getattr(client, method)(url, data) if data is not None else client.get(url)


@pytest.mark.parametrize("role", ["owner", "admin", "member", "viewer"])
def test_role_matrix(world, client_for, role):
    users, args = world
    client = client_for(users[role])
    for name, method, capability in ENDPOINTS:
        response = _call(client, name, method, args)
        if capability in ALLOWED[role]:
            assert response.status_code not in (403, 404), (
                role,
                name,
                method,
                response.status_code,
            )
        else:
            assert response.status_code == 403, (role, name, method, response.status_code)


def test_another_team_sees_404_everywhere(world, client_for, outsider):
    _, args = world
    client = client_for(outsider)
    for name, method, _ in ENDPOINTS:
        # The outsider owns team "other": our objects under their team answer 404 too.
        for slug in ("acme", "other"):
            if slug == "other" and not any(
                isinstance(a, int) or hasattr(a, "hex") for a in args.get(name, [])
            ):
                continue  # no object of ours in the URL: the outsider's own team answers normally
            response = _call(client, name, method, args, team_slug=slug)
            assert response.status_code == 404, (name, method, slug, response.status_code)


def test_signed_out_users_are_sent_to_sign_in(world, client):
    _, args = world
    for name, method, _ in ENDPOINTS:
        response = _call(client, name, method, args)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/")
