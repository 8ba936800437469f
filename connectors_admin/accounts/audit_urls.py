from __future__ import annotations

from django.urls import path

from . import audit_views as views

app_name = "audit"
urlpatterns = [
    path("teams/<slug:team>/audit/", views.audit_list, name="list"),
    path("teams/<slug:team>/audit/export.csv", views.audit_csv, name="csv"),
]
