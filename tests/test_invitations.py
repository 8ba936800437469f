"""Invitations by email: sent through Django's mail backend, accepted once (by a new account or a
signed-in one), expiring, revocable, and audited; the token is never stored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connectors_admin.accounts.models import Invitation, Membership
from connectors_admin.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
MEMBERS = reverse("accounts:members", args=["acme"])


def invite(client, email="nina@example.com", role="member") -> str:
    response = client.post(
        reverse("accounts:invite", args=["acme"]), {"invite-email": email, "invite-role": role}
    )
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if email in m.to]
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def test_an_invitation_is_mailed_listed_and_accepted_by_a_new_account(owner_client, client, team):
    link = invite(owner_client)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash  # only a hash is kept
    assert "Acme Data" in mail.outbox[0].subject and "7 days" in mail.outbox[0].body
    page = owner_client.get(MEMBERS).content.decode()
    assert "nina@example.com" in page and "pending" in page

    landing = client.get(link).content.decode()
    assert "Join Acme Data" in landing and "as <strong>Member</strong>" in landing
    weak = client.post(link, {"username": "nina", "password": "123"}).content.decode()
    assert "This password is too short" in weak
    joined = client.post(link, {"username": "nina", "password": "long enough passphrase 42"})
    assert joined.status_code == 302 and joined["Location"] == "/teams/acme/"
    membership = Membership.objects.get(user__username="nina")
    assert membership.team == team and membership.role == "member"
    assert membership.user.email == "nina@example.com"
    assert AuditEvent.objects.filter(action="member.invitation_accepted").exists()
    assert AuditEvent.objects.filter(action="member.invited", after__email="nina@example.com")
    # The link works once: opened again, it takes her to the team she joined, and anyone else
    # to a page that says it was used.
    again = client.get(link)
    assert again.status_code == 302 and again["Location"] == "/teams/acme/"
    said = client.get(again["Location"]).content.decode()
    assert "You joined Acme Data with this invitation already." in said
    someone = Client().get(link)
    assert someone.status_code == 410 and "already used" in someone.content.decode()


def test_a_signed_in_person_joins_with_one_click(owner_client, client_for, make_user):
    outsider = make_user("omar", email="omar@example.com")
    link = invite(owner_client, email="omar@example.com", role="viewer")
    client = client_for(outsider)
    assert "Join as omar" in client.get(link).content.decode()
    client.post(link)
    assert Membership.objects.get(user=outsider).role == "viewer"


def test_expired_and_revoked_invitations_no_longer_work(owner_client, client):
    expired = invite(owner_client, email="old@example.com")
    Invitation.objects.filter(email="old@example.com").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = client.get(expired)
    assert page.status_code == 410 and "It expired." in page.content.decode()
    assert (
        client.post(expired, {"username": "old", "password": "long enough 42 x"}).status_code == 410
    )

    revoked = invite(owner_client, email="gone@example.com")
    pk = Invitation.objects.get(email="gone@example.com").pk
    owner_client.post(reverse("accounts:invitation-revoke", args=["acme", pk]))
    assert "withdrew it" in client.get(revoked).content.decode()
    assert not Membership.objects.filter(user__username="gone").exists()
    assert AuditEvent.objects.filter(action="member.invitation_revoked").exists()
    assert client.get("/accounts/invitations/not-a-token/").status_code == 404


def test_only_admins_invite_and_only_owners_invite_owners(
    client_for, member, owner_client, team, make_user
):
    from connectors_admin.accounts.models import Role

    response = client_for(member).post(
        reverse("accounts:invite", args=["acme"]),
        {"invite-email": "x@example.com", "invite-role": "member"},
    )
    assert response.status_code == 403
    admin = make_user("ada")
    Membership.objects.create(team=team, user=admin, role=Role.ADMIN)
    client_for(admin).post(
        reverse("accounts:invite", args=["acme"]),
        {"invite-email": "boss@example.com", "invite-role": "owner"},
    )
    assert not Invitation.objects.filter(email="boss@example.com").exists()
    assert mail.outbox == []


def test_invitations_of_someone_removed_or_demoted_stop_working(
    owner_client, client_for, client, make_user, team
):
    from connectors_admin.accounts.models import Role

    ada = make_user("ada")
    ada_membership = Membership.objects.create(team=team, user=ada, role=Role.ADMIN)
    as_ada = client_for(ada)
    removed_link = invite(as_ada, email="ada.alt@example.com", role="admin")
    # Demoted below admin: what she sent no longer works.
    demoted_link = invite(as_ada, email="friend@example.com", role="member")
    owner_client.post(
        reverse("accounts:member-role", args=["acme", ada_membership.pk]), {"role": "member"}
    )
    refused = client.get(demoted_link)
    assert refused.status_code == 410 and "no longer works" in refused.content.decode()
    assert Invitation.objects.get(email="friend@example.com").state == "revoked"
    # Removed: the same, and the link makes no account either.
    ada_membership.role = Role.ADMIN
    ada_membership.save()
    owner_client.post(reverse("accounts:member-remove", args=["acme", ada_membership.pk]))
    client.post(removed_link, {"username": "ada-alt", "password": "a-long-unusual-passphrase-42"})
    assert not Membership.objects.filter(team=team, user__username="ada-alt").exists()
    revoked = AuditEvent.objects.filter(action="member.invitation_revoked")
    assert revoked.count() == 2 and "may no longer give" in revoked.first().message


def test_an_invitation_whose_sender_can_no_longer_give_it_is_refused_at_the_door(
    owner_client, client, make_user, team
):
    from connectors_admin.accounts.models import Role

    link = invite(owner_client, email="new.owner@example.com", role="owner")
    # Changed by an operator, outside the members page: checked again when it is used.
    Membership.objects.filter(team=team, role=Role.OWNER).update(role=Role.ADMIN)
    page = client.get(link)
    assert page.status_code == 410
    assert "can no longer invite people to this team with this role" in page.content.decode()
    client.post(link, {"username": "newowner", "password": "a-long-unusual-passphrase-42"})
    assert not Membership.objects.filter(user__username="newowner").exists()


def test_an_invitation_confirms_the_address_it_was_mailed_to(owner_client, client, other_team):
    from allauth.account.models import EmailAddress

    link = invite(owner_client, email="nina@example.com")
    taken = client.post(link, {"username": "nina@example.com", "password": "long passphrase 42"})
    assert "A username without @" in taken.content.decode()
    client.post(link, {"username": "nina", "password": "long enough passphrase 42"})
    address = EmailAddress.objects.get(user__username="nina")
    assert (address.email, address.verified, address.primary) == ("nina@example.com", True, True)


def test_an_invitation_that_cannot_be_sent_keeps_what_was_typed(owner_client):
    response = owner_client.post(
        reverse("accounts:invite", args=["acme"]),
        {"invite-email": "not-an-email", "invite-role": "admin"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The invitation was not sent" in html and "Enter a valid email address." in html
    assert 'value="not-an-email"' in html
    assert '<option value="admin" selected>' in html
    assert not Invitation.objects.exists() and not mail.outbox


def links_to(email: str) -> list[str]:
    return [
        re.search(r"https?://\S+/invitations/\S+/", m.body).group(0)
        for m in mail.outbox
        if email in m.to
    ]


def test_no_pending_invitation_lets_someone_back_in_or_in_with_another_role(
    owner_client, client_for, make_user, team
):
    from allauth.account.models import EmailAddress

    # Sent again: the newer link replaces the older.
    invite_url = reverse("accounts:invite", args=["acme"])
    for role in ("admin", "member"):
        owner_client.post(invite_url, {"invite-email": "bob@example.com", "invite-role": role})
    older, newer = links_to("bob@example.com")
    bob = make_user("bob", email="bob@example.com")
    as_bob = client_for(bob)
    assert as_bob.get(older).status_code == 410
    as_bob.post(older)
    assert not Membership.objects.filter(user=bob).exists()
    # Added directly, as a viewer, while invited as a member: the invitation is withdrawn.
    owner_client.post(MEMBERS, {"user": "bob", "role": "viewer"})
    assert as_bob.get(newer).status_code == 410
    # Removed while a link to another of his addresses is pending: it is withdrawn too.
    EmailAddress.objects.create(user=bob, email="bob.alt@example.com", verified=True)
    alt = invite(owner_client, email="bob.alt@example.com", role="admin")
    membership = Membership.objects.get(user=bob)
    owner_client.post(reverse("accounts:member-remove", args=["acme", membership.pk]))
    as_bob.post(alt)
    assert not Membership.objects.filter(user=bob).exists()
    reasons = set(
        AuditEvent.objects.filter(action="member.invitation_revoked").values_list(
            "message", flat=True
        )
    )
    assert reasons == {
        "a newer invitation replaces it",
        "bob was added directly",
        "bob was removed from the team",
    }


def test_accepting_one_invitation_withdraws_the_others_to_that_person(
    owner_client, client_for, make_user, team
):
    from allauth.account.models import EmailAddress

    work = invite(owner_client, email="cy@example.com", role="viewer")
    home = invite(owner_client, email="cy@home.example", role="admin")
    cy = make_user("cy", email="cy@example.com")
    EmailAddress.objects.create(user=cy, email="cy@home.example", verified=True)
    as_cy = client_for(cy)
    as_cy.post(work)
    Membership.objects.filter(user=cy).delete()  # removed by an operator, outside the pages
    assert as_cy.get(home).status_code == 410


def test_joining_does_not_withdraw_an_invitation_to_an_address_one_only_typed(
    owner_client, client_for, make_user
):
    """Anyone can type anyone's address into Account security: only confirmed ones count."""
    from allauth.account.models import EmailAddress

    invite(owner_client, email="colleague@example.com", role="admin")
    own = invite(owner_client, email="dan@example.com", role="viewer")
    dan = make_user("dan", email="dan@example.com")
    EmailAddress.objects.create(user=dan, email="colleague@example.com", verified=False)
    client_for(dan).post(own)
    assert Invitation.objects.get(email="colleague@example.com").state == "pending"


def test_the_link_of_someone_since_deactivated_lets_no_one_in(owner_client, owner, client):
    link = invite(owner_client, email="dee@example.com", role="admin")
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get(link).status_code == 410
    client.post(link, {"username": "dee", "password": "a-long-unusual-passphrase-42"})
    assert not Membership.objects.filter(user__username="dee").exists()


def test_an_address_longer_than_email_allows_is_refused_in_words(owner_client):
    long = "n" * 250 + "@example.com"  # 262 characters; an address has at most 254
    page = owner_client.post(
        reverse("accounts:invite", args=["acme"]), {"invite-email": long, "invite-role": "member"}
    ).content.decode()
    assert "at most 254 characters" in page
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_join_form_names_its_fields_for_password_managers(owner_client, client):
    html = client.get(invite(owner_client)).content.decode()
    assert 'name="username"' in html and 'autocomplete="username"' in html
    assert 'autocomplete="new-password"' in html
