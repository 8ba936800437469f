"""Secret encryption: MultiFernet over CREDENTIAL_KEYS, rotation, and failures that leak nothing."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from connectors_admin.core import crypto

SECRET = {"secret": "crypto-test-secret-31337"}


def test_round_trip(settings):
    stored = crypto.encrypt_json(SECRET)
    assert stored.startswith("fernet:")
    assert "crypto-test-secret" not in stored
    assert crypto.decrypt_json(stored) == SECRET


def test_a_new_key_put_first_still_reads_old_values_and_rotate_rewrites_them(settings):
    old = settings.CREDENTIAL_KEYS[0]
    stored = crypto.encrypt_json(SECRET)
    new = Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [new, old]
    assert crypto.decrypt_json(stored) == SECRET
    rotated = crypto.rotate(stored)
    settings.CREDENTIAL_KEYS = [new]
    assert crypto.decrypt_json(rotated) == SECRET
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_json(stored)


def test_decryption_error_carries_no_ciphertext_or_plaintext(settings):
    stored = crypto.encrypt_json(SECRET)
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError) as caught:
        crypto.decrypt_json(stored)
    message = str(caught.value)
    assert stored[10:40] not in message
    assert "crypto-test-secret" not in message


def test_unknown_format_is_refused():
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_json("plain-text-secret")


def test_hint_is_the_last_four_characters_of_long_secrets_only():
    from connectors_admin.providers.base import CredentialForm

    form = CredentialForm()
    assert form.hint_for("secret", "abcdefgh1234") == "1234"
    assert form.hint_for("secret", "short") == ""
