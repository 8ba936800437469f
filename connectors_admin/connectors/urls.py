from __future__ import annotations

from django.urls import path

from . import bulk, views

app_name = "connectors"
urlpatterns = [
    path("", views.home, name="home"),
    path("teams/<slug:team>/", views.dashboard, name="dashboard"),
    path("teams/<slug:team>/connectors/", views.connector_list, name="list"),
    path("teams/<slug:team>/connectors/new/", views.template_picker, name="pick"),
    path(
        "teams/<slug:team>/connectors/new/<slug:template>/",
        views.connector_create,
        name="create",
    ),
    path(
        "teams/<slug:team>/connectors/new/<slug:template>/validate/<str:field>/",
        views.validate_field,
        name="validate",
    ),
    path(
        "teams/<slug:team>/connectors/new/<slug:template>/fields/",
        views.template_fields,
        name="fields",
    ),
    path(
        "teams/<slug:team>/connectors/new/<slug:template>/check/",
        views.check_connection,
        name="check",
    ),
    path(
        "teams/<slug:team>/connectors/import/<slug:template>/",
        views.connector_import,
        name="import",
    ),
    path("teams/<slug:team>/connectors/<uuid:pk>/", views.connector_detail, name="detail"),
    path(
        "teams/<slug:team>/connectors/<uuid:pk>/actions/<slug:action>/",
        views.connector_action,
        name="action",
    ),
    path("teams/<slug:team>/connectors/bulk/", bulk.bulk_action, name="bulk"),
    path("teams/<slug:team>/connectors/export.csv", bulk.export_csv, name="export"),
    path("teams/<slug:team>/submissions/<int:pk>/", views.submission_detail, name="submission"),
    path(
        "teams/<slug:team>/credentials/<int:pk>/push/",
        views.push_rotated_secret,
        name="push-rotated",
    ),
]
