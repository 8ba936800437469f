"""Team membership: add, re-role and remove members; the last owner stays; switching teams persists."""

from __future__ import annotations

import html
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from connectors_admin.accounts.models import Membership, Role, Team

pytestmark = pytest.mark.django_db
MEMBERS = reverse("accounts:members", args=["acme"])


def role_url(membership):
    return reverse("accounts:member-role", args=["acme", membership.pk])


def remove_url(membership):
    return reverse("accounts:member-remove", args=["acme", membership.pk])


def test_admin_adds_an_existing_user_by_username_or_email(owner_client, make_user, team):
    from allauth.account.models import EmailAddress

    make_user("newbie")
    mailed = make_user("mailed", email="Mailed@Example.com")
    EmailAddress.objects.create(user=mailed, email="Mailed@Example.com", verified=True)
    assert owner_client.post(MEMBERS, {"user": "newbie", "role": "viewer"}).status_code == 302
    assert (
        owner_client.post(MEMBERS, {"user": "mailed@example.com", "role": "member"}).status_code
        == 302
    )
    roles = dict(Membership.objects.filter(team=team).values_list("user__username", "role"))
    assert roles["newbie"] == "viewer" and roles["mailed"] == "member"


@pytest.mark.parametrize(
    ("value", "message"),
    [("ghost", "No account has this username or confirmed email"), ("olivia", "already a member")],
)
def test_adding_refuses_unknown_or_existing_users(owner_client, value, message):
    assert message in owner_client.post(MEMBERS, {"user": value, "role": "member"}).content.decode()


def test_change_role_and_remove(owner_client, member, team):
    membership = Membership.objects.get(user=member)
    owner_client.post(role_url(membership), {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == "admin"
    owner_client.post(remove_url(membership))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_can_be_neither_demoted_nor_removed(owner_client, owner):
    membership = Membership.objects.get(user=owner)
    response = owner_client.post(role_url(membership), {"role": "admin"}, follow=True)
    assert "A team keeps at least one owner" in response.content.decode()
    owner_client.post(remove_url(membership))
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_the_last_owner_is_offered_no_role_change_and_told_why(owner_client, owner, member):
    mine = Membership.objects.get(user=owner)
    page = owner_client.get(MEMBERS).content.decode()
    assert f'id="role-{mine.pk}"' not in page and role_url(mine) not in page
    assert "The team's only owner: make someone else owner first." in page
    theirs = Membership.objects.get(user=member)
    assert f'<label for="role-{theirs.pk}"' in page and f'id="role-{theirs.pk}"' in page
    # With a second owner, either may step down: both rows offer the change.
    Membership.objects.filter(user=member).update(role=Role.OWNER)
    page = owner_client.get(MEMBERS).content.decode()
    assert f'id="role-{mine.pk}"' in page and "only owner" not in page


def test_with_a_second_owner_an_owner_may_step_down(owner_client, owner, member):
    Membership.objects.filter(user=member).update(role=Role.OWNER)
    membership = Membership.objects.get(user=owner)
    owner_client.post(role_url(membership), {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_admins_cannot_touch_owners_or_make_owners(client_for, make_user, team, owner, member):
    admin = make_user("adele")
    Membership.objects.create(team=team, user=admin, role=Role.ADMIN)
    client = client_for(admin)
    owner_membership = Membership.objects.get(user=owner)
    member_membership = Membership.objects.get(user=member)
    response = client.post(role_url(member_membership), {"role": "owner"}, follow=True)
    assert "Only an owner can" in response.content.decode()
    client.post(remove_url(owner_membership))
    member_membership.refresh_from_db()
    assert member_membership.role == "member"
    assert Membership.objects.filter(pk=owner_membership.pk, role="owner").exists()
    assert 'value="owner"' not in client.get(MEMBERS).content.decode().split("Add a member")[1]


def test_an_admin_can_neither_demote_nor_remove_an_owner_who_is_not_the_last(
    client_for, make_user, team, owner
):
    # A second owner: the last-owner rule cannot be what refuses the admin here.
    second = Membership.objects.create(team=team, user=make_user("oona"), role=Role.OWNER)
    admin = make_user("adele")
    Membership.objects.create(team=team, user=admin, role=Role.ADMIN)
    client = client_for(admin)
    for membership in (Membership.objects.get(user=owner), second):
        refused = client.post(role_url(membership), {"role": "viewer"}, follow=True)
        assert "Only an owner can change an owner" in refused.content.decode()
        asked = client.get(remove_url(membership)).content.decode()
        assert "Only an owner can change an owner" in asked
        removed = client.post(remove_url(membership), follow=True)
        assert "Only an owner can change an owner" in removed.content.decode()
    roles = dict(Membership.objects.filter(team=team).values_list("user__username", "role"))
    assert roles == {"olivia": "owner", "oona": "owner", "adele": "admin"}
    # An owner may: the refusal above is the admin's role, not the target's.
    client_for(owner).post(role_url(second), {"role": "viewer"})
    assert Membership.objects.get(pk=second.pk).role == "viewer"


def test_switching_team_persists_across_sign_ins(client_for, owner, make_user, other_team):
    Membership.objects.create(team=other_team, user=owner, role=Role.VIEWER)
    client = client_for(owner)
    assert client.get("/")["Location"] == "/teams/acme/"
    response = client.post(reverse("accounts:switch"), {"team": "other"})
    assert response["Location"] == "/teams/other/"
    assert client_for(owner).get("/")["Location"] == "/teams/other/"
    # The picker names the page's team, not one a browser restores from its history (Back
    # after a switch would show another team's name over this one's page).
    page = client.get("/teams/acme/").content.decode()
    picker = re.search(r'<select id="team-switch"[^>]*>', page)[0]
    assert 'autocomplete="off"' in picker


def test_switching_to_a_team_you_are_not_in_is_404(owner_client, other_team):
    assert owner_client.post(reverse("accounts:switch"), {"team": "other"}).status_code == 404


def test_header_lists_the_users_teams(owner_client, owner, other_team):
    Membership.objects.create(team=other_team, user=owner, role=Role.VIEWER)
    html = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert '<option value="other"' in html and '<option value="acme" selected' in html


def test_create_team_command(make_user):
    make_user("founder")
    call_command("create_team", "Data Platform", "--owner", "founder")
    team = Team.objects.get(slug="data-platform")
    assert Membership.objects.get(team=team).role == "owner"
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_team", "Data Platform", "--owner", "founder")
    with pytest.raises(CommandError, match="No user"):
        call_command("create_team", "X", "--owner", "nobody")


def test_removing_a_member_asks_first_and_cancelling_keeps_them(
    owner_client, team, make_user, client_for, viewer
):
    from connectors_admin.accounts.models import Membership, Role

    target = Membership.objects.create(team=team, user=make_user("rita"), role=Role.MEMBER)
    url = reverse("accounts:member-remove", args=["acme", target.pk])
    page = owner_client.get(url).content.decode()
    assert "Remove rita from Acme Data?" in page and 'method="post"' in page
    assert Membership.objects.filter(pk=target.pk).exists()  # asking removes nothing
    members = owner_client.get(reverse("accounts:members", args=["acme"])).content.decode()
    assert f'href="{url}"' in members  # the list links to the question, it does not remove
    assert client_for(viewer).get(url).status_code == 403
    owner_client.post(url)
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_an_email_only_typed_into_account_security_adds_nobody(
    owner_client, client_for, make_user, team
):
    mallory = make_user("mallory", email="mallory@evil.example")
    as_mallory = client_for(mallory)
    as_mallory.post("/accounts/email/", {"action_add": "", "email": "new.cfo@acme.example"})
    as_mallory.post("/accounts/email/", {"action_primary": "", "email": "new.cfo@acme.example"})
    mallory.refresh_from_db()
    assert mallory.email == "new.cfo@acme.example"  # claimed, primary, never confirmed
    page = owner_client.post(MEMBERS, {"user": "new.cfo@acme.example", "role": "admin"})
    assert "send an invitation instead" in page.content.decode()
    assert not Membership.objects.filter(team=team, user=mallory).exists()
    # Nor does a username that looks like someone's email.
    make_user("boss@acme.example")
    page = owner_client.post(MEMBERS, {"user": "boss@acme.example", "role": "admin"})
    assert not Membership.objects.filter(team=team, user__username="boss@acme.example").exists()


def test_a_member_leaves_a_team_after_being_asked(client_for, member, team, viewer):
    """Anyone leaves a team of theirs themselves: the members page offers it, a page asks
    first, and leaving is audited as theirs."""
    from connectors_admin.audit.models import AuditEvent

    client = client_for(viewer)
    leave = reverse("accounts:leave", args=["acme"])
    assert f'href="{leave}"' in client.get(MEMBERS).content.decode()
    asked = client.get(leave).content.decode()
    assert "Leave Acme Data?" in asked and "You lose access" in asked
    response = client.post(leave, follow=True)
    assert "You left Acme Data." in response.content.decode()
    assert not Membership.objects.filter(user=viewer, team=team).exists()
    assert client.get(MEMBERS).status_code == 404
    event = AuditEvent.objects.get(action="member.removed")
    assert event.actor == viewer and event.message == "left the team"


def test_the_last_owner_cannot_leave_until_someone_else_is_owner(owner_client, owner, member):
    leave = reverse("accounts:leave", args=["acme"])
    asked = html.unescape(owner_client.get(leave).content.decode())
    assert "You are the team's last owner" in asked and "Leave Acme Data</button>" not in asked
    refused = html.unescape(owner_client.post(leave, follow=True).content.decode())
    assert "You are the team's last owner" in refused
    assert Membership.objects.filter(user=owner, role="owner").exists()
    # With a second owner, the first may leave.
    owner_client.post(role_url(Membership.objects.get(user=member)), {"role": "owner"})
    owner_client.post(leave)
    assert not Membership.objects.filter(user=owner).exists()


def test_an_admin_is_offered_no_change_to_an_owner(client_for, make_user, team, owner):
    admin = make_user("adele")
    Membership.objects.create(team=team, user=admin, role=Role.ADMIN)
    page = client_for(admin).get(MEMBERS).content.decode()
    owner_membership = Membership.objects.get(user=owner)
    assert f'id="role-{owner_membership.pk}"' not in page
    assert remove_url(owner_membership) not in page
    assert "Only an owner changes an owner." in page
    # Their own row offers to leave, not "Remove adele".
    assert reverse("accounts:leave", args=["acme"]) in page
    assert remove_url(Membership.objects.get(user=admin)) not in page
