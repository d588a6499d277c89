"""Validators shared by several apps."""

from __future__ import annotations

import datetime
import unicodedata

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
    # A Chinese keyboard may type full-width digits (１３８…): read them as ASCII.
    value = unicodedata.normalize("NFKC", value or "").strip()
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


# The longest free text (a description, a note, a reason) a form or service takes, in characters.
TEXT_LIMIT = 2000

# Dates the application works with: a birth in 1900 to a plan for 2100. Outside them a date is a
# typing slip, and one at the calendar's very ends cannot even be turned into a time of day.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def implausible_date() -> ValidationError:
    return ValidationError(
        _("Enter a date between %(first)s and %(last)s."),
        code="date_out_of_range",
        params={"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()},
    )


def validate_plausible_date(value: datetime.date | None) -> None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise implausible_date()
