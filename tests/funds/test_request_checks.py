"""What the requester and the approvers are told before money is promised: a fund that does not
have the amount, money already asked for on the same request, and what the worker has asked the
fund for lately (as it stands now)."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.funds.conftest import key, make_fund
from unionhub.funds import services
from unionhub.funds.models import Disbursement


def _ask(client, case, fund, amount: str):
    return client.post(
        reverse("funds:disbursement-create", args=[case.public_id]),
        {
            "idempotency_key": uuid.uuid4(),
            "fund": fund.pk,
            "amount": amount,
            "method": "cash",
            "reason": "住院押金不足",
        },
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# ---- a request above what the fund has available -----------------------------------------------


def test_a_request_above_what_the_fund_has_available_is_sent_with_a_warning(
    tree, funded, approved, chair, case, login
):
    approved(funded, "3000.00")  # 10,000 held, 3,000 promised: 7,000 available
    response = _ask(login(chair), case, funded, "8000")
    asked = Disbursement.objects.get(amount=Decimal("8000.00"))
    assert asked.status == "requested"  # not forbidden: money can be transferred in first
    assert response.redirect_chain[-1][0] == reverse(
        "funds:disbursement-detail", args=[asked.public_id]
    )
    [said] = [m for m in _messages(response) if "超出" in m]
    assert said == (
        "伟达五金员工扶助基金余额¥10,000.00，扣除已批待付后可用¥7,000.00，本笔申请超出"
        "¥1,000.00。可以审批，但须先向该基金调入资金，或撤销后改报较小金额，才能支付。"
    )


def test_with_nothing_approved_yet_the_warning_names_the_balance_alone(
    tree, funded, chair, case, login
):
    response = _ask(login(chair), case, funded, "1000000")
    [said] = [m for m in _messages(response) if "超出" in m]
    assert said.startswith("伟达五金员工扶助基金余额¥10,000.00，本笔申请超出¥990,000.00。可以审批")


def test_a_request_the_fund_can_pay_gets_no_warning(tree, funded, chair, case, login):
    response = _ask(login(chair), case, funded, "7000")
    assert not [m for m in _messages(response) if "超出" in m or "尚未支付" in m]
    assert "超出基金可用金额" not in response.content.decode()


def test_shortfalls_count_what_is_approved_and_not_yet_paid(funded, approved, request_payment):
    approved(funded, "8000.00")
    promised = approved(funded, "3000.00")  # 11,000 promised from 10,000
    waiting = request_payment(funded, "500.00")
    paid = approved(funded, "200.00")
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=paid.requested_by,
        disbursement=paid,
        idempotency_key=key(),
    )
    paid.refresh_from_db()
    rows = services.with_shortfalls(
        Disbursement.objects.filter(pk__in=[promised.pk, waiting.pk, paid.pk]).order_by("pk")
    )
    # 9,800 held after the payment, 11,000 promised: 1,200 short of them all; a new request
    # needs its whole amount on top; a paid one waits for nothing.
    assert [(d.pk, d.shortfall) for d in rows] == [
        (promised.pk, Decimal("1200.00")),
        (waiting.pk, Decimal("1700.00")),
        (paid.pk, Decimal("0.00")),
    ]
    assert rows[0].fund is rows[1].fund  # one fund object, its commitments read once


def test_approvers_see_the_funds_balance_and_the_shortfall_on_the_payment_page(
    tree, funded, approved, request_payment, approver1, approver2, chair, login
):
    approved(funded, "8000.00")
    asked = request_payment(funded, "3000.00")
    page = login(approver1).get(reverse("funds:disbursement-detail", args=[asked.public_id]))
    html = page.content.decode()
    # The same line and badge as the approvals queue's card.
    assert "基金余额 ¥10,000.00，其中已批待付¥8,000.00，可用¥2,000.00" in html
    assert "本笔申请超出基金可用金额¥1,000.00" in html
    # In English too, what the fund holds and the shortfall read as two sentences.
    client = login(approver1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("funds:disbursement-detail", args=[asked.public_id]))
    text = " ".join(re.sub(r"<[^>]+>", " ", english.content.decode()).split())
    assert (
        "of which ¥8,000.00 is approved and not yet paid: ¥2,000.00 available. This request is "
        "¥1,000.00 more than the fund has available." in text
    )
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    # Beside the approve button: approving is allowed, paying waits for the money.
    assert page.context["can_approve"]
    actions = html.split('id="act-title"')[1]
    assert "本笔申请超出¥1,000.00。可以审批，但须先向该基金调入资金" in actions
    queue = login(approver1).get(reverse("funds:approval-queue")).content.decode()
    assert "基金余额 ¥10,000.00，其中已批待付¥8,000.00，可用¥2,000.00" in queue
    # Approved over the balance: whoever pays reads that the promises exceed the money.
    services.disbursement_approve(actor=approver1, disbursement=asked)
    services.disbursement_approve(actor=approver2, disbursement=asked)
    html = login(chair).get(reverse("funds:disbursement-detail", args=[asked.public_id]))
    html = html.content.decode()
    assert "本基金已批待付合计¥11,000.00，超出余额（¥10,000.00）¥1,000.00" in html


def test_a_paid_or_cancelled_payment_shows_no_balance_line(
    tree, funded, approved, request_payment, chair, login
):
    paid = approved(funded, "500.00")
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=paid, idempotency_key=key()
    )
    cancelled = request_payment(funded, "300.00")
    services.disbursement_cancel(actor=chair, disbursement=cancelled, reason="重复申请")
    client = login(chair)
    for payment in (paid, cancelled):
        html = client.get(reverse("funds:disbursement-detail", args=[payment.public_id]))
        assert "基金余额" not in html.content.decode()


def test_the_last_approval_of_a_payment_the_fund_cannot_cover_says_so_and_not_can_be_paid(
    tree, funded, approved, request_payment, approver1, approver2, chair, officer, worker, login
):
    from unionhub.cases import services as case_services
    from unionhub.cases.models import CaseEvent, ServiceCategory
    from unionhub.notifications.models import Notification

    approved(funded, "6000.00")  # 10,000 held, 6,000 of it promised: 4,000 free
    case = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="medical_aid"),
        channel="phone", summary="住院治疗", description="重病住院，申请医疗救助。",
    )  # fmt: skip
    case_services.case_accept(actor=officer, case=case)
    big = request_payment(funded, "9000.00", case=case, category=case.category, urgent=True)
    services.disbursement_approve(actor=approver1, disbursement=big)
    action = reverse("funds:disbursement-action", args=[big.public_id, "approve"])
    done = login(approver2).post(action, {"comment": ""}, follow=True)
    assert Disbursement.objects.get(pk=big.pk).status == "approved"
    assert _messages(done) == [
        "¥9,000.00已审批通过，但伟达五金员工扶助基金目前可用金额仅¥4,000.00（余额扣除已批待付款项），"
        "须待资金到位后方可支付：可接受捐赠，或由有权限的人员从其他基金调入资金。"
    ]
    notice = Notification.objects.filter(recipient=chair, kind="disbursement_approved").latest("pk")
    assert notice.title == (
        "已审批：王小明的帮扶款¥9,000.00；伟达五金员工扶助基金目前可用金额仅¥4,000.00，"
        "须待资金到位后方可支付"
    )
    line = CaseEvent.objects.filter(case=case, kind="aid").latest("pk")
    assert line.body_translations["zh-hans"] == (
        "伟达五金员工扶助基金的帮扶款¥9,000.00已审批通过；该基金目前可用金额仅¥4,000.00，"
        "须待资金到位后方可支付。"
    )
    assert "可以支付" not in notice.title + line.body_translations["zh-hans"]


def test_the_last_approval_of_a_payment_the_fund_can_cover_says_it_can_be_paid(
    funded, request_payment, approver1, chair, login
):
    from unionhub.notifications.models import Notification

    small = request_payment(funded, "1500.00")
    action = reverse("funds:disbursement-action", args=[small.public_id, "approve"])
    done = login(approver1).post(action, {"comment": ""}, follow=True)
    assert _messages(done) == ["¥1,500.00已审批通过，现在可以支付。"]
    notice = Notification.objects.get(recipient=chair, kind="disbursement_approved")
    assert notice.title == "已审批：王小明的帮扶款¥1,500.00可以支付"


# ---- money already asked for on the same request ------------------------------------------------


def test_the_request_form_lists_money_already_asked_for_on_the_request(
    tree, funded, request_payment, approved, chair, case, login
):
    waiting = request_payment(funded, "1000.00", case=case)
    promised = approved(funded, "500.00", case=case)
    turned_down = request_payment(funded, "700.00", case=case)
    services.disbursement_cancel(actor=chair, disbursement=turned_down, reason="填错金额")
    page = login(chair).get(reverse("funds:disbursement-create", args=[case.public_id]))
    assert [d.pk for d in page.context["asked"]] == [waiting.pk, promised.pk]
    html = page.content.decode()
    assert "本诉求已有2笔帮扶款申请尚未支付：" in html
    assert "¥1,000.00</a> · 伟达五金员工扶助基金 · " in html and "待审批" in html
    assert "¥500.00</a>" in html and "已审批" in html
    assert "¥700.00" not in html  # cancelled: no longer asked for


def test_asking_again_on_a_request_with_money_not_yet_paid_says_so_after_saving(
    tree, funded, request_payment, chair, case, login
):
    request_payment(funded, "1000.00", case=case)
    response = _ask(login(chair), case, funded, "1000")
    assert Disbursement.objects.filter(case=case).count() == 2  # sent: it may be a new need
    [said] = [m for m in _messages(response) if "尚未支付" in m]
    assert said == (
        f"诉求{case.reference}此前已有尚未支付的帮扶款申请：伟达五金员工扶助基金¥1,000.00"
        "（待审批）。如本次申请与其中一笔重复，请撤销其中一笔。"
    )


def test_money_asked_for_from_a_fund_the_user_cannot_see_is_not_named(
    tree, funded, fund_b, request_payment, chair, case, login
):
    """A request referred in part elsewhere: what another union asked for is not this chair's to
    read."""
    other = Disbursement.objects.create(
        fund=fund_b, case=case, worker=case.worker, category=case.category,
        amount=Decimal("900.00"), method="cash", reason="外单位申请", requested_by=chair,
    )  # fmt: skip
    page = login(chair).get(reverse("funds:disbursement-create", args=[case.public_id]))
    assert other not in page.context["asked"]
    assert "¥900.00" not in page.content.decode()


def test_a_resent_form_is_not_reported_as_a_duplicate_of_itself(tree, funded, chair, case, login):
    client = login(chair)
    url = reverse("funds:disbursement-create", args=[case.public_id])
    form = {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": "600",
            "method": "cash", "reason": "住院押金不足"}  # fmt: skip
    client.post(url, form)
    again = client.post(url, form, follow=True)
    assert Disbursement.objects.count() == 1
    assert not [m for m in _messages(again) if "尚未支付" in m]


# ---- what the worker asked the fund for lately -------------------------------------------------


def test_the_recent_total_leaves_out_requests_since_rejected_or_cancelled(
    funded, request_payment, approver1, chair, workmate
):
    first = request_payment(funded, "2000.00")
    second = request_payment(funded, "1500.00")
    third = request_payment(funded, "1000.00")
    assert third.combined_amount == Decimal("4500.00")  # frozen when asked for
    recent = Disbursement.objects.with_recent_total()
    assert recent.get(pk=third.pk).recent_total == Decimal("4500.00")
    services.disbursement_reject(actor=approver1, disbursement=first, comment="不符合条件")
    services.disbursement_cancel(actor=chair, disbursement=second, reason="重复申请")
    assert recent.get(pk=third.pk).recent_total == Decimal("1000.00")
    # Each counts what came before it, not after; a cancelled one still counts itself.
    assert recent.get(pk=second.pk).recent_total == Decimal("1500.00")
    request_payment(funded, "800.00", worker=workmate)  # another worker's
    assert recent.get(pk=third.pk).recent_total == Decimal("1000.00")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        later = request_payment(funded, "300.00")
    assert recent.get(pk=later.pk).recent_total == Decimal("300.00")  # the others are too old
    other_fund = make_fund(third.fund.organization, code="wd-qt", name="伟达五金其他基金")
    elsewhere = request_payment(other_fund, "100.00")
    assert recent.get(pk=elsewhere.pk).recent_total == Decimal("100.00")


def test_approvers_read_the_recent_total_as_it_stands_now(
    funded, request_payment, approver1, chair, login
):
    first = request_payment(funded, "2000.00")
    second = request_payment(funded, "2000.00")
    assert second.approvals_required == 2
    client = login(approver1)
    detail = reverse("funds:disbursement-detail", args=[second.public_id])
    for url in (reverse("funds:approval-queue"), detail):
        html = client.get(url).content.decode()
        assert (
            "截至本笔申请，该职工近30天在本基金的申请合计¥4,000.00（含本笔，不含已驳回、已撤销和"
            "已冲销的）。审批人数按此金额确定。"
        ) in html, url
        assert "其他申请" not in html
    services.disbursement_cancel(actor=chair, disbursement=first, reason="重复申请")
    for url in (reverse("funds:approval-queue"), detail):
        html = client.get(url).content.decode()
        assert "本基金的申请合计¥2,000.00（含本笔" in html, url
        assert "审批人数已在申请时按当时的合计¥4,000.00确定。" in html, url


def test_the_approvals_queue_makes_the_same_number_of_queries_as_requests_grow(
    tree, funded, request_payment, approver1, workmate, login, count_queries
):
    for _ in range(2):
        request_payment(funded, "100.00")
    client = login(approver1)
    url = reverse("funds:approval-queue")
    client.get(url)
    with count_queries() as small:
        first = client.get(url)
    for index in range(15):
        request_payment(funded, "100.00", **({"worker": workmate} if index % 2 else {}))
    with count_queries() as large:
        second = client.get(url)
    assert second.content.decode().count("本基金的申请合计") > first.content.decode().count(
        "本基金的申请合计"
    )
    # session; user; memberships; the requests waiting, each with its fund, worker, category,
    # request, requester, approvals so far and the worker's recent total (joins and subqueries);
    # the funds' approved and unpaid totals; the advances to ratify.
    assert len(large) == len(small) <= 6, [q["sql"][:120] for q in large.captured_queries]


# ---- a kind of request that is never paid -----------------------------------------------------


def test_a_request_of_a_kind_that_is_not_paid_offers_no_money_and_says_why(
    tree, funded, chair, officer, worker, login
):
    from unionhub.cases import services as case_services
    from unionhub.cases.models import ServiceCategory

    counselling = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="counselling"),
        channel="phone", summary="情绪低落", description="家中变故后情绪低落，希望有人谈谈。",
    )  # fmt: skip
    client = login(chair)
    case_page = client.get(reverse("cases:case-detail", args=[counselling.public_id]))
    assert reverse("funds:disbursement-create", args=[counselling.public_id]) not in (
        case_page.content.decode()
    )
    assert "心理疏导不从帮扶资金中支付。" in case_page.content.decode()
    page = client.get(reverse("funds:disbursement-create", args=[counselling.public_id]))
    text = page.content.decode()
    assert "心理疏导不从帮扶资金中支付。" in text and "区总工会" not in text
    assert f"?worker={worker.public_id}" in text
    response = _ask(client, counselling, funded, "500.00")  # sent anyway: refused, nothing kept
    assert not Disbursement.objects.filter(case=counselling).exists()
    assert response.status_code == 200


def test_the_pay_page_of_a_withdrawn_request_says_so_before_anything_is_typed(
    tree, funded, chair, officer, worker, case, login
):
    from unionhub.cases import services as case_services

    case_services.case_withdraw(actor=worker.user, case=case)
    text = login(chair).get(reverse("funds:disbursement-create", args=[case.public_id]))
    text = text.content.decode()
    assert f"诉求{case.reference}状态为「已撤回」，不能申请帮扶款。" in text
    assert 'name="amount"' not in text


def test_resolving_while_money_is_not_yet_paid_is_warned(
    tree, funded, chair, officer, case, request_payment, login
):
    url = reverse("cases:case-detail", args=[case.public_id])
    client = login(officer)
    assert client.get(url).context["resolve_warning"] == ""
    request_payment(funded, "1500.00", case=case)
    warning = client.get(url).context["resolve_warning"]
    assert warning == (
        "本诉求还有1笔帮扶款尚未支付（¥1,500.00）。职工看到“已办结”会以为事情已办完：请在帮扶款有结果后再办结。"
    )
    assert warning in client.get(url).content.decode()
