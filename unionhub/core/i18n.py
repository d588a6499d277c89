"""Text the system writes for people to read later (a request's timeline), kept in every
language the app speaks, so each reader sees it in their own and not in the writer's."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

from django.conf import settings
from django.utils import translation


def in_every_language(make: Callable[[], object]) -> dict[str, str]:
    """``make()`` (which calls ``gettext``) evaluated once in each of ``settings.LANGUAGES``."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(make())
    return texts


def in_active_language(texts: Mapping[str, str], fallback: str = "") -> str:
    """The text of ``texts`` for the active language (or its base language), else ``fallback``."""
    if not texts:
        return fallback
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    if language in texts:
        return texts[language]
    base = language.split("-")[0]
    for code, text in texts.items():
        if code.split("-")[0] == base:
            return text
    return fallback


def system_line(make: Callable[[], object]) -> dict[str, object]:
    """A timeline line the system writes: ``body`` in the active language and its
    ``body_translations`` (keyword arguments for a ``CaseEvent``)."""
    texts = in_every_language(make)
    return {"body": in_active_language(texts), "body_translations": texts}


def day_and_time(moment: datetime.datetime) -> str:
    """A moment near now as a person says it: "today at 14:00", "tomorrow at 02:25", or the date
    in words ("November 26 at 02:25", "11月26日 02:25"), in local time. A bare "11-26 02:25"
    reads as a date code, and hides that 02:25 is in the middle of the night."""
    from django.utils import timezone
    from django.utils.dateformat import format as format_date
    from django.utils.translation import gettext, pgettext

    local = timezone.localtime(moment)
    today = timezone.localdate()
    time = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return gettext("today at %(time)s") % {"time": time}
    if days == 1:
        return gettext("tomorrow at %(time)s") % {"time": time}
    if days == -1:
        return gettext("yesterday at %(time)s") % {"time": time}
    date = format_date(local, pgettext("month and day, as Django's date format", "F j"))
    return gettext("%(date)s at %(time)s") % {"date": date, "time": time}


def duration_text(span: datetime.timedelta) -> str:
    """A span of time as people say it, in whole minutes, never rounded up: "23 小时 55 分"
    ("23 hours 55 minutes"), "3 小时", and under an hour the minutes alone ("55 分钟"); under a
    minute, "不到 1 分钟". A clock that says "24 hours left" five minutes after it started, or
    "1 hour left" with minutes to go, promises time that is not there."""
    from django.utils.translation import gettext, ngettext, npgettext, pgettext

    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes == 0:
        return gettext("less than a minute")
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}
    said = ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    if not minutes:
        return said
    return pgettext("a span of hours and minutes", "%(hours)s %(minutes)s") % {
        "hours": said,
        "minutes": npgettext(
            "minutes after hours", "%(minutes)d minute", "%(minutes)d minutes", minutes
        )
        % {"minutes": minutes},
    }
