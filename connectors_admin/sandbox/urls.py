from __future__ import annotations

from django.urls import path, re_path

from . import mixpanel, views

urlpatterns = [
    path("_faults/", views.fault_list, name="sandbox-faults"),
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
