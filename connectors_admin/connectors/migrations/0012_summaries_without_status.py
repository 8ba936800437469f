from django.db import migrations


def drop_status(apps, schema_editor):
    """Summaries no longer copy the provider's status: the record's own status (kept current by
    refreshes, "deleted" once closed) says it, and a copy went stale ("active" on a deleted
    connector). Only rows that hold one are read, a batch at a time."""
    Connector = apps.get_model("connectors", "Connector")
    rows = Connector.objects.filter(summary__has_key="Status").only("pk", "summary")
    while batch := list(rows[:500]):
        for row in batch:
            row.summary.pop("Status", None)
        Connector.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [("connectors", "0011_deleted_records_say_deleted")]

    operations = [migrations.RunPython(drop_status, migrations.RunPython.noop)]
