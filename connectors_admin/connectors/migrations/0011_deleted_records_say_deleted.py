from django.db import migrations


def say_deleted(apps, schema_editor):
    """Records closed as deleted without their status saying so (closed as older copies by
    0009, or retired when their id was given to a new connector) now say "deleted", as every
    other deleted record does: the list shows and filters them as deleted."""
    Connector = apps.get_model("connectors", "Connector")
    Connector.objects.filter(deleted_at__isnull=False).exclude(remote_status="deleted").update(
        remote_status="deleted"
    )


class Migration(migrations.Migration):
    dependencies = [("connectors", "0010_connector_recorded_once")]

    operations = [migrations.RunPython(say_deleted, migrations.RunPython.noop)]
