"""Sending notifications: an in-app row for each recipient, plus e-mail and SMS when asked.

Messages are rendered in each recipient's own language: pass lazy strings (``gettext_lazy``) with
``%(name)s`` placeholders and the values in ``params``. E-mail and SMS leave after the transaction
commits, through a background task, so a rolled-back change never sends anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from unionhub.notifications.models import Notification


def render(text, params: Mapping[str, Any] | None, language: str) -> str:
    with translation.override(language):
        rendered = str(text)
        return rendered % dict(params) if params else rendered


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title,
    body="",
    params: Mapping[str, Any] | None = None,
    url: str = "",
    email: bool = False,
    sms: bool = False,
) -> list[Notification]:
    """Notify each distinct active recipient once; returns the notifications created."""
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        language = getattr(user, "language", None) or translation.get_language()
        notification = Notification.objects.create(
            recipient=user,
            kind=kind,
            title=render(title, params, language)[:200],
            body=render(body, params, language) if body else "",
            url=url,
        )
        created.append(notification)
        channels = [c for c, wanted in (("email", email and user.email), ("sms", sms)) if wanted]
        if channels:
            from unionhub.notifications.tasks import deliver

            transaction.on_commit(
                lambda pk=notification.pk, channels=channels: deliver.enqueue(pk, channels)
            )
    return created


def notifications_settled(*, url: str, kinds: Iterable[str], recipient=None) -> int:
    """What these notifications asked for has been done (a payment decided, a new request taken
    on): they stop counting as unread, for everyone they went to or for ``recipient`` only.
    They stay in the inbox, where each still says what happened."""
    unread = Notification.objects.unread().filter(url=url, kind__in=list(kinds))
    if recipient is not None:
        unread = unread.filter(recipient=recipient)
    return unread.update(read_at=timezone.now())


def notification_mark_read(*, actor, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionError("Only the recipient may mark a notification read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_read_at(*, actor, url: str) -> int:
    """``actor`` opened the page their notifications point to (a worker their own request): what
    they say is in front of them, so they stop counting as unread. Returns how many did."""
    return (
        Notification.objects.for_user(actor).unread().filter(url=url).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.for_user(actor).unread().update(read_at=timezone.now())
