"""The Kafka Connect and Upstash sandboxes kept connectors' configurations with their secrets in
clear: each row's secrets become sha256 digests, the values kept only encrypted (sealed.py)."""

from __future__ import annotations

from django.db import migrations

KEYS = {"kafkaconnect": "config", "upstash": "properties"}


def seal_rows(apps, schema_editor):
    from connectors_admin.sandbox import sealed
    from connectors_admin.sandbox.kafkaconnect import SECRET_KEYS

    SandboxConnector = apps.get_model("sandbox", "SandboxConnector")
    for row in SandboxConnector.objects.filter(provider__in=KEYS).iterator():
        key = KEYS[row.provider]
        data = row.data
        if sealed.SEALED in data or not isinstance(data.get(key), dict):
            continue
        clear = data[key]
        data[key], data[sealed.SEALED] = sealed.seal(clear, SECRET_KEYS)
        if data.get("state_error_message"):
            data["state_error_message"] = sealed.hide(data["state_error_message"], clear, data[key])
        row.save(update_fields=["data"])


def reveal_rows(apps, schema_editor):
    from connectors_admin.sandbox import sealed

    SandboxConnector = apps.get_model("sandbox", "SandboxConnector")
    for row in SandboxConnector.objects.filter(provider__in=KEYS).iterator():
        key = KEYS[row.provider]
        data = row.data
        if sealed.SEALED not in data:
            continue
        kept = data[key]
        data[key] = sealed.reveal(kept, data.pop(sealed.SEALED))
        if data.get("state_error_message"):
            data["state_error_message"] = sealed.show(data["state_error_message"], data[key], kept)
        row.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("sandbox", "0004_longer_remote_ids"),
    ]

    operations = [migrations.RunPython(seal_rows, reveal_rows)]
