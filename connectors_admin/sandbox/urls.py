from __future__ import annotations

from django.urls import path, re_path

from . import aisquared, checks, mixpanel, views

urlpatterns = [
    path("_faults/", views.fault_list, name="sandbox-faults"),
    path("api/v1/connector_definitions", aisquared.definitions),
    path("api/v1/connector_definitions/check_connection", aisquared.check_connection),
    path("api/v1/connector_definitions/<str:name>", aisquared.definition_detail),
    path("api/v1/connectors", aisquared.connectors),
    path("api/v1/connectors/<str:connector_id>", aisquared.connector),
    path("api/v2/auth/validate", checks.videovector_validate),
    path("v2/kafka/clusters", checks.upstash_clusters),
    # Mixpanel documents the collection both with and without a trailing slash.
    re_path(
        r"^api/app/projects/(?P<project_id>[0-9]+)/connectors/?$",
        mixpanel.connectors,
        name="sandbox-mixpanel-connectors",
    ),
    re_path(
        r"^api/app/projects/(?P<project_id>[0-9]+)/connectors/(?P<connector_id>[^/]+)/?$",
        mixpanel.connector,
        name="sandbox-mixpanel-connector",
    ),
]
