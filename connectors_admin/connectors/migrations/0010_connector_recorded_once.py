from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("connectors", "0009_close_older_records")]

    operations = [
        migrations.AddConstraint(
            model_name="connector",
            constraint=models.UniqueConstraint(
                condition=models.Q(("deleted_at", None)),
                fields=("credential", "template", "remote_id"),
                name="connector_recorded_once",
            ),
        ),
    ]
