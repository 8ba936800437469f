from __future__ import annotations

from django.urls import path, re_path

from . import aisquared, checks, kafkaconnect, mixpanel, upstash, videovector, views
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
    re_path(r"^api/v2/(?P<rest>.*)$", videovector.unknown),
    path("v2/kafka/clusters", late(checks.upstash_clusters)),
    path("v2/kafka/connector", late(upstash.create)),
    path("v2/kafka/connector/<str:connector_id>", late(upstash.connector)),
    re_path(
        r"^v2/kafka/connector/(?P<connector_id>[^/]+)/(?P<verb>pause|start|restart)$",
        late(upstash.action),
    ),
    path("v2/kafka/connectors/<str:cluster_id>", late(upstash.cluster_connectors)),
    path("v2/kafka/update-connector/<str:connector_id>", late(upstash.update)),
    # Kafka Connect: connector names are path segments (spaces and dots allowed).
    path("kafka-connect/", late(kafkaconnect.root)),
    path("kafka-connect/connector-plugins", late(kafkaconnect.plugins)),
    path("kafka-connect/connector-plugins/<str:cls>/config", late(kafkaconnect.plugin_config)),
    path(
        "kafka-connect/connector-plugins/<str:cls>/config/validate",
        late(kafkaconnect.validate),
    ),
    path("kafka-connect/connectors", late(kafkaconnect.connectors)),
    path("kafka-connect/connectors/<str:name>", late(kafkaconnect.connector)),
    path("kafka-connect/connectors/<str:name>/config", late(kafkaconnect.config)),
    path("kafka-connect/connectors/<str:name>/status", late(kafkaconnect.status)),
    re_path(
        r"^kafka-connect/connectors/(?P<name>[^/]+)/(?P<action>pause|resume|stop)$",
        late(kafkaconnect.target),
    ),
    path("kafka-connect/connectors/<str:name>/restart", late(kafkaconnect.restart)),
    path(
        "kafka-connect/connectors/<str:name>/tasks/<str:task_id>/restart",
        late(kafkaconnect.restart_task),
    ),
    re_path(r"^kafka-connect/(?P<rest>.*)$", late(kafkaconnect.unknown)),
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
