"""Working days: Monday to Friday, except the public holidays and make-up working days recorded
in the holiday calendar (:class:`~unionhub.core.models.CalendarDay`)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from unionhub.core.models import CalendarDay

# Days of the calendar read at once while counting (a holiday week and its weekends fit well).
_CHUNK = datetime.timedelta(days=60)


def exceptions_between(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    """``{date: is a working day}`` for the recorded days from ``first`` to ``last``."""
    rows = CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind")
    return {day: kind == CalendarDay.Kind.WORKDAY for day, kind in rows}


def is_working_day(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    return exceptions.get(day, day.weekday() < 5)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The same time of day ``days`` working days after ``start`` (in local time)."""
    end = timezone.localtime(start)
    exceptions: dict[datetime.date, bool] = {}
    read_to = end.date()
    added = 0
    while added < days:
        end += datetime.timedelta(days=1)
        if end.date() > read_to:
            exceptions |= exceptions_between(end.date(), end.date() + _CHUNK)
            read_to = end.date() + _CHUNK
        if is_working_day(end.date(), exceptions):
            added += 1
    return end


def years_without_schedule(first: datetime.date, last: datetime.date) -> list[int]:
    """The years from ``first`` to ``last`` with nothing recorded: their holidays are unknown, so
    a window there counts weekdays only."""
    years = range(first.year, last.year + 1)
    known = set(
        CalendarDay.objects.filter(date__year__in=list(years))
        .values_list("date__year", flat=True)
        .distinct()
    )
    return [year for year in years if year not in known]
