from __future__ import annotations

from django.urls import path, re_path

from . import aisquared, checks, mixpanel, videovector, views
from .faults import late_answers as late

urlpatterns = [
    path("_faults/", views.fault_list, name="sandbox-faults"),
    path("api/v1/connector_definitions", late(aisquared.definitions)),
    path("api/v1/connector_definitions/check_connection", late(aisquared.check_connection)),
    path("api/v1/connector_definitions/<str:name>", late(aisquared.definition_detail)),
    path("api/v1/connectors", late(aisquared.connectors)),
    path("api/v1/connectors/<str:connector_id>", late(aisquared.connector)),
    path("api/v2/auth/validate", late(videovector.validate)),
    path("api/v2/connectors", late(videovector.connectors)),
    re_path(r"^api/v2/connectors/(?P<provider>gcs|s3|azure)$", late(videovector.create)),
    path("api/v2/connectors/<str:connector_id>", late(videovector.connector)),
    path("api/v2/connectors/<str:connector_id>/test", late(videovector.test)),
    path("api/v2/connectors/<str:connector_id>/browse", late(videovector.browse)),
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
