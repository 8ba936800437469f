"""A column type for encrypted secrets, so that whatever holds one is found by its type.

The column stores what `core.crypto.encrypt_json` returns (a scheme prefix and a Fernet token),
never plaintext; the key-rotation command finds every such column through `encrypted_columns()`
instead of naming models, so an app that adds one is covered without telling anyone.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models


class EncryptedTextField(models.TextField):
    """Ciphertext from `core.crypto`; never displayed, never edited through a form."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


def encrypted_columns() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) of an installed app that holds encrypted secrets."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    ]
