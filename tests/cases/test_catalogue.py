import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from unionhub.cases import services
from unionhub.cases.models import ServiceCategory
from unionhub.core.errors import DomainError
from unionhub.core.models import AuditEntry


def test_the_catalogue_is_seeded_with_the_categories_of_the_design(db):
    codes = set(ServiceCategory.objects.values_list("code", flat=True))
    assert codes == {
        "emergency_aid", "hardship_relief", "medical_aid", "scholarship", "childcare",
        "matchmaking", "job_training", "legal_aid", "counselling", "housing", "homecoming",
        "laundry", "other",
    }  # fmt: skip
    emergency = ServiceCategory.objects.get(code="emergency_aid")
    assert emergency.is_emergency and emergency.allows_payment
    assert emergency.resolution_sla_hours == 24


def test_a_district_admin_changes_deadlines_and_the_plan(tree, district_admin, hardship):
    services.category_update(
        actor=district_admin,
        category=hardship,
        response_sla_hours=12,
        followup_plan=[{"kind": "call", "day": 2}],
    )
    hardship.refresh_from_db()
    assert hardship.response_sla_hours == 12
    assert hardship.followup_plan == [{"kind": "call", "day": 2}]
    entry = AuditEntry.objects.get(action="cases.category.updated")
    assert entry.data["changes"]["response_sla_hours"] == [24, 12]


def test_station_staff_cannot_change_the_catalogue(tree, officer, hardship, login):
    with pytest.raises(PermissionDenied):
        services.category_update(actor=officer, category=hardship, response_sla_hours=1)
    url = reverse("cases:category-edit", args=[hardship.pk])
    assert login(officer).get(url).status_code == 403


def test_a_streets_administrator_cannot_change_the_districts_catalogue(tree, hardship, login):
    """The catalogue's deadlines hold for the whole district: only its union's admins edit it."""
    from tests.conftest import Role, staff

    street_admin = staff(tree.street_a, Role.DISTRICT_ADMIN, username="qq-admin")
    with pytest.raises(PermissionDenied):
        services.category_update(actor=street_admin, category=hardship, response_sla_hours=1)
    client = login(street_admin)
    assert client.get(reverse("cases:category-edit", args=[hardship.pk])).status_code == 403
    assert client.get(reverse("cases:category-list")).context["can_edit"] is False


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"response_sla_hours": 0}, "response_sla_hours"),
        ({"response_sla_hours": 48, "resolution_sla_hours": 24}, "resolution_sla_hours"),
        ({"followup_plan": [{"kind": "party", "day": 1}]}, "followup_plan"),
        ({"followup_plan": [{"kind": "visit"}]}, "followup_plan"),
        ({"name": " "}, "name"),
    ],
)
def test_impossible_settings_are_refused(tree, district_admin, hardship, values, field):
    with pytest.raises(DomainError) as error:
        services.category_update(actor=district_admin, category=hardship, **values)
    assert error.value.field == field
    hardship.refresh_from_db()
    assert hardship.response_sla_hours == 24


def test_the_edit_page_saves_the_plan_rows(tree, district_admin, hardship, login):
    data = {
        "name": "困难帮扶",
        "name_en": "Hardship relief",
        "response_sla_hours": 24,
        "resolution_sla_hours": 240,
        "sort_order": 20,
        "is_active": "on",
        "allows_payment": "on",
        "plan-TOTAL_FORMS": 2,
        "plan-INITIAL_FORMS": 0,
        "plan-0-kind": "visit",
        "plan-0-day": 1,
        "plan-1-kind": "call",
        "plan-1-day": 30,
        "plan-1-every": 30,
        "plan-1-until": 90,
    }
    response = login(district_admin).post(reverse("cases:category-edit", args=[hardship.pk]), data)
    assert response.status_code == 302
    hardship.refresh_from_db()
    assert hardship.followup_plan == [
        {"kind": "visit", "day": 1},
        {"kind": "call", "day": 30, "every": 30, "until": 90},
    ]


def test_a_follow_up_can_be_scheduled_by_hand(tree, officer, case, login):
    import datetime

    from django.utils import timezone

    services.case_accept(actor=officer, case=case)
    day = (timezone.localdate() + datetime.timedelta(days=45)).isoformat()
    response = login(officer).post(
        reverse("cases:case-action", args=[case.public_id, "schedule_followup"]),
        {"kind": "visit", "due_on": day},
    )
    assert response.status_code == 302
    assert case.followups.filter(due_on=day, from_plan=False).exists()
    past = login(officer).post(
        reverse("cases:case-action", args=[case.public_id, "schedule_followup"]),
        {"kind": "visit", "due_on": "2000-01-05"},
    )
    assert past.status_code == 400


def test_the_edit_page_removes_a_ticked_step_and_keeps_the_plan_in_day_order(
    tree, district_admin, hardship, login
):
    data = {
        "name": "困难帮扶", "name_en": "Hardship relief", "response_sla_hours": 24,
        "resolution_sla_hours": 240, "sort_order": 20, "is_active": "on", "allows_payment": "on",
        "plan-TOTAL_FORMS": 3, "plan-INITIAL_FORMS": 0,
        "plan-0-kind": "call", "plan-0-day": 14,
        "plan-1-kind": "call", "plan-1-day": 60, "plan-1-DELETE": "on",
        "plan-2-kind": "visit", "plan-2-day": 3,
    }  # fmt: skip
    client = login(district_admin)
    url = reverse("cases:category-edit", args=[hardship.pk])
    assert client.post(url, data).status_code == 302
    hardship.refresh_from_db()
    assert hardship.followup_plan == [{"kind": "visit", "day": 3}, {"kind": "call", "day": 14}]
    page = client.get(url).content.decode()
    assert 'name="plan-0-DELETE"' in page and "删除第1步" in page


def _category_post(**plan_rows):
    data = {
        "name": "困难帮扶", "name_en": "Hardship relief", "response_sla_hours": 24,
        "resolution_sla_hours": 240, "sort_order": 20, "is_active": "on", "allows_payment": "on",
        "plan-TOTAL_FORMS": 3, "plan-INITIAL_FORMS": 0,
    }  # fmt: skip
    data.update({f"plan-{key}": value for key, value in plan_rows.items()})
    return data


@pytest.mark.parametrize(
    ("rows", "field", "said"),
    [
        # Monthly visits with no last day would have been saved as a single visit.
        ({"0-kind": "visit", "0-day": 0, "0-every": 30}, "until", "请填写重复截至第几天。"),
        (
            {"0-kind": "visit", "0-day": 30, "0-every": 30, "0-until": 30},
            "until",
            "截至日须晚于首次日期（第30天）。",
        ),
        # A day with no kind would have been dropped without a word.
        ({"0-day": 10}, "kind", "请为此步选择探望或电话回访，或清空此行。"),
        ({"0-kind": "call"}, "day", "请填写此步在第几天（受理当天为第0天）。"),
        (
            {"0-kind": "call", "0-day": 3, "0-until": 90},
            "every",
            "请填写间隔几天重复一次，或清空截至日。",
        ),
    ],
)
def test_a_half_written_plan_row_is_refused_on_its_row_and_nothing_is_saved(
    tree, district_admin, hardship, login, rows, field, said
):
    before = hardship.followup_plan
    url = reverse("cases:category-edit", args=[hardship.pk])
    response = login(district_admin).post(url, _category_post(**rows))
    assert response.status_code == 200
    step = response.context["plan"].forms[0]
    assert step.errors[field] == [said]
    assert said in response.content.decode()
    hardship.refresh_from_db()
    assert hardship.followup_plan == before
    assert not AuditEntry.objects.filter(action="cases.category.updated").exists()


def test_the_plan_rows_are_checked_even_when_the_hours_are_wrong(
    tree, district_admin, hardship, login
):
    data = _category_post(**{"0-kind": "visit", "0-day": 0, "0-every": 30})
    data.update(response_sla_hours=48, resolution_sla_hours=24)
    response = login(district_admin).post(reverse("cases:category-edit", args=[hardship.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["resolution_sla_hours"]
    assert response.context["plan"].forms[0].errors["until"]
    hardship.refresh_from_db()
    assert hardship.response_sla_hours == 24


def test_the_service_refuses_a_repeating_step_without_a_later_last_day(
    tree, district_admin, hardship
):
    for step in (
        {"kind": "visit", "day": 0, "every": 30},
        {"kind": "visit", "day": 30, "every": 30, "until": 30},
    ):
        with pytest.raises(DomainError) as error:
            services.category_update(actor=district_admin, category=hardship, followup_plan=[step])
        assert error.value.code == "plan_repeat_without_end"
    hardship.refresh_from_db()
    assert hardship.followup_plan == [
        {"kind": "visit", "day": 3},
        {"kind": "visit", "day": 90, "every": 90, "until": 365},
    ]


def test_the_audit_log_reads_the_plan_in_words_in_each_language(
    tree, district_admin, hardship, login
):
    from django.utils import translation

    services.category_update(
        actor=district_admin,
        category=hardship,
        followup_plan=[
            {"kind": "call", "day": 14},
            {"kind": "visit", "day": 0, "every": 30, "until": 360},
        ],
    )
    entry = AuditEntry.objects.get(action="cases.category.updated")
    with translation.override("zh-hans"):
        [(label, old, new)] = entry.change_rows
        assert label == "标准回访计划"
        assert old == "第3天探望；第90天探望，此后每90天一次，至第365天"
        assert new == "第0天探望，此后每30天一次，至第360天；第14天电话回访"
    with translation.override("en"):
        [(label, old, new)] = entry.change_rows
        assert new == "visit on day 0, then every 30 days to day 360; call on day 14"
    page = login(district_admin).get(reverse("core:audit-list")).content.decode()
    assert "第14天电话回访" in page
    assert "{&#x27;kind&#x27;" not in page and "{'kind'" not in page


def test_a_plan_the_audit_log_kept_as_python_text_still_reads_in_words(db):
    from django.utils import translation

    from unionhub.cases.models import describe_plan

    with translation.override("zh-hans"):
        assert describe_plan("[{'kind': 'call', 'day': 14}]") == "第14天电话回访"
        assert describe_plan([]) == ""
