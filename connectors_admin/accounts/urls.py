from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import invitations

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitations/<str:token>/", invitations.accept, name="invitation"),
]
