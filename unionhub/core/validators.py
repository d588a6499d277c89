"""Validators shared by several apps."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_mobile(value: str) -> str:
    """``+86 138-1234-5678`` → ``13812345678``; anything that is not a Chinese mobile number is
    returned stripped but otherwise unchanged (the validator then refuses it)."""
    value = (value or "").strip()
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.startswith("+86") or (digits.startswith("86") and len(digits) == 13):
        digits = digits[2:]
    return digits if len(digits) == 11 else value


def is_mobile(value: str) -> bool:
    if not (isinstance(value, str) and len(value) == 11 and value.isdigit()):
        return False
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _MOBILE_TYPES
    )


def validate_mobile(value: str) -> None:
    if not is_mobile(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a valid 11-digit mainland China mobile number."), code="invalid_mobile"
        )
