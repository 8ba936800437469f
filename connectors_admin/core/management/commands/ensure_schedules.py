from __future__ import annotations

from django.core.management.base import BaseCommand

from connectors_admin.core.scheduling import JOBS, ensure_schedules


class Command(BaseCommand):
    help = "Start the chain of every periodic job that has none (safe to run again)."

    def handle(self, *args, **options) -> None:
        started = ensure_schedules()
        for name in JOBS:
            state = "started" if name in started else "already scheduled"
            self.stdout.write(f"{name}: {state}")
