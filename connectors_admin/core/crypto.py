"""Encryption of stored secrets: MultiFernet over settings.CREDENTIAL_KEYS.

The first key encrypts; every key decrypts, so a new key can be put first and old values still
read. Stored values carry a prefix naming the scheme, so a later scheme can sit beside this one.
Errors never carry the ciphertext or the plaintext.
"""

from __future__ import annotations

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:  # the message says "Fernet key must be 32 url-safe base64..."
        raise ImproperlyConfigured(f"CREDENTIAL_KEYS holds a malformed key: {exc}") from None


def fernet() -> MultiFernet:
    keys = tuple(settings.CREDENTIAL_KEYS)
    if not keys:
        raise ImproperlyConfigured("CREDENTIAL_KEYS is empty.")
    return _fernet(keys)


def encrypt_json(value: dict[str, str]) -> str:
    token = fernet().encrypt(json.dumps(value, sort_keys=True).encode())
    return PREFIX + token.decode()


def decrypt_json(stored: str) -> dict[str, str]:
    if not stored.startswith(PREFIX):
        raise DecryptionError("stored secret has an unknown format")
    try:
        plain = fernet().decrypt(stored.removeprefix(PREFIX).encode())
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this secret") from None
    return json.loads(plain)


def encrypt_text(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt_text(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("stored secret has an unknown format")
    try:
        return fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this secret") from None


def rotate(stored: str) -> str:
    """Re-encrypt under the first key (used by key rotation)."""
    try:
        token = fernet().rotate(stored.removeprefix(PREFIX).encode())
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this secret") from None
    return PREFIX + token.decode()
