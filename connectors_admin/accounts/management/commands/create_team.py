from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.text import slugify

from connectors_admin.accounts.models import Membership, Role, Team


class Command(BaseCommand):
    help = "Create team NAME with USERNAME as its owner."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--owner", required=True, help="username of an existing user")
        parser.add_argument("--slug", default="", help="URL name (default: from the name)")

    @transaction.atomic
    def handle(self, *args, name: str, owner: str, slug: str, **options) -> None:
        try:
            user = get_user_model().objects.get(username=owner)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f'No user "{owner}". Create it first (createsuperuser or the admin).'
            ) from None
        slug = slug or slugify(name)[:60]
        if not slug:
            raise CommandError("The name gives an empty URL name: pass --slug.")
        try:
            validate_slug(slug)  # the team's pages are found by it
        except ValidationError:
            raise CommandError(
                "--slug takes letters (a-z, A-Z), digits, - and _ only, as team URLs do."
            ) from None
        if len(name) > Team._meta.get_field("name").max_length or len(slug) > 60:
            raise CommandError("The name is at most 100 characters, the URL name at most 60.")
        if Team.objects.filter(slug=slug).exists():
            raise CommandError(
                f'A team with URL name "{slug}" exists already: pass another --slug.'
            )
        team = Team.objects.create(name=name, slug=slug)
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
        self.stdout.write(f'Created team "{name}" ({slug}) with owner "{owner}".')
