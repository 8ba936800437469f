"""Every page and htmx endpoint checks the role; another team's objects answer 404."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from connectors_admin.accounts.models import Membership, Role

from .conftest import S3_FORM
from .test_connectors_pages import make_connectors

pytestmark = pytest.mark.django_db

# Every team URL in the URL conf must be listed here with the capability each method needs
# ("view" = any member) and its path arguments: a new endpoint without an entry fails
# `test_every_team_url_is_in_the_matrix`, so none can be forgotten.
EXPECTED: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "connectors:dashboard": ({"get": "view"}, {}),
    "connectors:list": ({"get": "view"}, {}),
    "connectors:detail": ({"get": "view"}, {"pk": "connector"}),
    "connectors:submission": ({"get": "view"}, {"pk": "submission"}),
    "connectors:pick": ({"get": "create_connector"}, {}),
    "connectors:create": (
        {"get": "create_connector", "post": "create_connector"},
        {"template": "mixpanel-s3"},
    ),
    "connectors:validate": (
        {"post": "create_connector"},
        {"template": "mixpanel-s3", "field": "s3_bucket"},
    ),
    "connectors:fields": ({"post": "create_connector"}, {"template": "mixpanel-s3"}),
    "connectors:check": ({"post": "create_connector"}, {"template": "aisquared-source"}),
    "connectors:action": ({"post": "create_connector"}, {"pk": "connector", "action": "refresh"}),
    "connectors:import": (
        {"get": "create_connector", "post": "create_connector"},
        {"template": "kafka-connect"},
    ),
    "connectors:bulk": ({"post": "create_connector"}, {}),
    "connectors:export": ({"get": "view"}, {}),
    "connectors:push-rotated": (
        {"get": "manage_credentials", "post": "manage_credentials"},
        {"pk": "credential"},
    ),
    "credentials:list": ({"get": "view"}, {}),
    "credentials:detail": ({"get": "view"}, {"pk": "credential"}),
    "credentials:new": ({"get": "manage_credentials"}, {}),
    "credentials:add": (
        {"get": "manage_credentials", "post": "manage_credentials"},
        {"kind": "aws"},
    ),
    "credentials:edit": (
        {"get": "manage_credentials", "post": "manage_credentials"},
        {"pk": "credential"},
    ),
    "credentials:rotate": ({"get": "manage_credentials"}, {"pk": "credential"}),
    "credentials:test": ({"post": "manage_credentials"}, {"pk": "credential"}),
    "credentials:toggle": ({"post": "manage_credentials"}, {"pk": "credential"}),
    "credentials:delete": ({"get": "manage_credentials"}, {"pk": "credential"}),
    "credentials:compare": ({"post": "manage_credentials"}, {"pk": "credential"}),
    "accounts:members": ({"get": "view", "post": "manage_members"}, {}),
    "accounts:member-role": ({"post": "manage_members"}, {"pk": "member"}),
    "accounts:member-remove": (
        {"get": "manage_members", "post": "manage_members"},
        {"pk": "member"},
    ),
    # Its POST leaves the team: tested in test_members (every role may).
    "accounts:leave": ({"get": "view"}, {}),
    "accounts:two-factor": ({"post": "manage_security"}, {}),
    "accounts:invite": ({"post": "manage_members"}, {}),
    "accounts:invitation-revoke": ({"post": "manage_members"}, {"pk": "invitation"}),
    "audit:list": ({"get": "view_audit"}, {}),
    "audit:csv": ({"get": "view_audit"}, {}),
}


def team_urls() -> list[str]:
    """The names of every URL pattern whose path is under a team."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
                walk(entry.url_patterns, route, inner)
            elif "<slug:team>" in route:
                found.append(f"{namespace}:{entry.name}" if namespace else str(entry.name))

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_team_url_is_in_the_matrix():
    missing = [name for name in team_urls() if name not in EXPECTED]
    assert missing == [], f"add these URL names to EXPECTED in tests/test_roles.py: {missing}"


ENDPOINTS = [
    (name, method, capability)
    for name in team_urls()
    for method, capability in EXPECTED.get(name, ({}, {}))[0].items()
]
ALLOWED = {
    "owner": {
        "view",
        "create_connector",
        "manage_credentials",
        "manage_members",
        "view_audit",
        "manage_security",
    },
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
    objects = {
        "connector": connector.pk,
        "submission": connector.submissions.create(team=team).pk,
        "credential": credential.pk,
        "member": target.pk,
        "invitation": team.invitations.create(
            email="x@example.com", token_hash="0" * 64, expires_at=connector.created_at
        ).pk,
    }
    args = {
        name: [objects.get(value, value) for value in kwargs.values()]
        for name, (_, kwargs) in EXPECTED.items()
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
