from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connectors_admin.accounts.models import Membership, Role, Team


class Command(BaseCommand):
    help = 'Create or update user USERNAME with PASSWORD as owner of the team "Demo".'

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username: str, password: str, email: str, **options) -> None:
        if not username.strip() or not password:
            raise CommandError("--username and --password must not be empty.")
        user, created = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        if email:
            user.email = email.strip().lower()  # as sign-in looks addresses up
        user.save()
        team, _ = Team.objects.get_or_create(slug="demo", defaults={"name": "Demo"})
        Membership.objects.update_or_create(team=team, user=user, defaults={"role": Role.OWNER})
        verb = "Created" if created else "Updated"
        self.stdout.write(f'{verb} user "{username}", owner of team "{team.name}".')
