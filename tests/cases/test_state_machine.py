"""Every allowed and refused move, per role."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.conftest import staff
from unionhub.cases import services
from unionhub.cases.models import Case, CaseEvent, FollowUp
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.models import AuditEntry
from unionhub.orgs.models import Membership

Status = Case.Status


def run(action: str, case, actor, **extra):
    """Call the service for ``action`` with sensible inputs."""
    calls = {
        "accept": lambda: services.case_accept(actor=actor, case=case),
        "start": lambda: services.case_start(actor=actor, case=case),
        "refer": lambda: services.case_refer(
            actor=actor, case=case, organization=extra["target"], reason="需要区总工会处理"
        ),
        "send_back": lambda: services.case_send_back(
            actor=actor, case=case, reason="不属于本组织职责范围"
        ),
        "resolve": lambda: services.case_resolve(actor=actor, case=case, resolution="已发放补助"),
        "close": lambda: services.case_close(actor=actor, case=case),
        "reject": lambda: services.case_reject(actor=actor, case=case, reason="不符合条件"),
        "withdraw": lambda: services.case_withdraw(actor=actor, case=case),
        "reopen": lambda: services.case_reopen(actor=actor, case=case, reason="问题又出现了"),
    }
    return calls[action]()


def bring_to(status: str, case, officer, worker, target):
    """Walk ``case`` to ``status`` along the allowed path."""
    path = {
        Status.SUBMITTED: [],
        Status.ACCEPTED: ["accept"],
        Status.IN_PROGRESS: ["accept", "start"],
        Status.REFERRED: ["refer"],
        Status.RESOLVED: ["accept", "start", "resolve"],
        Status.CLOSED: ["accept", "start", "resolve", "close"],
        Status.REJECTED: ["reject"],
        Status.WITHDRAWN: ["withdraw"],
    }[status]
    for action in path:
        actor = worker.user if action == "withdraw" else officer
        case = run(action, case, actor, target=target)
    return case


ALLOWED = {action: (starts, end) for action, (starts, end) in services.TRANSITIONS.items()}


@pytest.mark.parametrize("start", Status.values)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_each_transition_is_allowed_exactly_from_its_statuses(
    tree, officer, worker, submit, district_admin, start, action
):
    target = tree.station_a if start != Status.REFERRED else tree.union_a
    case = bring_to(start, submit(), officer, worker, target=tree.street_a)
    if action == "withdraw":
        actor = worker.user
    elif start == Status.REFERRED:
        actor = district_admin  # referred to street A: the district's administrator handles it
    else:
        actor = officer
    starts, end = ALLOWED[action]
    if start in starts:
        moved = run(action, case, actor, target=target)
        assert moved.status == end
        event = moved.events.filter(kind=CaseEvent.Kind.STATUS).last()
        assert (event.from_status, event.to_status) == (start, end)
    else:
        before = Case.objects.get(pk=case.pk).status
        with pytest.raises((Conflict, PermissionDenied)):
            run(action, case, actor, target=target)
        assert Case.objects.get(pk=case.pk).status == before


@pytest.mark.parametrize("role", ["fund_approver", "fund_auditor"])
def test_read_only_roles_cannot_move_a_request(tree, case, role):
    reader = staff(tree.station_a, role)
    for action in ("accept", "reject"):
        with pytest.raises(PermissionDenied):
            run(action, case, reader)
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_an_outsider_cannot_touch_the_request(tree, case, outsider):
    with pytest.raises(PermissionDenied):
        services.case_accept(actor=outsider, case=case)
    with pytest.raises(PermissionDenied):
        services.case_note(actor=outsider, case=case, text="x")


def test_staff_cannot_withdraw_or_rate_for_the_worker(tree, case, officer):
    with pytest.raises(PermissionDenied):
        services.case_withdraw(actor=officer, case=case)
    case = run("resolve", run("start", run("accept", case, officer), officer), officer)
    with pytest.raises(PermissionDenied):
        services.case_rate(actor=officer, case=case, rating=5)


def test_a_worker_cannot_move_someone_elses_request(tree, case, worker_b):
    from tests.factories import UserFactory

    worker_b.user = UserFactory()
    worker_b.save()
    with pytest.raises(PermissionDenied):
        services.case_withdraw(actor=worker_b.user, case=case)


def test_a_refused_move_says_why_in_chinese(tree, case, officer):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(Conflict) as error:
        services.case_resolve(actor=officer, case=case, resolution="x")
    assert error.value.code == "invalid_transition"
    assert "已提交" in str(error.value.message)


def test_accepting_starts_the_resolution_clock_and_schedules_the_plan(tree, case, officer):
    with time_machine.travel(case.submitted_at + datetime.timedelta(hours=2), tick=False):
        case = services.case_accept(actor=officer, case=case)
    assert case.accepted_at is not None
    assert case.sla_due_at == case.resolution_due_at
    planned = list(case.followups.values_list("kind", "due_on"))
    start = timezone.localtime(case.accepted_at).date()
    assert planned == [
        ("visit", start + datetime.timedelta(days=3)),
        ("visit", start + datetime.timedelta(days=90)),
        ("visit", start + datetime.timedelta(days=180)),
        ("visit", start + datetime.timedelta(days=270)),
        ("visit", start + datetime.timedelta(days=360)),
    ]
    assert AuditEntry.objects.filter(action="cases.case.accept", target_id=str(case.pk)).exists()


def test_assigning_an_unaccepted_request_accepts_it(tree, case, officer):
    colleague = staff(tree.station_a, Membership.Role.STATION_STAFF)
    case = services.case_assign(actor=officer, case=case, assignee=colleague)
    assert case.status == Status.ACCEPTED
    assert case.assignee == colleague


def test_a_station_taking_over_an_enterprise_unions_request_tells_the_union(tree, case, officer):
    from unionhub.notifications.models import Notification

    assert case.organization == tree.union_a
    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, full_name="钱卫东")
    staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, full_name="孙美琴")
    colleague = staff(tree.station_a, Membership.Role.STATION_STAFF, full_name="陶志刚")
    case = services.case_assign(actor=chair, case=case, assignee=chair)
    assert not Notification.objects.filter(recipient=chair).exists()  # chair did it themselves
    done, refused = services.cases_bulk_assign(actor=officer, cases=[case], assignee=colleague)
    assert (done, refused) == (1, [])
    told = {
        n.recipient.get_full_name(): n
        for n in Notification.objects.select_related("recipient").exclude(kind="case_update")
    }
    assert sorted(told) == ["孙美琴", "钱卫东", "陶志刚"]
    assert told["陶志刚"].kind == "case_assigned"
    # The one it was taken from hears it once, as theirs; the union's other lead, as the union's.
    assert told["钱卫东"].kind == "case_reassigned"
    assert told["钱卫东"].title == f"诉求{case.reference}已由蒋丽华改派给陶志刚"
    assert told["孙美琴"].kind == "case_taken_over"
    assert told["孙美琴"].title == (
        f"无锡伟达五金有限公司工会的诉求{case.reference}现由陶志刚办理（蒋丽华指派）"
    )
    assert told["孙美琴"].url == told["陶志刚"].url
    # Passing it between the station's own people tells the union again; nobody hears their own.
    services.case_assign(actor=colleague, case=case, assignee=officer)
    assert not Notification.objects.filter(recipient=colleague, kind="case_reassigned").exists()
    assert Notification.objects.filter(kind="case_taken_over").count() == 3
    # The union's own chair handing it upward tells the union nothing it does not know.
    services.case_assign(actor=chair, case=case, assignee=colleague)
    assert Notification.objects.filter(kind="case_taken_over").count() == 3


def test_only_colleagues_who_handle_the_request_can_be_assigned(
    tree, case, officer, outsider, viewer
):
    for wrong in (outsider, viewer):
        with pytest.raises(DomainError) as error:
            services.case_assign(actor=officer, case=case, assignee=wrong)
        assert error.value.field == "assignee"


def test_a_whole_referral_moves_ownership_and_restarts_the_response_clock(
    tree, case, officer, district_admin
):
    case = services.case_accept(actor=officer, case=case)
    resolution_due = case.resolution_due_at
    case = services.case_refer(
        actor=officer, case=case, organization=tree.district, reason="需要大额救助"
    )
    assert case.status == Status.REFERRED
    assert case.organization == tree.district
    assert case.owner_path == tree.district.path
    assert case.assignee is None
    assert case.resolution_due_at == resolution_due
    assert case.sla_due_at == case.response_due_at
    assert not Case.objects.visible_to(officer).filter(pk=case.pk).exists()
    case = services.case_accept(actor=district_admin, case=case)
    assert case.status == Status.ACCEPTED


def test_a_referral_stays_in_the_district(tree, case, officer):
    from tests.factories import OrganizationFactory

    elsewhere = OrganizationFactory(name="滨湖区总工会")
    with pytest.raises(DomainError):
        services.case_refer(actor=officer, case=case, organization=elsewhere, reason="x")
    with pytest.raises(DomainError):
        services.case_refer(actor=officer, case=case, organization=tree.union_a, reason="")


def test_referring_part_opens_a_linked_request_at_the_other_organisation(
    tree, case, officer, district_admin
):
    case = services.case_accept(actor=officer, case=case)
    child = services.case_refer_part(
        actor=officer,
        case=case,
        organization=tree.district,
        summary="申请大额救助",
        reason="企业工会已先行救助，需区总工会资金",
    )
    assert child.parent == case
    assert child.organization == tree.district
    assert child.status == Status.SUBMITTED
    assert child.channel == Case.Channel.REFERRAL
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    assert Case.objects.visible_to(district_admin).filter(pk=child.pk).exists()
    assert not Case.objects.visible_to(officer).filter(pk=child.pk).exists()
    # The worker is visited under the request the part came from, not twice over.
    planned = case.followups.count()
    assert planned > 0
    plan_event = case.events.get(kind="followup")
    assert f"共{planned}次" in plan_event.body  # the timeline says what accepting scheduled
    child = services.case_accept(actor=district_admin, case=child)
    assert child.followups.count() == 0
    assert case.followups.count() == planned
    assert not child.events.filter(kind="followup").exists()


def test_reopening_is_refused_after_thirty_days(tree, case, officer, worker):
    case = run("resolve", run("start", run("accept", case, officer), officer), officer)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        with pytest.raises(Conflict) as error:
            services.case_reopen(actor=worker.user, case=case, reason="又出问题")
        assert error.value.code == "reopen_too_late"
    case = services.case_reopen(actor=worker.user, case=case, reason="补助还没到账")
    assert case.status == Status.IN_PROGRESS
    assert case.resolved_at is None
    assert case.sla_due_at is not None


def test_rating_is_once_and_between_one_and_five(tree, case, officer, worker):
    case = run("resolve", run("start", run("accept", case, officer), officer), officer)
    with pytest.raises(DomainError):
        services.case_rate(actor=worker.user, case=case, rating=6)
    case = services.case_rate(actor=worker.user, case=case, rating=5, comment="很及时")
    assert case.rating == 5
    with pytest.raises(Conflict):
        services.case_rate(actor=worker.user, case=case, rating=4)


def test_closing_schedules_the_check_back_call_and_it_is_recorded(tree, case, officer):
    case = run(
        "close",
        run("resolve", run("start", run("accept", case, officer), officer), officer),
        officer,
    )
    check = case.followups.get(kind=FollowUp.Kind.CHECK_BACK)
    assert check.due_on == timezone.localdate() + datetime.timedelta(days=21)
    services.followup_check_back(actor=officer, followup=check, outcome="held", summary="已稳定")
    check.refresh_from_db()
    assert (check.status, check.outcome) == ("done", "held")
    with pytest.raises(Conflict):
        services.followup_check_back(actor=officer, followup=check, outcome="held", summary="x")


def test_a_visit_logged_against_a_follow_up_marks_it_done(tree, case, officer):
    case = services.case_accept(actor=officer, case=case)
    first = case.followups.order_by("due_on").first()
    event = services.case_log_contact(
        actor=officer,
        case=case,
        kind="visit",
        summary="上门探望，送去慰问金",
        counselling="鼓励积极面对",
        followup=first,
    )
    first.refresh_from_db()
    assert first.status == FollowUp.Status.DONE
    assert first.done_by == officer
    assert "鼓励积极面对" in event.body
    # The label is read in each reader's language, the words as they were typed.
    from django.utils import translation

    with translation.override("en"):
        assert event.body_text == "上门探望，送去慰问金\nCounselling: 鼓励积极面对"
    with translation.override("zh-hans"):
        assert event.body_text == "上门探望，送去慰问金\n心理疏导：鼓励积极面对"
    assert event.public_text  # the worker sees that a visit took place, not the notes
    assert "慰问金" not in event.public_text


def test_a_contact_before_the_trouble_began_is_refused(tree, case, officer):
    case = services.case_accept(actor=officer, case=case)
    hour = datetime.timedelta(hours=1)
    with pytest.raises(DomainError) as refused:
        services.case_log_contact(
            actor=officer, case=case, kind="call", summary="电话回访",
            happened_at=case.submitted_at - hour,
        )  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("happened_at", "contact_before_request")
    assert timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M") in str(refused.value)
    assert not case.events.filter(kind="call").exists()
    # Visited at the hospital before the request was typed in, after the fire itself: fine.
    Case.objects.filter(pk=case.pk).update(occurred_at=case.submitted_at - 3 * hour)
    case.refresh_from_db()
    services.case_log_contact(
        actor=officer,
        case=case,
        kind="visit",
        summary="医院探望",
        happened_at=case.submitted_at - hour,
    )
    assert case.events.filter(kind="visit").count() == 1
    # A part handed on later began with the worker's request: a visit between the two stands.
    part = services.case_refer_part(
        actor=officer, case=case, organization=tree.district, summary="大额救助", reason="超额"
    )
    assert part.occurred_at == case.occurred_at
    district_admin = staff(tree.district, Membership.Role.DISTRICT_ADMIN, username="qu_admin")
    services.case_accept(actor=district_admin, case=part)
    services.case_log_contact(
        actor=district_admin, case=part, kind="call", summary="核实情况",
        happened_at=case.submitted_at,
    )  # fmt: skip


def test_rejecting_cancels_the_pending_follow_ups(tree, case, officer):
    case = services.case_accept(actor=officer, case=case)
    case = services.case_reject(actor=officer, case=case, reason="重复申请")
    assert not case.followups.filter(status=FollowUp.Status.SCHEDULED).exists()
    assert case.sla_due_at is None


def test_every_move_writes_a_timeline_event(tree, case, officer):
    before = case.events.count()
    case = services.case_accept(actor=officer, case=case)
    services.case_note(actor=officer, case=case, text="已核实")
    # accepted, the follow-up plan it scheduled, the note
    assert case.events.count() == before + 3
    assert list(case.events.order_by("-id").values_list("kind", flat=True)[:3]) == [
        "note", "followup", "status"
    ]  # fmt: skip


def test_the_workers_messages_are_rendered_in_the_readers_language(tree, case, officer, worker):
    from django.utils import translation

    case = run("resolve", run("start", run("accept", case, officer), officer), officer)
    services.case_rate(actor=worker.user, case=case, rating=4)
    event = case.events.get(kind=CaseEvent.Kind.RATING)
    with translation.override("en"):
        assert event.public_text == "You rated the service 4 out of 5."
    with translation.override("zh-hans"):
        assert event.public_text == "您对本次服务的评价为4分。"


def test_reopening_clears_the_old_resolution_but_the_timeline_keeps_it(tree, case, officer):
    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已发放困难帮扶金")
    case = services.case_reopen(actor=officer, case=case, reason="职工反映问题仍未解决")
    assert case.resolution_summary == ""
    assert case.events.filter(body="已发放困难帮扶金").exists()


def test_free_text_has_a_bound_and_too_long_changes_nothing(tree, case, officer, login):
    from django.urls import reverse

    from unionhub.core.validators import TEXT_LIMIT

    services.case_accept(actor=officer, case=case)
    with pytest.raises(DomainError) as refused:
        services.case_note(actor=officer, case=case, text="很" * (TEXT_LIMIT + 1))
    assert refused.value.code == "too_long"
    response = login(officer).post(
        reverse("cases:case-action", args=[case.public_id, "note"]),
        {"text": "很" * (TEXT_LIMIT + 1)},
    )
    assert response.status_code == 400
    assert not case.events.filter(kind="note").exists()


# A request referred as a whole waits at the organisation it went to; there it may be passed on, or
# sent back to the organisation that referred it, without anyone accepting it first.


@pytest.fixture
def referred_to_b(tree, case, officer):
    """``case`` (union A's) referred by station A's officer to station B, unaccepted."""
    return services.case_refer(
        actor=officer, case=case, organization=tree.station_b, reason="职工已调往堰桥工作"
    )


def test_the_receiving_station_is_offered_to_pass_it_on_or_send_it_back(
    tree, referred_to_b, outsider, officer, viewer
):
    offered = services.allowed_actions(referred_to_b, outsider)
    assert {"accept", "reject", "refer", "send_back"} <= set(offered)
    assert services.referred_by(referred_to_b) == tree.union_a
    # The station that referred it out of its scope, and read-only roles, may do neither.
    reader = staff(tree.station_b, Membership.Role.FUND_AUDITOR)
    for someone in (officer, viewer, reader):
        assert not {"refer", "send_back"} & set(services.allowed_actions(referred_to_b, someone))


def test_sending_back_returns_the_request_unaccepted_to_the_organisation_that_referred_it(
    tree, referred_to_b, outsider, officer, worker
):
    from unionhub.notifications.models import Notification

    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, full_name="钱卫东")
    before = timezone.now()
    case = services.case_send_back(
        actor=outsider, case=referred_to_b, reason="该职工仍在伟达五金工作，请原单位工会办理"
    )
    assert case.status == Status.REFERRED
    assert case.accepted_at is None
    assert (case.organization, case.owner_path) == (tree.union_a, tree.union_a.path)
    assert case.referred_from_path == tree.station_b.path
    assert case.assignee is None
    assert case.sla_due_at == case.response_due_at >= before
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).last()
    assert (event.from_status, event.to_status, event.actor) == ("referred", "referred", outsider)
    assert event.data["sent_back"] is True
    assert event.body == "该职工仍在伟达五金工作，请原单位工会办理"
    from django.utils import translation

    with translation.override("zh-hans"):
        assert event.public_text == "您的诉求已转回无锡伟达五金有限公司工会办理。"
    entry = AuditEntry.objects.get(action="cases.case.send_back", target_id=str(case.pk))
    assert (entry.actor, entry.data["from"], entry.data["to"]) == (outsider, "referred", "referred")
    told = Notification.objects.get(recipient=chair, kind="case_referred")
    assert told.title == f"堰桥街道产改指导站将诉求{case.reference}退回给您：{case.summary}"
    assert "请原单位工会办理" in told.body
    assert Notification.objects.filter(recipient=worker.user, kind="case_update").exists()
    # Back home: station A sees it again and takes it on; station B follows it, read only.
    assert Case.objects.visible_to(officer).filter(pk=case.pk).exists()
    assert Case.objects.referred_out_by(outsider).filter(pk=case.pk).exists()
    assert services.case_accept(actor=officer, case=case).status == Status.ACCEPTED


def test_a_request_is_not_sent_back_to_an_organisation_the_sender_handles_themselves(
    tree, case, officer, district_admin
):
    """A station refers a request up to the district; the district sends it back. A second tap
    (another tab, a retried call) must not send it up again, nor may anyone send a request back
    to an organisation whose requests they handle themselves."""
    up = services.case_refer(
        actor=officer, case=case, organization=tree.district, reason="需区总工会协调"
    )
    back = services.case_send_back(actor=district_admin, case=up, reason="请指导站先行核实情况")
    assert back.organization == tree.union_a and services.referred_by(back) == tree.district
    assert "send_back" not in services.allowed_actions(back, district_admin)
    with pytest.raises(Conflict) as again:
        services.case_send_back(actor=district_admin, case=back, reason="请指导站先行核实情况")
    assert again.value.code == "send_back_to_own"
    back.refresh_from_db()
    assert back.organization == tree.union_a
    assert back.events.filter(data__sent_back=True).count() == 1


def test_passing_a_referred_request_on_does_not_accept_it(
    tree, referred_to_b, outsider, district_admin, worker
):
    from unionhub.notifications.models import Notification

    case = services.case_refer(
        actor=outsider, case=referred_to_b, organization=tree.district, reason="需区总工会统筹"
    )
    assert (case.status, case.organization, case.accepted_at) == ("referred", tree.district, None)
    assert case.referred_from_path == tree.station_b.path
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).last()
    assert (event.from_status, event.to_status) == ("referred", "referred")
    assert not case.events.filter(to_status=Status.ACCEPTED).exists()
    titles = Notification.objects.filter(recipient=worker.user).values_list("title", flat=True)
    assert not [title for title in titles if "受理" in title]
    # At the district it may go back to station B, which referred it there.
    assert services.referred_by(case) == tree.station_b
    case = services.case_send_back(actor=district_admin, case=case, reason="请堰桥先行核实")
    assert case.organization == tree.station_b


@pytest.mark.parametrize("who", ["referring_officer", "fund_auditor", "worker", "stranger"])
def test_only_the_receiving_organisations_handlers_may_send_it_back_or_pass_it_on(
    tree, referred_to_b, officer, worker, who
):
    actor = {
        "referring_officer": lambda: officer,  # referred it out of their scope
        "fund_auditor": lambda: staff(tree.station_b, Membership.Role.FUND_AUDITOR),
        "worker": lambda: worker.user,
        "stranger": lambda: staff(tree.street_a, Membership.Role.STATION_STAFF),
    }[who]()
    with pytest.raises(PermissionDenied):
        services.case_send_back(actor=actor, case=referred_to_b, reason="x")
    with pytest.raises(PermissionDenied):
        services.case_refer(actor=actor, case=referred_to_b, organization=tree.district, reason="x")
    case = Case.objects.get(pk=referred_to_b.pk)
    assert (case.status, case.organization) == ("referred", tree.station_b)


def test_sending_back_needs_a_reason_and_an_organisation_to_go_to(tree, referred_to_b, outsider):
    with pytest.raises(DomainError) as refused:
        services.case_send_back(actor=outsider, case=referred_to_b, reason=" ")
    assert refused.value.field == "reason"
    tree.union_a.is_active = False
    tree.union_a.save(update_fields=["is_active"])
    with pytest.raises(Conflict) as refused:
        services.case_send_back(actor=outsider, case=referred_to_b, reason="不属本站")
    assert refused.value.code == "nothing_to_send_back"
    assert "send_back" not in services.allowed_actions(referred_to_b, outsider)
    assert Case.objects.get(pk=referred_to_b.pk).organization == tree.station_b


@pytest.mark.parametrize(
    "start", [Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED]
)
def test_a_request_that_was_never_referred_cannot_be_sent_back(tree, case, officer, worker, start):
    case = bring_to(start, case, officer, worker, target=tree.district)
    with pytest.raises(Conflict):
        services.case_send_back(actor=officer, case=case, reason="x")
    assert "send_back" not in services.allowed_actions(case, officer)


def test_a_request_accepted_after_a_referral_cannot_be_sent_back(tree, referred_to_b, outsider):
    case = services.case_accept(actor=outsider, case=referred_to_b)
    with pytest.raises(Conflict) as refused:
        services.case_send_back(actor=outsider, case=case, reason="x")
    assert refused.value.code == "invalid_transition"
    # Refer it on instead, as any request being handled may be.
    assert (
        services.case_refer(
            actor=outsider, case=case, organization=tree.station_a, reason="请原指导站办理"
        ).organization
        == tree.station_a
    )


def test_assigning_one_by_one_or_in_bulk_is_in_the_audit_log(
    tree, case, submit, officer, district_admin, login
):
    from django.urls import reverse
    from django.utils import translation

    colleague = staff(tree.station_a, Membership.Role.STATION_STAFF, full_name="陶志刚")
    services.case_assign(actor=officer, case=case, assignee=colleague)
    other = submit(summary="子女入托困难")
    services.cases_bulk_assign(actor=officer, cases=[case, other], assignee=officer)
    entries = AuditEntry.objects.filter(action="cases.case.assign").order_by("id")
    assert [(e.target_id, e.actor, e.data["to"]) for e in entries] == [
        (str(case.pk), officer, "陶志刚"),
        (str(case.pk), officer, "蒋丽华"),
        (str(other.pk), officer, "蒋丽华"),
    ]
    assert entries[1].data["from"] == "陶志刚" and entries[1].data["previous"] == colleague.pk
    with translation.override("zh-hans"):
        assert entries[0].description == "指派了诉求"
        assert entries[0].detail_rows == [("变更", "蒋丽华 → 陶志刚")]  # accepting made it hers
    audit_log = login(district_admin).get(reverse("core:audit-list"), {"kind": "cases."})
    page = audit_log.content.decode()
    assert page.count("指派了诉求") == 3
