"""Resident identity card numbers (居民身份证号码, GB 11643): 18 characters, ISO 7064 MOD 11-2."""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric


def normalize_id_number(value: str) -> str:
    """A Chinese input method may type full-width digits and X (３２０…Ｘ): read them as ASCII."""
    return unicodedata.normalize("NFKC", value or "").strip().replace(" ", "").upper()


def id_number_birth_date(value: str) -> datetime.date:
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_number_gender(value: str) -> str:
    """``"male"`` or ``"female"``: the 17th character is odd for men."""
    return "male" if int(value[16]) % 2 else "female"


def validate_id_number(value: str) -> None:
    """Length, characters, check digit and a real birth date. The region code is not checked
    against a table: tables lag behind re-districting and would refuse real people."""
    value = normalize_id_number(value)
    if len(value) != 18:
        raise ValidationError(_("An ID number has 18 characters."), code="id_length")
    if (
        not value.isascii()
        or not value[:17].isdigit()
        or not (value[17].isdigit() or value[17] == "X")
    ):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_format"
        )
    if ric.calc_check_digit(value) != value[17]:
        raise ValidationError(
            _("The ID number's check digit does not match; check each digit."),
            code="id_checksum",
        )
    try:
        birth = id_number_birth_date(value)
    except ValueError as exc:
        raise ValidationError(
            _("The ID number does not contain a real birth date."), code="id_birth_date"
        ) from exc
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(
            _("The ID number does not contain a real birth date."), code="id_birth_date"
        )
