import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import staff
from tests.funds.conftest import days_ago, key, make_fund
from unionhub.cases import services as case_services
from unionhub.cases.models import Case, ServiceCategory
from unionhub.core.access import access_for
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.models import AppendOnlyError, AuditEntry
from unionhub.core.money import MoneySum
from unionhub.core.validators import TEXT_LIMIT
from unionhub.funds import services
from unionhub.funds.models import AuditItem, Disbursement, Donation, FundAudit, LedgerEntry
from unionhub.notifications.models import Notification
from unionhub.orgs.models import Membership


def balance(fund) -> Decimal:
    fund.refresh_from_db()
    return fund.balance


# ---- donations ---------------------------------------------------------------------------------


def test_a_donation_is_booked_with_a_receipt_and_an_entry(fund, donate, chair):
    donation = donate(fund, "100000.00", donor_kind="person", donor_name="许国华")
    year = timezone.localdate().year
    assert donation.receipt_number == f"WD-FZ-{year}-000001"
    assert balance(fund) == Decimal("100000.00")
    entry = LedgerEntry.objects.get(donation=donation)
    assert (entry.kind, entry.amount, entry.balance_after) == (
        "donation", Decimal("100000.00"), Decimal("100000.00"),
    )  # fmt: skip
    assert donate(fund, "5.00").receipt_number.endswith("000002")


def test_the_same_donation_key_books_once(fund, donate):
    same = key()
    first = donate(fund, "200.00", idempotency_key=same)
    again = donate(fund, "200.00", idempotency_key=same)
    assert first.pk == again.pk
    assert Donation.objects.count() == 1
    assert balance(fund) == Decimal("200.00")


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5", "amount"), ("0.005", "amount"), ("abc", "amount")],
)
def test_a_bad_amount_is_refused_and_nothing_is_booked(fund, donate, amount, field):
    with pytest.raises(DomainError) as error:
        donate(fund, amount)
    assert error.value.field == field
    assert not LedgerEntry.objects.exists()
    assert balance(fund) == 0


def test_a_float_never_becomes_money(fund, donate):
    with pytest.raises(DomainError):
        donate(fund, 0.1)
    assert not LedgerEntry.objects.exists()


def test_a_named_donor_needs_a_name_and_an_anonymous_one_keeps_none(fund, donate):
    with pytest.raises(DomainError) as error:
        donate(fund, donor_kind="person", donor_name=" ")
    assert error.value.field == "donor_name"
    anonymous = donate(fund, "50.00", donor_kind="anonymous", donor_name="某某")
    assert anonymous.donor_name == ""
    assert anonymous.public_donor == "匿名" or anonymous.public_donor == "Anonymous"


def test_only_those_who_manage_the_fund_book_donations(fund, donate, officer, auditor, outsider):
    for actor in (officer, auditor, outsider):
        with pytest.raises(PermissionDenied):
            donate(fund, actor=actor)


def test_a_donation_is_not_booked_into_a_period_already_published(fund, donate, chair):
    today = timezone.localdate()
    donate(fund, "800.00", received_on=today - datetime.timedelta(days=10))
    disclosure = services.disclosure_publish(
        actor=chair, fund=fund, period_start=today - datetime.timedelta(days=14),
        period_end=today - datetime.timedelta(days=5), title="十一月捐赠公示",
    )  # fmt: skip
    late = today - datetime.timedelta(days=7)
    with pytest.raises(DomainError) as refused:
        donate(fund, "300.00", received_on=late)
    assert refused.value.field == "received_on"
    assert refused.value.code == "period_published"
    assert str(refused.value) == (
        f"{late.isoformat()}属于已公示的“十一月捐赠公示”"
        f"（{(today - datetime.timedelta(days=14)).isoformat()}至"
        f"{(today - datetime.timedelta(days=5)).isoformat()}），补记会改变已向公众公布的内容。"
        "请按今天的日期入账（可在备注中写明实际收款日），或选择尚未公示的日期。"
    )
    assert Donation.objects.count() == 1 and LedgerEntry.objects.count() == 1
    assert balance(fund) == Decimal("800.00")
    # Today, and a day after the published period, are open; so is the period once taken down.
    donate(fund, "300.00", received_on=today - datetime.timedelta(days=4))
    donate(fund, "300.00")
    services.disclosure_withdraw(actor=chair, disclosure=disclosure, reason="金额有误，重新公示")
    donate(fund, "300.00", received_on=late)
    assert balance(fund) == Decimal("1700.00")


def test_a_donation_is_not_booked_before_the_fund_was_opened(fund, donate):
    opened = timezone.localdate() - datetime.timedelta(days=20)
    fund.created_at = timezone.now() - datetime.timedelta(days=20)
    fund.save(update_fields=["created_at"])
    with pytest.raises(DomainError) as refused:
        donate(fund, "300.00", received_on=opened - datetime.timedelta(days=1))
    assert refused.value.field == "received_on"
    assert str(refused.value) == (
        f"伟达五金员工扶助基金于{opened.isoformat()}设立，此前的日期不能登记捐赠。"
        "请核对日期，或按今天的日期入账。"
    )
    assert not Donation.objects.exists() and not LedgerEntry.objects.exists()
    donate(fund, "300.00", received_on=opened)
    assert balance(fund) == Decimal("300.00")


# ---- approvals ----------------------------------------------------------------------------------


def test_the_requester_never_approves_their_own_request(tree, funded, request_payment):
    approver_and_requester = staff(tree.station_a, Membership.Role.FUND_APPROVER)
    Membership.objects.create(
        user=approver_and_requester, organization=tree.station_a, role="station_staff"
    )
    from unionhub.core.access import access_for

    access_for(approver_and_requester, refresh=True)
    disbursement = request_payment(funded, "500.00", actor=approver_and_requester)
    with pytest.raises(DomainError) as error:
        services.disbursement_approve(actor=approver_and_requester, disbursement=disbursement)
    assert error.value.code == "own_request"


def test_up_to_the_threshold_one_approver_is_enough(funded, request_payment, approver1):
    disbursement = request_payment(funded, "2000.00")
    disbursement = services.disbursement_approve(actor=approver1, disbursement=disbursement)
    assert disbursement.status == "approved"


def test_above_the_threshold_two_different_approvers_are_needed(
    funded, request_payment, approver1, approver2
):
    disbursement = request_payment(funded, "2000.01")
    disbursement = services.disbursement_approve(actor=approver1, disbursement=disbursement)
    assert disbursement.status == "requested"
    with pytest.raises(Conflict):
        services.disbursement_approve(actor=approver1, disbursement=disbursement)
    disbursement = services.disbursement_approve(actor=approver2, disbursement=disbursement)
    assert disbursement.status == "approved"


def test_a_payment_split_into_small_ones_still_needs_two_approvers(
    funded, request_payment, approver1, approver2, chair, workmate, login
):
    first = services.disbursement_approve(
        actor=approver1, disbursement=request_payment(funded, "2000.00")
    )
    assert first.status == "approved" and first.approvals_required == 1
    second = request_payment(funded, "2000.00")
    assert (second.approvals_required, second.combined_amount) == (2, Decimal("4000.00"))
    # The approvers read why.
    html = login(approver1).get("/funds/approvals/").content.decode()
    assert "该职工近30天在本基金的申请合计¥4,000.00（含本笔，不含已驳回、已撤销和已冲销的）" in html
    second = services.disbursement_approve(actor=approver1, disbursement=second)
    assert second.status == "requested"  # one approver alone cannot clear it
    assert services.disbursement_approve(actor=approver2, disbursement=second).status == "approved"
    # A refused request does not count; nor does another worker's, nor one long ago.
    services.disbursement_reject(
        actor=approver1, disbursement=request_payment(funded, "1500.00"), comment="重复申请"
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        later = request_payment(funded, "1000.00")
        assert later.approvals_required == 1
    other = request_payment(funded, "1000.00", worker=workmate)
    assert other.approvals_required == 1


def test_an_approver_who_said_yes_cannot_then_reject_alone(
    funded, request_payment, approver1, approver2
):
    disbursement = request_payment(funded, "5000.00")
    services.disbursement_approve(actor=approver1, disbursement=disbursement)
    with pytest.raises(Conflict) as refused:
        services.disbursement_reject(actor=approver1, disbursement=disbursement, comment="改主意")
    assert refused.value.code == "already_approved"
    disbursement.refresh_from_db()
    assert disbursement.status == "requested"
    assert disbursement.approvals.count() == 1
    rejected = services.disbursement_reject(
        actor=approver2, disbursement=disbursement, comment="材料不全"
    )
    assert rejected.status == "rejected"


def test_only_approvers_approve_and_a_payment_needs_approval(
    funded, request_payment, chair, officer
):
    disbursement = request_payment(funded)
    for actor in (chair, officer):
        with pytest.raises(PermissionDenied):
            services.disbursement_approve(actor=actor, disbursement=disbursement)
    with pytest.raises(Conflict):
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=disbursement,
            idempotency_key=key(),
        )
    assert balance(funded) == Decimal("10000.00")


def test_a_rejection_needs_a_reason_and_ends_the_request(funded, request_payment, approver1):
    disbursement = request_payment(funded)
    with pytest.raises(DomainError):
        services.disbursement_reject(actor=approver1, disbursement=disbursement, comment="")
    disbursement = services.disbursement_reject(
        actor=approver1, disbursement=disbursement, comment="材料不全"
    )
    assert disbursement.status == "rejected"
    with pytest.raises(Conflict):
        services.disbursement_approve(actor=approver1, disbursement=disbursement)


def test_an_urgent_request_tells_the_approvers_at_once(funded, request_payment, approver1):
    request_payment(funded, "5000.00", urgent=True)
    note = Notification.objects.get(recipient=approver1)
    assert note.kind == "disbursement_requested"


def test_a_reason_longer_than_the_text_limit_is_refused(funded, request_payment):
    with pytest.raises(DomainError) as error:
        request_payment(funded, reason="困" * (TEXT_LIMIT + 1))
    assert (error.value.field, error.value.code) == ("reason", "too_long")
    assert not Disbursement.objects.exists()


def test_a_category_the_fund_does_not_pay_is_refused(funded, request_payment):
    with pytest.raises(DomainError) as error:
        request_payment(funded, category=ServiceCategory.objects.get(code="scholarship"))
    assert error.value.code == "category_not_allowed"
    with pytest.raises(DomainError) as error:
        request_payment(funded, category=ServiceCategory.objects.get(code="legal_aid"))
    assert error.value.code == "category_no_payment"


# ---- payment ------------------------------------------------------------------------------------


def test_paying_posts_one_entry_and_refuses_an_overdraw(funded, approved, chair, worker):
    first = approved(funded, "6000.00")
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=first, idempotency_key="pay-1"
    )
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=first, idempotency_key="pay-1"
    )  # retry
    assert balance(funded) == Decimal("4000.00")
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 1
    second = approved(funded, "4000.01")
    with pytest.raises(Conflict) as error:
        services.disbursement_pay(
            payment_reference="SJ-0001", actor=chair, disbursement=second, idempotency_key="pay-2"
        )
    assert error.value.code == "insufficient_balance"
    assert "4,000.00" in str(error.value.message)
    assert balance(funded) == Decimal("4000.00")
    assert Disbursement.objects.get(pk=second.pk).status == "approved"


def test_a_paid_emergency_stops_the_24_hour_clock(tree, funded, chair, officer, worker, approved):
    emergency = ServiceCategory.objects.get(code="emergency_aid")
    case = case_services.case_submit(
        actor=officer, worker=worker, category=emergency, channel="phone",
        summary="家中火灾", description="夜里家中失火，本人烧伤住院。",
    )  # fmt: skip
    case = case_services.case_accept(actor=officer, case=case)
    disbursement = approved(funded, "3000.00", case=case)
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=disbursement, idempotency_key=key()
    )
    case.refresh_from_db()
    assert case.money_reached_at is not None
    assert case.sla_due_at is None
    assert case.is_open  # follow-ups continue
    assert case.events.filter(kind="payment").exclude(public_message="").exists()


# ---- emergency advances -------------------------------------------------------------------------


def advance(fund, case, actor, amount="20000.00", **extra):
    values = {
        "actor": actor, "fund": fund, "case": case, "amount": Decimal(amount),
        "method": "cash", "reason": "垫付住院押金", "idempotency_key": key(),
        "payment_reference": "SJ-0001",
    }  # fmt: skip
    values.update(extra)
    return services.emergency_advance(**values)


def test_an_officer_advances_up_to_the_cap_at_once(funded, emergency_case, chair):
    disbursement = advance(funded, emergency_case, chair, "9000.00")
    assert disbursement.status == "paid" and disbursement.is_advance
    assert disbursement.is_unratified
    assert balance(funded) == Decimal("1000.00")
    assert disbursement.ratify_due_at - disbursement.paid_at == datetime.timedelta(days=3)


def test_an_advance_by_bank_transfer_carries_its_slip_number(funded, emergency_case, chair):
    with pytest.raises(DomainError) as refused:
        advance(
            funded, emergency_case, chair, "5000.00", method="bank_transfer", payment_reference=""
        )
    assert refused.value.field == "payment_reference"
    assert balance(funded) == Decimal("10000.00")
    paid = advance(
        funded, emergency_case, chair, "5000.00", method="bank_transfer",
        payment_reference="农行惠山支行 20261124-0087",
    )  # fmt: skip
    assert paid.payment_reference == "农行惠山支行 20261124-0087"
    assert balance(funded) == Decimal("5000.00")


def test_an_advance_above_the_cap_is_refused(fund, donate, emergency_case, chair):
    donate(fund, "50000.00")
    with pytest.raises(DomainError) as error:
        advance(fund, emergency_case, chair, "20000.01")
    assert error.value.code == "above_advance_cap"
    assert balance(fund) == Decimal("50000.00")


def test_only_named_officers_advance_and_only_for_emergencies(
    tree, funded, emergency_case, case, officer, chair
):
    with pytest.raises(PermissionDenied):
        advance(funded, emergency_case, officer, "100.00")
    with pytest.raises(DomainError) as error:
        advance(funded, case, chair, "100.00")
    assert error.value.code == "not_emergency"


def test_two_approvers_other_than_the_payer_ratify_an_advance(
    funded, emergency_case, chair, approver1, approver2
):
    disbursement = advance(funded, emergency_case, chair, "5000.00")
    with pytest.raises(PermissionDenied):
        services.advance_ratify(actor=chair, disbursement=disbursement)
    disbursement = services.advance_ratify(actor=approver1, disbursement=disbursement)
    assert disbursement.is_unratified
    with pytest.raises(Conflict):
        services.advance_ratify(actor=approver1, disbursement=disbursement)
    disbursement = services.advance_ratify(actor=approver2, disbursement=disbursement)
    assert not disbursement.is_unratified


def test_an_advance_not_ratified_in_time_escalates_to_the_parent_once(
    tree, funded, emergency_case, chair
):
    station_lead = staff(tree.station_a, Membership.Role.DISTRICT_ADMIN, username="lead")
    disbursement = advance(funded, emergency_case, chair, "5000.00")
    assert services.escalate_unratified_advances(now=disbursement.ratify_due_at) == 0
    later = disbursement.ratify_due_at + datetime.timedelta(minutes=1)
    assert services.escalate_unratified_advances(now=later) == 1
    assert services.escalate_unratified_advances(now=later) == 0
    assert Notification.objects.filter(recipient=station_lead, kind="advance_unratified").exists()
    assert Disbursement.objects.unratified_advances().filter(pk=disbursement.pk).exists()


def test_an_approver_may_refuse_to_ratify_an_advance_which_is_then_reported_and_stays_flagged(
    tree, funded, emergency_case, chair, approver1, approver2
):
    staff(tree.station_a, Membership.Role.DISTRICT_ADMIN, username="lead")
    disbursement = advance(funded, emergency_case, chair, "5000.00")
    with pytest.raises(DomainError) as no_reason:
        services.advance_refuse_ratification(
            actor=approver1, disbursement=disbursement, comment=" "
        )
    assert no_reason.value.field == "comment"
    assert Disbursement.objects.get(pk=disbursement.pk).ratification_refused_at is None
    with pytest.raises(PermissionDenied):  # the chair may not judge payments at all
        services.advance_refuse_ratification(actor=chair, disbursement=disbursement, comment="x")
    # Nor, were the chair an approver too, the advance they paid themselves.
    Membership.objects.create(user=chair, organization=tree.station_a, role="fund_approver")
    access_for(chair, refresh=True)
    with pytest.raises(DomainError) as own:
        services.advance_refuse_ratification(actor=chair, disbursement=disbursement, comment="x")
    assert own.value.code == "own_request"
    Membership.objects.filter(user=chair, role="fund_approver").delete()
    access_for(chair, refresh=True)

    disbursement = services.advance_refuse_ratification(
        actor=approver1, disbursement=disbursement, comment="伤情不符合紧急垫付条件"
    )
    assert disbursement.ratification_refused_at and disbursement.escalated_at
    assert disbursement.is_unratified and disbursement.status == "paid"
    refusal = disbursement.approvals.get()
    assert (refusal.decision, refusal.is_ratification) == ("reject", True)
    told = set(
        Notification.objects.filter(kind="advance_unratified").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"lead", chair.username} <= told

    # Nobody ratifies it now and it leaves the queue; the deadline sends no second report.
    with pytest.raises(Conflict) as late:
        services.advance_ratify(actor=approver2, disbursement=disbursement)
    assert late.value.code == "ratification_refused"
    assert "ratify" not in services.disbursement_actions(disbursement, approver2)
    assert not services.approval_queue(approver2)[1].filter(pk=disbursement.pk).exists()
    later = disbursement.ratify_due_at + datetime.timedelta(minutes=1)
    assert services.escalate_unratified_advances(now=later) == 0
    assert Disbursement.objects.unratified_advances().filter(pk=disbursement.pk).exists()

    # Once the money is recovered and the payment reversed, it is no longer unratified.
    entry = LedgerEntry.objects.get(disbursement=disbursement, kind="disbursement")
    services.entry_reverse(actor=chair, entry=entry, reason="款项已追回", idempotency_key=key())
    assert not Disbursement.objects.unratified_advances().filter(pk=disbursement.pk).exists()


def test_a_list_is_taken_down_once_and_only_while_it_is_public(funded, donate, chair, auditor):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    disclosure = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    services.disclosure_withdraw(actor=chair, disclosure=disclosure, reason="名单有误")
    with pytest.raises(Conflict) as again:  # a second tab, a double tap
        services.disclosure_withdraw(actor=chair, disclosure=disclosure, reason="再次撤回")
    assert again.value.code == "not_public"
    disclosure.refresh_from_db()
    assert disclosure.withdrawn_reason == "名单有误"
    later = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    with (
        time_machine.travel(later.window_ends_at + datetime.timedelta(minutes=1)),
        pytest.raises(Conflict),
    ):
        services.disclosure_withdraw(actor=chair, disclosure=later, reason="过期后撤下")
    later.refresh_from_db()
    assert later.withdrawn_at is None  # it ended on its own: not "taken down early"


def test_closing_refuses_when_something_was_booked_into_the_period_after_the_preview(
    fund, donate, chair
):
    with time_machine.travel(datetime.datetime(2026, 10, 12, 2, tzinfo=datetime.UTC)):
        donate(fund, "6000.00")
    with time_machine.travel(datetime.datetime(2026, 11, 20, 2, tzinfo=datetime.UTC)):
        through = datetime.date(2026, 10, 31)
        shown = services.period_close_preview(actor=chair, fund=fund, through=through)
        donate(fund, "50.00", received_on=datetime.date(2026, 10, 30), donor_kind="anonymous")
        with pytest.raises(Conflict) as changed:
            services.period_close(actor=chair, fund=fund, through=through, expect=shown)
        assert changed.value.code == "books_changed"
        fund.refresh_from_db()
        assert fund.closed_through is None
        fresh = services.period_close_preview(actor=chair, fund=fund, through=through)
        assert fresh["closing"] == Decimal("6050.00") and fresh["entries"] == 2
        services.period_close(actor=chair, fund=fund, through=through, expect=fresh)
    fund.refresh_from_db()
    assert fund.closed_through == through


# ---- reversal, transfer, period close -----------------------------------------------------------


def test_a_reversal_books_the_opposite_and_keeps_the_original(funded, approved, chair):
    disbursement = approved(funded, "3000.00")
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=disbursement, idempotency_key=key()
    )
    entry = LedgerEntry.objects.get(disbursement=disbursement, kind="disbursement")
    reversal = services.entry_reverse(
        actor=chair, entry=entry, reason="重复支付", idempotency_key=key()
    )
    assert reversal.amount == Decimal("3000.00")
    assert reversal.reverses == entry
    assert balance(funded) == Decimal("10000.00")
    assert Disbursement.objects.get(pk=disbursement.pk).status == "reversed"
    # The worker, told of the payment, is told it no longer stands (not the internal reason).
    told = Notification.objects.get(recipient=disbursement.worker.user, kind="aid_reversed")
    assert "¥3,000.00" in told.title and "重复支付" not in told.title
    with pytest.raises(Conflict):
        services.entry_reverse(actor=chair, entry=entry, reason="再次冲销", idempotency_key=key())
    with pytest.raises(DomainError):
        services.entry_reverse(
            actor=chair, entry=reversal, reason="冲销有误", idempotency_key=key()
        )
    assert services.verify(funded) == []


def test_reversing_a_donation_cannot_overdraw(funded, approved, chair, donate):
    donation = Donation.objects.get()
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "9000.00"),
        idempotency_key=key(),
    )
    entry = LedgerEntry.objects.get(donation=donation, kind="donation")
    with pytest.raises(Conflict):
        services.entry_reverse(actor=chair, entry=entry, reason="退回捐款", idempotency_key=key())
    assert balance(funded) == Decimal("1000.00")


def test_a_transfer_books_both_entries_or_neither(tree, funded, chair):
    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    out, into = services.fund_transfer(
        actor=chair, source=funded, target=other, amount=Decimal("2500.00"), memo="调剂",
        idempotency_key="t-1",
    )  # fmt: skip
    assert (balance(funded), balance(other)) == (Decimal("7500.00"), Decimal("2500.00"))
    assert out.transfer_id == into.transfer_id
    with pytest.raises(Conflict):
        services.fund_transfer(
            actor=chair, source=funded, target=other, amount=Decimal("7500.01"), memo="调剂",
            idempotency_key="t-2",
        )  # fmt: skip
    assert (balance(funded), balance(other)) == (Decimal("7500.00"), Decimal("2500.00"))
    services.entry_reverse(actor=chair, entry=into, reason="转错基金", idempotency_key=key())
    assert (balance(funded), balance(other)) == (Decimal("10000.00"), Decimal("0.00"))


def test_taking_a_transfer_back_never_takes_what_approved_payments_wait_for(
    tree, funded, approved, chair
):
    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    into = services.fund_transfer(
        actor=chair, source=funded, target=other, amount=Decimal("4000.00"), memo="调剂",
        idempotency_key=key(),
    )[1]  # fmt: skip
    approved(other, "3000.00")  # the receiving fund has promised 3,000 of the 4,000
    entries = LedgerEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        services.entry_reverse(actor=chair, entry=into, reason="转错基金", idempotency_key=key())
    assert refused.value.code == "insufficient_available"
    assert str(refused.value) == (
        "伟达五金助学基金余额¥4,000.00，其中已批待付¥3,000.00：收回调入的¥4,000.00会使这些款项"
        "无法支付。请先支付或取消已批准的款项，或调回不超过¥1,000.00。"
    )
    assert LedgerEntry.objects.count() == entries
    assert (balance(funded), balance(other)) == (Decimal("6000.00"), Decimal("4000.00"))
    assert services.verify(funded) == services.verify(other) == []


def test_a_donation_spent_already_cannot_be_reversed_and_says_why(funded, approved, chair):
    services.disbursement_pay(
        payment_reference="SJ-0002",
        actor=chair,
        disbursement=approved(funded, "9500.00"),
        idempotency_key=key(),
    )
    entry = LedgerEntry.objects.get(kind="donation")
    with pytest.raises(Conflict) as refused:
        services.entry_reverse(actor=chair, entry=entry, reason="退回捐款", idempotency_key=key())
    assert refused.value.code == "insufficient_balance"
    assert "支付" not in str(refused.value)  # not the words of a payment refused
    assert str(refused.value).startswith(
        "伟达五金员工扶助基金现有余额¥500.00，少于此笔入账的¥10,000.00"
    )


def test_a_fund_pays_only_workers_of_its_own_organisation_and_below(
    tree, funded, worker, worker_b, district_admin, request_payment, officer
):
    from unionhub.funds.models import Fund

    entries = (Disbursement.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(DomainError) as refused:
        request_payment(funded, "500.00", actor=district_admin, worker=worker_b)
    assert (refused.value.code, refused.value.field) == ("worker_outside_fund", "fund")
    assert str(refused.value) == (
        "伟达五金员工扶助基金只为无锡伟达五金有限公司工会及其下属组织的职工付款；李娜属于"
        f"{tree.union_b.name}。请向其所在组织的基金申请，或将诉求转给基金能覆盖双方的上级组织。"
    )
    assert (Disbursement.objects.count(), LedgerEntry.objects.count()) == entries
    # The fund's own worker, and a district fund for anyone in the district, are asked as before.
    assert request_payment(funded, "500.00", worker=worker).status == "requested"
    district_fund = make_fund(tree.district, code="hs-kn", name="惠山区困难职工帮扶资金")
    paid_for_b = request_payment(district_fund, "500.00", actor=district_admin, worker=worker_b)
    assert paid_for_b.status == "requested"
    # The page's fund list for worker B's request offers the district's fund, not union A's.
    case_b = case_services.case_submit(
        actor=district_admin, worker=worker_b,
        category=ServiceCategory.objects.get(code="hardship_relief"), channel="phone",
        summary="家庭困难", description="丈夫病重，申请帮扶。",
    )  # fmt: skip
    assert list(Fund.objects.to_ask_for(district_admin, case_b)) == [district_fund]


def test_a_transfer_needs_rights_over_both_funds(funded, fund_b, chair):
    with pytest.raises(PermissionDenied):
        services.fund_transfer(
            actor=chair, source=funded, target=fund_b, amount=Decimal("1.00"), memo="x",
            idempotency_key=key(),
        )  # fmt: skip


def test_a_transfer_never_takes_what_approved_payments_are_waiting_for(
    tree, funded, approved, chair
):
    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    approved(funded, "3000.00")  # approved, not yet paid: 7,000 of the 10,000 is available
    entries = LedgerEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        services.fund_transfer(
            actor=chair, source=funded, target=other, amount=Decimal("7000.01"), memo="调剂",
            idempotency_key=key(),
        )  # fmt: skip
    assert refused.value.field == "amount"
    assert refused.value.code == "insufficient_available"
    assert str(refused.value) == (
        "伟达五金员工扶助基金余额¥10,000.00，其中已批待付¥3,000.00：可调出的只有¥7,000.00，"
        "不能调出¥7,000.01。请调出不超过¥7,000.00，或先支付、取消已批准的款项。"
    )
    assert "申请调拨" not in str(refused.value)
    assert LedgerEntry.objects.count() == entries
    assert (balance(funded), balance(other)) == (Decimal("10000.00"), Decimal("0.00"))
    services.fund_transfer(
        actor=chair, source=funded, target=other, amount=Decimal("7000.00"), memo="调剂",
        idempotency_key=key(),
    )  # fmt: skip
    assert (balance(funded), balance(other)) == (Decimal("3000.00"), Decimal("7000.00"))


def test_a_transfer_above_the_balance_says_how_much_can_be_transferred(tree, funded, chair):
    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    with pytest.raises(Conflict) as refused:
        services.fund_transfer(
            actor=chair, source=funded, target=other, amount=Decimal("20000.00"), memo="调剂",
            idempotency_key=key(),
        )  # fmt: skip
    assert refused.value.field == "amount"
    assert str(refused.value) == (
        "伟达五金员工扶助基金余额¥10,000.00，不能调出¥20,000.00。请调出不超过¥10,000.00。"
    )
    assert not LedgerEntry.objects.filter(kind="transfer").exists()
    assert balance(funded) == Decimal("10000.00")


def test_a_transfer_made_from_above_tells_the_source_funds_managers(
    tree, funded, fund_b, chair, district_admin
):
    into_b = services.fund_transfer(
        actor=district_admin, source=funded, target=fund_b, amount=Decimal("1000.00"),
        memo="区总统筹调剂", idempotency_key=key(),
    )[1]  # fmt: skip
    assert balance(fund_b) == into_b.balance_after == Decimal("1000.00")
    notice = Notification.objects.get(kind="fund_transfer_out")
    assert notice.recipient == chair
    assert notice.title == "¥1,000.00已由周建华从伟达五金员工扶助基金调出至堰桥纺织员工扶助基金"
    assert notice.url == reverse("funds:fund-ledger", args=[funded.code])
    # The chair moving money between the union's own funds tells nobody.
    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    services.fund_transfer(
        actor=chair, source=funded, target=other, amount=Decimal("100.00"), memo="调剂",
        idempotency_key=key(),
    )  # fmt: skip
    assert Notification.objects.filter(kind="fund_transfer_out").count() == 1


def test_a_closed_period_takes_no_more_entries(fund, donate, chair):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(fund, "100.00", received_on=yesterday - datetime.timedelta(days=5))
    services.period_close(actor=chair, fund=fund, through=yesterday)
    with pytest.raises(DomainError) as error:
        donate(fund, "100.00", received_on=yesterday)
    assert error.value.code == "period_closed"
    with pytest.raises(DomainError):
        services.period_close(
            actor=chair, fund=fund, through=yesterday - datetime.timedelta(days=1)
        )
    with pytest.raises(DomainError):
        services.period_close(actor=chair, fund=fund, through=timezone.localdate())
    # A mistake in the closed period is corrected by a reversal booked today.
    entry = LedgerEntry.objects.get()
    reversal = services.entry_reverse(
        actor=chair, entry=entry, reason="退款冲回", idempotency_key=key()
    )
    assert reversal.entry_date == timezone.localdate()


def test_posted_entries_cannot_be_changed_or_deleted(funded):
    entry = LedgerEntry.objects.get()
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().update(memo="x")
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()


def test_the_database_refuses_a_negative_balance(funded):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_fund SET balance = -1 WHERE id = %s", [funded.pk])


# ---- disclosure -------------------------------------------------------------------------------


def test_a_disclosure_masks_names_and_keeps_anonymous_donors_anonymous(
    funded, approved, chair, donate, worker
):
    with days_ago(1):
        donate(funded, "300.00", donor_kind="anonymous")
        donate(funded, "500.00", donor_kind="person", donor_name="王小明")
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(funded, "800.00"),
            idempotency_key=key(),
        )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    disclosure = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    names = set(disclosure.lines.values_list("name", flat=True))
    assert "王*明" in names
    assert worker.name not in names
    assert "王小明" not in names
    beneficiary = disclosure.lines.get(kind="beneficiary")
    assert beneficiary.name == "王*明"  # the worker fixture is 王小明 as well


def test_working_days_skip_weekends_and_public_holidays(db):
    from unionhub.core.calendar import add_working_days

    friday = timezone.make_aware(datetime.datetime(2026, 11, 20, 10))
    assert add_working_days(friday, 5) == friday + datetime.timedelta(days=7)
    # Published on the Tuesday before National Day 2026: 30 September counts, 1 to 7 October are
    # the holiday, then 8, 9, 10 (a Saturday made a working day) and 12 October.
    tuesday = timezone.make_aware(datetime.datetime(2026, 9, 29, 9))
    assert add_working_days(tuesday, 5).date() == datetime.date(2026, 10, 12)
    # Before the Spring Festival: Saturday 14 February is worked, 15 to 23 February are off.
    assert add_working_days(
        timezone.make_aware(datetime.datetime(2026, 2, 12, 9)), 3
    ).date() == datetime.date(2026, 2, 24)


def test_an_objection_is_recorded_only_inside_the_window(funded, donate, chair):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    disclosure = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    services.objection_record(actor=chair, disclosure=disclosure, content="金额有疑问")
    with pytest.raises(DomainError):
        services.objection_record(
            actor=chair,
            disclosure=disclosure,
            content="太晚了",
            received_at=disclosure.window_ends_at + datetime.timedelta(hours=1),
        )


def test_an_objection_is_not_recorded_as_received_in_the_future(funded, donate, chair):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    disclosure = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    later = timezone.now() + datetime.timedelta(hours=2)  # still inside the window
    assert later < disclosure.window_ends_at
    with pytest.raises(DomainError) as refused:
        services.objection_record(
            actor=chair, disclosure=disclosure, content="金额有疑问", received_at=later
        )
    assert (refused.value.code, refused.value.field) == ("received_in_future", "received_at")
    with pytest.raises(DomainError) as early:
        services.objection_record(
            actor=chair,
            disclosure=disclosure,
            content="金额有疑问",
            received_at=disclosure.published_at - datetime.timedelta(minutes=5),
        )
    assert early.value.field == "received_at"
    assert not disclosure.objections.exists()
    # A desk clock a few minutes fast is not refused.
    services.objection_record(
        actor=chair, disclosure=disclosure, content="金额有疑问",
        received_at=timezone.now() + datetime.timedelta(minutes=3),
    )  # fmt: skip
    assert disclosure.objections.count() == 1


# ---- fund review --------------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_sample():
    ids = list(range(1, 101))
    first = services.draw_sample(ids, Decimal("0.30"), 20261124)
    assert first == services.draw_sample(list(reversed(ids)), Decimal("0.30"), 20261124)
    assert len(first) == 30
    assert first != services.draw_sample(ids, Decimal("0.30"), 20261125)
    assert services.draw_sample([7], Decimal("0.10"), 1) == [7]
    assert services.draw_sample([], Decimal("0.30"), 1) == []


def test_a_review_samples_checks_finds_and_closes(funded, approved, chair, auditor):
    for _ in range(6):
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(funded, "500.00"),
            idempotency_key=key(),
        )
    today = timezone.localdate()
    review = services.audit_open(
        actor=auditor, fund=funded, period_start=today, period_end=today, share="0.5", seed=42
    )
    assert review.population == 6
    assert review.items.count() == 3
    # Anyone can redraw the same sample from the recorded seed.
    population = services.audit_population(funded, today, today).values_list("pk", flat=True)
    assert list(review.items.values_list("disbursement", flat=True)) == services.draw_sample(
        list(population), review.share, review.seed
    )
    with pytest.raises(DomainError):
        services.audit_close(actor=auditor, review=review, conclusion="合规")
    for item in review.items.all():
        services.audit_check(
            actor=auditor, item=item, checks={"approvals": True, "eligibility": True,
                                              "evidence": True, "amount": True},
            evidence_note="审批单、回单齐全",
        )  # fmt: skip
    finding = services.finding_add(
        actor=auditor, review=review, description="台账登记不及时", severity="low",
        owner=chair, deadline=today + datetime.timedelta(days=10),
    )  # fmt: skip
    services.finding_rectify(actor=chair, finding=finding, note="已补登")
    services.audit_close(actor=auditor, review=review, conclusion="资金使用规范。")
    review.refresh_from_db()
    assert review.status == "closed"


def test_a_period_already_under_review_is_not_drawn_again_with_another_seed(
    funded, approved, chair, auditor
):
    today = timezone.localdate()
    with days_ago(10):
        services.disbursement_pay(
            payment_reference="SJ-0001", actor=chair, disbursement=approved(funded, "500.00"),
            idempotency_key=key(),
        )  # fmt: skip
    start, end = today - datetime.timedelta(days=14), today - datetime.timedelta(days=7)
    review = services.audit_open(
        actor=auditor, fund=funded, period_start=start, period_end=end, share="1", seed=42
    )
    entries = AuditEntry.objects.filter(action="funds.audit.opened").count()
    for closed in (False, True):
        if closed:
            for item in review.items.all():
                services.audit_check(
                    actor=auditor, item=item, checks=dict.fromkeys(AuditItem.CHECKS, True),
                    evidence_note="审批单、回单齐全",
                )  # fmt: skip
            services.audit_close(actor=auditor, review=review, conclusion="资金使用规范。")
        # Any shared day refuses, whatever the seed: the same period, or one overlapping it.
        for overlap in ((start, end), (end, today), (start - datetime.timedelta(days=3), start)):
            with pytest.raises(Conflict) as refused:
                services.audit_open(
                    actor=auditor, fund=funded, period_start=overlap[0], period_end=overlap[1],
                    share="1", seed=7,
                )  # fmt: skip
            assert refused.value.field == "period_start"
            assert refused.value.code == "period_reviewed"
            status = "已关闭" if closed else "办理中"
            assert str(refused.value) == (
                f"伟达五金员工扶助基金{start.isoformat()}至{end.isoformat()}的支出已在"
                f"{today.isoformat()}由顾明远开启的审查中（{status}）：同一期间只抽样一次。"
                f"请选择{end.isoformat()}之后开始或{start.isoformat()}之前结束的期间。"
            )
    assert FundAudit.objects.count() == 1
    assert AuditEntry.objects.filter(action="funds.audit.opened").count() == entries
    # The days after it are open to review.
    services.disbursement_pay(
        payment_reference="SJ-0002", actor=chair, disbursement=approved(funded, "300.00"),
        idempotency_key=key(),
    )  # fmt: skip
    assert services.audit_open(
        actor=auditor, fund=funded, period_start=end + datetime.timedelta(days=1),
        period_end=today, share="1",
    ).population == 1  # fmt: skip


def test_a_period_without_payments_has_nothing_to_sample(funded, approved, auditor):
    approved(funded, "500.00")  # approved, not paid: not a payment to review
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    with pytest.raises(DomainError) as refused:
        services.audit_open(
            actor=auditor, fund=funded, period_start=start, period_end=today, share="0.3"
        )
    assert refused.value.code == "nothing_to_sample"
    assert str(refused.value) == (
        f"伟达五金员工扶助基金在{start.isoformat()}至{today.isoformat()}期间没有支出，"
        "无可抽样的款项。请选择有支出的期间。"
    )
    assert not FundAudit.objects.exists()


def test_an_auditor_reads_but_never_writes_money(funded, approved, auditor, emergency_case):
    disbursement = approved(funded, "100.00")
    with pytest.raises(PermissionDenied):
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=auditor,
            disbursement=disbursement,
            idempotency_key=key(),
        )
    with pytest.raises(PermissionDenied):
        services.donation_record(
            actor=auditor, fund=funded, donor_kind="anonymous", amount=Decimal("1.00"),
            channel="cash", received_on=timezone.localdate(), idempotency_key=key(),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.disbursement_approve(actor=auditor, disbursement=disbursement)


def test_verify_ledger_reports_a_tampered_balance(funded, capsys):
    from django.core.management import call_command

    call_command("verify_ledger")
    assert "All 1 funds balance" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("UPDATE funds_fund SET balance = balance + 1 WHERE id = %s", [funded.pk])
    with pytest.raises(SystemExit) as exit_code:
        call_command("verify_ledger")
    assert exit_code.value.code == 1
    assert "entries sum to" in capsys.readouterr().err


def test_statement_adds_up(funded, approved, chair, donate):
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "1234.56"),
        idempotency_key=key(),
    )
    donate(funded, "0.44", donor_kind="anonymous")
    today = timezone.localdate()
    statement = services.statement(funded, today, today)
    assert statement["opening"] == 0
    assert statement["total_in"] == Decimal("10000.44")
    assert statement["total_out"] == Decimal("1234.56")
    assert statement["closing"] == balance(funded) == Decimal("8765.88")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        later = services.statement(funded, timezone.localdate(), timezone.localdate())
    assert later["opening"] == later["closing"] == Decimal("8765.88")


def test_a_statement_nets_each_reversal_against_what_it_corrects(
    tree, funded, approved, chair, donate
):
    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    donate(other, "1000.00")
    paid = services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "300.00"),
        idempotency_key=key(),
    )
    gift = donate(funded, "50.00")
    out, _into = services.fund_transfer(
        actor=chair, source=funded, target=other, amount=Decimal("200.00"), memo="调剂",
        idempotency_key=key(),
    )  # fmt: skip
    into, _out = services.fund_transfer(
        actor=chair, source=other, target=funded, amount=Decimal("70.00"), memo="调剂",
        idempotency_key=key(),
    )[::-1]  # fmt: skip
    for entry in (
        LedgerEntry.objects.get(disbursement=paid, kind="disbursement"),
        LedgerEntry.objects.get(donation=gift, kind="donation"),
        out,
        into,
    ):
        services.entry_reverse(actor=chair, entry=entry, reason="更正错账", idempotency_key=key())
    today = timezone.localdate()
    with translation.override("en"):
        statement = services.statement(funded, today, today)
    money_in, money_out = dict(statement["money_in"]), dict(statement["money_out"])
    # Each on the side of what it corrects, lowering it: a reversed donation is not money out.
    assert money_in["Less: Donations reversed"] == Decimal("-50.00")
    assert money_in["Less: Transfers from other funds reversed"] == Decimal("-70.00")
    assert money_out["Hardship relief"] == Decimal("300.00")  # its reversal right under it
    assert money_out["Less: Hardship relief payments reversed"] == Decimal("-300.00")
    assert money_out["Less: Transfers to other funds reversed"] == Decimal("-200.00")
    # What truly came in and went out: the donation (10,000 + 50 − 50) and no net transfer.
    assert statement["total_in"] == Decimal("10000.00")
    assert statement["total_out"] == Decimal("0.00")
    assert statement["closing"] == balance(funded) == Decimal("10000.00")


def test_case_fixture_is_not_an_emergency(case):
    assert case.urgency != Case.Urgency.EMERGENCY


@pytest.mark.django_db
def test_sums_of_money_are_exact_on_every_database(fund, donate):
    """SQLite keeps decimals as floating point, where ten 0.10s and a 0.01 make
    1.0099999999999998; the ledger's sums, statement and verification stay exact."""
    for amount in ["0.10"] * 10 + ["0.01"]:
        donate(fund, amount)
    total = LedgerEntry.objects.filter(fund=fund).aggregate(s=MoneySum("amount"))["s"]
    assert total == Decimal("1.01") and total.as_tuple().exponent == -2
    assert LedgerEntry.objects.filter(pk=0).aggregate(s=MoneySum("amount"))["s"] is None
    today = timezone.localdate()
    report = services.statement(fund, today.replace(day=1), today)
    assert report["total_in"] == report["closing"] == Decimal("1.01")
    fund.refresh_from_db()
    assert fund.balance == Decimal("1.01")
    assert services.verify(fund) == []


def test_the_sample_size_is_exact_decimal_arithmetic():
    """7% of 100 payments is 7 (as a float, 100 × 0.07 is 7.000000000000001 and rounds up to 8)."""
    assert len(services.draw_sample(list(range(1, 101)), Decimal("0.07"), seed=1)) == 7
    assert len(services.draw_sample(list(range(1, 101)), Decimal("0.071"), seed=1)) == 8
    assert len(services.draw_sample([5], Decimal("0.01"), seed=1)) == 1


def test_a_payments_ledger_entry_does_not_carry_the_beneficiarys_name(
    funded, approved, chair, worker
):
    payment = approved(funded, "800.00")
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=payment, idempotency_key=key()
    )
    entry = LedgerEntry.objects.get(disbursement=payment)
    assert worker.name not in entry.memo
    assert entry.memo.startswith(payment.category.name)


def test_an_advance_officer_without_a_role_that_may_ask_for_money_cannot_advance(
    tree, fund, donate, emergency_case
):
    """Named by the fund once, but now only an auditor: the advance is refused."""
    donate(fund, "50000.00")
    former = staff(
        tree.union_a, Membership.Role.FUND_AUDITOR, username="former", full_name="周建华"
    )
    fund.advance_officers.add(former)
    with pytest.raises(PermissionDenied):
        advance(fund, emergency_case, former, "5000.00")
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        [{"up_to": "2,000", "approvers": 1}, {"up_to": None, "approvers": 2}],
        [{"up_to": "2000.00", "approvers": 1}],
        [{"up_to": "2000.00", "approvers": 1}, {"up_to": None, "approvers": 1}],
        [{"up_to": "5000.00", "approvers": 1}, {"up_to": "2000.00", "approvers": 1},
         {"up_to": None, "approvers": 2}],
        "two approvers",
    ],
)  # fmt: skip
def test_approval_tiers_typed_in_the_admin_are_checked(fund, tiers):
    from django.core.exceptions import ValidationError

    fund.approval_tiers = tiers
    with pytest.raises(ValidationError) as refused:
        fund.clean()
    assert "approval_tiers" in refused.value.message_dict


def test_the_usual_approval_tiers_pass_and_decide_the_approvers(fund):
    fund.clean()
    assert fund.approvals_needed(Decimal("2000.00")) == 1
    assert fund.approvals_needed(Decimal("2000.01")) == 2


# ---- idempotency keys ---------------------------------------------------------------------------


def test_a_key_reused_for_a_different_request_is_refused_and_changes_nothing(
    tree, funded, request_payment, approved, donate, chair
):
    same = key()
    first = request_payment(funded, "800.00", idempotency_key=same)
    assert request_payment(funded, "800.00", idempotency_key=same).pk == first.pk
    with pytest.raises(Conflict) as error:
        request_payment(funded, "900.00", idempotency_key=same)
    assert error.value.code == "idempotency_key_reused"
    assert Disbursement.objects.count() == 1

    used = key()
    donate(funded, "50.00", idempotency_key=used)
    with pytest.raises(Conflict):
        donate(funded, "60.00", idempotency_key=used)

    # A payment's key sent again for another payment must not report that one as paid.
    one, other = approved(funded, "100.00"), approved(funded, "200.00")
    pay_key = key()
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=one, idempotency_key=pay_key
    )
    with pytest.raises(Conflict):
        services.disbursement_pay(
            payment_reference="SJ-0001", actor=chair, disbursement=other, idempotency_key=pay_key
        )
    assert Disbursement.objects.get(pk=other.pk).status == "approved"

    second = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    move = {"actor": chair, "source": funded, "target": second, "memo": "调剂"}
    services.fund_transfer(**move, amount=Decimal("10.00"), idempotency_key="t-9")
    with pytest.raises(Conflict):
        services.fund_transfer(**move, amount=Decimal("11.00"), idempotency_key="t-9")

    payment = LedgerEntry.objects.get(disbursement=one)
    donation = LedgerEntry.objects.get(kind="donation", donation__idempotency_key=used)
    services.entry_reverse(actor=chair, entry=payment, reason="重复支付", idempotency_key="r-9")
    with pytest.raises(Conflict):
        services.entry_reverse(
            actor=chair, entry=donation, reason="捐款退回", idempotency_key="r-9"
        )

    assert balance(funded) == Decimal("10040.00")  # 10,000 + 50 − 100 − 10 + 100
    assert balance(second) == Decimal("10.00")
    assert LedgerEntry.objects.count() == 6
    assert services.verify(funded) == [] and services.verify(second) == []


def test_an_advance_sent_twice_is_paid_once_and_its_key_cannot_pay_another(
    funded, emergency_case, chair
):
    same = key()
    first = advance(funded, emergency_case, chair, "1000.00", idempotency_key=same)
    assert advance(funded, emergency_case, chair, "1000.00", idempotency_key=same).pk == first.pk
    with pytest.raises(Conflict) as error:
        advance(funded, emergency_case, chair, "2000.00", idempotency_key=same)
    assert error.value.code == "idempotency_key_reused"
    assert balance(funded) == Decimal("9000.00")


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "201.00"},
        {"donor_name": "李四"},
        {"donor_kind": "person"},
        {"donor_kind": "anonymous"},
        {"channel": "cash"},
        {"received_on": timezone.localdate() - datetime.timedelta(days=1)},
        {"collection": "2026年“送温暖”募捐"},
        {"note": "现金"},
    ],
)
def test_a_donation_key_reused_with_anything_else_different_is_refused(fund, donate, change):
    same = key()
    first = donate(fund, "200.00", idempotency_key=same)
    with pytest.raises(Conflict) as error:
        donate(fund, **{"amount": "200.00", **change}, idempotency_key=same)
    assert error.value.code == "idempotency_key_reused"
    assert list(Donation.objects.all()) == [first]
    assert balance(fund) == Decimal("200.00")


def test_a_donation_sent_again_as_typed_is_the_same_donation(fund, donate):
    same = key()
    typed = {"donor_name": " 张三 ", "donor_kind": "person", "note": "现金 ", "collection": ""}
    first = donate(fund, "200.00", idempotency_key=same, **typed)
    assert donate(fund, "200.00", idempotency_key=same, **typed).pk == first.pk
    assert Donation.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"method": "bank_transfer"},
        {"reason": "另一个理由"},
        {"urgent": True},
        {"category": "medical_aid"},
    ],
)
def test_a_payment_request_key_reused_with_anything_else_different_is_refused(
    funded, request_payment, change
):
    same = key()
    first = request_payment(funded, "800.00", idempotency_key=same)
    if "category" in change:
        change = {"category": ServiceCategory.objects.get(code=change["category"])}
    with pytest.raises(Conflict) as error:
        request_payment(funded, "800.00", idempotency_key=same, **change)
    assert error.value.code == "idempotency_key_reused"
    assert list(Disbursement.objects.all()) == [first]


def test_a_payment_request_on_a_request_sent_again_is_the_same_payment(
    funded, request_payment, case
):
    same = key()
    first = request_payment(funded, idempotency_key=same, case=case, category=None)
    again = request_payment(funded, idempotency_key=same, case=case, category=None)
    assert again.pk == first.pk
    with pytest.raises(Conflict):
        request_payment(funded, idempotency_key=same, category=None, case=None)


def test_a_pay_key_reused_with_another_voucher_or_payment_is_refused(funded, approved, chair):
    first, second = approved(funded, "600.00"), approved(funded, "400.00")
    pay = services.disbursement_pay
    pay(payment_reference="SJ-0001", actor=chair, disbursement=first, idempotency_key="pay-1")
    # The same voucher sent again, spaces and all, is the same payment.
    pay(payment_reference=" SJ-0001 ", actor=chair, disbursement=first, idempotency_key="pay-1")
    for disbursement, reference in ((first, "SJ-0002"), (second, "SJ-0001")):
        with pytest.raises(Conflict) as error:
            pay(
                payment_reference=reference,
                actor=chair,
                disbursement=disbursement,
                idempotency_key="pay-1",
            )
        assert error.value.code == "idempotency_key_reused"
    assert Disbursement.objects.get(pk=first.pk).payment_reference == "SJ-0001"
    assert Disbursement.objects.get(pk=second.pk).status == "approved"
    assert balance(funded) == Decimal("9400.00")


def test_an_advance_transfer_or_reversal_key_reused_with_other_words_is_refused(
    tree, funded, emergency_case, chair
):
    same = key()
    advance(funded, emergency_case, chair, "1000.00", idempotency_key=same)
    with pytest.raises(Conflict):
        advance(funded, emergency_case, chair, "1000.00", idempotency_key=same, reason="另一理由")
    second = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    move = {"actor": chair, "source": funded, "target": second, "amount": Decimal("10.00")}
    out, _into = services.fund_transfer(**move, memo="调剂", idempotency_key="t-1")
    with pytest.raises(Conflict):
        services.fund_transfer(**move, memo="另一笔调剂", idempotency_key="t-1")
    services.entry_reverse(actor=chair, entry=out, reason="转错基金", idempotency_key="r-1")
    with pytest.raises(Conflict):
        services.entry_reverse(actor=chair, entry=out, reason="别的原因", idempotency_key="r-1")
    assert balance(funded) == Decimal("9000.00")
    assert balance(second) == Decimal("0.00")


# ---- who may act on a payment -------------------------------------------------------------------


ACTIONS = {
    "approve": lambda actor, d: services.disbursement_approve(actor=actor, disbursement=d),
    "reject": lambda actor, d: services.disbursement_reject(
        actor=actor, disbursement=d, comment="材料不全"
    ),
    "ratify": lambda actor, d: services.advance_ratify(actor=actor, disbursement=d),
    "refuse_ratification": lambda actor, d: services.advance_refuse_ratification(
        actor=actor, disbursement=d, comment="不符合垫付条件"
    ),
    "pay": lambda actor, d: services.disbursement_pay(
        payment_reference="SJ-0001", actor=actor, disbursement=d, idempotency_key=key()
    ),
    "cancel": lambda actor, d: services.disbursement_cancel(
        actor=actor, disbursement=d, reason="重复申请"
    ),
    "reverse": lambda actor, d: services.entry_reverse(
        actor=actor,
        entry=LedgerEntry.objects.filter(disbursement=d, kind="disbursement").first()
        or _nothing_to_reverse(),
        reason="误付冲回",
        idempotency_key=key(),
    ),
}


def _nothing_to_reverse():
    raise DomainError("no payment to reverse")


class _Undo(Exception):
    pass


def _succeeds(action: str, actor, disbursement) -> bool:
    """Whether the service lets ``actor`` take ``action``; whatever it did is rolled back."""
    try:
        with transaction.atomic():
            ACTIONS[action](actor, Disbursement.objects.get(pk=disbursement.pk))
            raise _Undo
    except _Undo:
        return True
    except (DomainError, PermissionDenied):
        return False


def test_what_a_payment_page_offers_is_exactly_what_the_services_allow(
    funded, request_payment, emergency_case, chair, officer, approver1, approver2, auditor,
    workmate,
):  # fmt: skip
    people = {
        "chair": chair, "officer": officer, "approver1": approver1, "approver2": approver2,
        "auditor": auditor,
    }  # fmt: skip
    requested = request_payment(funded, "3000.00")
    still_half = services.disbursement_approve(
        actor=approver1, disbursement=request_payment(funded, "4000.00")
    )
    approved = services.disbursement_approve(
        actor=approver1, disbursement=request_payment(funded, "2500.00")
    )
    approved = services.disbursement_approve(actor=approver2, disbursement=approved)
    paid = services.disbursement_approve(  # another worker's: one approver is enough
        actor=approver1, disbursement=request_payment(funded, "500.00", worker=workmate)
    )
    paid = services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=paid, idempotency_key=key()
    )
    advanced = advance(funded, emergency_case, chair, "1000.00")
    states = {
        "requested": requested, "half approved": still_half, "approved": approved, "paid": paid,
        "advance": advanced,
    }  # fmt: skip
    offered = {}
    for state, disbursement in states.items():
        disbursement = Disbursement.objects.get(pk=disbursement.pk)
        for who, person in people.items():
            actions = services.disbursement_actions(disbursement, person)
            offered[(state, who)] = actions
            for action in ACTIONS:
                allowed = _succeeds(action, person, disbursement)
                assert (action in actions) == allowed, (state, who, action)

    assert offered[("requested", "approver1")] == ["approve", "reject"]
    assert offered[("requested", "chair")] == ["cancel"]  # their own request: never approve
    assert offered[("half approved", "approver1")] == []
    assert offered[("half approved", "approver2")] == ["approve", "reject"]
    assert offered[("approved", "chair")] == ["pay", "cancel"]
    assert offered[("paid", "chair")] == ["reverse"]
    assert offered[("advance", "approver1")] == ["ratify", "refuse_ratification"]
    assert offered[("advance", "chair")] == ["reverse"]  # paid it: others ratify
    assert all(offered[(state, "auditor")] == [] for state in states)


def test_the_requests_timeline_tells_the_money_story(
    funded, case, request_payment, approver1, chair
):
    def events():
        return list(case.events.filter(kind__in=["aid", "payment"]).values_list("kind", "body"))

    asked = request_payment(funded, "500.00", case=case)
    services.disbursement_approve(actor=approver1, disbursement=asked)
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=asked, idempotency_key=key()
    )
    turned_down = request_payment(funded, "800.00", case=case)
    services.disbursement_reject(actor=approver1, disbursement=turned_down, comment="已有其他救助")
    withdrawn = request_payment(funded, "300.00", case=case)
    services.disbursement_cancel(actor=chair, disbursement=withdrawn, reason="重复申请")
    payment = LedgerEntry.objects.get(disbursement=asked, kind="disbursement")
    services.entry_reverse(actor=chair, entry=payment, reason="账号错误", idempotency_key=key())

    kinds = [kind for kind, _body in events()]
    assert kinds == ["aid", "aid", "payment", "aid", "aid", "aid", "aid", "payment"]
    bodies = " ".join(body for _kind, body in events())
    for text in ("¥500.00", "已审批通过", "未获批准：已有其他救助", "已撤销", "重复申请", "已冲销"):
        assert text in bodies, text


def test_a_review_cannot_cover_a_period_still_to_come(funded, auditor):
    today = timezone.localdate()
    with pytest.raises(DomainError) as error:
        services.audit_open(
            actor=auditor, fund=funded, period_start=today,
            period_end=today + datetime.timedelta(days=30), share="0.3",
        )  # fmt: skip
    assert error.value.field == "period_end"
    assert not funded.audits.exists()


def test_no_money_is_asked_for_a_request_turned_down_or_withdrawn(
    tree, funded, request_payment, chair, worker, case
):
    case_services.case_reject(actor=chair, case=case, reason="不符合帮扶条件")
    with pytest.raises(Conflict) as refused:
        request_payment(funded, case=case)
    assert "不能申请" in str(refused.value.message)
    assert not funded.disbursements.exists()


def test_the_advance_cap_holds_for_the_request_not_each_advance(tree, funded, chair, worker):
    fire = case_services.case_submit(
        actor=chair, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中失火", description="晚上十点家中失火。",
    )  # fmt: skip
    fire = case_services.case_accept(actor=chair, case=fire)

    def advance(amount):
        return services.emergency_advance(
            payment_reference="SJ-0001",
            actor=chair, fund=funded, case=fire, amount=amount, method="cash",
            reason="垫付医院押金", idempotency_key=key(),
        )  # fmt: skip

    advance("6000.00")
    with pytest.raises(DomainError) as refused:
        advance("14000.01")  # the fund's cap is 20,000.00
    assert refused.value.code == "above_advance_cap"
    assert str(refused.value.message) == (
        "此诉求已有未经审批的垫付¥6,000.00，再加本次将超过伟达五金员工扶助基金的垫付上限"
        "¥20,000.00。请改为提交审批。"
    )
    advance("3000.00")
    assert funded.disbursements.filter(is_advance=True).count() == 2


@pytest.mark.parametrize(
    "method, voucher",
    [
        ("bank_transfer", "bank slip number"),
        ("cash", "receipt the recipient signed"),
        ("in_kind", "delivery note the recipient signed"),
    ],
)
def test_a_payment_is_recorded_with_its_voucher_number(
    tree, funded, approved, chair, method, voucher
):
    payment = approved(funded, "800.00", method=method)
    for blank in ("", "   "):
        with pytest.raises(DomainError) as refused, translation.override("en"):
            services.disbursement_pay(
                actor=chair, disbursement=payment, idempotency_key=key(), payment_reference=blank
            )
        assert refused.value.field == "payment_reference"
        assert voucher in str(refused.value)
    payment.refresh_from_db()
    assert payment.status == "approved" and not LedgerEntry.objects.filter(disbursement=payment)
    services.disbursement_pay(
        actor=chair, disbursement=payment, idempotency_key=key(), payment_reference=" HX001 "
    )
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.payment_reference == "HX001"


def test_an_advance_without_its_voucher_number_pays_nothing(tree, funded, emergency_case, chair):
    with pytest.raises(DomainError) as refused:
        advance(funded, emergency_case, chair, "1000.00", payment_reference="")
    assert refused.value.field == "payment_reference"
    assert not funded.disbursements.exists() and not funded.entries.filter(kind="disbursement")


def test_a_disclosure_covers_only_a_period_that_is_over(tree, funded, chair):
    today = timezone.localdate()
    for end in (today + datetime.timedelta(days=1), today):  # today's money is still coming in
        with pytest.raises(DomainError) as refused:
            services.disclosure_publish(
                actor=chair, fund=funded, period_start=today - datetime.timedelta(days=3),
                period_end=end,
            )  # fmt: skip
        assert refused.value.field == "period_end"
        assert refused.value.code == "period_not_over"
        assert str(refused.value) == (
            "公示的期间须已结束：截止日期最晚为昨天（今天的支出和捐赠仍在发生）。"
        )
    assert not funded.disclosures.exists()


def test_a_disclosure_of_a_period_with_nothing_paid_or_given_is_refused(
    tree, funded, approved, chair, donate
):
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    # A payment requested and approved but not paid, and a donation reversed, publish nothing.
    approved(funded, "300.00")
    with days_ago(3):
        gift = donate(funded, "50.00", donor_kind="anonymous")
    services.entry_reverse(
        actor=chair, entry=gift.entries.get(), reason="重复登记", idempotency_key=key()
    )
    with pytest.raises(DomainError) as refused:
        services.disclosure_publish(
            actor=chair, fund=funded, period_start=week_ago, period_end=yesterday
        )
    assert refused.value.code == "nothing_to_publish"
    assert str(refused.value) == (
        f"伟达五金员工扶助基金在{week_ago.isoformat()}至{yesterday.isoformat()}期间没有支出，"
        "也没有收到捐赠，无可公示的内容。请选择有支出或捐赠的期间。"
    )
    assert not funded.disclosures.exists()
    assert not AuditEntry.objects.filter(action="funds.disclosure.published").exists()


def unread(kind, *users) -> tuple[int, ...]:
    """How many notices of ``kind`` each of ``users`` has unread."""
    notices = Notification.objects.filter(kind=kind, read_at__isnull=True)
    return tuple(notices.filter(recipient=user).count() for user in users)


def test_a_to_approve_notice_stops_counting_once_the_payment_is_decided(
    funded, request_payment, approver1, approver2, chair
):
    """The approver who approved has done their part; once enough have, nobody's "to approve"
    stays unread; the requester's "can be paid" goes when it is paid. Each stays in the inbox."""
    disbursement = request_payment(funded, "5000.00")
    assert unread("disbursement_requested", approver1, approver2) == (1, 1)
    disbursement = services.disbursement_approve(actor=approver1, disbursement=disbursement)
    assert unread("disbursement_requested", approver1, approver2) == (0, 1)
    disbursement = services.disbursement_approve(actor=approver2, disbursement=disbursement)
    assert unread("disbursement_requested", approver2) == (0,)
    assert unread("disbursement_approved", chair) == (1,)
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=disbursement, idempotency_key=key()
    )
    assert unread("disbursement_approved", chair) == (0,)
    assert Notification.objects.filter(recipient=approver2, kind="disbursement_requested").exists()


def test_a_rejected_or_cancelled_payment_settles_the_approvers_notices(
    funded, request_payment, approver1, approver2, chair
):
    rejected = request_payment(funded, "5000.00")
    services.disbursement_reject(actor=approver1, disbursement=rejected, comment="材料不全")
    cancelled = request_payment(funded, "800.00", reason="另一项帮扶")
    assert unread("disbursement_requested", approver2) == (1,)
    services.disbursement_cancel(actor=chair, disbursement=cancelled, reason="已由其他渠道解决")
    assert unread("disbursement_requested", approver1) == (0,)
    assert unread("disbursement_requested", approver2) == (0,)


def test_a_ratified_advance_settles_the_to_ratify_notices(
    funded, emergency_case, chair, approver1, approver2
):
    disbursement = advance(funded, emergency_case, chair, "5000.00")
    assert unread("advance_to_ratify", approver2) == (1,)
    disbursement = services.advance_ratify(actor=approver1, disbursement=disbursement)
    assert unread("advance_to_ratify", approver1, approver2) == (0, 1)
    services.advance_ratify(actor=approver2, disbursement=disbursement)
    assert unread("advance_to_ratify", approver2) == (0,)


def test_a_withdrawn_request_takes_its_unpaid_payments_with_it(
    funded, request_payment, approver1, approver2, chair, case, officer, worker
):
    """The worker withdraws while money is still being asked for and approved: both payments
    are cancelled, whoever asked is told, and nothing is paid on the request any more."""
    asked = request_payment(funded, "5000.00", case=case)
    approved = request_payment(funded, "800.00", case=case, reason="交通补助")
    for approver in (approver1, approver2):  # with the 5,000 asked, it takes two
        approved = services.disbursement_approve(actor=approver, disbursement=approved)
    assert approved.status == "approved"

    case_services.case_withdraw(actor=worker.user, case=case, reason="问题已自行解决")

    statuses = dict(Disbursement.objects.filter(case=case).values_list("pk", "status"))
    assert statuses == {asked.pk: "cancelled", approved.pk: "cancelled"}
    told = Notification.objects.filter(recipient=chair, kind="disbursement_cancelled")
    assert told.count() == 2 and case.reference in told.first().title
    assert unread("disbursement_requested", approver1, approver2) == (0, 0)
    assert unread("disbursement_approved", chair) == (0,)
    with pytest.raises(Conflict):
        services.disbursement_pay(
            payment_reference="SJ-0001", actor=chair, disbursement=approved, idempotency_key=key()
        )
    assert not LedgerEntry.objects.filter(disbursement__case=case).exists()
    lines = " ".join(case.events.filter(kind="aid").values_list("body", flat=True))
    assert "职工撤回了诉求" in lines


def test_a_rejected_request_cancels_its_unpaid_payments(funded, request_payment, case, officer):
    payment = request_payment(funded, "500.00", case=case)
    case_services.case_reject(actor=officer, case=case, reason="不属于帮扶范围")
    payment.refresh_from_db()
    assert payment.status == "cancelled" and "不属于帮扶范围" in payment.closed_reason


def test_a_payment_left_open_on_a_request_that_is_over_is_neither_approved_nor_paid(
    funded, request_payment, approver1, chair, case
):
    """Older records may hold one: it can only be cancelled."""
    payment = request_payment(funded, "500.00", case=case)
    Case.objects.filter(pk=case.pk).update(status="withdrawn")
    with pytest.raises(Conflict) as refused:
        services.disbursement_approve(actor=approver1, disbursement=payment)
    assert refused.value.code == "case_closed_to_aid"
    assert services.disbursement_actions(Disbursement.objects.get(pk=payment.pk), chair) == [
        "cancel"
    ]


def test_a_reversed_payment_no_longer_counts_as_money_reached_and_the_clock_runs_again(
    funded, emergency_case, chair, officer
):
    case = emergency_case
    first = advance(funded, case, chair, "5000.00")
    second = advance(funded, case, chair, "3000.00")
    case.refresh_from_db()
    reached = case.money_reached_at
    assert reached == first.paid_at and case.sla_due_at is None  # the first money counts

    entry = LedgerEntry.objects.get(disbursement=first, kind="disbursement")
    services.entry_reverse(
        actor=chair, entry=entry, reason="误付，款项未转出", idempotency_key=key()
    )
    case.refresh_from_db()
    assert case.money_reached_at == second.paid_at  # the payment that still stands
    assert case.sla_due_at is None

    entry = LedgerEntry.objects.get(disbursement=second, kind="disbursement")
    services.entry_reverse(actor=chair, entry=entry, reason="重复录入", idempotency_key=key())
    case.refresh_from_db()
    assert case.money_reached_at is None
    assert case.sla_due_at == case.resolution_due_at and case.escalation_level == 0


def test_money_paid_on_a_part_at_the_district_stops_the_clock_of_the_request_it_came_from(
    tree, emergency_case, officer, district_admin, donate
):
    """The fire story: the enterprise's request refers a larger grant to the district; the
    district pays it on the part. The worker has their money: the 24-hour clock of the request
    at their own union stops too, and runs again if that payment is reversed."""
    case = emergency_case  # accepted
    part = case_services.case_refer_part(
        actor=officer, case=case, organization=tree.district,
        summary="申请区总工会大额救助", reason="损失较大，超出本单位基金能力",
    )  # fmt: skip
    part = case_services.case_accept(actor=district_admin, case=part)
    district_fund = make_fund(
        tree.district, code="hs-kn", name="惠山区困难职工帮扶资金", officers=[district_admin]
    )
    donate(district_fund, "50000.00", actor=district_admin)
    paid = advance(district_fund, part, district_admin, "10000.00")

    case.refresh_from_db()
    part.refresh_from_db()
    assert part.money_reached_at == paid.paid_at and part.sla_due_at is None
    assert case.money_reached_at == paid.paid_at and case.sla_due_at is None
    assert case.is_open  # its visits go on
    assert services.paid_on_linked_requests(case, officer) == [paid]
    assert services.paid_on_linked_requests(part, district_admin) == [paid]

    entry = LedgerEntry.objects.get(disbursement=paid, kind="disbursement")
    services.entry_reverse(
        actor=district_admin, entry=entry, reason="误付，款项未转出", idempotency_key=key()
    )
    case.refresh_from_db()
    assert case.money_reached_at is None
    assert case.sla_due_at == case.resolution_due_at
    assert services.paid_on_linked_requests(case, officer) == []


def test_money_paid_on_the_request_itself_does_not_stop_the_clock_of_its_part(
    tree, funded, emergency_case, officer, chair, district_admin
):
    """Money runs up the chain, not down: the part at the district is its own errand (a
    larger grant), which the enterprise's advance does not settle."""
    case = emergency_case  # accepted
    part = case_services.case_refer_part(
        actor=officer, case=case, organization=tree.district,
        summary="申请区总工会大额救助", reason="损失较大，超出本单位基金能力",
    )  # fmt: skip
    paid = advance(funded, case, chair, "5000.00")
    part.refresh_from_db()
    case.refresh_from_db()
    assert case.money_reached_at == paid.paid_at
    assert part.money_reached_at is None
    assert [d.pk for d in services.paid_on_linked_requests(part, district_admin)] == [paid.pk]


def test_what_a_sister_part_paid_is_not_shown_to_an_organisation_that_cannot_see_it(
    tree, emergency_case, officer, outsider, district_admin, donate
):
    """Two parts of one request went to two organisations: the one holding the second part sees
    what the request and its own part paid, not what the first part's holder paid."""
    case = emergency_case
    to_district = case_services.case_refer_part(
        actor=officer, case=case, organization=tree.district,
        summary="申请区总工会大额救助", reason="损失较大，超出本单位基金能力",
    )  # fmt: skip
    to_district = case_services.case_accept(actor=district_admin, case=to_district)
    to_station_b = case_services.case_refer_part(
        actor=officer, case=case, organization=tree.station_b,
        summary="协调堰桥方面临时住处", reason="职工家属住在堰桥",
    )  # fmt: skip
    district_fund = make_fund(
        tree.district, code="hs-kn", name="惠山区困难职工帮扶资金", officers=[district_admin]
    )
    donate(district_fund, "50000.00", actor=district_admin)
    paid = advance(district_fund, to_district, district_admin, "10000.00")
    assert services.paid_on_linked_requests(to_station_b, outsider) == []
    assert services.paid_on_linked_requests(to_station_b, district_admin) == [paid]
    assert services.paid_on_linked_requests(case, officer) == [paid]
