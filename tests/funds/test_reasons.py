"""A money step that must be explained (asking for money, rejecting, cancelling, refusing to
ratify, reversing, taking a disclosure list down) takes a reason of at least a few characters, as
revealing full names does: "x" is refused next to its field, and nothing changes."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.funds.conftest import days_ago, key
from unionhub.core.errors import DomainError
from unionhub.core.models import AuditEntry
from unionhub.funds import services
from unionhub.funds.models import Disbursement, Disclosure, LedgerEntry

SHORT = ("x", " 错 ", "退回")  # under four characters once trimmed


@pytest.fixture
def steps(funded, chair, approver1, approved, request_payment, emergency_case, donate):
    """Each step that needs a reason: ``(prepare, field, message)``; ``prepare()`` makes what
    the step acts on and returns the step, to be run with a reason."""

    def reject():
        payment = request_payment(funded, "500.00")
        return lambda reason: services.disbursement_reject(
            actor=approver1, disbursement=payment, comment=reason
        )

    def cancel():
        payment = approved(funded, "500.00")
        return lambda reason: services.disbursement_cancel(
            actor=chair, disbursement=payment, reason=reason
        )

    def refuse():
        advance = services.emergency_advance(
            actor=chair, fund=funded, case=emergency_case, amount=Decimal("100.00"),
            method="cash", reason="垫付住院押金", idempotency_key=key(), payment_reference="SJ-1",
        )  # fmt: skip
        return lambda reason: services.advance_refuse_ratification(
            actor=approver1, disbursement=advance, comment=reason
        )

    def reverse_entry():
        entry = LedgerEntry.objects.get(donation=donate(funded, "50.00"))
        return lambda reason: services.entry_reverse(
            actor=chair, entry=entry, reason=reason, idempotency_key=key()
        )

    def ask():
        return lambda reason: request_payment(funded, "500.00", reason=reason)

    def withdraw():
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        with days_ago(1):
            donate(funded, "20.00", received_on=yesterday)
        disclosure = services.disclosure_publish(
            actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
        )
        return lambda reason: services.disclosure_withdraw(
            actor=chair, disclosure=disclosure, reason=reason
        )

    return {
        "reject": (reject, "comment", "请填写不同意的理由（至少4个字）。"),
        "cancel": (cancel, "reason", "请填写撤销理由（至少4个字）。"),
        "refuse_ratification": (
            refuse, "comment", "请说明不予追认的理由（至少4个字），该理由将随报告一并报送。",
        ),
        "reverse": (reverse_entry, "reason", "请填写冲销理由（至少4个字）。"),
        "request": (ask, "reason", "请填写用款理由（至少4个字）。"),
        "withdraw_disclosure": (withdraw, "reason", "请填写提前撤回的原因（至少4个字）。"),
    }  # fmt: skip


def _state() -> tuple:
    return (
        list(Disbursement.objects.order_by("pk").values_list("status", "ratification_refused_at")),
        LedgerEntry.objects.count(),
        list(Disclosure.objects.values_list("withdrawn_at", flat=True)),
        AuditEntry.objects.filter(
            action__in=[
                "funds.disbursement.rejected", "funds.disbursement.cancelled",
                "funds.disbursement.ratification_refused", "funds.entry.reversed",
                "funds.disclosure.withdrawn",
            ]
        ).count(),
    )  # fmt: skip


@pytest.mark.parametrize(
    "step", ["reject", "cancel", "refuse_ratification", "reverse", "request", "withdraw_disclosure"]
)
def test_a_money_step_refuses_a_reason_of_a_character_or_two_and_changes_nothing(steps, step):
    prepare, field, message = steps[step]
    run = prepare()
    before = _state()
    for short in SHORT:
        with pytest.raises(DomainError) as refused:
            run(short)
        assert (refused.value.code, refused.value.field) == ("reason_required", field)
        assert str(refused.value) == message
        assert _state() == before
    assert run("核实有误，予以更正")  # a reason that says something is taken
    assert _state() != before


def test_the_reversal_page_says_why_next_to_the_field(funded, donate, chair, login):
    gift = donate(funded, "50.00")
    entry = LedgerEntry.objects.get(donation=gift)
    url = reverse("funds:entry-reverse", args=[entry.pk])
    page = login(chair).post(url, {"idempotency_key": uuid.uuid4(), "reason": "x"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-describedby="id_reason_error"' in html
    error = html.split('id="id_reason_error"')[1].split("</ul>")[0]
    assert "请填写冲销理由（至少4个字）。" in error
    assert not LedgerEntry.objects.filter(kind="reversal").exists()


def test_the_api_refuses_a_one_character_cancellation_with_its_field(
    funded, approved, chair, login
):
    payment = approved(funded, "500.00")
    answer = login(chair).post(
        reverse("api:disbursement-cancel", args=[payment.public_id]),
        {"reason": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "reason_required", "detail": "请填写撤销理由（至少4个字）。", "field": "reason",
    }  # fmt: skip
    payment.refresh_from_db()
    assert payment.status == "approved"
