from __future__ import annotations

from django.urls import path

from . import views

app_name = "credentials"
urlpatterns = [
    path("teams/<slug:team>/credentials/", views.credential_list, name="list"),
    path("teams/<slug:team>/credentials/new/<slug:provider>/", views.credential_add, name="add"),
    path("teams/<slug:team>/credentials/<int:pk>/", views.credential_detail, name="detail"),
]
