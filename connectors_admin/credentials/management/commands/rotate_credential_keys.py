from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connectors_admin.core import crypto
from connectors_admin.credentials.models import Credential


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
        done = failed = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    Credential.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", "secret_ciphertext")[:batch_size]
                )
                if not batch:
                    break
                for credential in batch:
                    try:
                        credential.secret_ciphertext = crypto.rotate(credential.secret_ciphertext)
                    except crypto.DecryptionError:
                        failed += 1
                        self.stderr.write(
                            f"credential {credential.pk}: no configured key decrypts it; left as is"
                        )
                        continue
                    credential.save(update_fields=["secret_ciphertext"])
                    done += 1
                last_pk = batch[-1].pk
        self.stdout.write(f"Re-encrypted {done} credential(s) with the first key; {failed} failed.")
        if failed:
            raise CommandError(f"{failed} credential(s) could not be decrypted with any key.")
