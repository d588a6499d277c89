"""Password rules that speak Chinese.

Django 5.2 reworded the minimum-length message ("at least %d characters") while its Chinese
catalogue still holds only the old wording, so the message came out in English among Chinese
ones. The validator here says the same thing through the project's own catalogue."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it must have at least %(min_length)d character.",
            "This password is too short: it must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
