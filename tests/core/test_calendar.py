import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Role, staff
from unionhub.core import services
from unionhub.core.calendar import add_working_days, years_without_schedule
from unionhub.core.models import AuditEntry, CalendarDay

URL = reverse("core:calendar")


def test_the_2026_schedule_is_recorded(db):
    national_day = CalendarDay.objects.filter(date__range=("2026-10-01", "2026-10-07"))
    assert {day.kind for day in national_day} == {"holiday"} and national_day.count() == 7
    assert CalendarDay.objects.get(date="2026-10-10").is_working_day
    assert years_without_schedule(datetime.date(2026, 12, 1), datetime.date(2027, 1, 8)) == [2027]


def test_a_district_admin_records_next_years_holidays(tree, district_admin, login):
    client = login(district_admin)
    response = client.post(
        URL,
        {
            "form": "add",
            "kind": "holiday",
            "name": "元旦",
            "first": "2027-01-01",
            "last": "2027-01-03",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["已记录 3 天。"]
    assert response.context["year"] == 2027
    assert [r["name"] for r in response.context["ranges"]] == ["元旦"]
    assert CalendarDay.objects.filter(date__year=2027).count() == 3
    entry = AuditEntry.objects.get(action="core.calendar.set")
    assert entry.organization == tree.district
    # After Thursday 31 December 2026 come the New Year holiday and then Monday 4 January.
    thursday = timezone.make_aware(datetime.datetime(2026, 12, 31, 10))
    assert add_working_days(thursday, 1).date() == datetime.date(2027, 1, 4)

    client.post(URL, {"form": "clear", "first": "2027-01-01", "last": "2027-01-03"})
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert AuditEntry.objects.filter(action="core.calendar.cleared").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "holiday", "name": "春节", "first": "2027-02-10", "last": "2027-02-01"}, "last"),
        ({"kind": "holiday", "name": "暑假", "first": "2027-07-01", "last": "2027-08-31"}, "last"),
        ({"kind": "holiday", "name": " ", "first": "2027-02-10"}, "name"),
        ({"kind": "party", "name": "春节", "first": "2027-02-10"}, "kind"),
        ({"kind": "holiday", "name": "春节", "first": "2027-02-30"}, "first"),
    ],
)
def test_bad_input_says_why_and_records_nothing(tree, district_admin, login, data, field):
    response = login(district_admin).post(URL, {"form": "add", **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_junk_date_to_clear_changes_nothing(tree, district_admin, login):
    response = login(district_admin).post(
        URL, {"form": "clear", "first": "2026-13-01", "last": "2026-10-07"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["日期无效。"]
    assert CalendarDay.objects.filter(date__year=2026).count() == 39


def test_only_the_districts_administrators_change_it(tree, officer, login):
    street_admin = staff(tree.street_a, Role.DISTRICT_ADMIN, username="qq-admin")
    for user in (officer, street_admin):
        client = login(user)
        assert client.get(URL).context["can_edit"] is False
        data = {"form": "add", "kind": "holiday", "name": "元旦", "first": "2027-01-01"}
        assert client.post(URL, data).status_code == 403
        with pytest.raises(PermissionDenied):
            services.calendar_set(
                actor=user, first=datetime.date(2027, 1, 1), last=None, kind="holiday", name="元旦"
            )
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_the_page_makes_the_same_number_of_queries_as_days_grow(
    tree, district_admin, login, count_queries
):
    client = login(district_admin)
    client.get(URL, {"year": 2026})
    with count_queries() as few:
        client.get(URL, {"year": 2026})
    services.calendar_set(
        actor=district_admin, first=datetime.date(2026, 12, 1), last=datetime.date(2026, 12, 31),
        kind="holiday", name="测试",
    )  # fmt: skip
    with count_queries() as many:
        client.get(URL, {"year": 2026})
    assert len(many) == len(few)
