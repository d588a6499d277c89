import datetime
import re
import uuid
from decimal import Decimal

import django.test
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.funds.conftest import days_ago, key, make_fund
from unionhub.cases.models import ServiceCategory
from unionhub.core.errors import DomainError
from unionhub.funds import services
from unionhub.funds.models import Disbursement, Donation, LedgerEntry


def test_funds_outside_the_subtree_answer_404(tree, funded, fund_b, outsider, officer, login):
    client = login(outsider)
    for url in (
        reverse("funds:fund-detail", args=[funded.code]),
        reverse("funds:fund-ledger", args=[funded.code]),
        reverse("funds:donation-create", args=[funded.code]),
        reverse("funds:fund-export", args=[funded.code, "ledger"]),
    ):
        assert client.get(url).status_code == 404, url
    listed = {f.code for f in login(officer).get(reverse("funds:fund-list")).context["page"]}
    assert listed == {funded.code}


def test_the_api_is_scoped_and_an_auditor_cannot_write(
    tree, funded, approved, auditor, outsider, login
):
    disbursement = approved(funded, "100.00")
    assert login(outsider).get(reverse("api:fund-detail", args=[funded.pk])).status_code == 404
    body = login(auditor).get(reverse("api:fund-list")).json()
    assert [row["code"] for row in body["results"]] == [funded.code]
    assert body["results"][0]["balance"] == "10000.00"
    pay = reverse("api:disbursement-pay", args=[disbursement.public_id])
    refused = login(auditor).post(pay, {}, HTTP_IDEMPOTENCY_KEY="k1")
    assert refused.status_code == 403
    donation = login(auditor).post(
        reverse("api:donation-list"),
        {"fund": funded.code, "donor_kind": "anonymous", "amount": "10.00", "channel": "cash",
         "received_on": timezone.localdate().isoformat()},
        HTTP_IDEMPOTENCY_KEY="k2",
    )  # fmt: skip
    assert donation.status_code == 403  # the fund is not one they may book on
    assert LedgerEntry.objects.count() == 1


def test_the_same_post_with_the_same_key_posts_once(tree, funded, approved, chair, login):
    disbursement = approved(funded, "700.00")
    client = login(chair)
    url = reverse("api:disbursement-pay", args=[disbursement.public_id])
    first = client.post(url, {"payment_reference": "回单001"}, HTTP_IDEMPOTENCY_KEY="same")
    again = client.post(url, {"payment_reference": "回单001"}, HTTP_IDEMPOTENCY_KEY="same")
    assert first.status_code == again.status_code == 200
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 1
    funded.refresh_from_db()
    assert funded.balance == Decimal("9300.00")
    donate_url = reverse("api:donation-list")
    payload = {"fund": funded.code, "donor_kind": "anonymous", "amount": "88.00",
               "channel": "wechat", "received_on": timezone.localdate().isoformat()}  # fmt: skip
    a = client.post(donate_url, payload, HTTP_IDEMPOTENCY_KEY="gift")
    b = client.post(donate_url, payload, HTTP_IDEMPOTENCY_KEY="gift")
    assert a.status_code == b.status_code == 201
    assert a.json()["receipt_number"] == b.json()["receipt_number"]
    assert Donation.objects.count() == 2  # the fixture's and this one
    missing = client.post(donate_url, payload)
    assert missing.status_code == 400
    reused = client.post(
        donate_url, {**payload, "amount": "99.00"}, HTTP_IDEMPOTENCY_KEY="gift",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert reused.status_code == 409
    assert "幂等" in reused.json()["detail"]
    assert Donation.objects.count() == 2


def test_the_api_decides_and_answers_409_for_a_wrong_move(
    tree, funded, request_payment, approver1, login
):
    disbursement = request_payment(funded, "500.00")
    client = login(approver1)
    url = reverse("api:disbursement-approve", args=[disbursement.public_id])
    assert client.post(url, {"comment": "同意"}).json()["status"] == "approved"
    again = client.post(url, {})
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_paying_from_the_page_twice_pays_once(tree, funded, approved, chair, login):
    disbursement = approved(funded, "1500.00")
    client = login(chair)
    url = reverse("funds:disbursement-action", args=[disbursement.public_id, "pay"])
    form_key = uuid.uuid4()
    first = client.post(url, {"idempotency_key": form_key, "payment_reference": "现金"})
    again = client.post(url, {"idempotency_key": form_key, "payment_reference": "现金"})
    # The repeat is recognised as the same payment (not refused as already paid).
    assert first.status_code == again.status_code == 302
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 1
    assert Disbursement.objects.get(pk=disbursement.pk).status == "paid"
    changed = client.post(url, {"idempotency_key": form_key, "payment_reference": "SJ-0002"})
    assert changed.status_code == 400
    told = [str(m) for m in changed.context["messages"]]
    assert told[-1].startswith("该表单已提交过（内容不同），那一次已经登记。")
    assert Disbursement.objects.get(pk=disbursement.pk).payment_reference == "现金"


def test_an_overdraw_from_the_page_shows_the_message_and_changes_nothing(
    tree, funded, approved, chair, login
):
    disbursement = approved(funded, "10000.01")
    url = reverse("funds:disbursement-action", args=[disbursement.public_id, "pay"])
    response = login(chair).post(url, {"idempotency_key": uuid.uuid4()})
    assert response.status_code == 400
    assert response.context["pay_form"].errors["payment_reference"] == [
        "请填写领款人签收的现金收据编号。"
    ]
    response = login(chair).post(
        url, {"idempotency_key": uuid.uuid4(), "payment_reference": "SJ-0001"}
    )
    assert response.status_code == 400
    assert response.context["pay_form"].non_field_errors()
    funded.refresh_from_db()
    assert funded.balance == Decimal("10000.00")


def test_the_approvers_queue_puts_urgent_first_and_hides_their_own(
    tree, funded, request_payment, approver1, approver2, login
):
    from tests.factories import MembershipFactory

    # approver1 also asks for money at union A: their own request is not theirs to approve.
    MembershipFactory(user=approver1, organization=tree.union_a, role="enterprise_chair")
    own = request_payment(funded, "300.00", actor=approver1)
    request_payment(funded, "100.00")
    urgent = request_payment(funded, "5000.00", urgent=True)
    big = request_payment(funded, "12000.00")
    services.disbursement_approve(actor=approver2, disbursement=big)
    response = login(approver1).get(reverse("funds:approval-queue"))
    waiting = response.context["waiting"]
    assert waiting[0] == urgent
    assert len(waiting) == 3
    assert own not in waiting
    # Each card says how far the decision has come and whether the fund can pay it.
    assert [(d.approved, d.approvals_required) for d in waiting] == [(0, 2), (0, 1), (1, 2)]
    page = response.content.decode()
    assert "已同意 1 / 需 2 人" in page and "基金余额 ¥10,000.00" in page
    assert page.count("超出基金可用金额") == 1  # the 12,000 yuan request


def test_a_donation_from_the_page_issues_a_printable_receipt(tree, fund, chair, login):
    client = login(chair)
    response = client.post(
        reverse("funds:donation-create", args=[fund.code]),
        {"idempotency_key": uuid.uuid4(), "donor_kind": "person", "donor_name": "许国华",
         "amount": "100000.00", "channel": "bank_transfer",
         "received_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    donation = Donation.objects.get()
    assert response.url == reverse("funds:donation-receipt", args=[donation.public_id])
    receipt = client.get(response.url).content.decode()
    assert donation.receipt_number in receipt and "¥100,000.00" in receipt


def test_a_donation_form_sent_again_with_other_values_says_it_was_recorded_already(
    tree, fund, chair, login
):
    client = login(chair)
    form = {"idempotency_key": uuid.uuid4(), "donor_kind": "person", "donor_name": "许国华",
            "amount": "100.00", "channel": "cash",
            "received_on": timezone.localdate().isoformat()}  # fmt: skip
    url = reverse("funds:donation-create", args=[fund.code])
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # the same form again: the same receipt
    changed = client.post(url, {**form, "amount": "200.00"})
    assert changed.status_code == 200
    assert changed.context["form"].non_field_errors() == [
        "该表单已提交过（内容不同），那一次已经登记。如需再登记一笔，请重新打开表单。"
    ]
    assert Donation.objects.count() == 1


def test_a_donation_booked_into_a_reviewed_period_warns_it_is_not_in_the_report(
    tree, funded, approved, chair, auditor, login
):
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "500.00"),
        idempotency_key=key(),
    )
    today = timezone.localdate()
    services.audit_open(
        actor=auditor, fund=funded, period_start=today, period_end=today, share="1", seed=7
    )
    client = login(chair)

    def give(on: datetime.date):
        return client.post(
            reverse("funds:donation-create", args=[funded.code]),
            {"idempotency_key": uuid.uuid4(), "donor_kind": "person", "donor_name": "许国华",
             "amount": "100.00", "channel": "cash", "received_on": on.isoformat()},
            follow=True,
        )  # fmt: skip

    said = [str(m) for m in give(today).context["messages"]]
    assert any(
        f"{today.isoformat()}已在{today.isoformat()}–{today.isoformat()}的经审范围内" in m
        for m in said
    ), said
    # A day nobody has reported on yet goes in quietly.
    quiet = give(today - datetime.timedelta(days=3))
    assert len(list(quiet.context["messages"])) == 1


def test_a_donation_dated_in_a_published_period_is_refused_beside_its_date(
    tree, fund, donate, chair, login
):
    today = timezone.localdate()
    donate(fund, "800.00", received_on=today - datetime.timedelta(days=3))
    services.disclosure_publish(
        actor=chair, fund=fund, period_start=today - datetime.timedelta(days=5),
        period_end=today - datetime.timedelta(days=1),
    )  # fmt: skip
    response = login(chair).post(
        reverse("funds:donation-create", args=[fund.code]),
        {"idempotency_key": uuid.uuid4(), "donor_kind": "person", "donor_name": "许国华",
         "amount": "100.00", "channel": "cash",
         "received_on": (today - datetime.timedelta(days=2)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["form"].errors["received_on"]
    assert "补记会改变已向公众公布的内容" in errors[0] and "请按今天的日期入账" in errors[0]
    assert Donation.objects.count() == 1


@pytest.mark.parametrize("typed", ["1e5", "-5", "5 美元", "12.345", "0x10", "1,2,3", "¥"])
def test_amounts_are_typed_as_plain_yuan_or_refused_with_one_message(
    tree, funded, chair, case, login, typed
):
    client = login(chair)
    url = reverse("funds:disbursement-create", args=[case.public_id])
    response = client.post(
        url,
        {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": typed,
         "method": "cash", "reason": "家庭困难"},
    )  # fmt: skip
    assert response.status_code == 200
    expected = {
        "-5": ["金额应大于零，请去掉负号。"],
        "12.345": ["金额最多保留两位小数（到分）。"],
        "¥": ["请填写金额。"],
    }.get(typed, ["请输入以元为单位的金额，如2000或2000.50。"])
    assert response.context["form"].errors["amount"] == expected
    assert not Disbursement.objects.exists()
    for written in ("2,000", "¥2,000.50", "￥ 300", "800元"):
        accepted = client.post(
            url,
            {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": written,
             "method": "cash", "reason": "家庭困难"},
        )  # fmt: skip
        assert accepted.status_code == 302, written
    amounts = sorted(Disbursement.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("300.00"), Decimal("800.00"), Decimal("2000.00"), Decimal("2000.50")]


@pytest.mark.parametrize("typed", ["1000000000", "99999999999999", "999,999,999,999,999.99"])
def test_a_huge_amount_is_refused_with_the_largest_one_allowed(
    tree, funded, chair, case, login, typed
):
    response = login(chair).post(
        reverse("funds:disbursement-create", args=[case.public_id]),
        {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": typed,
         "method": "cash", "reason": "家庭困难"},
    )  # fmt: skip
    assert response.context["form"].errors["amount"] == ["单笔金额最多为¥999,999,999.99。"]
    assert not Disbursement.objects.exists()
    with pytest.raises(DomainError) as refused:
        services.donation_record(
            actor=chair, fund=funded, donor_kind="anonymous", amount=typed.replace(",", ""),
            channel="cash", received_on=timezone.localdate(), idempotency_key=key(),
        )  # fmt: skip
    assert str(refused.value.message) == "单笔金额最多为¥999,999,999.99。"
    answer = login(chair).post(
        reverse("api:donation-list"),
        {"fund": funded.code, "donor_kind": "anonymous", "amount": typed.replace(",", ""),
         "channel": "cash", "received_on": timezone.localdate().isoformat()},
        HTTP_IDEMPOTENCY_KEY=key(),
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["amount"] == ["单笔金额最多为¥999,999,999.99。"]
    assert Donation.objects.count() == 1  # only the fixture's


def test_the_fund_choice_shows_the_balance_and_the_only_fund_is_chosen(
    tree, funded, chair, case, approved, login
):
    url = reverse("funds:disbursement-create", args=[case.public_id])
    response = login(chair).get(url)
    field = response.context["form"]["fund"]
    assert field.initial == funded.pk or field.value() == funded.pk
    assert "伟达五金员工扶助基金（余额 ¥10,000.00）" in response.content.decode()
    # With a payment approved and not yet paid, what is left for new ones is said too.
    approved(funded, "2500.00")
    html = login(chair).get(url).content.decode()
    assert "伟达五金员工扶助基金（余额 ¥10,000.00，可用 ¥7,500.00）" in html
    assert "---------" not in str(field)
    advance = response.context.get("advance_form")
    if advance is not None:  # shares the page: its ids differ from the request form's
        assert advance["amount"].id_for_label != field.form["amount"].id_for_label


def test_only_funds_that_pay_for_the_requests_category_are_offered(
    tree, funded, chair, case, officer, worker, login
):
    from unionhub.cases import services as case_services
    from unionhub.funds.models import Fund

    everything = make_fund(tree.union_a, code="wd-all", name="伟达五金综合基金")
    everything.allowed_categories.clear()  # lists none: pays for every paying category
    scholarship = case_services.case_submit(
        actor=officer,
        worker=worker,
        category=ServiceCategory.objects.get(code="scholarship"),
        channel="phone",
        summary="子女考上大学",
        description="女儿考上南京大学，学费有困难。",
    )
    assert set(Fund.objects.paying_for(scholarship.category)) == {everything}
    assert set(Fund.objects.paying_for(case.category)) == {funded, everything}
    client = login(chair)
    offered = client.get(reverse("funds:disbursement-create", args=[scholarship.public_id]))
    field = offered.context["form"]["fund"]
    assert [choice for choice, _label in field.field.choices] == [everything.pk]
    assert "伟达五金员工扶助基金" not in offered.content.decode()

    everything.is_active = False
    everything.save()
    none_left = client.get(reverse("funds:disbursement-create", args=[scholarship.public_id]))
    page = none_left.content.decode()
    assert "本组织没有可用于金秋助学的基金" in page
    assert "open=refer_part" in page
    assert none_left.context.get("advance_form") is None


def test_a_bad_amount_on_the_page_is_explained(tree, fund, chair, login):
    response = login(chair).post(
        reverse("funds:donation-create", args=[fund.code]),
        {"idempotency_key": uuid.uuid4(), "donor_kind": "anonymous", "amount": "12.345",
         "channel": "cash", "received_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert not Donation.objects.exists()


def test_a_disclosure_is_public_inside_its_window_and_gone_after(tree, fund, donate, chair, client):
    with days_ago(1):
        donate(fund, "10000.00")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    disclosure = services.disclosure_publish(
        actor=chair, fund=fund, period_start=yesterday, period_end=yesterday
    )
    url = reverse("disclosure-public", args=[disclosure.token])
    shown = client.get(url)
    assert shown.status_code == 200
    assert "无锡伟达五金有限公司" in shown.content.decode()
    assert "合计 1 笔捐赠" in shown.content.decode()
    assert "<strong>¥10,000.00</strong>" in shown.content.decode()
    with time_machine.travel(disclosure.window_ends_at + datetime.timedelta(seconds=1)):
        ended = client.get(url)
    # The link on the notice board says the notice has ended, and shows nothing of the list.
    assert ended.status_code == 410
    page = ended.content.decode()
    assert "本公示已于" in page and "结束" in page
    assert "合计 1 笔捐赠" not in page and "¥10,000.00" not in page
    services.disclosure_withdraw(actor=chair, disclosure=disclosure, reason="名单有误，更正后重发")
    withdrawn = client.get(url)
    assert withdrawn.status_code == 410
    assert "本公示已于" in withdrawn.content.decode() and "撤下" in withdrawn.content.decode()
    assert "¥10,000.00" not in withdrawn.content.decode()
    assert client.get(reverse("disclosure-public", args=[uuid.uuid4()])).status_code == 404


def test_the_public_list_says_whom_to_phone_with_an_objection(tree, funded, donate, chair, client):
    tree.station_a.phone = "0510-83590110"
    tree.station_a.save()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    disclosure = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    page = client.get(reverse("disclosure-public", args=[disclosure.token])).content.decode()
    # The enterprise union has no service phone: its station answers.
    assert (
        f"如有异议，可通过{tree.station_a.name}联系{tree.union_a.name}，"
        f'电话 <a href="tel:0510-83590110">0510-83590110</a>'
    ) in page
    assert "本期该基金未发放帮扶款。" in page
    tree.union_a.phone = "0510-88881234"
    tree.union_a.save()
    page = client.get(reverse("disclosure-public", args=[disclosure.token])).content.decode()
    assert f"如有异议，请联系{tree.union_a.name}，电话 <a" in page


def test_publishing_a_period_that_overlaps_one_still_up_says_so(tree, funded, donate, chair, login):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    first = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday - datetime.timedelta(days=6),
        period_end=yesterday,
    )  # fmt: skip
    url = reverse("funds:disclosure-list", args=[funded.code])
    client = login(chair)
    day = yesterday.isoformat()
    data = {"period_start": day, "period_end": day, "title": "补充公示"}
    said = [str(m) for m in client.post(url, data, follow=True).context["messages"]]
    assert any(first.title in m and "重叠" in m for m in said)
    services.disclosure_withdraw(actor=chair, disclosure=first, reason="期间选错")
    said = [str(m) for m in client.post(url, data, follow=True).context["messages"]]
    assert not any(first.title in m for m in said)  # taken down: it no longer shows twice
    assert any("“补充公示”" in m for m in said)  # the second one is still up


def test_publishing_into_a_year_without_a_holiday_schedule_says_so(
    tree, funded, donate, chair, login
):
    url = reverse("funds:disclosure-list", args=[funded.code])
    data = {"period_start": "2026-12-01", "period_end": "2026-12-25", "title": ""}
    with time_machine.travel(datetime.datetime(2026, 12, 28, 10, tzinfo=datetime.UTC)):
        donate(funded, "500.00", received_on=datetime.date(2026, 12, 10))
        response = login(chair).post(url, data, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said[0].startswith("已发布，公示至2027-01-04")
    assert said[1].startswith("2027 年尚未登记节假日安排")


@pytest.mark.parametrize("url_name", ["funds:fund-ledger", "funds:fund-detail", "api:fund-ledger"])
def test_ledger_and_statement_make_the_same_number_of_queries_as_entries_grow(
    tree, funded, donate, chair, approved, login, count_queries, url_name
):
    client = login(chair)
    arg = funded.pk if url_name.startswith("api") else funded.code
    url = reverse(url_name, args=[arg])
    other = make_fund(tree.union_a, code="wd-jx", name="伟达五金金秋助学基金")

    def transfer():
        return services.fund_transfer(
            actor=chair, source=funded, target=other, amount=Decimal("10.00"), memo="调剂",
            idempotency_key=key(),
        )  # fmt: skip

    transfer()
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for _ in range(15):
        donate(funded, "100.00", donor_kind="anonymous")
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(funded, "50.00"),
            idempotency_key=key(),
        )
        out, _into = transfer()
        services.entry_reverse(actor=chair, entry=out, reason="转账调错", idempotency_key=key())
    with count_queries() as large:
        client.get(url)
    # (the fund page adds two: what is approved and not yet paid, and who approves)
    assert len(large) == len(small) <= 14, [q["sql"][:100] for q in large.captured_queries]


def test_the_worker_sees_their_aid_on_the_phone(
    tree, funded, approved, request_payment, approver1, chair, worker, login
):
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "2000.00"),
        idempotency_key=key(),
    )
    approved(funded, "300.00")  # approved, not yet paid
    turned_down = request_payment(funded, "700.00")
    services.disbursement_reject(actor=approver1, disbursement=turned_down, comment="不符合条件")
    html = login(worker.user).get(reverse("portal:aid-list")).content.decode()
    received, pending = html.split("已收到")[-1], html.split("已收到")[0]
    assert "¥2,000.00" in received and funded.name in received
    assert "¥300.00" in pending and "已审批，待发放" in pending
    assert "¥300.00" not in received
    assert "¥700.00" not in html  # turned down: not aid received
    assert "累计收到" in html


def test_the_workers_data_download_holds_their_requests_aid_and_who_saw_their_id(
    tree, funded, approved, chair, officer, district_admin, worker, case, login
):
    import json

    from unionhub.cases import services as case_services
    from unionhub.workers.services import worker_reveal_id_number

    case_services.case_note(actor=officer, case=case, text="内部：家访前先联系社区")
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "2000.00", case=case),
        idempotency_key=key(),
    )
    worker_reveal_id_number(actor=district_admin, worker=worker, reason="核对大病救助申请材料")
    client = login(worker.user)
    data = json.loads(client.get(reverse("portal:my-data-download")).content)
    [request] = data["requests"]
    assert (request["reference"], request["status"]) == (case.reference, "已受理")
    said = [line["message"] for line in request["timeline"]]
    assert said and not any("内部" in line for line in said)  # staff notes stay out
    assert "内部" not in json.dumps(data, ensure_ascii=False)
    assert [(a["amount"], a["status"], a["fund"]) for a in data["aid"]] == [
        ("2000.00", "已支付", funded.name)
    ]
    [viewed] = data["id_number_viewed"]
    assert viewed["reason"] == "核对大病救助申请材料"
    assert viewed["viewed_by"] == district_admin.get_full_name()
    # The page shows the same, readably, and no more.
    page = client.get(reverse("portal:my-data")).content.decode()
    assert case.reference in page and "¥2,000.00" in page and "核对大病救助申请材料" in page
    assert "家访前先联系社区" not in page  # the staff note


def test_the_workers_data_page_and_download_cost_the_same_however_much_they_hold(
    tree, funded, approved, officer, worker, case, login, count_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.test_attachments import png_bytes
    from unionhub.cases import services as case_services

    client = login(worker.user)
    urls = [reverse("portal:my-data"), reverse("portal:my-data-download")]
    few = {}
    for url in urls:
        client.get(url)
        with count_queries() as few[url]:
            client.get(url)
    for i in range(4):
        more = case_services.case_submit(
            actor=officer, worker=worker, category=case.category, channel="phone",
            summary=f"困难帮扶{i}", description="家庭困难。",
        )  # fmt: skip
        more = case_services.case_accept(actor=officer, case=more)
        photo = SimpleUploadedFile(f"{i}.png", png_bytes(), content_type="image/png")
        case_services.attachment_add(
            actor=officer, case=more, upload=case_services.Upload(photo.name, photo.read())
        )
        approved(funded, "100.00", case=more)
    for url in urls:
        with count_queries() as many:
            client.get(url)
        assert len(many) == len(few[url]), [q["sql"][:90] for q in many.captured_queries]


def _sheet(response):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_beneficiary_exports_are_masked_and_full_names_need_a_logged_reason(
    tree, funded, approved, chair, auditor, officer, outsider, worker, login
):
    from unionhub.core.models import AuditEntry

    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "2000.00"),
        idempotency_key=key(),
    )
    today = timezone.localdate()
    period = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat()}
    url = reverse("funds:fund-export", args=[funded.code, "beneficiaries"])

    def names(sheet):  # the rows between the header (row 3) and the total
        return [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)][:-1]

    # The default stays masked, for everyone, whatever the address asks for.
    assert names(_sheet(login(officer).get(url, period))) == ["王*明"]
    assert names(_sheet(login(chair).get(url, {**period, "names": "full"}))) == ["王*明"]
    assert not AuditEntry.objects.filter(action="funds.beneficiaries.names_revealed").exists()

    full = reverse("funds:beneficiary-names", args=[funded.code])
    assert login(officer).get(full, period).status_code == 403  # may not see full names
    assert login(officer).post(full, {**period, "reason": "核对名单"}).status_code == 403
    assert login(outsider).post(full, {**period, "reason": "核对名单"}).status_code == 404
    form = login(chair).get(full, period)
    assert form.status_code == 200 and form.context["form"]["end"].value() == today
    no_reason = login(chair).post(full, period)
    assert no_reason.status_code == 400
    assert no_reason.context["form"].errors["reason"]
    short = login(chair).post(full, {**period, "reason": "查"})
    assert short.status_code == 400
    assert short.context["form"].errors["reason"] == ["请填写需要完整姓名的理由（至少4个字）。"]
    assert not AuditEntry.objects.filter(action="funds.beneficiaries.names_revealed").exists()

    for who, reason in ((chair, "发放慰问品核对名单"), (auditor, "经审抽查核对受助人")):
        sheet = _sheet(login(who).post(full, {**period, "reason": reason}))
        assert names(sheet) == [worker.name]
        entry = AuditEntry.objects.filter(action="funds.beneficiaries.names_revealed").latest("id")
        assert entry.actor == who and entry.target_label == funded.name
        assert entry.data == {
            "period_start": period["start"], "period_end": period["end"], "reason": reason,
        }  # fmt: skip
    details = dict(entry.detail_rows)
    assert details["期间"] == f"{period['start']} 至 {period['end']}"
    assert details["理由"] == "经审抽查核对受助人"
    fund_page = login(chair).get(reverse("funds:fund-detail", args=[funded.code])).content
    assert full.encode() in fund_page and "受助人完整姓名".encode() in fund_page
    assert (
        full.encode()
        not in login(officer).get(reverse("funds:fund-detail", args=[funded.code])).content
    )


def test_the_beneficiaries_sheet_has_a_title_a_total_and_a_header_that_stays(
    tree, funded, approved, chair, login
):
    for amount in ("2000.00", "500.00"):
        services.disbursement_pay(
            payment_reference="SJ-0001", actor=chair, disbursement=approved(funded, amount),
            idempotency_key=key(),
        )  # fmt: skip
    today = timezone.localdate()
    sheet = _sheet(
        login(chair).get(
            reverse("funds:fund-export", args=[funded.code, "beneficiaries"]),
            {"start": today.replace(day=1).isoformat(), "end": today.isoformat()},
        )
    )
    assert [sheet["A1"].value, sheet["C1"].value] == [funded.name, "姓名已隐去部分"]
    assert today.isoformat() in sheet["B1"].value
    assert [c.value for c in sheet[3]] == [
        "支付时间",
        "受助人",
        "服务类别",
        "金额（元）",
        "支付方式",
    ]
    assert sheet.freeze_panes == "A4"
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[:2] == ["合计", "2 笔支付"] and last[3] == Decimal("2500")
    assert sheet.cell(sheet.max_row, 4).number_format == "#,##0.00"


def test_the_admin_shows_the_books_but_cannot_change_them(funded, approved, client):
    """Operators set funds up in the admin; entries, donations and payments are view-only there,
    and a fund's balance is not a field they can type into."""
    from tests.factories import UserFactory

    approved(funded, "500.00")
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(operator)
    entry = LedgerEntry.objects.get(fund=funded)
    for name in ["fund", "ledgerentry", "donation", "disbursement", "approval"]:
        response = client.get(reverse(f"admin:funds_{name}_changelist"))
        assert response.status_code == 200, name
    page = client.get(reverse("admin:funds_ledgerentry_change", args=[entry.pk]))
    assert page.status_code == 200 and b'name="amount"' not in page.content
    refused = client.post(
        reverse("admin:funds_ledgerentry_change", args=[entry.pk]), {"amount": "1.00"}
    )
    assert refused.status_code == 403
    assert (
        client.post(reverse("admin:funds_ledgerentry_delete", args=[entry.pk])).status_code == 403
    )
    fund_page = client.get(reverse("admin:funds_fund_change", args=[funded.pk]))
    assert b'name="balance"' not in fund_page.content
    entry.refresh_from_db()
    funded.refresh_from_db()
    assert entry.amount == funded.balance == Decimal("10000.00")


@pytest.fixture
def paid_advance(funded, chair, emergency_case):
    """8,000 yuan advanced in cash by the chair for an emergency request, not yet ratified."""
    return services.emergency_advance(
        payment_reference="SJ-0001",
        actor=chair, fund=funded, case=emergency_case, amount=Decimal("8000.00"), method="cash",
        reason="垫付住院押金", idempotency_key=key(),
    )  # fmt: skip


def test_an_advance_to_ratify_says_who_paid_it_from_which_fund_for_which_request(
    paid_advance, approver1, approver2, login
):
    paid, fire = paid_advance, paid_advance.case
    services.advance_ratify(actor=approver2, disbursement=paid)
    response = login(approver1).get(reverse("funds:approval-queue"))
    (card,) = response.context["to_ratify"]
    assert card.ratified == 1
    page = response.content.decode()
    assert "由尤国平于" in page and "支付（现金）" in page
    assert "已追认 1 / 需 2 人" in page
    assert "伟达五金员工扶助基金 · 紧急救助" in page
    assert reverse("cases:case-detail", args=[fire.public_id]) in page


def test_refusing_to_ratify_needs_a_reason_on_the_page_and_through_the_api(
    funded, chair, paid_advance, approver1, approver2, login
):
    paid = paid_advance
    detail = reverse("funds:disbursement-detail", args=[paid.public_id])
    refuse = reverse("funds:disbursement-action", args=[paid.public_id, "refuse_ratification"])
    client = login(approver1)
    assert refuse in client.get(detail).content.decode()

    blank = client.post(refuse, {"comment": ""})
    assert blank.status_code == 400
    assert "请说明不予追认的理由" in blank.content.decode()
    assert Disbursement.objects.get(pk=paid.pk).ratification_refused_at is None

    done = client.post(refuse, {"comment": "不符合紧急垫付条件"}, follow=True)
    assert "不予追认" in str(next(iter(done.context["messages"])))
    page = done.content.decode()
    assert "不予追认" in page and "不符合紧急垫付条件" in page
    assert refuse not in page

    api = reverse("api:disbursement-refuse-ratification", args=[paid.public_id])
    other = django.test.Client()
    other.force_login(approver2, backend="unionhub.accounts.backends.UsernameOrMobileBackend")
    answer = other.post(api, {"comment": "同意"}, content_type="application/json")
    assert answer.status_code == 409 and answer.json()["code"] == "ratification_refused"
    fund_page = login(chair).get(reverse("funds:fund-detail", args=[funded.code]))
    assert "不予追认" in fund_page.content.decode()


def test_the_fund_list_offers_approvals_to_approvers_and_reviews_to_auditors(
    funded, officer, approver1, auditor, login
):
    approvals, reviews = reverse("funds:approval-queue"), reverse("funds:audit-list")
    for user, offered in [(officer, set()), (approver1, {approvals}), (auditor, {reviews})]:
        html = login(user).get(reverse("funds:fund-list")).content.decode()
        assert {url for url in (approvals, reviews) if f'href="{url}"' in html} == offered


def test_reviews_refuse_a_missing_fund_and_junk_ids_with_a_message_not_an_error(
    funded, approved, chair, auditor, login
):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 2, tzinfo=datetime.UTC)):
        services.disbursement_pay(
            payment_reference="SJ-0001", actor=chair, disbursement=approved(funded, "500.00"),
            idempotency_key=key(),
        )  # fmt: skip
    client = login(auditor)
    url = reverse("funds:audit-list")
    values = {"period_start": "2026-01-01", "period_end": "2026-06-30", "percent": "1"}
    for fund in ["", "abc", "99999999999999999999999"]:
        response = client.post(url, {**values, "fund": fund})
        assert response.status_code == 200
        assert "请选择要审查的基金" in response.content.decode()
    for seed in [str(2**64), "-1", "abc"]:
        response = client.post(url, {**values, "fund": funded.pk, "seed": seed})
        assert response.status_code == 200
        assert response.context["form"].errors["seed"] == [
            "随机种子须为0到999999999999之间的整数。"
        ]
    from unionhub.funds.models import FundAudit

    assert not FundAudit.objects.exists()
    # A share given as a fraction (0.3) or above a hundred is refused with a message.
    for wrong in ["0.3", "150", "30%"]:
        response = client.post(url, {**values, "fund": funded.pk, "percent": wrong})
        assert response.status_code == 200 and response.context["form"].errors["percent"]
    assert not FundAudit.objects.exists()
    # The smallest share the form offers is accepted, kept as a fraction, shown as a percentage.
    response = client.post(url, {**values, "fund": funded.pk, "seed": "7"})
    assert response.status_code == 302 and FundAudit.objects.count() == 1
    review = FundAudit.objects.get()
    assert review.share == Decimal("0.01")
    assert "抽样比例1%" in client.get(response.url).content.decode()


def test_a_junk_period_on_the_fund_page_says_what_is_wrong(tree, funded, chair, login):
    response = login(chair).get(
        reverse("funds:fund-detail", args=[funded.code]), {"start": "junk", "end": "2026-01-31"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "输入一个有效的日期" in page
    assert "改为显示今年的数据" in page


def test_aid_paid_within_the_hour_is_told_in_minutes(tree, funded, chair, officer, worker, login):
    from unionhub.cases import services as case_services
    from unionhub.cases.models import ServiceCategory

    case = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中失火", description="夜间家中失火。",
    )  # fmt: skip
    case = case_services.case_accept(actor=officer, case=case)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=25)):
        services.emergency_advance(
            payment_reference="SJ-0001",
            actor=chair, fund=funded, case=case, amount=Decimal("5000.00"), method="cash",
            reason="垫付住院押金", idempotency_key=key(),
        )  # fmt: skip
    page = login(officer).get(reverse("cases:case-detail", args=[case.public_id]))
    assert "帮扶款在诉求提出后25分钟送达职工。" in page.content.decode()


def test_approving_twice_from_the_page_says_why_and_changes_nothing(
    tree, funded, request_payment, approver1, login
):
    disbursement = request_payment(funded, "5000.00")  # needs two approvers
    client = login(approver1)
    url = reverse("funds:disbursement-action", args=[disbursement.public_id, "approve"])
    first = client.post(url, {"comment": "同意"}, follow=True)
    assert first.redirect_chain[0][1] == 302
    assert "已记录您的同意意见，还需 1 位审批人决定。" in first.content.decode()
    again = client.post(url, {"comment": "同意"})
    assert again.status_code == 400
    assert "您已同意过该笔帮扶款。" in again.content.decode()
    assert disbursement.approvals.count() == 1


def test_the_statement_sheet_names_its_fund_and_period_and_formats_yuan(tree, funded, chair, login):
    import io

    from openpyxl import load_workbook

    today = timezone.localdate()
    response = login(chair).get(
        reverse("funds:fund-export", args=[funded.code, "statement"]),
        {"start": today.replace(day=1).isoformat(), "end": today.isoformat()},
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == funded.name
    assert today.isoformat() in sheet["B1"].value
    assert [c.value for c in sheet[3]] == ["收支", "项目", "金额（元）"]
    amounts = [row[2] for row in sheet.iter_rows(min_row=4) if row[2].value is not None]
    assert amounts and all(cell.number_format == "#,##0.00" for cell in amounts)
    assert sheet.column_dimensions["B"].width == 36


def test_a_refused_review_check_keeps_what_was_typed_and_says_why_beside_it(
    tree, funded, approved, chair, auditor, login
):
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "500.00"),
        idempotency_key=key(),
    )
    today = timezone.localdate()
    review = services.audit_open(
        actor=auditor, fund=funded, period_start=today, period_end=today, share="1", seed=7
    )
    item = review.items.get()
    client = login(auditor)
    url = reverse("funds:audit-action", args=[review.pk, "check"])
    response = client.post(url, {"item": item.pk, "approvals": "on", "amount": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert">请填写已查验的凭证。</div>' in page
    assert page.count(" checked>") == 2  # the two ticks survive
    item.refresh_from_db()
    assert item.checked_at is None
    refused = client.post(
        reverse("funds:audit-action", args=[review.pk, "finding"]), {"description": ""}
    )
    assert refused.status_code == 400
    assert refused.context["finding_form"].errors  # shown beside the fields
    assert not review.findings.exists()
    done = client.post(
        url, {"item": item.pk, "approvals": "on", "evidence_note": "申请表、银行回单"}
    )
    assert done.status_code == 302 and done.url.endswith(f"#item-{item.pk}")
    # Sent again (a double tap): the same check, kept once; nothing is logged as corrected.
    again = client.post(
        url, {"item": item.pk, "approvals": "on", "evidence_note": "申请表、银行回单"}
    )
    assert again.status_code == 302
    from unionhub.core.models import AuditEntry

    corrected = "funds.audit.check_corrected"
    assert not AuditEntry.objects.filter(action=corrected).exists()


@pytest.mark.parametrize("back", ["", "queue"])
def test_rejecting_without_a_reason_from_the_page_says_why_and_changes_nothing(
    tree, funded, request_payment, approver1, login, back
):
    disbursement = request_payment(funded, "500.00")
    response = login(approver1).post(
        reverse("funds:disbursement-action", args=[disbursement.public_id, "reject"]),
        {"comment": "", "next": back},
    )
    assert response.status_code == 400
    assert "请填写不同意的理由（至少4个字）。" in response.content.decode()
    # The page that says why opens where the reason is to be written: the payment page at its
    # actions, or (decided on the queue) the queue at the payment's card.
    where = f'id="card-{disbursement.pk}"' if back else 'id="actions"'
    actions = response.content.decode().split(where)[1].split("</form>")[0]
    assert "请填写不同意的理由（至少4个字）。" in actions and 'aria-invalid="true"' in actions
    reject = reverse("funds:disbursement-action", args=[disbursement.public_id, "reject"])
    queue = login(approver1).get(reverse("funds:approval-queue")).content.decode()
    assert f'formaction="{reject}#card-{disbursement.pk}"' in queue
    disbursement.refresh_from_db()
    assert disbursement.status == "requested"
    assert not disbursement.approvals.exists()


def test_dates_no_one_means_are_refused_not_crashed_on(tree, funded, chair, auditor, login):
    """Year 1 or 9999 cannot become a time of day in Shanghai: refused with a message."""
    from unionhub.core.errors import DomainError
    from unionhub.funds.models import Disclosure, FundAudit

    client = login(chair)
    published = client.post(
        reverse("funds:disclosure-list", args=[funded.code]),
        {"period_start": "2026-01-01", "period_end": "9999-12-31", "title": ""},
    )
    assert published.status_code == 200
    assert "1900-01-01" in str(published.context["form"].errors["period_end"])
    export = client.get(
        reverse("funds:fund-export", args=[funded.code, "beneficiaries"]),
        {"start": "2026-01-01", "end": "9999-12-31"},
    )
    assert export.status_code == 200  # the period falls back to the default
    reviewer = login(auditor)
    opened = reviewer.post(
        reverse("funds:audit-list"),
        {
            "fund": funded.pk,
            "period_start": "0001-01-01",
            "period_end": "2026-01-31",
            "percent": "30",
        },
    )
    assert opened.status_code in (200, 400) and opened.context["form"].errors["period_start"]
    with pytest.raises(DomainError):
        services.audit_open(
            actor=auditor, fund=funded, share="0.3",
            period_start=datetime.date(1, 1, 1), period_end=datetime.date(2026, 1, 31),
        )  # fmt: skip
    assert not Disclosure.objects.exists() and not FundAudit.objects.exists()


def test_a_junk_finding_id_is_not_found(tree, funded, approved, chair, auditor, login):
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "500.00"),
        idempotency_key=key(),
    )
    today = timezone.localdate()
    review = services.audit_open(
        actor=auditor, fund=funded, period_start=today, period_end=today, share="1", seed=7
    )
    url = reverse("funds:audit-action", args=[review.pk, "rectify"])
    assert login(auditor).post(url, {"finding": "abc", "note": "x"}).status_code == 404


def test_a_request_lists_every_payment_but_links_only_those_the_user_may_open(
    tree, district_admin, officer, worker, login
):
    """Station staff see that the district's fund is paying (no one asks twice), without a
    link into a fund outside their scope."""
    from tests.funds.conftest import make_fund

    funded = make_fund(tree.district, code="hs-kn", name="惠山区困难职工帮扶资金")
    from unionhub.cases import services as case_services
    from unionhub.cases.models import ServiceCategory

    case = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="phone", summary="生活困难", description="配偶患病，生活困难。",
    )  # fmt: skip
    case = case_services.case_accept(actor=officer, case=case)
    payment = services.disbursement_request(
        actor=district_admin, fund=funded, worker=worker, case=case, amount="8000.00",
        method="cash", reason="大病救助",
    )  # fmt: skip
    url = reverse("cases:case-detail", args=[case.public_id])
    link = reverse("funds:disbursement-detail", args=[payment.public_id])
    assert link in login(district_admin).get(url).content.decode()
    page = login(officer).get(url).content.decode()
    assert funded.name in page and link not in page
    assert login(officer).get(link).status_code == 404


def test_transfer_is_offered_only_with_another_fund_to_move_money_into(tree, funded, chair, login):
    client = login(chair)
    detail = reverse("funds:fund-detail", args=[funded.code])
    transfer = reverse("funds:fund-transfer", args=[funded.code])
    assert f'href="{transfer}"' not in client.get(detail).content.decode()
    alone = client.get(transfer).content.decode()
    assert "没有可转入的其他基金" in alone and 'name="target"' not in alone

    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    assert f'href="{transfer}"' in client.get(detail).content.decode()
    refused = client.post(
        transfer,
        {"idempotency_key": uuid.uuid4(), "target": other.pk, "amount": "20000", "memo": "调剂"},
    )
    assert refused.status_code == 200
    assert (
        "余额¥10,000.00，不能调出¥20,000.00。请调出不超过¥10,000.00。" in refused.content.decode()
    )
    assert LedgerEntry.objects.filter(kind="transfer").count() == 0
    booked = client.post(
        transfer,
        {"idempotency_key": uuid.uuid4(), "target": other.pk, "amount": "2500", "memo": "调剂"},
    )
    assert booked.status_code == 302
    funded.refresh_from_db()
    other.refresh_from_db()
    assert (funded.balance, other.balance) == (Decimal("7500.00"), Decimal("2500.00"))


def test_an_emergency_advance_from_the_page_needs_the_slip_for_a_bank_transfer(
    tree, funded, chair, officer, worker, login
):
    from unionhub.cases import services as case_services

    fire = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中失火", description="晚上十点家中失火，一家三口无处安身。",
    )  # fmt: skip
    fire = case_services.case_accept(actor=officer, case=fire)
    earlier = services.disbursement_request(
        actor=chair, fund=funded, case=fire, worker=worker, amount="2000.00", method="cash",
        reason="临时生活补助",
    )  # fmt: skip
    client = login(chair)
    page = client.get(reverse("funds:disbursement-create", args=[fire.public_id]))
    assert page.context["advance_form"] is not None
    url = reverse("funds:advance-create", args=[fire.public_id])
    data = {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": "6000",
            "method": "bank_transfer", "reason": "垫付住院押金"}  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert refused.context["advance_form"].errors["payment_reference"] == [
        "请填写银行转账的回单号。"
    ]
    # The money already asked for on the request still shows beside the refused advance.
    assert refused.context["asked"] == [earlier]
    assert "already-asked" in refused.content.decode()
    assert Disbursement.objects.get() == earlier
    paid = client.post(url, {**data, "payment_reference": "回单 0087"})
    assert paid.status_code == 302
    advance = Disbursement.objects.exclude(pk=earlier.pk).get()
    assert advance.payment_reference == "回单 0087"
    funded.refresh_from_db()
    assert funded.balance == Decimal("4000.00")


def _grow_fund_lists(tree, fund, donate, request_payment, approved, chair, officer, worker, n):
    """``n`` more of everything the fund lists show: donations, requests waiting for a
    decision, payments, unratified advances, disclosures."""
    from unionhub.cases import services as case_services

    for _ in range(n):
        code = uuid.uuid4().hex[:8]
        make_fund(tree.union_a, code=f"wd-{code}", name=f"伟达五金专项基金{code}")
        donate(fund, "500.00", donor_kind="anonymous")
        request_payment(fund, "120.00")
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(fund, "80.00"),
            idempotency_key=key(),
        )
        emergency = case_services.case_submit(
            actor=officer, worker=worker,
            category=ServiceCategory.objects.get(code="emergency_aid"), channel="phone",
            summary="突发事故", description="车间事故受伤住院，需要垫付押金。",
        )  # fmt: skip
        if emergency.status == "submitted":  # the same words again answer the same request
            emergency = case_services.case_accept(actor=officer, case=emergency)
        services.emergency_advance(
            payment_reference="SJ-0001",
            actor=chair, fund=fund, case=emergency, amount=Decimal("100.00"), method="cash",
            reason="垫付押金", idempotency_key=key(),
        )  # fmt: skip
    # A list for a past day of its own (a published day takes no more donations).
    day = timezone.localdate() - datetime.timedelta(days=30 - fund.disclosures.count())
    donate(fund, "1.00", donor_kind="anonymous", received_on=day)
    services.disclosure_publish(actor=chair, fund=fund, period_start=day, period_end=day)


@pytest.mark.parametrize(
    ("url_name", "who"),
    [
        ("funds:fund-list", "chair"),
        ("funds:approval-queue", "approver1"),
        ("funds:disbursement-list", "chair"),
        ("funds:donation-list", "chair"),
        ("funds:disclosure-list", "chair"),
        ("api:fund-list", "chair"),
        ("api:donation-list", "chair"),
        ("api:disbursement-list", "chair"),
        ("portal:aid-list", "worker"),
        ("portal:case-list", "worker"),
        ("portal:notification-list", "worker"),
        ("notifications:notification-list", "approver1"),
    ],
)
def test_fund_and_phone_lists_make_the_same_number_of_queries_as_rows_grow(
    tree, funded, donate, request_payment, approved, chair, officer, worker, approver1,
    login, count_queries, url_name, who,
):  # fmt: skip
    user = {"chair": chair, "approver1": approver1, "worker": worker.user}[who]
    args = [funded.code] if url_name in ("funds:donation-list", "funds:disclosure-list") else []
    url = reverse(url_name, args=args)
    grow = (tree, funded, donate, request_payment, approved, chair, officer, worker)
    _grow_fund_lists(*grow, 1)
    client = login(user)
    client.get(url)
    with count_queries() as small:
        first = client.get(url)
    _grow_fund_lists(*grow, 12)
    with count_queries() as large:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert len(second.content) > len(first.content)  # the rows are there
    assert len(large) == len(small) <= 14, [q["sql"][:120] for q in large.captured_queries]


def test_a_reversed_donation_prints_a_void_receipt_and_is_marked_in_the_list(
    tree, funded, donate, chair, login
):
    gift = donate(funded, "10000.50")
    client = login(chair)
    receipt = reverse("funds:donation-receipt", args=[gift.public_id])
    assert "作废" not in client.get(receipt).content.decode()
    entry = LedgerEntry.objects.get(donation=gift, kind="donation")
    services.entry_reverse(actor=chair, entry=entry, reason="金额录入错误", idempotency_key=key())
    page = client.get(receipt).content.decode()
    assert "本收据作废" in page and "金额录入错误" in page and "void-stamp" in page
    listing = client.get(reverse("funds:donation-list", args=[funded.code])).content.decode()
    assert "<s>¥10,000.50</s>" in listing and "已冲销" in listing


def test_a_list_published_by_an_officer_working_in_english_is_posted_in_chinese(
    tree, funded, donate, chair, login
):
    from django.utils import translation

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "200.00", donor_kind="anonymous", received_on=yesterday)
    with translation.override("en"):
        disclosure = services.disclosure_publish(
            actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
        )
    assert disclosure.title.startswith(f"{funded.name}帮扶及捐赠情况公示")
    assert "匿名" in [line.name for line in disclosure.lines.filter(kind="donor")]


def test_an_address_a_form_posts_to_sends_a_get_back_to_the_forms_page(
    tree, funded, request_payment, approved, chair, auditor, case, login
):
    """A reload or a language switch after a refused form asks the posted-to address by GET."""
    requested = request_payment(funded, "500.00", case=case)
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "300.00"),
        idempotency_key=key(),
    )
    today = timezone.localdate()
    review = services.audit_open(
        actor=auditor, fund=funded, period_start=today, period_end=today, share="1", seed=1
    )
    pairs = [
        (
            reverse("funds:disbursement-action", args=[requested.public_id, "reject"]),
            reverse("funds:disbursement-detail", args=[requested.public_id]),
        ),
        (
            reverse("funds:advance-create", args=[case.public_id]),
            reverse("cases:case-detail", args=[case.public_id]),
        ),
        (
            reverse("funds:audit-action", args=[review.pk, "check"]),
            reverse("funds:audit-detail", args=[review.pk]),
        ),
        (
            reverse("cases:case-action", args=[case.public_id, "note"]),
            reverse("cases:case-detail", args=[case.public_id]),
        ),
    ]
    client = login(chair)
    for posted_to, page in pairs:
        response = client.get(posted_to)
        assert (response.status_code, response.url) == (302, page), posted_to


def test_approvers_see_what_is_already_promised_before_they_promise_more(
    tree, funded, approved, request_payment, approver1, chair, workmate, login
):
    """10,000 held, 8,000 approved and not yet paid: a new 3,000 is more than is available."""
    approved(funded, "8000.00")
    request_payment(funded, "3000.00", worker=workmate)
    html = login(approver1).get(reverse("funds:approval-queue")).content.decode()
    assert "其中已批待付¥8,000.00，可用¥2,000.00" in html
    assert "超出基金可用金额" in html
    listing = login(chair).get(reverse("funds:fund-list")).content.decode()
    assert "已批待付" in listing and "¥2,000.00" in listing
    page = login(chair).get(reverse("funds:fund-detail", args=[funded.code])).content.decode()
    assert "可用" in page and "¥2,000.00" in page


def test_what_a_fund_pays_for_is_listed_with_the_languages_own_separator(funded, chair, login):
    url = reverse("funds:fund-detail", args=[funded.code])
    assert "紧急救助、" in login(chair).get(url).content.decode()
    client = login(chair)
    client.post(reverse("accounts:set-language"), {"language": "en", "next": url})
    html = client.get(url).content.decode()
    assert "May pay for" in html
    paid_for = html.split("May pay for")[-1].split("</dd>")[0]
    assert "Emergency aid, " in paid_for and "、" not in paid_for


def test_the_api_says_what_the_pages_say_about_void_receipts_tiers_and_commitments(
    tree, funded, donate, approved, request_payment, emergency_case, chair, login
):
    gift = donate(funded, "300.00")
    services.entry_reverse(
        actor=chair, entry=LedgerEntry.objects.get(donation=gift, kind="donation"),
        reason="重复录入", idempotency_key=key(),
    )  # fmt: skip
    approved(funded, "1500.00")
    request_payment(funded, "1000.00")
    client = login(chair)
    donations = {d["receipt_number"]: d for d in client.get("/api/v1/donations/").json()["results"]}
    assert donations[gift.receipt_number]["reversed_at"] is not None
    fund = client.get(f"/api/v1/funds/{funded.pk}/").json()
    assert (fund["committed"], fund["available"]) == ("1500.00", "8500.00")
    listed = client.get("/api/v1/funds/").json()["results"][0]
    assert listed["available"] == "8500.00"
    payments = client.get("/api/v1/disbursements/").json()["results"]
    tiers = {p["amount"]: (p["approvals_required"], p["combined_amount"]) for p in payments}
    assert tiers["1000.00"] == (2, "2500.00")
    advance = services.emergency_advance(
        payment_reference="SJ-0001",
        actor=chair, fund=funded, case=emergency_case, amount=Decimal("800.00"), method="cash",
        reason="垫付押金", idempotency_key=key(),
    )  # fmt: skip
    assert advance.approvals_required == services.RATIFICATIONS_NEEDED


def test_the_api_gives_each_payment_its_worker_s_recent_total_and_the_fund_s_shortfall(
    tree, funded, approved, request_payment, approver1, approver2, login
):
    """What the approval queue warns of, an API client sees too: the worker's other requests
    in the window and money the fund does not have for this one."""
    approved(funded, "1500.00")
    small = request_payment(funded, "1000.00")
    big = request_payment(funded, "9000.00")
    client = login(approver1)
    payments = {p["id"]: p for p in client.get("/api/v1/disbursements/").json()["results"]}
    assert (payments[str(small.public_id)]["recent_total"], payments[str(small.public_id)][
        "shortfall"]) == ("2500.00", "0.00")  # fmt: skip
    # The fund holds 10,000 with 1,500 approved: 8,500 left, 500 short of this one.
    assert payments[str(big.public_id)]["recent_total"] == "11500.00"
    assert payments[str(big.public_id)]["shortfall"] == "500.00"
    detail = client.get(f"/api/v1/disbursements/{big.public_id}/").json()
    assert (detail["recent_total"], detail["shortfall"]) == ("11500.00", "500.00")
    # With the earlier 1,500 the small one needs two approvers (2,500 in the window).
    services.disbursement_approve(actor=approver2, disbursement=small, comment="")
    decided = client.post(
        f"/api/v1/disbursements/{small.public_id}/approve/", {"comment": ""}, format="json"
    )
    assert decided.status_code == 200, decided.content
    # Approved, the small one is now committed: it can be paid, the big one is 1,500 short.
    assert decided.json()["status"] == "approved" and decided.json()["shortfall"] == "0.00"
    detail = client.get(f"/api/v1/disbursements/{big.public_id}/").json()
    assert detail["shortfall"] == "1500.00"
    # Cancelled, a request leaves the worker's total.
    services.disbursement_cancel(actor=small.requested_by, disbursement=small, reason="重复申请")
    detail = client.get(f"/api/v1/disbursements/{big.public_id}/").json()
    assert (detail["recent_total"], detail["shortfall"]) == ("10500.00", "500.00")


def test_taking_a_list_down_early_needs_a_reason_and_the_page_says_who_did_it(
    tree, funded, donate, chair, login, client
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    disclosure = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    url = reverse("funds:disclosure-detail", args=[disclosure.pk])
    staff_client = login(chair)
    refused = staff_client.post(url, {"form": "withdraw", "withdraw-reason": " "})
    assert refused.status_code == 400
    assert "请填写提前撤回的原因" in refused.content.decode()
    disclosure.refresh_from_db()
    assert disclosure.withdrawn_at is None and disclosure.is_showing()

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        done = staff_client.post(
            url, {"form": "withdraw", "withdraw-reason": "名单中一人姓名有误"}, follow=True
        )
    page = done.content.decode()
    assert "提前撤回" in page and "尤国平" in page and "名单中一人姓名有误" in page
    disclosure.refresh_from_db()
    # When it was taken down, not the end it was planned to have.
    local = timezone.localtime
    taken_down = local(disclosure.withdrawn_at).strftime("%Y-%m-%d %H:%M")
    published = local(disclosure.published_at).strftime("%Y-%m-%d %H:%M")
    assert f"自{published}起公示，已于{taken_down}撤下。" in page
    assert local(disclosure.window_ends_at).strftime("%Y-%m-%d %H:%M") not in page
    listing = staff_client.get(reverse("funds:disclosure-list", args=[funded.code]))
    assert f"已于{taken_down}撤下" in listing.content.decode()
    assert disclosure.withdrawn_by == chair and not disclosure.is_showing()


def test_an_answered_objection_and_a_cancelled_request_say_who_and_when(
    tree, funded, donate, chair, request_payment, login
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    disclosure = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    objection = services.objection_record(actor=chair, disclosure=disclosure, content="金额有疑问")
    client = login(chair)
    handled = client.post(
        reverse("funds:objection-handle", args=[objection.pk]), {"handling": "已电话说明"},
        follow=True,
    )  # fmt: skip
    assert [str(m) for m in handled.context["messages"]] == ["异议处理情况已保存。"]
    objection.refresh_from_db()
    assert objection.handled_by == chair and objection.handled_at is not None
    page = client.get(reverse("funds:disclosure-detail", args=[disclosure.pk])).content.decode()
    assert "已电话说明" in page and "答复人：尤国平" in page

    asked = request_payment(funded, "800.00")
    services.disbursement_cancel(actor=chair, disbursement=asked, reason="重复申请")
    detail = client.get(reverse("funds:disbursement-detail", args=[asked.public_id]))
    assert "撤销人 <strong>尤国平</strong>：重复申请" in detail.content.decode()


def test_closing_the_books_shows_what_it_seals_and_asks_again(tree, fund, donate, chair, login):
    with time_machine.travel(datetime.datetime(2026, 10, 12, 2, tzinfo=datetime.UTC)):
        donate(fund, "6000.00")
        donate(fund, "400.00", donor_kind="anonymous")
    with time_machine.travel(datetime.datetime(2026, 11, 3, 2, tzinfo=datetime.UTC)):
        donate(fund, "100.00", donor_kind="anonymous")
    url = reverse("funds:fund-close", args=[fund.code])
    client = login(chair)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 2, tzinfo=datetime.UTC)):
        today = client.post(url, {"through": "2026-11-20"})
        asked = client.post(url, {"through": "2026-10-31"})
        fund.refresh_from_db()
        assert fund.closed_through is None  # nothing changes until confirmed
        assert "只能对已结束的期间结账（截至昨天）" in today.content.decode()
        page = asked.content.decode()
        assert "2026-10-31 日终余额：¥6,400.00" in page
        assert "将封存 2 笔分录" in page and "无法撤销" in page
        sent_back = {"through": "2026-10-31", "confirm": "1"}
        for name in ("expect_closing", "expect_entries"):  # what the confirmation showed
            sent_back[name] = re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        assert sent_back["expect_closing"] == "6400.00" and sent_back["expect_entries"] == "2"
        done = client.post(url, sent_back, follow=True)
    fund.refresh_from_db()
    assert fund.closed_through == datetime.date(2026, 10, 31)
    assert "已结账至2026-10-31" in str(next(iter(done.context["messages"])))


def test_a_payment_on_the_worker_s_timeline_links_its_amount_not_an_empty_link(
    tree, funded, request_payment, chair, worker, login
):
    import re

    payment = request_payment(funded, "1200.00")
    html = login(chair).get(reverse("workers:worker-detail", args=[worker.public_id])).content
    html = html.decode()
    link = reverse("funds:disbursement-detail", args=[payment.public_id])
    assert re.search(rf'<a href="{link}">¥1,200.00 · [^<]+</a>', html)
    assert re.search(r"<a [^>]*>\s*</a>", html) is None


def test_a_paid_payment_is_one_item_on_the_worker_s_timeline(
    tree, funded, approved, chair, case, worker
):
    from unionhub.core.timeline import worker_timeline

    payment = approved(funded, "1200.00", case=case)
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=payment, idempotency_key=key()
    )
    from unionhub.cases.models import CaseEvent

    items = worker_timeline(worker, chair)
    link = reverse("funds:disbursement-detail", args=[payment.public_id])
    paid = str(CaseEvent.Kind.PAYMENT.label)
    assert [item.url for item in items if item.url == link or item.kind == paid] == [link]
    # The request's own timeline still says it was paid.
    assert case.events.filter(kind="payment", data__disbursement=str(payment.public_id)).exists()


def test_the_reversal_page_of_a_reversal_says_up_front_it_cannot_be_reversed(
    tree, funded, donate, chair, login
):
    gift = donate(funded, "50.00", donor_kind="anonymous")
    reversal = services.entry_reverse(
        actor=chair, entry=gift.entries.get(), reason="重复登记", idempotency_key=key()
    )
    client = login(chair)
    url = reverse("funds:entry-reverse", args=[reversal.pk])
    page = client.get(url).content.decode()
    assert "该分录本身是冲销，不能再冲销" in page
    assert f"它冲销的是{timezone.localdate().isoformat()}登记的分录" in page
    assert 'name="reason"' not in page
    # The same rule answers a post sent anyway (an old tab): nothing is booked.
    entries = LedgerEntry.objects.count()
    refused = client.post(url, {"idempotency_key": uuid.uuid4(), "reason": "冲销有误"})
    assert refused.status_code == 200 and "该分录本身是冲销" in refused.content.decode()
    assert LedgerEntry.objects.count() == entries
    with pytest.raises(DomainError) as direct:
        services.entry_reverse(
            actor=chair, entry=reversal, reason="冲销有误", idempotency_key=key()
        )
    assert direct.value.code == "reverse_reversal"


def test_the_reversal_page_names_what_is_reversed_and_says_when_it_already_was(
    tree, funded, approved, chair, case, login
):
    payment = approved(funded, "1200.00", case=case)
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=payment, idempotency_key=key()
    )
    entry = LedgerEntry.objects.get(disbursement=payment, kind="disbursement")
    client = login(chair)
    url = reverse("funds:entry-reverse", args=[entry.pk])
    page = client.get(url).content.decode()
    # The beneficiary and the request, as the ledger shows the line; not an id fragment.
    assert payment.worker.name in page and case.reference in page
    assert str(payment.public_id)[:8] not in page.replace(str(payment.public_id), "")
    assert 'name="reason"' in page
    services.entry_reverse(
        actor=chair, entry=entry, reason="银行退回，账号错误", idempotency_key=key()
    )
    again = client.get(url).content.decode()
    assert "该分录已于" in again and "冲销" in again and 'name="reason"' not in again
    # A reversal reads with a Chinese colon before its reason.
    reversal = LedgerEntry.objects.described().get(reverses=entry)
    assert reversal.description.endswith("：银行退回，账号错误")
    # The worker's timeline says the aid no longer stands, without the internal reason.
    line = case.events.filter(kind="payment").order_by("created_at", "id").last()
    assert (
        line.public_text
        == "为您登记的帮扶款¥1,200.00已撤销，工会将向您说明情况；如有疑问请联系工会。"
    )
    assert "银行退回" not in line.public_text


def test_an_objection_received_in_the_future_is_refused_beside_its_time(
    tree, funded, donate, chair, login
):
    before = timezone.localdate() - datetime.timedelta(days=2)
    donate(funded, "500.00", received_on=before)
    with days_ago(1):  # published yesterday, public for days yet
        disclosure = services.disclosure_publish(
            actor=chair, fund=funded, period_start=before, period_end=before
        )
    url = reverse("funds:disclosure-detail", args=[disclosure.pk])
    client = login(chair)
    later = timezone.localtime() + datetime.timedelta(days=3)
    refused = client.post(
        url,
        {"form": "objection", "received_at": later.strftime("%Y-%m-%dT%H:%M"),
         "raised_by": "职工", "content": "金额有疑问"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert refused.context["form"].errors["received_at"] == [
        "异议收到后才能登记：收到时间不能晚于现在。"
    ]
    assert not disclosure.objections.exists()
    now = timezone.localtime()
    saved = client.post(
        url,
        {"form": "objection", "received_at": now.strftime("%Y-%m-%dT%H:%M"),
         "content": "金额有疑问"},
    )  # fmt: skip
    assert saved.status_code == 302
    assert disclosure.objections.count() == 1


def test_only_an_on_duty_officer_gets_past_the_advance_endpoint(
    tree, funded, chair, auditor, approver1, officer, outsider, emergency_case, login
):
    url = reverse("funds:advance-create", args=[emergency_case.public_id])
    data = {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": "6000",
            "method": "cash", "reason": "垫付住院押金",
            "payment_reference": "收据 0001"}  # fmt: skip
    for who in (auditor, approver1, officer):  # officer: may ask, but no fund names them
        refused = login(who).post(url, data)
        assert refused.status_code == 403
        assert "advance_form" not in (refused.context or {})
        assert b"id_advance_amount" not in refused.content
    assert login(outsider).post(url, data).status_code == 404
    assert not Disbursement.objects.exists()
    paid = login(chair).post(url, data)
    assert paid.status_code == 302
    assert Disbursement.objects.get().is_advance


def test_a_period_ending_after_today_is_refused_and_this_year_shown(tree, funded, chair, login):
    today = timezone.localdate()
    later = today + datetime.timedelta(days=400)
    client = login(chair)
    for name in ("funds:fund-detail", "funds:fund-ledger"):
        response = client.get(
            reverse(name, args=[funded.code]),
            {"start": today.replace(month=1, day=1).isoformat(), "end": later.isoformat()},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert f"期间最晚截至今天（{today.isoformat()}），{later.isoformat()}还没有到。" in page
        assert "改为显示今年的数据" in page
        assert later.isoformat() not in page.split("改为显示今年的数据")[1]  # no balance "as at"
    statement = client.get(
        reverse("funds:fund-detail", args=[funded.code]), {"end": later.isoformat()}
    ).context["statement"]
    assert statement["end"] == today


def test_the_books_are_not_closed_through_a_day_before_the_fund_was_opened(
    tree, fund, chair, login
):
    opened = timezone.localdate(fund.created_at)
    with pytest.raises(DomainError) as refused:
        services.period_close_preview(
            actor=chair, fund=fund, through=opened - datetime.timedelta(days=1)
        )
    assert (refused.value.code, refused.value.field) == ("before_fund_opened", "through")
    url = reverse("funds:fund-close", args=[fund.code])
    page = login(chair).post(url, {"through": "1999-01-01"})
    assert page.context["preview"] is None  # no "seal 0 entries" to confirm
    assert page.context["form"].errors["through"] == [
        f"{fund.name}于{opened.isoformat()}设立，此前没有账目可结。请结账至"
        f"{opened.isoformat()}或之后的日期。"
    ]
    fund.refresh_from_db()
    assert fund.closed_through is None
    assert login(chair).post(url, {"through": "1999-01-01", "confirm": "1"}).status_code == 200
    fund.refresh_from_db()
    assert fund.closed_through is None
    # The opening day itself may be closed.
    assert services.period_close_preview(actor=chair, fund=fund, through=opened)["entries"] == 0


def test_the_public_notice_says_when_it_was_published(tree, funded, donate, chair, client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    notice = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    html = client.get(reverse("disclosure-public", args=[notice.token])).content.decode()
    published = timezone.localtime(notice.published_at).date().isoformat()
    assert f"发布日期：{published}，公示截止时间：" in html


def test_the_disclosure_list_reads_as_cards_on_a_phone(tree, funded, donate, chair, login):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "500.00", received_on=yesterday)
    services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    html = login(chair).get(reverse("funds:disclosure-list", args=[funded.code])).content.decode()
    assert 'class="table align-middle table-stack disclosure-table"' in html
    assert 'data-label="统计期间：' in html and 'data-label="公示时间：' in html
    assert 'data-label="异议：' in html


def test_the_request_and_its_money_form_show_what_a_part_at_the_district_paid(
    tree, emergency_case, officer, district_admin, donate, login
):
    from tests.funds.test_services import advance
    from unionhub.cases import services as case_services

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
    advance(district_fund, part, district_admin, "10000.00")

    client = login(officer)
    page = client.get(reverse("cases:case-detail", args=[case.public_id])).content.decode()
    assert "惠山区困难职工帮扶资金" in page and "¥10,000.00" in page
    assert f"（部分转办诉求{part.reference}）" in page
    assert "分钟送达职工" in page  # the emergency's clock has stopped
    form = client.get(reverse("funds:disbursement-create", args=[case.public_id]))
    listed = form.content.decode()
    assert "paid-linked" in listed and part.reference in listed and "¥10,000.00" in listed
