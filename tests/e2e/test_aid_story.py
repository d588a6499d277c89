"""A chair asks for money against a request at night; two approvers approve on their phones; it
is paid; the worker sees the aid on the phone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import build_tree, staff
from tests.factories import PASSWORD, UserFactory, WorkerFactory
from tests.funds.conftest import make_fund
from unionhub.cases import services as case_services
from unionhub.cases.models import ServiceCategory
from unionhub.funds import services
from unionhub.funds.models import Disbursement
from unionhub.orgs.models import Membership

Role = Membership.Role


@pytest.fixture
def story(transactional_db):
    tree = build_tree()
    chair = staff(tree.union_a, Role.ENTERPRISE_CHAIR, username="hz_chair", full_name="许建新")
    first = staff(tree.union_a, Role.FUND_APPROVER, username="hz_approver1", full_name="冯立群")
    second = staff(tree.union_a, Role.FUND_APPROVER, username="hz_approver2", full_name="唐美玲")
    worker = WorkerFactory(name="曹涛勇", organization=tree.union_a, enterprise=tree.enterprise_a)
    worker.user = UserFactory(username="w-cty", full_name="曹涛勇", mobile=worker.mobile)
    worker.save()
    fund = make_fund(tree.union_a, code="hz-ygfz", name="华锦重工员工扶助基金", officers=[chair])
    services.donation_record(
        actor=chair, fund=fund, donor_kind="person", donor_name="许国华",
        amount=Decimal("500000.00"), channel="bank_transfer",
        received_on=timezone.localdate(), idempotency_key="founder",
    )  # fmt: skip
    case = case_services.case_submit(
        actor=chair, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中突发火灾，急需救助",
        description="工友来电：晚上十点家中失火，本人烧伤送医。",
    )  # fmt: skip
    case = case_services.case_accept(actor=chair, case=case)
    return chair, first, second, worker, fund, case


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state("networkidle")


def test_request_two_approvals_payment_and_the_worker_sees_it(story, live_server, open_page, shot):
    _chair, _first, _second, worker, fund, case = story
    base = live_server.url

    desk = open_page()
    sign_in(desk, base, "hz_chair")
    desk.goto(base + f"/cases/{case.public_id}/")
    desk.get_by_role("link", name="申请帮扶款").click()
    fund_choice = desk.get_by_label("支出基金")
    assert fund.name in fund_choice.inner_text() and "余额" in fund_choice.inner_text()
    fund_choice.select_option(value=str(fund.pk))
    desk.get_by_label("金额（元）").first.fill("300000")
    desk.get_by_label("紧急：立即通知审批人").check()
    desk.get_by_label("用款理由").fill("家中火灾，本人烧伤住院，房屋财物损毁。")
    desk.get_by_role("button", name="提交审批").click()
    desk.wait_for_load_state("networkidle")
    disbursement = Disbursement.objects.get()
    assert disbursement.status == "requested"
    shot(desk, "aid-1-requested")

    for username in ("hz_approver1", "hz_approver2"):
        phone = open_page(phone=True)
        sign_in(phone, base, username)
        phone.goto(base + "/funds/approvals/")
        card = phone.locator(".approval-card").first
        assert "¥300,000.00" in card.inner_text()
        assert card.locator("a.tap-link").bounding_box()["height"] >= 43  # the request, tappable
        shot(phone, f"aid-2-{username}-phone")
        assert card.locator("a.details-link").bounding_box()["height"] >= 44  # a thumb's target
        if username == "hz_approver1":
            # Turned down without a reason: still on the queue, the reason asked for on the card.
            card.get_by_role("button", name="不同意", exact=True).click()
            phone.wait_for_load_state("networkidle")
            assert phone.locator("h1").inner_text() == "审批"
            card = phone.locator(".approval-card").first
            assert "请填写不同意的理由（至少4个字）。" in card.inner_text()
            assert Disbursement.objects.get().status == "requested"
        # Enter in the comment starts a new line; it never sends the first button (Approve).
        comment = card.get_by_label(f"审批意见：{worker.name} ¥300,000.00")
        comment.fill("已电话核实火情")
        comment.press("Enter")
        phone.wait_for_timeout(300)
        assert Disbursement.objects.get().approvals.count() == (username == "hz_approver2")
        card.get_by_role("button", name="同意", exact=True).click()
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    disbursement.refresh_from_db()
    assert disbursement.status == "approved"

    desk.goto(base + f"/funds/payments/{disbursement.public_id}/")
    desk.get_by_label("支付凭证号").fill("HS20251209000001")
    desk.get_by_role("button", name="登记支付").click()
    desk.wait_for_load_state("networkidle")
    disbursement.refresh_from_db()
    assert disbursement.status == "paid"
    fund.refresh_from_db()
    assert fund.balance == Decimal("200000.00")
    shot(desk, "aid-3-paid")

    mine = open_page(phone=True)
    mine.goto(base + "/portal/login/")
    mine.get_by_label("手机号").fill(worker.mobile)
    mine.get_by_label("密码").fill(PASSWORD)
    mine.get_by_role("button", name="登录", exact=True).click()
    mine.wait_for_load_state("networkidle")
    mine.get_by_role("link", name="我收到的帮扶").click()
    assert mine.locator(".aid-card").get_by_text("¥300,000.00").is_visible()
    assert mine.locator(".aid-total").get_by_text("¥300,000.00").is_visible()
    assert mine.get_by_text("已支付").first.is_visible()
    shot(mine, "aid-4-worker-phone")
    for page in (desk, mine):
        assert page.console_errors == []


def test_a_fund_review_reads_on_a_phone_without_scrolling_sideways(
    story, live_server, open_page, shot
):
    import datetime

    chair, first, second, worker, fund, case = story
    auditor = staff(fund.organization, Role.FUND_AUDITOR, username="hz_auditor", full_name="薛文涛")
    disbursement = services.disbursement_request(
        actor=chair, fund=fund, worker=worker, amount=Decimal("300000.00"), method="cash",
        reason="家中火灾，本人烧伤住院。", case=case, category=case.category,
    )  # fmt: skip
    for approver in (first, second):
        disbursement = services.disbursement_approve(actor=approver, disbursement=disbursement)
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=disbursement,
        idempotency_key="pay-fire",
    )
    today = timezone.localdate()
    review = services.audit_open(
        actor=auditor, fund=fund, period_start=today, period_end=today, share="1", seed=7
    )
    services.finding_add(
        actor=auditor, review=review, severity="low", owner=chair,
        description="一笔支付缺少银行回单原件，仅有网银截图。",
        deadline=today + datetime.timedelta(days=30), item=review.items.get(),
    )  # fmt: skip

    phone = open_page(phone=True)
    sign_in(phone, live_server.url, "hz_auditor")
    phone.goto(live_server.url + "/funds/reviews/")
    # Each review a small card: its fund, then each value after its column's name.
    label = "el => getComputedStyle(el, '::before').content"
    cells = phone.locator(".table-stack tbody tr").first.locator("td")
    assert cells.nth(1).evaluate(label) == '"审查期间："'
    assert cells.nth(1).bounding_box()["x"] == cells.nth(0).bounding_box()["x"]  # one per line
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("link", name=fund.name).click()
    finding = phone.locator(".table-stack tbody tr").first
    finding.scroll_into_view_if_needed()
    assert finding.locator("td").nth(3).evaluate(label) == '"整改期限："'
    assert finding.get_by_label("整改情况").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "review-findings-phone")


@pytest.mark.parametrize(
    "path",
    [
        "/cases/follow-ups/", "/workers/", "/funds/", "/funds/payments/",
        "/funds/{fund}/ledger/", "/funds/{fund}/donations/", "/enterprises/", "/orgs/",
        "/cases/categories/",
    ],
)  # fmt: skip
def test_the_desk_s_lists_read_on_a_phone_one_card_per_row(story, live_server, open_page, path):
    chair, first, _second, worker, fund, case = story
    disbursement = services.disbursement_request(
        actor=chair, fund=fund, worker=worker, amount=Decimal("2000.00"), method="cash",
        reason="住院期间生活补助。", case=case, category=case.category,
    )  # fmt: skip
    services.disbursement_approve(actor=first, disbursement=disbursement)
    phone = open_page(phone=True)
    sign_in(phone, live_server.url, "hz_chair")
    phone.goto(live_server.url + path.format(fund=fund.code))
    rows = phone.locator(".table-stack tbody tr:has(td[data-label])")
    assert rows.count() >= 1 and rows.first.locator("td[data-label]").count() >= 3
    card = phone.locator(".table-card").first
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing hides to the right
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_english_ledger_and_the_disclosure_list_fit_a_phone(
    story, live_server, open_page, shot
):
    import datetime

    import time_machine
    from django.utils import timezone

    chair, _first, _second, _worker, fund, _case = story
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1)):
        services.donation_record(
            actor=chair, fund=fund, donor_kind="allocation", donor_name="无锡市总工会",
            amount=Decimal("12345678.90"), channel="bank_transfer",
            received_on=timezone.localdate(), idempotency_key="allocation",
        )  # fmt: skip
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.disclosure_publish(
        actor=chair, fund=fund, period_start=yesterday, period_end=yesterday
    )
    phone = open_page(phone=True)
    sign_in(phone, live_server.url, "hz_chair")
    phone.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": live_server.url + "/"}]
    )
    phone.goto(live_server.url + f"/funds/{fund.code}/ledger/")
    closing = phone.locator("tr.table-light").first
    assert "Closing balance" in closing.inner_text()
    row, amount = closing.bounding_box(), closing.locator("td.money").bounding_box()
    assert amount["x"] + amount["width"] <= row["x"] + row["width"]  # the whole amount shows
    assert "¥12,845,678.90" in closing.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "ledger-en-phone")

    phone.goto(live_server.url + f"/funds/{fund.code}/disclosures/")
    rows = phone.locator(".table-stack tbody tr:has(td[data-label])")
    assert rows.count() == 1
    cells = rows.first.locator("td")
    label = "el => getComputedStyle(el, '::before').content"
    assert cells.nth(1).evaluate(label) == '"Period listed: "'
    assert cells.nth(1).bounding_box()["x"] == cells.nth(0).bounding_box()["x"]  # one per line
    card = phone.locator(".table-card").first
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "disclosures-en-phone")


def test_the_public_notice_keeps_its_phone_number_whole_and_prints_its_date(
    story, live_server, open_page, shot
):
    import datetime

    import time_machine
    from django.utils import timezone

    chair, _first, _second, _worker, fund, _case = story
    org = fund.organization
    org.phone = "0510-83590120"
    org.save()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1)):
        services.donation_record(
            actor=chair, fund=fund, donor_kind="grant", donor_name="无锡市惠山区财政局",
            amount=Decimal("600000.00"), channel="bank_transfer",
            received_on=timezone.localdate(), idempotency_key="grant",
        )  # fmt: skip
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    notice = services.disclosure_publish(
        actor=chair, fund=fund, period_start=yesterday, period_end=yesterday
    )
    phone = open_page(phone=True)
    phone.goto(live_server.url + f"/public/disclosures/{notice.token}/")
    tel = phone.locator(".disclosure-contact a[href^='tel:']")
    assert tel.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"  # not 0510-|83590120
    line = tel.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert tel.bounding_box()["height"] < 1.5 * line
    phone.emulate_media(media="print")
    published = timezone.localtime(notice.published_at).date().isoformat()
    assert f"发布日期：{published}" in phone.locator("main").inner_text()
    assert phone.get_by_text("上级拨款与财政补助").is_visible()
    shot(phone, "public-notice-print")


def test_a_long_unbroken_rectification_wraps_on_the_printed_review_report(
    story, live_server, open_page, shot
):
    import datetime

    chair, first, second, worker, fund, case = story
    auditor = staff(fund.organization, Role.FUND_AUDITOR, username="hz_auditor", full_name="薛文涛")
    disbursement = services.disbursement_request(
        actor=chair, fund=fund, worker=worker, amount=Decimal("3000.00"), method="cash",
        reason="住院期间生活补助。", case=case, category=case.category,
    )  # fmt: skip
    for approver in (first, second):
        disbursement = services.disbursement_approve(actor=approver, disbursement=disbursement)
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=disbursement,
        idempotency_key="pay-long",
    )  # fmt: skip
    today = timezone.localdate()
    review = services.audit_open(
        actor=auditor, fund=fund, period_start=today, period_end=today, share="1", seed=7
    )
    finding = services.finding_add(
        actor=auditor, review=review, severity="low", owner=chair, description="回单未归档",
        deadline=today + datetime.timedelta(days=30), item=review.items.get(),
    )  # fmt: skip
    services.finding_rectify(actor=chair, finding=finding, note="https://bank.example/" + "A" * 300)

    desk = open_page()
    sign_in(desk, live_server.url, "hz_auditor")
    desk.goto(live_server.url + f"/funds/reviews/{review.pk}/")
    desk.emulate_media(media="print")
    card = desk.locator(".table-card").first
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing runs off the page
    note = desk.locator(".review-text", has_text="bank.example").bounding_box()
    box = card.bounding_box()
    assert note["x"] + note["width"] <= box["x"] + box["width"]
    shot(desk, "review-report-print")
