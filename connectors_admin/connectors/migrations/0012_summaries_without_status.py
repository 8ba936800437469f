from django.db import migrations
from django.db.models import Q

COPIES = ("Status", "State")  # Mixpanel and VideoVector; Kafka Connect and Upstash


def drop_status(apps, schema_editor):
    """Summaries no longer copy the provider's status: the record's own status (kept current by
    refreshes, "deleted" once closed) says it, and a copy went stale ("active" on a deleted
    connector). Only rows that hold one are read, walking up the primary key a batch at a time,
    each batch committed on its own."""
    Connector = apps.get_model("connectors", "Connector")
    holding = Q(summary__has_key=COPIES[0]) | Q(summary__has_key=COPIES[1])
    rows = Connector.objects.filter(holding).only("pk", "summary").order_by("pk")
    last = None
    while batch := list((rows if last is None else rows.filter(pk__gt=last))[:500]):
        for row in batch:
            for key in COPIES:
                row.summary.pop(key, None)
        Connector.objects.bulk_update(batch, ["summary"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    atomic = False  # a big table is not rewritten in one transaction
    dependencies = [("connectors", "0011_deleted_records_say_deleted")]

    operations = [migrations.RunPython(drop_status, migrations.RunPython.noop)]
