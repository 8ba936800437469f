"""Connection URIs were hinted by their last four characters, often part of a password
(…?password=…). The hint is dropped from the URIs stored before; the host stays shown."""

from django.db import migrations


def forget_uri_hints(apps, schema_editor):
    Credential = apps.get_model("credentials", "Credential")
    for credential in Credential.objects.filter(kind="uri").only("secret_hints"):
        hints = {
            name: {**hint, "last4": ""} for name, hint in (credential.secret_hints or {}).items()
        }
        if hints != credential.secret_hints:
            credential.secret_hints = hints
            credential.save(update_fields=["secret_hints"])


class Migration(migrations.Migration):
    dependencies = [("credentials", "0002_alter_credential_secret_ciphertext")]

    operations = [migrations.RunPython(forget_uri_hints, migrations.RunPython.noop)]
