"""Users: staff sign in with a username or mobile number, workers with their mobile number."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionhub.core.validators import validate_mobile


class User(AbstractUser):
    full_name = models.CharField(_("name"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username
