"""Deadlines, "due soon", "breached", and escalation once per breach."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import staff
from unionhub.cases import services
from unionhub.cases.models import Case, CaseEvent
from unionhub.notifications.models import Notification
from unionhub.orgs.models import Membership


def test_deadlines_start_at_submission_in_calendar_hours(tree, submit, hardship):
    at = timezone.make_aware(datetime.datetime(2026, 2, 14, 23, 30))  # a Saturday night
    case = submit(submitted_at=at)
    assert case.response_due_at == at + datetime.timedelta(hours=hardship.response_sla_hours)
    assert case.resolution_due_at == at + datetime.timedelta(hours=hardship.resolution_sla_hours)
    assert case.sla_due_at == case.response_due_at


def test_an_emergency_category_is_always_an_emergency_with_its_own_clock(tree, submit, emergency):
    case = submit(category=emergency, urgency="normal")
    assert case.urgency == Case.Urgency.EMERGENCY
    assert case.resolution_due_at - case.submitted_at == datetime.timedelta(hours=24)
    assert case.response_due_at - case.submitted_at == datetime.timedelta(hours=1)


def test_the_states_on_time_due_soon_breached(tree, submit, hardship):
    start = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    case = submit(submitted_at=start)  # respond within 24 hours; due soon in the last quarter
    assert case.sla_state(start + datetime.timedelta(hours=17)) == Case.SlaState.ON_TIME
    assert case.sla_state(start + datetime.timedelta(hours=19)) == Case.SlaState.DUE_SOON
    assert case.sla_state(start + datetime.timedelta(hours=25)) == Case.SlaState.BREACHED
    later = start + datetime.timedelta(hours=25)
    assert Case.objects.breached(later).get() == case
    assert not Case.objects.due_soon(later).exists()
    assert Case.objects.due_soon(start + datetime.timedelta(hours=19)).get() == case
    assert Case.objects.on_time(start + datetime.timedelta(hours=1)).get() == case


def test_a_closed_request_has_no_deadline(tree, case, officer):
    case = services.case_accept(actor=officer, case=case)
    case = services.case_resolve(actor=officer, case=case, resolution="已发放")
    assert case.sla_state() is None
    assert not Case.objects.breached(timezone.now() + datetime.timedelta(days=900)).exists()


def leads_notified(organization) -> set:
    users = set(
        Membership.objects.filter(organization=organization).values_list("user_id", flat=True)
    )
    return (
        set(
            Notification.objects.filter(kind__in=["case_breached", "case_escalated"]).values_list(
                "recipient_id", flat=True
            )
        )
        & users
    )


@pytest.fixture
def leads(tree, officer):
    street_lead = staff(tree.street_a, Membership.Role.DISTRICT_ADMIN, username="street_lead")
    return officer, street_lead


def test_a_breach_alerts_the_owner_once_then_the_parent_once(tree, submit, leads):
    officer, street_lead = leads
    start = timezone.now()
    case = submit(organization=tree.station_a, submitted_at=start)
    breach = case.response_due_at + datetime.timedelta(minutes=5)
    assert services.escalate_breached(now=breach) == {"owner": 1, "parent": 0}
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert case.response_breached_at == case.response_due_at
    assert Notification.objects.filter(kind="case_breached", recipient=officer).count() == 1
    # Running again does nothing more.
    assert services.escalate_breached(now=breach + datetime.timedelta(minutes=10)) == {
        "owner": 0,
        "parent": 0,
    }
    # Half the window again: the parent (the street) is told, once.
    later = case.response_due_at + datetime.timedelta(hours=13)
    assert services.escalate_breached(now=later) == {"owner": 0, "parent": 1}
    assert services.escalate_breached(now=later + datetime.timedelta(hours=5)) == {
        "owner": 0,
        "parent": 0,
    }
    assert Notification.objects.filter(kind="case_escalated", recipient=street_lead).count() == 1
    assert Notification.objects.filter(kind="case_breached").count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATION).count() == 2


def test_accepting_starts_a_new_clock_whose_breach_escalates_again(tree, submit, leads):
    officer, _street = leads
    case = submit(organization=tree.station_a)
    services.escalate_breached(now=case.response_due_at + datetime.timedelta(minutes=1))
    with time_machine.travel(case.response_due_at + datetime.timedelta(hours=1), tick=False):
        case = services.case_accept(actor=officer, case=case)
    assert case.escalation_level == 0
    assert services.escalate_breached(
        now=case.resolution_due_at + datetime.timedelta(minutes=1)
    ) == {"owner": 1, "parent": 0}
    case.refresh_from_db()
    assert case.resolution_breached_at == case.resolution_due_at
    assert case.response_breached_at is not None


@pytest.mark.parametrize("step", ["accept", "refer"])
def test_a_deadline_missed_before_the_job_ran_stays_on_record(tree, submit, leads, step):
    officer, _street = leads
    case = submit(organization=tree.station_a)
    missed = case.response_due_at
    with time_machine.travel(missed + datetime.timedelta(hours=2), tick=False):
        if step == "accept":
            case = services.case_accept(actor=officer, case=case)
        else:
            case = services.case_refer(
                actor=officer, case=case, organization=tree.street_a, reason="需街道协调"
            )
    case.refresh_from_db()
    assert case.response_breached_at == missed  # not wiped by the new clock
    assert case.resolution_breached_at is None


def test_requests_on_time_are_left_alone(tree, submit):
    case = submit()
    assert services.escalate_breached(now=case.submitted_at + datetime.timedelta(hours=1)) == {
        "owner": 0,
        "parent": 0,
    }


def test_the_task_runs_the_same_escalation(tree, submit, leads):
    from unionhub.cases.tasks import escalate_breached_cases

    case = submit(organization=tree.station_a)
    with time_machine.travel(case.response_due_at + datetime.timedelta(minutes=2), tick=False):
        result = escalate_breached_cases.enqueue()
    assert result.return_value == {"owner": 1, "parent": 0}


def test_due_follow_ups_are_reminded_once(tree, case, officer):
    case = services.case_accept(actor=officer, case=case)
    first = case.followups.order_by("due_on").first()
    assert services.remind_due_followups(today=first.due_on) == 1
    assert services.remind_due_followups(today=first.due_on) == 0
    assert Notification.objects.filter(kind="followup_due", recipient=officer).count() == 1


def test_the_scheduler_enqueues_every_job_once(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "escalate_breached_cases" in out.getvalue()
    assert "remind_due_followups" in out.getvalue()


def test_an_overdue_alert_stops_counting_once_the_request_is_finished(tree, submit, leads):
    officer, _street = leads
    case = submit(organization=tree.station_a)
    services.escalate_breached(now=case.response_due_at + datetime.timedelta(minutes=5))
    alert = Notification.objects.get(kind="case_breached", recipient=officer)
    services.case_accept(actor=officer, case=case)
    alert.refresh_from_db()
    assert alert.read_at is None  # accepted late: still overdue until it is finished
    services.case_resolve(actor=officer, case=case, resolution="已发放慰问金并安排回访")
    alert.refresh_from_db()
    assert alert.read_at is not None
