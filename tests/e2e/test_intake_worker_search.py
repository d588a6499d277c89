"""At intake the officer types the number the caller reads out, digit by digit or pasted."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_shells import demo, sign_in  # noqa: F401 (the fixture)


def test_a_whole_mobile_typed_at_intake_finds_the_worker_and_never_leaves_the_page(
    demo,  # noqa: F811
    live_server,
    open_page,
    shot,
):
    _tree, _officer, worker = demo
    page = open_page()
    sent: list[tuple[str, str]] = []
    page.on("request", lambda r: sent.append((r.method, r.url)))
    sign_in(page, live_server.url, "/accounts/login/", "qq_staff")
    page.goto(live_server.url + "/cases/new/")
    search = page.get_by_label("查找职工")
    matches = page.locator("#worker-matches")

    search.press_sequentially(worker.mobile[:8], delay=60)
    # On its way to a whole number: said so, about what is in the box now.
    page.get_by_text("请继续输入").wait_for()
    search.press_sequentially(worker.mobile[8:], delay=60)
    matches.get_by_role("link", name=f"选择 {worker.name}").wait_for()
    assert worker.mobile_masked in matches.inner_text()
    shot(page, "intake-whole-mobile")

    search.fill("")
    expect(matches).not_to_contain_text(worker.name)  # cleared, so what comes next is new
    search.fill(f"{worker.mobile[:3]} {worker.mobile[3:7]} {worker.mobile[7:]}")  # pasted
    matches.get_by_role("link", name=f"选择 {worker.name}").wait_for()

    search.fill("13900000000")  # no one's
    page.get_by_text("在您的组织中没有手机号为139****0000的职工").wait_for()
    searches = [(method, url) for method, url in sent if "find-worker" in url]
    assert searches and {method for method, _url in searches} == {"POST"}
    assert not [url for _method, url in sent if worker.mobile in url or "13900000000" in url]
    assert page.console_errors == []
