"""A scheduled visit or call can be moved to another day or recorded as not made, with a reason,
through one service used by the case page and the API; nothing else changes when it is refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from unionhub.cases import services
from unionhub.cases.models import CaseEvent, FollowUp
from unionhub.core.errors import Conflict, DomainError

TODAY = timezone.localdate


@pytest.fixture
def accepted(officer, case):
    case = services.case_accept(actor=officer, case=case)
    FollowUp.objects.filter(case=case).delete()  # the category's standard plan
    return case


@pytest.fixture
def visit(officer, accepted):
    return services.followup_schedule(
        actor=officer, case=accepted, kind="visit", due_on=TODAY() + datetime.timedelta(days=2)
    )


def follow_up_events(case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.FOLLOWUP)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
    )


def test_moving_a_visit_changes_its_day_and_reminds_again(officer, accepted, visit):
    FollowUp.objects.filter(pk=visit.pk).update(reminded_at=timezone.now())
    new_day = TODAY() + datetime.timedelta(days=9)
    services.followup_move(
        actor=officer, case=accepted, followup=visit, due_on=new_day, reason="职工住院，出院后再去"
    )
    visit.refresh_from_db()
    assert visit.due_on == new_day
    assert visit.status == FollowUp.Status.SCHEDULED
    assert visit.reminded_at is None
    assert "职工住院，出院后再去" in follow_up_events(accepted)[-1]
    assert new_day.isoformat() in follow_up_events(accepted)[-1]


def test_skipping_a_visit_takes_it_off_the_due_list_as_missed(officer, accepted, visit):
    services.followup_skip(actor=officer, case=accepted, followup=visit, reason="职工已回老家")
    visit.refresh_from_db()
    assert visit.status == FollowUp.Status.MISSED
    assert visit.summary == "职工已回老家"
    assert visit.done_by == officer
    assert not FollowUp.objects.due(TODAY() + datetime.timedelta(days=30)).exists()


@pytest.mark.parametrize(
    ("due_in", "reason", "field"),
    [
        (-1, "改期", "due_on"),
        (2, "改期", "due_on"),
        (5, "  ", "reason"),
        (5, "长" * 2001, "reason"),
    ],
    ids=["past", "same-day", "no-reason", "too-long"],
)
def test_a_bad_move_is_refused_and_changes_nothing(officer, accepted, visit, due_in, reason, field):
    before = follow_up_events(accepted)
    with pytest.raises(DomainError) as refused:
        services.followup_move(
            actor=officer,
            case=accepted,
            followup=visit,
            due_on=TODAY() + datetime.timedelta(days=due_in),
            reason=reason,
        )
    assert refused.value.field == field
    visit.refresh_from_db()
    assert visit.due_on == TODAY() + datetime.timedelta(days=2)
    assert follow_up_events(accepted) == before


def test_a_visit_already_made_or_skipped_cannot_be_changed(officer, accepted, visit):
    services.case_log_contact(
        actor=officer, case=accepted, kind="visit", summary="上门看望", followup=visit
    )
    with pytest.raises(Conflict):
        services.followup_skip(actor=officer, case=accepted, followup=visit, reason="重复")
    with pytest.raises(Conflict):
        services.followup_move(
            actor=officer, case=accepted, followup=visit, due_on=TODAY(), reason="重复"
        )
    visit.refresh_from_db()
    assert visit.status == FollowUp.Status.DONE


def test_a_phone_call_does_not_complete_a_planned_visit_but_a_visit_completes_a_call(
    officer, accepted, visit
):
    with pytest.raises(DomainError) as refused:
        services.case_log_contact(
            actor=officer, case=accepted, kind="call", summary="电话问候", followup=visit
        )
    assert refused.value.field == "followup"
    visit.refresh_from_db()
    assert visit.status == FollowUp.Status.SCHEDULED
    assert not CaseEvent.objects.filter(case=accepted, kind=CaseEvent.Kind.CALL).exists()
    call = services.followup_schedule(actor=officer, case=accepted, kind="call", due_on=TODAY())
    services.case_log_contact(
        actor=officer, case=accepted, kind="visit", summary="顺路上门看望", followup=call
    )
    call.refresh_from_db()
    assert call.status == FollowUp.Status.DONE


def test_another_requests_follow_up_or_another_stations_officer_is_refused(
    officer, outsider, accepted, visit, submit
):
    other = services.case_accept(actor=officer, case=submit(summary="另一件事"))
    with pytest.raises(DomainError):
        services.followup_skip(actor=officer, case=other, followup=visit, reason="不对")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.followup_skip(actor=outsider, case=accepted, followup=visit, reason="越权")
    visit.refresh_from_db()
    assert visit.status == FollowUp.Status.SCHEDULED


def test_the_case_page_moves_and_skips_and_shows_why(officer, accepted, visit, login):
    client = login(officer)
    url = reverse("cases:case-action", args=[accepted.public_id, "change_followup"])
    opened = client.get(
        reverse("cases:case-detail", args=[accepted.public_id]),
        {"open": "change_followup", "followup": visit.pk},
    )
    assert 'id="action-change_followup" open' in opened.content.decode()
    assert opened.context["change_followup_form"].initial["followup"] == visit.pk

    missing_day = client.post(url, {"followup": visit.pk, "change": "move", "reason": "改期"})
    assert missing_day.status_code == 400
    assert "请选择新的日期。" in missing_day.content.decode()
    # A screen reader is told which list holds a field's error: the ids match.
    no_reason = client.post(url, {"followup": visit.pk, "change": "skip", "reason": ""})
    html = no_reason.content.decode()
    assert 'aria-describedby="id_change_followup_reason_error"' in html
    assert 'id="id_change_followup_reason_error"' in html

    new_day = TODAY() + datetime.timedelta(days=7)
    client.post(
        url, {"followup": visit.pk, "change": "move", "due_on": new_day, "reason": "职工出差"}
    )
    visit.refresh_from_db()
    assert visit.due_on == new_day

    client.post(url, {"followup": visit.pk, "change": "skip", "reason": "职工已离职返乡"})
    page = client.get(reverse("cases:case-detail", args=[accepted.public_id])).content.decode()
    assert "职工已离职返乡" in page
    assert "未进行" in page
    assert 'id="action-change_followup"' not in page  # nothing left to move


def test_the_follow_up_list_links_to_moving_each_one(officer, accepted, login):
    services.followup_schedule(actor=officer, case=accepted, kind="call", due_on=TODAY())
    page = login(officer).get(reverse("cases:followup-list")).content.decode()
    assert "open=change_followup&amp;followup=" in page


def test_the_api_schedules_moves_and_skips(officer, outsider, accepted, login):
    client = login(officer)

    def post(action, payload):
        return client.post(
            reverse(f"api:case-{action}", args=[accepted.public_id]),
            payload,
            content_type="application/json",
        )

    due = (TODAY() + datetime.timedelta(days=3)).isoformat()
    body = post("schedule-followup", {"kind": "call", "due_on": due}).json()
    followup = body["followups"][-1]["id"]
    moved = post(
        "move-followup",
        {"followup": followup, "due_on": (TODAY() + datetime.timedelta(days=4)).isoformat(),
         "reason": "职工要求改到周五"},
    )  # fmt: skip
    assert moved.status_code == 200
    assert (
        moved.json()["followups"][-1]["due_on"]
        == (TODAY() + datetime.timedelta(days=4)).isoformat()
    )
    assert post("skip-followup", {"followup": 999999, "reason": "x"}).status_code == 400
    assert (
        post("move-followup", {"followup": followup, "due_on": "0001-01-01", "reason": "x"})
    ).status_code == 400
    skipped = post("skip-followup", {"followup": followup, "reason": "职工已离职"})
    assert skipped.json()["followups"][-1]["status"] == "missed"
    again = post("skip-followup", {"followup": followup, "reason": "再来一次"})
    assert again.status_code == 409
    theirs = login(outsider).post(
        reverse("api:case-skip-followup", args=[accepted.public_id]),
        {"followup": followup, "reason": "越权"},
        content_type="application/json",
    )
    assert theirs.status_code == 404


def test_system_lines_read_in_the_readers_language_and_typed_text_stays_as_typed(
    officer, accepted, visit, login
):
    from django.utils import translation

    with translation.override("en"):  # an officer working in English skips the visit
        services.followup_skip(actor=officer, case=accepted, followup=visit, reason="职工已返乡")
    event = CaseEvent.objects.filter(case=accepted, kind=CaseEvent.Kind.FOLLOWUP).last()
    with translation.override("zh-hans"):
        assert event.body_text == f"原定 {visit.due_on.isoformat()} 的探望不再进行：职工已返乡"
    with translation.override("en"):
        assert (
            event.body_text == f"Visit of {visit.due_on.isoformat()} will not be made: 职工已返乡"
        )
    note = services.case_note(actor=officer, case=accepted, text="Typed in English")
    with translation.override("zh-hans"):
        assert note.body_text == "Typed in English"
    client = login(officer)
    page = client.get(reverse("cases:case-detail", args=[accepted.public_id]))
    assert "的探望不再进行：职工已返乡" in page.content.decode()
    api = client.get(
        reverse("api:case-detail", args=[accepted.public_id]), HTTP_ACCEPT_LANGUAGE="en"
    )
    bodies = [e["body"] for e in api.json()["events"]]
    assert f"Visit of {visit.due_on.isoformat()} will not be made: 职工已返乡" in bodies


def test_a_visit_is_planned_at_most_two_years_ahead(officer, accepted, visit, login):
    far = TODAY() + datetime.timedelta(days=services.FOLLOWUP_HORIZON_DAYS + 1)
    with pytest.raises(DomainError) as scheduled:
        services.followup_schedule(actor=officer, case=accepted, kind="visit", due_on=far)
    assert scheduled.value.code == "too_far" and "最多提前两年" in str(scheduled.value.message)
    with pytest.raises(DomainError):
        services.followup_move(
            actor=officer, case=accepted, followup=visit, due_on=far, reason="改期"
        )
    visit.refresh_from_db()
    assert visit.due_on == TODAY() + datetime.timedelta(days=2)
    assert FollowUp.objects.filter(case=accepted).count() == 1
    latest = TODAY() + datetime.timedelta(days=services.FOLLOWUP_HORIZON_DAYS)
    services.followup_schedule(actor=officer, case=accepted, kind="call", due_on=latest)


def test_the_plans_progress_counts_the_planned_visits_and_calls_not_the_check_back(
    officer, accepted, visit, login
):
    services.case_resolve(actor=officer, case=accepted, resolution="已协调解决")
    services.case_close(actor=officer, case=accepted)
    assert accepted.followups.filter(kind=FollowUp.Kind.CHECK_BACK).exists()
    page = login(officer).get(reverse("cases:case-detail", args=[accepted.public_id]))
    assert "计划回访已完成0/1次" in page.content.decode()
