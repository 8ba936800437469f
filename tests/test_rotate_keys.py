"""Key rotation: a secret written under an old key still decrypts when a new key is put first,
and `rotate_credential_keys` rewrites it under the new key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from connectors_admin.connectors.models import Connector
from connectors_admin.core import crypto
from connectors_admin.credentials.models import Credential

from .conftest import MIXPANEL_SECRET, make_credential

pytestmark = pytest.mark.django_db


def test_rotation_procedure(team, owner, settings, capsys):
    old_key = settings.CREDENTIAL_KEYS[0]
    credentials = [make_credential(team, owner, label=f"C{i}") for i in range(5)]
    connector = Connector.objects.create(
        team=team,
        credential=credentials[0],
        provider="aisquared",
        template="aisquared-source",
        remote_id="9",
        secret_config=crypto.encrypt_json({"configuration": {"password": "kept-secret-1"}}),
    )
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    totp = TOTP.activate(owner, "JBSWY3DPEHPK3PXP").instance
    codes = RecoveryCodes.activate(owner)
    first_codes = codes.get_unused_codes()
    new_key = Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [new_key, old_key]
    assert all(c.secrets() == {"secret": MIXPANEL_SECRET} for c in Credential.objects.all())

    call_command("rotate_credential_keys", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "credentials: re-encrypted 5 with the first key; 0 failed." in out
    assert "connectors: re-encrypted 1 with the first key; 0 failed." in out
    assert "two-factor secrets: re-encrypted 2 with the first key; 0 failed." in out
    call_command("rotate_credential_keys")  # safe to run again
    assert "credentials: re-encrypted 5" in capsys.readouterr().out

    settings.CREDENTIAL_KEYS = [new_key]  # the old key is retired
    for credential in Credential.objects.all():
        assert credential.secrets() == {"secret": MIXPANEL_SECRET}
    assert (
        Credential.objects.get(pk=credentials[0].pk).secret_ciphertext
        != credentials[0].secret_ciphertext
    )
    # Authenticator app secrets and recovery codes still work under the new key alone.
    totp.refresh_from_db()
    assert crypto.decrypt_text(totp.data["secret"]) == "JBSWY3DPEHPK3PXP"
    assert Authenticator.objects.get(type="recovery_codes").wrap().get_unused_codes() == first_codes
    connector.refresh_from_db()  # a connector's kept configuration is rotated too
    assert crypto.decrypt_json(connector.secret_config) == {
        "configuration": {"password": "kept-secret-1"}
    }


def test_rotation_reports_secrets_no_key_can_read(team, owner, settings, capsys):
    make_credential(team, owner)
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="1 secret"):
        call_command("rotate_credential_keys")
    captured = capsys.readouterr()
    assert MIXPANEL_SECRET not in captured.out + captured.err
    assert crypto.PREFIX not in captured.err
