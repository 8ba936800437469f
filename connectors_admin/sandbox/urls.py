from __future__ import annotations

from django.urls import path, re_path

from . import aisquared, checks, mixpanel, views
from .faults import late_answers as late

urlpatterns = [
    path("_faults/", views.fault_list, name="sandbox-faults"),
    path("api/v1/connector_definitions", late(aisquared.definitions)),
    path("api/v1/connector_definitions/check_connection", late(aisquared.check_connection)),
    path("api/v1/connector_definitions/<str:name>", late(aisquared.definition_detail)),
    path("api/v1/connectors", late(aisquared.connectors)),
    path("api/v1/connectors/<str:connector_id>", late(aisquared.connector)),
    path("api/v2/auth/validate", late(checks.videovector_validate)),
    path("v2/kafka/clusters", late(checks.upstash_clusters)),
    # Mixpanel documents the collection both with and without a trailing slash.
    re_path(
        r"^api/app/projects/(?P<project_id>[0-9]+)/connectors/?$",
        late(mixpanel.connectors),
        name="sandbox-mixpanel-connectors",
    ),
    re_path(
        r"^api/app/projects/(?P<project_id>[0-9]+)/connectors/(?P<connector_id>[^/]+)/?$",
        late(mixpanel.connector),
        name="sandbox-mixpanel-connector",
    ),
]
