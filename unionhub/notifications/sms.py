"""SMS through a pluggable backend.

``settings.SMS_BACKEND`` names a class with ``send(mobile: str, message: str) -> None``. The
default, ``ConsoleSmsBackend``, writes the message to the log with the number masked. To plug in
a provider (Aliyun, Tencent Cloud, a carrier gateway), subclass ``BaseSmsBackend`` in your own
module, read its credentials from settings or the environment, raise ``SmsError`` when the provider
refuses, and point ``SMS_BACKEND`` at it. See docs/notifications.md.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from unionhub.core.masking import mask_mobile

logger = logging.getLogger("unionhub.sms")


class SmsError(Exception):
    """The provider did not accept the message."""


class BaseSmsBackend:
    def send(self, mobile: str, message: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: log the message (never the full number)."""

    def send(self, mobile: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_mobile(mobile), message)


class MemorySmsBackend(BaseSmsBackend):
    """Tests: keep the messages in ``MemorySmsBackend.outbox``."""

    outbox: list[tuple[str, str]] = []

    def send(self, mobile: str, message: str) -> None:
        self.outbox.append((mobile, message))


def get_sms_backend() -> BaseSmsBackend:
    path = getattr(settings, "SMS_BACKEND", "unionhub.notifications.sms.ConsoleSmsBackend")
    return import_string(path)()
