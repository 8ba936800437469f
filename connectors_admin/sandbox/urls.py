from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import views
from .faults import late_answers as late


def imitation(module: str, name: str) -> Callable[..., HttpResponse]:
    """The view `name` of one provider's imitation (`module`), imported by its first request: a
    process loads the imitations it is asked for, not the five of them."""

    @csrf_exempt  # as each of the sandbox's provider views: the app calls them server to server
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return getattr(import_module(f"{__package__}.{module}"), name)(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = f"{module}.{name}"
    return view


urlpatterns = [
    path("_faults/", views.fault_list, name="sandbox-faults"),
    path("api/v1/connector_definitions", late(imitation("aisquared", "definitions"))),
    path(
        "api/v1/connector_definitions/check_connection",
        late(imitation("aisquared", "check_connection")),
    ),
    path(
        "api/v1/connector_definitions/<str:name>", late(imitation("aisquared", "definition_detail"))
    ),
    path("api/v1/connectors", late(imitation("aisquared", "connectors"))),
    path("api/v1/connectors/<str:connector_id>", late(imitation("aisquared", "connector"))),
    path("api/v2/auth/validate", late(imitation("videovector", "validate"))),
    path("api/v2/connectors", late(imitation("videovector", "connectors"))),
    re_path(
        r"^api/v2/connectors/(?P<provider>gcs|s3|azure)$", late(imitation("videovector", "create"))
    ),
    path("api/v2/connectors/<str:connector_id>", late(imitation("videovector", "connector"))),
    path("api/v2/connectors/<str:connector_id>/test", late(imitation("videovector", "test"))),
    path("api/v2/connectors/<str:connector_id>/browse", late(imitation("videovector", "browse"))),
    re_path(r"^api/v2/(?P<rest>.*)$", imitation("videovector", "unknown")),
    path("v2/kafka/clusters", late(imitation("checks", "upstash_clusters"))),
    path("v2/kafka/connector", late(imitation("upstash", "create"))),
    path("v2/kafka/connector/<str:connector_id>", late(imitation("upstash", "connector"))),
    re_path(
        r"^v2/kafka/connector/(?P<connector_id>[^/]+)/(?P<verb>pause|start|restart)$",
        late(imitation("upstash", "action")),
    ),
    path("v2/kafka/connectors/<str:cluster_id>", late(imitation("upstash", "cluster_connectors"))),
    path("v2/kafka/update-connector/<str:connector_id>", late(imitation("upstash", "update"))),
    # Kafka Connect: connector names are path segments (spaces and dots allowed).
    path("kafka-connect/", late(imitation("kafkaconnect", "root"))),
    path("kafka-connect/connector-plugins", late(imitation("kafkaconnect", "plugins"))),
    path(
        "kafka-connect/connector-plugins/<str:cls>/config",
        late(imitation("kafkaconnect", "plugin_config")),
    ),
    path(
        "kafka-connect/connector-plugins/<str:cls>/config/validate",
        late(imitation("kafkaconnect", "validate")),
    ),
    path("kafka-connect/connectors", late(imitation("kafkaconnect", "connectors"))),
    path("kafka-connect/connectors/<str:name>", late(imitation("kafkaconnect", "connector"))),
    path("kafka-connect/connectors/<str:name>/config", late(imitation("kafkaconnect", "config"))),
    path("kafka-connect/connectors/<str:name>/status", late(imitation("kafkaconnect", "status"))),
    re_path(
        r"^kafka-connect/connectors/(?P<name>[^/]+)/(?P<action>pause|resume|stop)$",
        late(imitation("kafkaconnect", "target")),
    ),
    path("kafka-connect/connectors/<str:name>/restart", late(imitation("kafkaconnect", "restart"))),
    path(
        "kafka-connect/connectors/<str:name>/tasks/<str:task_id>/restart",
        late(imitation("kafkaconnect", "restart_task")),
    ),
    re_path(r"^kafka-connect/(?P<rest>.*)$", late(imitation("kafkaconnect", "unknown"))),
    # Mixpanel documents the collection both with and without a trailing slash.
    re_path(
        r"^api/app/projects/(?P<project_id>[0-9]+)/connectors/?$",
        late(imitation("mixpanel", "connectors")),
        name="sandbox-mixpanel-connectors",
    ),
    re_path(
        r"^api/app/projects/(?P<project_id>[0-9]+)/connectors/(?P<connector_id>[^/]+)/?$",
        late(imitation("mixpanel", "connector")),
        name="sandbox-mixpanel-connector",
    ),
]
