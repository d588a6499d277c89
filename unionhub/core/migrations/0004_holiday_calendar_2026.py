"""The State Council's holiday schedule for 2026 (国务院办公厅关于2026年部分节假日安排的通知,
4 November 2025). Later years are added on the holiday calendar page when they are announced."""

import datetime

from django.db import migrations

HOLIDAYS_2026 = [
    ("元旦", "2026-01-01", "2026-01-03"),
    ("春节", "2026-02-15", "2026-02-23"),
    ("清明节", "2026-04-04", "2026-04-06"),
    ("劳动节", "2026-05-01", "2026-05-05"),
    ("端午节", "2026-06-19", "2026-06-21"),
    ("中秋节", "2026-09-25", "2026-09-27"),
    ("国庆节", "2026-10-01", "2026-10-07"),
]
WORKDAYS_2026 = [
    ("元旦调休上班", "2026-01-04"),
    ("春节调休上班", "2026-02-14"),
    ("春节调休上班", "2026-02-28"),
    ("劳动节调休上班", "2026-05-09"),
    ("国庆节调休上班", "2026-09-20"),
    ("国庆节调休上班", "2026-10-10"),
]


def days(first: str, last: str):
    day, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def load(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    rows = [
        CalendarDay(date=day, kind="holiday", name=name)
        for name, first, last in HOLIDAYS_2026
        for day in days(first, last)
    ]
    rows += [
        CalendarDay(date=datetime.date.fromisoformat(day), kind="workday", name=name)
        for name, day in WORKDAYS_2026
    ]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(date__year=2026).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_holiday_calendar")]

    operations = [migrations.RunPython(load, unload)]
