"""Personal data at rest: Fernet-encrypted text plus a keyed hash for look-up and uniqueness.

The key comes from ``settings.FIELD_ENCRYPTION_KEY`` alone (not ``SECRET_KEY``), so rotating the
session secret never makes ID numbers unreadable. A value that cannot be decrypted raises instead of
being shown as ciphertext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes "
            "(python manage.py generate_field_key)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field could not be decrypted: FIELD_ENCRYPTION_KEY does not match."
        ) from exc


def lookup_hash(value: str, *, purpose: str) -> str:
    """A keyed SHA-256 of ``value`` (hex), distinct per ``purpose`` so hashes cannot be matched
    across columns. Equal inputs give equal hashes: it backs unique constraints and look-ups."""
    key = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEY.encode())
    purpose_key = hmac.new(key, purpose.encode(), hashlib.sha256).digest()
    return hmac.new(purpose_key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores ``encrypt(value)``, reads back plaintext. Not searchable: pair it with a hash."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":  # stored as is (e.g. a worker's erased ID number)
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        # Fernet tokens are randomised: comparing them with anything is meaningless and misleading.
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)
