"""Background delivery of e-mail and SMS copies of notifications."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from unionhub.core.tasks import task
from unionhub.notifications.models import Notification
from unionhub.notifications.sms import SmsError, get_sms_backend

logger = logging.getLogger(__name__)


def _mobile_of(user) -> str:
    profile = getattr(user, "worker_profile", None)
    return user.mobile or (profile.mobile if profile else "")


@task()
def deliver(notification_id: int, channels: list[str]) -> None:
    """Send the e-mail and/or SMS copy of one notification. The task carries ids only: no
    address or number waits in the queue."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id)
    notification = notification.first()
    if notification is None:
        return
    user = notification.recipient
    text = f"{notification.title}\n{notification.body}".strip()
    if "email" in channels and user.email:
        send_mail(
            notification.title, text, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False
        )
    if "sms" in channels:
        mobile = _mobile_of(user)
        if mobile:
            try:
                get_sms_backend().send(mobile, f"【{settings.SMS_SIGNATURE}】{notification.title}")
            except SmsError:
                logger.warning(
                    "SMS for notification %s was refused by the provider", notification.pk
                )
