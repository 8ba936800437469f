"""Teams with creates whose answer was lost in the last week keep showing them: the team row
says until when (accounts 0004 added the column, empty)."""

from datetime import timedelta

from django.db import migrations
from django.db.models import Max
from django.utils import timezone


def note_recent(apps, schema_editor):
    submissions = apps.get_model("connectors", "Submission")
    teams = apps.get_model("accounts", "Team")
    # The partial index on creates with a reconciliation answers this (0006).
    latest = (
        submissions.objects.filter(action="create", created_at__gte=timezone.now() - timedelta(7))
        .exclude(reconciliation="")
        .values("team_id")
        .annotate(made=Max("created_at"))
    )
    for row in latest:
        teams.objects.filter(pk=row["team_id"]).update(
            lost_answers_until=row["made"] + timedelta(days=7)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_team_lost_answers_until"),
        ("connectors", "0013_lookup_task_queued"),
    ]

    operations = [migrations.RunPython(note_recent, migrations.RunPython.noop)]
