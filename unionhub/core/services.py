"""Changes to what the whole district shares: the holiday calendar."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from unionhub.core import audit
from unionhub.core.access import Cap, access_for
from unionhub.core.errors import DomainError
from unionhub.core.models import CalendarDay
from unionhub.orgs.models import Organization

# One announcement covers a holiday of at most a few days; a longer range is a typing slip.
MAX_RANGE_DAYS = 31


def district_of(actor) -> Organization | None:
    """The district union whose shared settings ``actor`` changes (for the audit log)."""
    tops = access_for(actor).paths(Cap.MANAGE_CATALOGUE)
    paths = [path for path in tops if len(path) == Organization.steplen]
    return Organization.objects.filter(path__in=paths).first() if paths else None


def require_district_wide(actor, capability: Cap = Cap.MANAGE_CATALOGUE) -> None:
    if not access_for(actor).can_district_wide(capability):
        raise PermissionDenied


@transaction.atomic
def calendar_set(
    *, actor, first: datetime.date, last: datetime.date | None, kind: str, name: str
) -> list[CalendarDay]:
    """Record ``first``..``last`` as public holidays or make-up working days named ``name`` (e.g.
    春节), replacing what was recorded for those days."""
    require_district_wide(actor)
    last = last or first
    name = (name or "").strip()
    if kind not in CalendarDay.Kind.values:
        raise DomainError(_("Choose a public holiday or a make-up working day."), field="kind")
    if not name:
        raise DomainError(_("Name the occasion, e.g. 春节."), field="name")
    if last < first:
        raise DomainError(_("The last day is before the first."), field="last")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise DomainError(
            _("At most %(days)d days at once.") % {"days": MAX_RANGE_DAYS}, field="last"
        )
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    CalendarDay.objects.filter(date__in=days).delete()
    rows = CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=kind, name=name[:30]) for day in days
    )
    audit.record(
        actor=actor,
        action="core.calendar.set",
        organization=district_of(actor),
        data={"first": first.isoformat(), "last": last.isoformat(), "kind": kind, "name": name},
    )
    return rows


@transaction.atomic
def calendar_clear(*, actor, first: datetime.date, last: datetime.date) -> int:
    """Forget the days recorded from ``first`` to ``last``: they count by the Monday-to-Friday
    rule again. Returns how many were recorded."""
    require_district_wide(actor)
    days = CalendarDay.objects.filter(date__range=(first, last))
    removed = list(days.values_list("date", "kind", "name"))
    if not removed:
        raise DomainError(_("Nothing is recorded for those days."), code="not_found")
    days.delete()
    audit.record(
        actor=actor,
        action="core.calendar.cleared",
        organization=district_of(actor),
        data={"first": first.isoformat(), "last": last.isoformat(), "days": len(removed)},
    )
    return len(removed)
