"""Search by name and provider's id with trigram indexes on PostgreSQL: the list's `icontains`
compiles to UPPER(column::text) LIKE UPPER('%…%'), which a GIN index over the same expression
with gin_trgm_ops serves. Other databases (SQLite in development) keep a plain scan."""

from django.db import migrations

INDEXES = {
    "connector_name_trgm": "name",
    "connector_remote_id_trgm": "remote_id",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON connectors_connector "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("connectors", "0003_list_and_sweep_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
