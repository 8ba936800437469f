from __future__ import annotations

from django.urls import path

from . import invitations, views

app_name = "accounts"
urlpatterns = [
    path("teams/switch/", views.switch_team, name="switch"),
    path("teams/<slug:team>/members/", views.member_list, name="members"),
    path("teams/<slug:team>/members/<int:pk>/role/", views.member_role, name="member-role"),
    path("teams/<slug:team>/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("teams/<slug:team>/leave/", views.team_leave, name="leave"),
    path("teams/<slug:team>/two-factor/", views.team_two_factor, name="two-factor"),
    path("teams/<slug:team>/invitations/", invitations.invite, name="invite"),
    path(
        "teams/<slug:team>/invitations/<int:pk>/revoke/",
        invitations.revoke,
        name="invitation-revoke",
    ),
]
