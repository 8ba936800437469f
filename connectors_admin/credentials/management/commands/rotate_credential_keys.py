from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from connectors_admin.accounts.signin import rotate_authenticator_secrets
from connectors_admin.core import crypto
from connectors_admin.core.fields import encrypted_columns

# Every encrypted column is found by its type. (Secrets a user typed into a form that then failed
# are kept, encrypted, in their session only until the form is sent again; sessions expire.)


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of CREDENTIAL_KEYS. Safe to run again: "
        "values already under the first key are rewritten the same way."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        failed_total = 0
        for model, column in encrypted_columns():
            done, failed = self.rotate(model, column, batch_size)
            failed_total += failed
            name = model._meta.verbose_name_plural
            self.stdout.write(f"{name}: re-encrypted {done} with the first key; {failed} failed.")
        done, failed = rotate_authenticator_secrets()
        failed_total += failed
        self.stdout.write(
            f"two-factor secrets: re-encrypted {done} with the first key; {failed} failed."
        )
        if failed_total:
            raise CommandError(f"{failed_total} secret(s) could not be decrypted with any key.")

    def rotate(self, model: type[models.Model], column: str, batch_size: int) -> tuple[int, int]:
        done = failed = 0
        last_pk = None
        rows = model.objects.exclude(**{column: ""}).order_by("pk")
        while True:
            with transaction.atomic():
                batch = rows.select_for_update().only("pk", column)
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                batch = list(batch[:batch_size])
                if not batch:
                    return done, failed
                for row in batch:
                    try:
                        setattr(row, column, crypto.rotate(getattr(row, column)))
                    except crypto.DecryptionError:
                        failed += 1
                        self.stderr.write(
                            f"{model._meta.label} {row.pk}: no configured key decrypts it; left as is"
                        )
                        continue
                    row.save(update_fields=[column])
                    done += 1
                last_pk = batch[-1].pk
