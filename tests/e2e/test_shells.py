"""Staff on a laptop and a worker on a phone, signing in and finding their way around."""

from __future__ import annotations

import pytest

from tests.conftest import build_tree, staff
from tests.factories import PASSWORD, FamilyMemberFactory, UserFactory, WorkerFactory
from unionhub.orgs.models import Membership


@pytest.fixture
def demo(transactional_db):
    tree = build_tree()
    officer = staff(
        tree.station_a, Membership.Role.STATION_STAFF, username="qq_staff", full_name="蒋丽华"
    )
    worker = WorkerFactory(name="王小明", organization=tree.union_a, enterprise=tree.enterprise_a)
    worker.user = UserFactory(username="w-1", full_name="王小明", mobile=worker.mobile)
    worker.save()
    FamilyMemberFactory(worker=worker, name="王子涵", school="惠山区钱桥实验小学")
    WorkerFactory(name="李娜", organization=tree.union_b, enterprise=tree.enterprise_b)
    return tree, officer, worker


def sign_in(page, base_url: str, path: str, username: str) -> None:
    page.goto(base_url + path)
    page.get_by_label("用户名或手机号" if "accounts" in path else "手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state("networkidle")


def test_staff_sign_in_find_a_worker_and_reveal_an_id_with_a_reason(
    demo, live_server, open_page, shot
):
    *_, worker = demo
    page = open_page()
    page.goto(live_server.url + "/")
    assert page.url.endswith("/accounts/login/?next=/") or page.url.endswith("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="工会服务枢纽").is_visible()
    shot(page, "staff-login")

    sign_in(page, live_server.url, "/accounts/login/", "qq_staff")
    assert page.url.endswith("/console/")
    assert page.get_by_role("heading", name="蒋丽华，您好").is_visible()
    assert (
        page.locator(".console-context")
        .get_by_text("舜何社区产改指导站 · 指导站工作人员")
        .is_visible()
    )
    shot(page, "staff-dashboard")

    page.get_by_role("link", name="职工", exact=True).click()
    page.get_by_label("搜索").fill("wxm")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#worker-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1  # 李娜 belongs to another station
    assert "王小明" in rows.first.inner_text()
    assert worker.id_number not in page.content()
    shot(page, "staff-workers")

    rows.first.get_by_role("link", name="王小明").click()
    page.get_by_text("查看完整号码", exact=True).click()
    page.get_by_label("查看完整号码的理由").fill("核对困难帮扶材料")
    page.get_by_role("button", name="查看", exact=True).click()
    page.get_by_text(worker.id_number).wait_for()
    assert page.get_by_role("cell", name="王子涵", exact=True).is_visible()
    shot(page, "staff-worker-detail")
    assert page.console_errors == []


def test_staff_switch_the_interface_to_english_and_back(demo, live_server, open_page):
    page = open_page()
    sign_in(page, live_server.url, "/accounts/login/", "qq_staff")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="Workers", exact=True).is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="职工", exact=True).is_visible()


def test_the_keyboard_reaches_the_skip_link_first(demo, live_server, open_page):
    page = open_page()
    sign_in(page, live_server.url, "/accounts/login/", "qq_staff")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到主要内容"


def test_a_worker_signs_in_on_a_phone_and_sees_their_record(demo, live_server, open_page, shot):
    *_, worker = demo
    page = open_page(phone=True)
    page.goto(live_server.url + "/portal/login/")
    shot(page, "worker-login-phone")
    sign_in(page, live_server.url, "/portal/login/", worker.mobile)
    assert page.url.endswith("/portal/")
    assert page.get_by_role("heading", name="王小明").is_visible()
    assert page.get_by_text("舜何社区产改指导站").is_visible()
    shot(page, "worker-home-phone")

    # Nothing is wider than the phone, and the bottom navigation is big enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for link in page.locator(".bottom-nav a").all():
        box = link.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48

    page.locator(".bottom-nav").get_by_role("link", name="我的", exact=True).click()
    assert page.get_by_text("王子涵").is_visible()
    assert page.get_by_text(worker.id_number_masked).is_visible()
    assert worker.id_number not in page.content()
    shot(page, "worker-profile-phone")
    assert page.console_errors == []


def test_the_queue_on_a_phone_says_which_time_is_the_submission(demo, live_server, open_page, shot):
    from unionhub.cases import services
    from unionhub.cases.models import ServiceCategory

    tree, officer, worker = demo
    services.case_submit(
        actor=officer,
        worker=worker,
        category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="phone",
        summary="家里老人住院",
        description="父亲突发脑梗住院。",
    )
    staff(tree.station_a, Membership.Role.STATION_STAFF, full_name="钱志刚")  # someone to assign to
    page = open_page(phone=True)
    sign_in(page, live_server.url, "/accounts/login/", "qq_staff")
    page.goto(live_server.url + "/cases/")
    card = page.locator(".queue-table tbody tr").first
    # The deadline sits beside its badge; the other time names itself.
    when = card.locator(".q-when")
    assert when.inner_text().startswith("提交时间")
    assert card.locator(".q-due .badge").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The tick box and the reference are a thumb's size to tap.
    for target in (card.locator(".tick-target"), card.locator(".q-ref a")):
        assert target.bounding_box()["height"] >= 43
    card.locator(".tick-target").tap(position={"x": 40, "y": 40})  # its corner ticks it too
    assert card.locator("input[name=case]").is_checked()
    # The bulk-assign button reads on one line.
    button = page.locator(".bulk-assign").get_by_role("button", name="指派")
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 24")
    assert button.bounding_box()["height"] < 2 * line
    shot(page, "staff-queue-phone")
    # The filters beyond search and status fold away on a phone, and come on asking.
    category = page.get_by_label("服务类别")
    assert page.get_by_label("搜索", exact=True).is_visible() and not category.is_visible()
    more = page.get_by_role("button", name="更多筛选")
    more.click()
    assert category.is_visible() and more.get_attribute("aria-expanded") == "true"
    page.goto(live_server.url + "/cases/?urgency=emergency")
    assert page.get_by_label("紧急程度").is_visible()  # a filter that is set stays in view
    page.goto(live_server.url + "/cases/?q=&status=&sort=newest")  # a search's own address
    assert not page.get_by_label("紧急程度").is_visible()
    # In English, longer words: the card still fits, nothing hidden past its right edge.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/cases/")
    assert page.locator(".q-when").first.inner_text().startswith("Submitted at")
    table = page.locator(".queue-table").first
    assert table.evaluate(
        "t => t.closest('.table-card').scrollWidth <= t.closest('.table-card').clientWidth"
    )
    shot(page, "staff-queue-phone-en")


@pytest.mark.parametrize("path", ["/cases/", "/workers/"])
def test_a_full_number_typed_into_a_search_is_stopped_with_the_reason(
    demo, live_server, open_page, path
):
    page = open_page()
    sign_in(page, live_server.url, "/accounts/login/", "qq_staff")
    page.goto(live_server.url + path)
    search = page.get_by_label("搜索", exact=True)
    search.fill("18906496414")
    search.press("Enter")
    message = search.evaluate("el => el.validationMessage")
    assert message == "为保护隐私，手机号或身份证号只能按后4–6位搜索。"
    assert "18906496414" not in page.url  # never sent
    search.fill("6414")
    assert search.evaluate("el => el.validity.valid")
