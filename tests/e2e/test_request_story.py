"""A worker asks for help on the phone; staff accept and resolve it; the worker rates it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import build_tree, staff
from tests.factories import PASSWORD, UserFactory, WorkerFactory
from unionhub.cases.models import Case
from unionhub.orgs.models import Membership


@pytest.fixture
def people(transactional_db):
    tree = build_tree()
    chair = staff(
        tree.union_a, Membership.Role.ENTERPRISE_CHAIR, username="wd_chair", full_name="尤国平"
    )
    worker = WorkerFactory(name="韩璐", organization=tree.union_a, enterprise=tree.enterprise_a)
    worker.user = UserFactory(username="w-hanlu", full_name="韩璐", mobile=worker.mobile)
    worker.save()
    return tree, chair, worker


def sign_in(page, url: str, username: str, label: str) -> None:
    page.goto(url)
    page.get_by_label(label).fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state("networkidle")


def test_a_request_from_the_phone_to_the_rating(people, live_server, open_page, shot):
    _tree, chair, worker = people
    phone = open_page(phone=True)
    sign_in(phone, live_server.url + "/portal/login/", worker.mobile, "手机号")
    phone.get_by_role("link", name="申请帮助").first.click()
    phone.get_by_label("困难帮扶").check()
    phone.get_by_label("简要说明").fill("家里老人住院，需要帮扶")
    phone.get_by_label("具体情况").fill("父亲突发脑梗住院，我要请假陪护，这个月收入少了一半。")
    phone.get_by_label("方便联系的时间").fill("晚上七点后")
    shot(phone, "request-1-worker-form-phone")
    send = phone.get_by_role("button", name="提交")
    send.click()
    send.click(force=True) if send.is_visible() and send.is_enabled() else None  # a double tap
    phone.wait_for_load_state("networkidle")
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert phone.get_by_text(case.reference).first.is_visible()
    shot(phone, "request-2-worker-submitted-phone")

    desk = open_page()
    sign_in(desk, live_server.url + "/accounts/login/", "wd_chair", "用户名或手机号")
    desk.get_by_role("link", name="诉求", exact=True).click()
    desk.get_by_role("link", name=case.reference).click()
    desk.get_by_role("button", name="受理").click()
    desk.get_by_text("已受理").first.wait_for()
    # The colleagues to assign to are fetched when the action is opened.
    desk.locator("summary", has_text="指派").click()
    desk.get_by_label("指派给").select_option(label="尤国平")
    desk.locator("details[open]").get_by_role("button", name="指派").click()
    desk.locator("#case-main").get_by_text("尤国平").first.wait_for()
    assert Case.objects.get().assignee == chair
    desk.locator("summary", has_text="办结").click()
    # Sent empty: the page part comes back with the reason, the cursor in the field, in view.
    desk.locator("details[open]").get_by_role("button", name="办结").click()
    desk.locator('details[open] [aria-invalid="true"]').first.wait_for()
    # A locator, not a JavaScript string: the console's CSP refuses eval.
    expect(desk.get_by_label("办理结果")).to_be_focused()
    assert desk.get_by_label("办理结果").get_attribute("aria-invalid") == "true"
    box = desk.get_by_label("办理结果").bounding_box()
    assert 0 <= box["y"] <= desk.viewport_size["height"]
    assert Case.objects.get().status == "accepted"
    desk.get_by_label("办理结果").fill("已发放困难帮扶金2,000元，并协调企业调整排班。")
    desk.locator("details[open]").get_by_role("button", name="办结").click()
    desk.get_by_text("已办结").first.wait_for()
    shot(desk, "request-3-staff-resolved")
    assert Case.objects.get().status == "resolved"

    phone.goto(live_server.url + f"/portal/requests/{case.public_id}/")
    assert phone.get_by_text("您的诉求已办结").first.is_visible()
    assert phone.get_by_text("已发放困难帮扶金2,000元，并协调企业调整排班。").is_visible()
    phone.get_by_text("非常满意", exact=True).click()
    phone.get_by_label("您还想告诉我们什么").fill("工会办事快，很贴心。")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".steps").get_by_text("您对本次服务的评价为5分。").is_visible()
    shot(phone, "request-4-worker-rated-phone")
    assert Case.objects.get().rating == 5
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.console_errors == [] and desk.console_errors == []


def test_bulk_assign_from_the_queue(people, live_server, open_page):
    """Ticking requests and choosing a colleague does not reload the queue (which would clear
    the ticks): the chosen colleague gets exactly the ticked requests."""
    tree, chair, worker = people
    from unionhub.cases import services
    from unionhub.cases.models import ServiceCategory

    colleague = staff(
        tree.union_a, Membership.Role.ENTERPRISE_CHAIR, username="wd_vice", full_name="钱雅琴"
    )
    hardship = ServiceCategory.objects.get(code="hardship_relief")
    cases = [
        services.case_submit(
            actor=chair,
            worker=worker,
            category=hardship,
            channel="phone",
            summary=f"困难帮扶{i}",
            description="家庭困难，申请帮扶。",
        )
        for i in range(3)
    ]
    desk = open_page()
    sign_in(desk, live_server.url + "/accounts/login/", "wd_chair", "用户名或手机号")
    desk.goto(live_server.url + "/cases/")
    for case in cases[:2]:
        desk.locator(f"input[name=case][value='{case.public_id}']").check()
    desk.get_by_label("将勾选的诉求指派给").select_option(label=colleague.get_full_name())
    desk.wait_for_timeout(300)  # time for a (wrong) reload of the table to happen
    assert desk.locator("input[name=case]:checked").count() == 2
    desk.get_by_role("button", name="指派", exact=True).click()
    desk.wait_for_load_state("networkidle")
    assigned = {c.pk: c.assignee_id for c in Case.objects.all()}
    assert [assigned[c.pk] for c in cases] == [colleague.pk, colleague.pk, None]

    # The header box ticks the whole page, shows "some" when only some are ticked, and clears.
    every = desk.get_by_label("勾选本页全部诉求")
    every.check()
    assert desk.locator("input[name=case]:checked").count() == 3
    desk.locator(f"input[name=case][value='{cases[0].public_id}']").uncheck()
    assert every.evaluate("box => box.indeterminate") is True
    every.click()  # from "some": all
    assert desk.locator("input[name=case]:checked").count() == 3
    every.click()
    assert desk.locator("input[name=case]:checked").count() == 0

    # On a tablet the rows fit the card: the summary moves under the reference.
    desk.set_viewport_size({"width": 768, "height": 1024})
    card = desk.locator(".table-card")
    assert card.evaluate("c => c.scrollWidth <= c.clientWidth")
    assert desk.locator(".queue-summary-under", has_text="困难帮扶0").is_visible()
    assert not desk.get_by_role("columnheader", name="承办组织").is_visible()
    # On a phone each request is a small card, its box still there to tick.
    desk.set_viewport_size({"width": 375, "height": 812})
    assert card.evaluate("c => c.scrollWidth <= c.clientWidth")
    assert desk.evaluate("document.documentElement.scrollWidth") <= 375
    desk.locator(f"input[name=case][value='{cases[2].public_id}']").check()
    assert desk.locator(".queue-summary-under", has_text="困难帮扶2").is_visible()
    # With the header gone, each value carries its column's name for screen readers.
    label = desk.locator(".q-status .q-label").first
    assert label.text_content() == "状态"
    assert label.evaluate("e => getComputedStyle(e).display") != "none"
    desk.set_viewport_size({"width": 1366, "height": 900})
    assert label.evaluate("e => getComputedStyle(e).display") == "none"  # the header says it
    assert desk.console_errors == []


def test_the_chair_enters_a_workmates_night_call_for_a_registered_worker(
    people, live_server, open_page, shot
):
    """The fire story's first minutes at the desk: find the worker, see them chosen (under the
    step's heading, the matches gone), record the caller and when it happened."""
    _tree, _chair, worker = people
    desk = open_page()
    sign_in(desk, live_server.url + "/accounts/login/", "wd_chair", "用户名或手机号")
    desk.goto(live_server.url + "/cases/new/")
    desk.get_by_label("查找职工").fill("韩璐")
    desk.get_by_role("link", name="选择 韩璐").click()
    chosen = desk.locator("#chosen-worker .alert")
    chosen.wait_for()
    heading = desk.get_by_text("1. 求助职工")
    assert heading.is_visible()
    assert (
        heading.bounding_box()["y"] + heading.bounding_box()["height"] <= chosen.bounding_box()["y"]
    )
    assert desk.locator(".worker-matches").count() == 0
    desk.get_by_label("服务类别").select_option(label="紧急救助")
    desk.get_by_label("来源渠道").select_option(label="电话")
    desk.get_by_label("摘要").fill("家中突发火灾")
    desk.get_by_label("具体情况及需求").fill("晚上十点家中失火，本人烧伤住院，一家人暂无住处。")
    desk.get_by_label("发生时间").fill("2026-11-24T22:00")
    desk.get_by_label("反映人", exact=True).fill("周国强")
    desk.get_by_label("与职工的关系").fill("同班组工友")
    desk.get_by_label("反映人电话").fill("13961708852")
    shot(desk, "request-intake-night-call")
    desk.get_by_role("button", name="登记诉求").click()
    desk.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert (case.worker, case.urgency, case.reporter_name) == (worker, "emergency", "周国强")
    assert "周国强（同班组工友）" in desk.locator("dd.case-reporter").inner_text()
    assert (
        "来源渠道：电话。反映人：周国强（同班组工友）。"
        in desk.locator(".event-body").first.inner_text()
    )


def test_what_is_typed_in_one_action_survives_sending_another(people, live_server, open_page):
    from unionhub.cases import services
    from unionhub.cases.models import ServiceCategory

    _tree, chair, worker = people
    case = services.case_submit(
        actor=chair, worker=worker, category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="phone", summary="家里老人住院", description="父亲突发脑梗住院，需要陪护。",
    )  # fmt: skip
    services.case_accept(actor=chair, case=case)
    desk = open_page()
    sign_in(desk, live_server.url + "/accounts/login/", "wd_chair", "用户名或手机号")
    desk.goto(live_server.url + f"/cases/{case.public_id}/")
    desk.locator("summary", has_text="办结").click()
    desk.get_by_label("办理结果").fill("已发放困难帮扶金2,000元（草稿）")
    desk.locator("summary", has_text="添加内部备注").click()
    desk.locator("#action-note").get_by_label("内部备注").fill("已联系企业人事核实。")
    desk.locator("#action-note").get_by_role("button", name="添加内部备注").click()
    desk.locator("#case-main").get_by_text("已联系企业人事核实。").first.wait_for()
    # Done in place: the cursor is back on the action used, and what was said is read out.
    expect(desk.locator("#action-note > summary")).to_be_focused()
    # Escape folds an open action away and leaves the cursor on its heading.
    desk.keyboard.press("Enter")
    expect(desk.locator("#action-note")).to_have_attribute("open", "")
    desk.locator("#action-note").get_by_label("内部备注").focus()
    desk.keyboard.press("Escape")
    assert desk.locator("#action-note").get_attribute("open") is None
    expect(desk.locator("#action-note > summary")).to_be_focused()
    expect(desk.locator("#live-status")).to_have_text("备注已记入时间线，职工看不到。")
    # The note went; the resolution still being written stays open with its text.
    expect(desk.get_by_label("办理结果")).to_have_value("已发放困难帮扶金2,000元（草稿）")
    assert desk.locator("#action-resolve").get_attribute("open") is not None
    assert desk.locator("#action-note").get_attribute("open") is None
    # A refused action keeps the others' drafts too.
    desk.locator("summary", has_text="添加内部备注").click()
    desk.locator("#action-note").get_by_role("button", name="添加内部备注").click()  # empty
    desk.locator('#action-note [aria-invalid="true"]').first.wait_for()
    expect(desk.get_by_label("办理结果")).to_have_value("已发放困难帮扶金2,000元（草稿）")
    assert desk.console_errors == []


def test_going_back_shows_the_queue_with_the_filters_it_was_made_with(
    people, live_server, open_page
):
    """Back restores the queue from the server, never from a copy in the browser's storage
    (which would keep workers' names there, and showed filters that did not match the list);
    a search is sent once, not once for the change and again for the submit."""
    import re

    _tree, chair, worker = people
    from unionhub.cases import services
    from unionhub.cases.models import ServiceCategory

    services.case_submit(
        actor=chair, worker=worker, category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="phone", summary="困难帮扶", description="家庭困难，申请帮扶。",
    )  # fmt: skip
    desk = open_page()
    sign_in(desk, live_server.url + "/accounts/login/", "wd_chair", "用户名或手机号")
    desk.goto(live_server.url + "/cases/")
    sent = []
    desk.on("request", lambda r: sent.append(r.url) if "/cases/?" in r.url else None)
    status, search = desk.get_by_label("状态"), desk.get_by_label("搜索")
    status.select_option("all")
    expect(desk).to_have_url(re.compile(r"status=all"))
    search.fill("韩璐")
    search.press("Enter")
    expect(desk).to_have_url(re.compile(r"q=%E9%9F%A9%E7%92%90"))
    desk.wait_for_load_state("networkidle")
    assert len(sent) == 2, sent
    assert desk.evaluate("Object.keys(localStorage).filter(k => k.startsWith('htmx'))") == []

    desk.go_back()
    expect(search).to_have_value("")
    expect(status).to_have_value("all")
    desk.wait_for_load_state("networkidle")
    desk.go_back()
    expect(status).to_have_value("")
    expect(desk.locator("#case-table")).to_contain_text("困难帮扶")
    assert desk.console_errors == []


def test_opening_an_action_whose_form_is_fetched_puts_the_cursor_in_its_first_field(
    people, live_server, open_page
):
    from unionhub.cases import services
    from unionhub.cases.models import ServiceCategory

    _tree, chair, worker = people
    case = services.case_submit(
        actor=chair, worker=worker, category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="phone", summary="家里老人住院", description="父亲突发脑梗住院，需要陪护。",
    )  # fmt: skip
    services.case_accept(actor=chair, case=case)
    desk = open_page()
    sign_in(desk, live_server.url + "/accounts/login/", "wd_chair", "用户名或手机号")
    desk.goto(live_server.url + f"/cases/{case.public_id}/")
    for action, field in (("assign", "指派给"), ("refer_part", "转办至"), ("refer", "转办至")):
        details = desk.locator(f"#action-{action}")
        details.locator("summary").focus()
        desk.keyboard.press("Enter")
        expect(details.locator("form")).to_be_visible()
        expect(details.get_by_label(field, exact=True)).to_be_focused()
        # Escape folds it away and puts the cursor back on its heading, as for the others.
        desk.keyboard.press("Escape")
        expect(desk.locator(f"#action-{action} > summary")).to_be_focused()
    assert desk.console_errors == []
