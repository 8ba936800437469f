"""The baseline of bench/scale.py: Django's stock ModelAdmin over the same models, on an admin
site of its own, as a team would get by registering the models with no tuning."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Connector, Submission

site = admin.AdminSite(name="stock")


@admin.register(Connector, site=site)
class StockConnectorAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "remote_id",
        "template",
        "team",
        "remote_status",
        "created_by",
        "created_at",
    ]
    list_filter = ["provider", "remote_status"]
    search_fields = ["name", "remote_id"]


@admin.register(Submission, site=site)
class StockSubmissionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "template", "team", "user", "outcome"]
    list_filter = ["outcome", "action"]


@admin.register(AuditEvent, site=site)
class StockAuditAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor_name", "team", "target_label"]
    list_filter = ["action"]


urlpatterns = [
    path("stock-admin/", site.urls),
    path("", include("connectors_admin.urls")),
]
