"""The follow-up list (the week's round of visits and calls) and the dashboard's "waiting for me"
counts: scoped, filtered, bounded, and a constant number of queries as rows grow."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import staff
from tests.factories import WorkerFactory
from unionhub.cases import services
from unionhub.cases.models import Case, FollowUp
from unionhub.orgs.models import Membership


def schedule(actor, case, days: int, kind: str = "visit") -> FollowUp:
    return services.followup_schedule(
        actor=actor, case=case, kind=kind, due_on=timezone.localdate() + datetime.timedelta(days)
    )


@pytest.fixture
def accepted(officer, case):
    return services.case_accept(actor=officer, case=case)


def listed(client, **params) -> list[tuple[str, datetime.date]]:
    response = client.get(reverse("cases:followup-list"), params)
    assert response.status_code == 200
    return [(f.case.reference, f.due_on) for f in response.context["page"]]


def test_the_list_shows_what_is_due_soonest_first_with_overdue_on_top(
    tree, officer, accepted, login
):
    FollowUp.objects.filter(case=accepted).delete()  # the category's standard plan
    for days in (40, 10, 3, 0):
        schedule(officer, accepted, days)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        client = login(officer)
        today = timezone.localdate()
        rows = listed(client)
        assert [due for _ref, due in rows] == [
            today - datetime.timedelta(days=2), today + datetime.timedelta(days=1)
        ]  # fmt: skip
        page = client.get(reverse("cases:followup-list")).content.decode()
        assert "已逾期 2 天" in page
        assert len(listed(client, when="overdue")) == 1
        assert len(listed(client, when="month")) == 3
        assert len(listed(client, when="all")) == 4
        assert len(listed(client, kind="call")) == 0


def test_done_and_cancelled_follow_ups_and_those_of_other_stations_are_not_listed(
    tree, officer, outsider, accepted, worker_b, hardship, login
):
    FollowUp.objects.filter(case=accepted).delete()
    done = schedule(officer, accepted, 0)
    services.case_log_contact(
        actor=officer, case=accepted, kind="visit", summary="上门看望", followup=done
    )
    schedule(officer, accepted, 1)
    theirs = services.case_submit(
        actor=outsider, worker=worker_b, category=hardship, channel="phone",
        summary="工资被拖欠", description="拖欠三个月工资。",
    )  # fmt: skip
    theirs = services.case_accept(actor=outsider, case=theirs)
    schedule(outsider, theirs, 1)
    assert [due for _ref, due in listed(login(officer), when="all")] == [
        timezone.localdate() + datetime.timedelta(days=1)
    ]
    assert {ref for ref, _due in listed(login(outsider), when="all")} == {theirs.reference}


def test_mine_shows_only_requests_assigned_to_me_and_junk_filters_are_refused(
    tree, officer, accepted, login
):
    FollowUp.objects.filter(case=accepted).delete()
    schedule(officer, accepted, 1)
    colleague = staff(tree.station_a, Membership.Role.STATION_STAFF, username="colleague")
    services.case_assign(actor=officer, case=accepted, assignee=colleague)
    client = login(officer)
    assert listed(client, mine="on") == []
    assert len(listed(client)) == 1
    services.case_assign(actor=officer, case=accepted, assignee=officer)
    assert len(listed(client, mine="on")) == 1
    response = client.get(reverse("cases:followup-list"), {"when": "yesterday"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "选择一个有效的选项" in response.content.decode()


def test_the_follow_up_list_makes_the_same_number_of_queries_as_rows_grow(
    tree, officer, hardship, login, count_queries
):
    def grow(count):
        for i in range(count):
            worker = WorkerFactory(organization=tree.union_a, enterprise=tree.enterprise_a)
            case = services.case_submit(
                actor=officer, worker=worker, category=hardship, channel="phone",
                summary=f"困难帮扶{i}", description="家庭困难，申请帮扶。",
            )  # fmt: skip
            services.case_accept(actor=officer, case=case)  # schedules the standard plan

    client = login(officer)
    url = reverse("cases:followup-list") + "?when=all"
    grow(1)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    grow(15)
    with count_queries() as large:
        response = client.get(url)
    assert len(response.context["page"]) == 25
    # session, user, memberships, bounded count, the page of follow-ups
    assert len(large) == len(small) <= 5, [q["sql"][:120] for q in large.captured_queries]


# ---- the dashboard ------------------------------------------------------------------------------


def work(client) -> dict[str, int]:
    response = client.get(reverse("core:dashboard"))
    with translation.override("en"):
        return {str(item["label"]): item["count"] for item in response.context["work"]}


def test_the_dashboard_counts_what_waits_for_the_officer(tree, officer, outsider, submit, login):
    first, second = submit(), submit(summary="工伤住院", description="车间事故住院。")
    services.case_accept(actor=officer, case=second)
    services.case_assign(actor=officer, case=second, assignee=officer)
    Case.objects.filter(pk=first.pk).update(sla_due_at=timezone.now() - datetime.timedelta(hours=1))
    counts = work(login(officer))
    assert counts["New requests to accept"] == 1
    assert counts["Requests past their deadline"] == 1
    assert counts["Open requests assigned to me"] == 1
    assert counts["Follow-ups due today or overdue"] == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        # the standard hardship plan's first visit (day 3) of the one accepted request
        assert work(login(officer))["Follow-ups due today or overdue"] == 1
    # Another station's officer sees none of it.
    assert set(work(login(outsider)).values()) == {0}


def test_the_dashboard_counts_stop_at_their_bound_and_its_queries_stay_flat(
    tree, officer, submit, login, count_queries
):
    from unionhub.core.pagination import BoundedPaginator

    client = login(officer)
    submit()
    client.get(reverse("core:dashboard"))
    with count_queries() as small:
        client.get(reverse("core:dashboard"))
    for i in range(6):
        submit(summary=f"困难帮扶{i}")
    original = BoundedPaginator.count_limit
    BoundedPaginator.count_limit = 5
    try:
        with count_queries() as large:
            response = client.get(reverse("core:dashboard"))
    finally:
        BoundedPaginator.count_limit = original
    assert len(large) == len(small)
    assert "5+" in response.content.decode()
    counts = [q["sql"] for q in large.captured_queries if q["sql"].startswith("SELECT COUNT")]
    assert counts and all("LIMIT 6" in sql for sql in counts), counts  # it stopped counting


def test_log_it_opens_the_request_with_the_visit_chosen(tree, officer, accepted, login):
    FollowUp.objects.filter(case=accepted).delete()
    visit = schedule(officer, accepted, 0, kind="visit")
    client = login(officer)
    page = client.get(reverse("cases:followup-list")).content.decode()
    link = f"/cases/{accepted.public_id}/?open=contact&amp;followup={visit.pk}#action-contact"
    assert link in page
    response = client.get(
        reverse("cases:case-detail", args=[accepted.public_id]),
        {"open": "contact", "followup": visit.pk},
    )
    form = response.context["contact_form"]
    assert form.initial == {"followup": visit.pk, "kind": "visit"}
    assert response.context["open_action"] == "contact"


def test_the_follow_up_list_is_for_those_who_handle_requests_and_skips_referred_ones(
    tree, officer, viewer, district_admin, accepted, login
):
    FollowUp.objects.filter(case=accepted).delete()
    schedule(officer, accepted, 0)
    assert login(viewer).get(reverse("cases:followup-list")).status_code == 403
    assert len(listed(login(officer))) == 1
    services.case_refer(
        actor=officer, case=accepted, organization=tree.district, reason="需区总工会协调"
    )
    # Referred: no visit can be logged, nor reminded of, until the district accepts it.
    assert listed(login(officer)) == []
    assert services.remind_due_followups() == 0
    services.case_accept(actor=district_admin, case=accepted)
    assert services.remind_due_followups() == 1


def test_a_refused_accept_says_why_and_claims_no_success(tree, officer, accepted, login):
    response = login(officer).post(
        reverse("cases:case-action", args=[accepted.public_id, "accept"]), follow=True
    )
    page = response.content.decode()
    assert "已受理，并已通知职工。" not in page
    assert "该诉求已是“已受理”状态。" in page


def test_the_check_back_call_is_recorded_from_the_request_page(tree, officer, case, login):
    from unionhub.cases.models import FollowUp

    for step in ("accept", "start"):
        getattr(services, f"case_{step}")(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已发放帮扶金")
    services.case_close(actor=officer, case=case)
    client = login(officer)
    url = reverse("cases:case-detail", args=[case.public_id])
    page = client.get(url, {"open": "check_back"})
    form = page.context["check_back_form"]
    check = case.followups.get(kind=FollowUp.Kind.CHECK_BACK)
    assert form.initial["followup"] == check.pk
    html = page.content.decode()
    assert f'name="followup" value="{check.pk}"' in html
    response = client.post(
        reverse("cases:case-action", args=[case.public_id, "check_back"]),
        {"followup": check.pk, "outcome": "held", "summary": "已返岗，生活稳定"},
        follow=True,
    )
    assert response.status_code == 200
    check.refresh_from_db()
    assert (check.status, check.outcome, check.summary) == ("done", "held", "已返岗，生活稳定")


def test_reopening_cancels_the_check_back_and_closing_again_schedules_a_new_one(
    tree, officer, case
):
    from unionhub.cases.models import FollowUp

    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已帮扶")
    services.case_close(actor=officer, case=case)
    services.case_reopen(actor=officer, case=case, reason="职工反映问题反复")
    checks = case.followups.filter(kind=FollowUp.Kind.CHECK_BACK)
    assert list(checks.values_list("status", flat=True)) == ["cancelled"]
    case.refresh_from_db()
    services.case_resolve(actor=officer, case=case, resolution="再次帮扶")
    services.case_close(actor=officer, case=case)
    assert sorted(checks.values_list("status", flat=True)) == ["cancelled", "scheduled"]


def test_each_rows_buttons_name_the_worker_and_the_day_for_a_screen_reader(
    tree, officer, accepted, submit, login
):
    import re

    FollowUp.objects.filter(case=accepted).delete()
    visit = schedule(officer, accepted, 0, kind="visit")
    other = services.case_accept(actor=officer, case=submit(summary="另一件"))
    FollowUp.objects.filter(case=other).delete()
    call = schedule(officer, other, 1, kind="call")
    page = login(officer).get(reverse("cases:followup-list")).content.decode()
    names = [
        re.sub(r"<[^>]+>", "", name).strip()
        for name in re.findall(r'<a class="btn btn-sm btn-outline[^"]*"[^>]*>(.*?)</a>', page, re.S)
    ]
    worker = accepted.worker_name
    assert names == [
        f"登记：{worker}，{visit.due_on:%Y-%m-%d}探望",
        f"改期或取消：{worker}，{visit.due_on:%Y-%m-%d}探望",
        f"登记：{worker}，{call.due_on:%Y-%m-%d}电话回访",
        f"改期或取消：{worker}，{call.due_on:%Y-%m-%d}电话回访",
    ]
    assert len(set(names)) == len(names)
    assert page.count('<span class="visually-hidden">：') == 4
