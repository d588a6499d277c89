"""The portal's small script and stylesheet, checked in Debian's headless Chromium on a phone.

Like tests/e2e, nothing is downloaded: the page may only talk to the live server.
"""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import build_tree, staff
from tests.factories import PASSWORD, UserFactory, WorkerFactory
from tests.funds.conftest import make_fund
from unionhub.cases import services
from unionhub.cases.models import Attachment, Case, ServiceCategory
from unionhub.funds import services as fund_services
from unionhub.notifications.services import notify
from unionhub.orgs.models import Membership

pytestmark = pytest.mark.e2e

# Every tap target, and whether the page is wider than the phone.
TARGETS = "a, button, summary, label.choice, label.star, textarea, input:not([type=hidden])"
AUDIT = """() => {
  const small = [];
  for (const el of document.querySelectorAll('TARGETS')) {
    if (el.type === 'radio') continue;  // its label is the target
    const box = el.getBoundingClientRect();
    if (!box.width || el.classList.contains('skip-link')) continue;
    if (box.height < 44) small.push(`${el.tagName} ${el.textContent.trim()} ${box.height}`);
  }
  return {width: document.documentElement.scrollWidth, small};
}""".replace("TARGETS", TARGETS)


@pytest.fixture
def chromium(browser):
    """The suite's one Chromium (tests/e2e/conftest.py): Playwright runs once per thread."""
    return browser


@pytest.fixture
def people(transactional_db):
    tree = build_tree()
    officer = staff(tree.station_a, Membership.Role.STATION_STAFF, username="officer")
    worker = WorkerFactory(name="韩璐", organization=tree.union_a, enterprise=tree.enterprise_a)
    worker.user = UserFactory(username="w-hanlu", full_name="韩璐", mobile=worker.mobile)
    worker.save()
    return officer, worker


@pytest.fixture
def phone(chromium, live_server, people):
    """``phone(width=375, language="zh-hans")`` → a signed-in worker's page on a phone."""
    contexts = []

    def _open(*, width: int = 375, language: str = "zh-hans"):
        context = chromium.new_context(
            viewport={"width": width, "height": 700}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        contexts.append(context)
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(live_server.url)
                else route.abort()
            ),
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(live_server.url + "/portal/login/")
        page.fill("input[name=username]", people[1].mobile)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/portal/")
        cookie = {"name": "django_language", "value": language, "url": live_server.url + "/"}
        context.add_cookies([cookie])
        return page

    yield _open
    for context in contexts:
        context.close()


def test_text_without_a_break_wraps_inside_the_phone(phone, live_server, people):
    officer, worker = people
    link = "https://example.com/" + "very-long-path/" * 8
    case = services.case_submit(
        actor=worker.user,
        worker=worker,
        category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="portal",
        summary=link[:100],
        description="详见" + link + "。" * 120,
        preferred_contact_time="wechat:" + "abcdefghijklmnopqrstuvwxyz_0123456789" * 2,
    )
    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已办结" + "。" * 150)
    services.case_rate(actor=worker.user, case=case, rating=5, comment="。" * 300)
    page = phone(width=320)
    for path in ["/portal/requests/", f"/portal/requests/{case.public_id}/", "/portal/messages/"]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") == 320, path
        assert page.locator(".bottom-nav").bounding_box()["width"] <= 320


# A link pasted from WeChat: one "word" with no hyphen or other place to break.
PASTED_LINK = "https://mp.weixin.qq.com/s/" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" * 3


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_link_pasted_into_a_summary_keeps_every_list_inside_the_phone(
    phone, live_server, people, language
):
    """A request's summary, a message and a payment's request show the link in a card laid out
    as a grid or a row: the card stays as wide as the phone, and the status beside it in sight."""
    _officer, worker = people
    hardship = ServiceCategory.objects.get(code="hardship_relief")
    cases = [
        services.case_submit(
            actor=worker.user,
            worker=worker,
            category=hardship,
            channel=Case.Channel.MOBILE,
            summary=PASTED_LINK[:100] if n == 3 else f"第{n}件事：孩子学费有困难",
            description="详见" + PASTED_LINK,
        )
        for n in range(4)
    ]
    notify(
        recipients=[worker.user],
        kind="case_update",
        title="您的诉求" + PASTED_LINK,
        body=PASTED_LINK,
        url="/portal/",
    )
    chair = staff(worker.organization, Membership.Role.ENTERPRISE_CHAIR, username="chair")
    fund = make_fund(worker.organization, officers=[chair])
    fund_services.donation_record(
        actor=chair,
        fund=fund,
        donor_kind="enterprise",
        donor_name="无锡伟达五金有限公司",
        amount=Decimal("5000.00"),
        channel="bank_transfer",
        received_on=timezone.localdate(),
        idempotency_key=str(uuid.uuid4()),
    )
    services.case_accept(actor=chair, case=cases[3])  # money is asked for a request taken up
    fund_services.disbursement_request(
        actor=chair,
        fund=fund,
        worker=worker,
        case=cases[3],
        category=hardship,
        amount=Decimal("800.00"),
        method="cash",
        reason="家庭困难，申请帮扶。",
    )
    page = phone(width=375, language=language)
    paths = ["/portal/", "/portal/requests/", "/portal/messages/", "/portal/aid/"]
    paths += ["/portal/me/data/", f"/portal/requests/{cases[3].public_id}/"]
    for path in paths:
        page.goto(live_server.url + path)
        assert page.get_by_text(PASTED_LINK[:30]).count() >= 1, path
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths == [375, 375], path
        rights = page.eval_on_selector_all(
            ".status", "els => els.map(e => e.getBoundingClientRect().right)"
        )
        assert max(rights, default=0) <= 375, path
        assert rights or path == "/portal/messages/", path  # a message has no status
    assert page.errors == []


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_nothing_is_wider_than_the_phone_and_every_target_is_big_enough(
    phone, live_server, people, width, language
):
    officer, worker = people
    case = services.case_submit(
        actor=officer,
        worker=worker,
        category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="phone",
        summary="家里老人住院",
        description="父亲突发脑梗住院。",
    )
    page = phone(width=width, language=language)
    paths = ["/portal/", "/portal/requests/new/", f"/portal/requests/{case.public_id}/"]
    paths += ["/portal/me/", "/portal/requests/", "/portal/aid/", "/portal/messages/"]
    for path in paths:
        page.goto(live_server.url + path)
        assert page.evaluate(AUDIT) == {"width": width, "small": []}, path
    # The bottom navigation's labels stay on one line.
    heights = page.eval_on_selector_all(".nav-label", "els => els.map(e => e.offsetHeight)")
    assert len(set(heights)) == 1
    # The rating's five choices, best first, one a row, each drawn as stars beside its words.
    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已发放帮扶金")
    page.goto(live_server.url + f"/portal/requests/{case.public_id}/")
    tops = page.eval_on_selector_all("label.star", "els => els.map(e => e.offsetTop)")
    assert len(tops) == 5 and tops == sorted(set(tops))
    stars = page.eval_on_selector_all("label.star .stars", "els => els.map(e => e.textContent)")
    assert stars[0] == "★★★★★" and stars[-1] == "★☆☆☆☆"
    assert page.evaluate(AUDIT) == {"width": width, "small": []}
    assert page.errors == []


def test_a_form_that_comes_back_with_errors_moves_to_the_first_one(phone, live_server):
    page = phone()
    page.goto(live_server.url + "/portal/requests/new/")
    page.locator("label.choice").first.click()
    page.fill("#id_summary", "求助")
    page.locator("button[data-once]").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-error-summary][role=alert]").is_visible()
    expect(page.locator("#id_description")).to_be_focused()
    assert page.locator("#photos-again").count() == 0  # no photo chosen, none to choose again
    assert not Case.objects.exists()


def test_the_send_button_shows_that_it_is_sending(phone, live_server):
    page = phone()
    page.goto(live_server.url + "/portal/requests/new/")
    page.locator("label.choice").first.click()
    page.fill("#id_summary", "求助")
    page.fill("#id_description", "父亲突发脑梗住院，需要陪护。")
    # Stand in for a slow network: the form is held back here, after the portal's handler ran.
    page.evaluate(
        "document.querySelector('button[data-once]').form"
        ".addEventListener('submit', (event) => event.preventDefault())"
    )
    button = page.locator("button[data-once]")
    button.click()
    expect(page.locator("button[data-once]")).to_be_disabled()
    assert "is-busy" in button.get_attribute("class")
    assert button.inner_text() == button.get_attribute("data-busy-text")


def test_large_photos_are_shrunk_before_they_are_sent(phone, live_server, tmp_path):
    noise = Image.effect_noise((2400, 3200), 40).convert("RGB")
    big = tmp_path / "IMG_0001.jpg"
    noise.save(big, quality=95)
    assert big.stat().st_size > 1024 * 1024
    small = tmp_path / "receipt.jpg"
    Image.new("RGB", (300, 200), "white").save(small)

    page = phone()
    page.goto(live_server.url + "/portal/requests/new/")
    page.locator("label.choice").first.click()
    page.fill("#id_summary", "医药费收据")
    page.fill("#id_description", "住院医药费收据照片。")
    page.set_input_files("#id_attachments", [str(big), str(small)])
    page.locator("button[data-once]").click()
    page.wait_for_url("**/portal/requests/*-*-*/")
    stored = {a.original_name: a for a in Attachment.objects.all()}
    assert set(stored) == {"IMG_0001.jpg", "receipt.jpg"}
    shrunk = stored["IMG_0001.jpg"]
    with shrunk.file.open("rb") as handle:
        content = handle.read()
    assert len(content) < big.stat().st_size
    assert max(Image.open(io.BytesIO(content)).size) == 1600
    assert page.errors == []


def test_what_was_typed_survives_a_sign_in_that_ran_out(phone, live_server, people):
    """The worker types a long account of what happened; meanwhile their sign-in runs out, so
    "Send" leads to the sign-in page. Signed in again, the form holds what they typed; sent, it
    is one request, and the next form starts empty."""
    _officer, worker = people
    page = phone()
    page.goto(live_server.url + "/portal/requests/new/")
    page.locator("label.choice").nth(1).click()
    page.fill("#id_summary", "父亲住院需要陪护")
    page.fill("#id_description", "父亲突发脑梗住院，我白天上班晚上陪护，想申请调班和困难补助。")
    # The session ends on the server's side (expired); the browser keeps its other cookies.
    page.context.clear_cookies(name="sessionid")
    page.locator("button[data-once]").click()
    page.wait_for_url("**/portal/login/**")
    expect(page.locator(".alert-info")).to_have_text(
        "请先登录，登录后会回到您刚才的页面。您在诉求里已填写的文字会自动填回，照片需要重新选择。"
    )
    page.fill("input[name=username]", worker.mobile)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/requests/new/")
    expect(page.locator("[data-draft-restored]")).to_be_visible()
    expect(page.locator("#id_description")).to_have_value(
        "父亲突发脑梗住院，我白天上班晚上陪护，想申请调班和困难补助。"
    )
    expect(page.locator("#id_summary")).to_have_value("父亲住院需要陪护")
    assert page.locator("input[name=category]").nth(1).is_checked()
    page.locator("button[data-once]").click()
    page.wait_for_url("**/portal/requests/*-*/")
    case = Case.objects.get(worker=worker)
    assert case.summary == "父亲住院需要陪护"
    page.goto(live_server.url + "/portal/requests/new/")
    expect(page.locator("#id_description")).to_have_value("")
    expect(page.locator("[data-draft-restored]")).to_be_hidden()
    assert page.errors == []


def test_a_restored_draft_can_be_cleared(phone, live_server):
    page = phone()
    page.goto(live_server.url + "/portal/requests/new/")
    fresh_key = page.locator("input[name=submission_key]").input_value()
    page.fill("#id_description", "孩子开学学费有困难。")
    page.goto(live_server.url + "/portal/requests/new/")
    expect(page.locator("#id_description")).to_have_value("孩子开学学费有困难。")
    page.locator("[data-draft-discard]").click()
    expect(page.locator("#id_description")).to_have_value("")
    expect(page.locator("[data-draft-restored]")).to_be_hidden()
    assert page.locator("input[name=submission_key]").input_value() != fresh_key  # a new form
    page.goto(live_server.url + "/portal/requests/new/")
    expect(page.locator("#id_description")).to_have_value("")


def test_a_draft_is_the_workers_own_and_goes_when_they_sign_out(phone, live_server, people):
    _officer, worker = people
    other = WorkerFactory(name="陶敏", organization=worker.organization)
    other.user = UserFactory(username="w-taomin", full_name="陶敏", mobile=other.mobile)
    other.save()
    page = phone()
    page.goto(live_server.url + "/portal/requests/new/")
    page.fill("#id_description", "爱人患病住院，医药费有困难。")
    # The sign-in runs out; someone else signs in on the same phone, in the same tab.
    page.context.clear_cookies(name="sessionid")
    page.goto(live_server.url + "/portal/login/")
    page.fill("input[name=username]", other.mobile)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")
    page.goto(live_server.url + "/portal/requests/new/")
    expect(page.locator("#id_description")).to_have_value("")
    # Signing out clears what was kept in the tab.
    page.goto(live_server.url + "/portal/me/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/portal/login/**")
    assert page.evaluate("Object.keys(sessionStorage).length") == 0


def test_english_kinds_of_help_are_never_cut_inside_a_word(phone, live_server):
    """ "Emergenc|y aid": a name breaks between its words, if at all."""
    page = phone(width=375, language="en")
    page.goto(live_server.url + "/portal/requests/new/")
    labels = page.locator(".choice > span")
    assert labels.count() > 10
    for i in range(labels.count()):
        label = labels.nth(i)
        words = label.inner_text().split()
        lines = label.evaluate(
            "el => { const r = document.createRange(); r.selectNodeContents(el);"
            " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
        )
        assert lines <= len(words), label.inner_text()


@pytest.mark.parametrize("path", ["/portal/me/", "/portal/me/data/"])
def test_the_id_number_stays_inside_its_card_in_english(phone, live_server, path):
    page = phone(width=375, language="en")
    page.goto(live_server.url + path)
    number = page.locator(".facts dd.mono").first
    card = page.locator(".card", has=number).first
    right = number.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return Math.max(...[...r.getClientRects()].map(b => b.right)); }"
    )
    box = card.bounding_box()
    padding = card.evaluate("el => parseFloat(getComputedStyle(el).paddingRight)")
    assert right <= box["x"] + box["width"] - padding + 0.5


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_number_in_an_address_is_never_split_across_lines(phone, live_server, people, language):
    """ "前洲新苑20幢1 / 055室": the address wraps where the words allow, its numbers whole."""
    _officer, worker = people
    worker.address = "无锡市惠山区前洲新苑20幢1055室"
    worker.save()
    page = phone(width=375, language=language)
    page.goto(live_server.url + "/portal/me/data/")
    address = page.locator(".facts dd", has_text="1055室")
    lines = address.evaluate(
        """el => {
          const text = el.firstChild, at = text.data.indexOf("1055");
          const r = document.createRange(); r.setStart(text, at); r.setEnd(text, at + 4);
          return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;
        }"""
    )
    assert lines == 1
    assert page.evaluate("document.documentElement.scrollWidth") == 375


def test_text_over_a_fields_limit_is_kept_and_counted_not_cut_off(phone, live_server, people):
    """2,100 characters pasted into the description (2,000 at most) are all kept and the line
    under it says 100 too many; "Send" stays on the form until it is shortened."""
    _officer, worker = people
    page = phone()
    page.goto(live_server.url + "/portal/requests/new/")
    count = page.locator("#id_description-count")
    expect(count).to_have_text("还能输入2000字")
    assert "最多2000字" in page.locator("#id_description_helptext").inner_text()
    assert page.get_attribute("#id_description", "aria-describedby").startswith(
        "id_description-count"
    )
    page.locator("label.choice").first.click()
    page.fill("#id_summary", "父亲住院" * 23)
    expect(page.locator("#id_summary-count")).to_have_text("还能输入8字")
    assert "is-near" in page.get_attribute("#id_summary-count", "class")
    page.fill("#id_description", "长" * 2100)
    assert page.eval_on_selector("#id_description", "el => el.value.length") == 2100
    expect(count).to_have_text("超出100字，请删减")
    assert "is-over" in count.get_attribute("class")
    page.locator("button[data-once]").click()
    expect(page.locator("#id_description")).to_be_focused()
    assert page.url.endswith("/portal/requests/new/") and not Case.objects.exists()
    # A line break is sent as two characters (CR LF), and counted so.
    page.fill("#id_description", "长" * 1000 + "\n" * 5 + "长" * 990)
    expect(count).to_have_text("还能输入0字")
    page.locator("button[data-once]").click()
    page.wait_for_url("**/portal/requests/*-*/")
    assert len(Case.objects.get(worker=worker).description) == 2000
    assert page.errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_worker_opening_the_bare_address_on_a_phone_sees_their_way_in_first(
    chromium, live_server, transactional_db, language
):
    """ "/" leads to the staff sign-in; on a phone a full-width button to the workers' sign-in
    comes right under its title, and its fields are thumb-sized. On a desktop the staff's page
    keeps its one line for workers at the bottom."""
    context = chromium.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.url.endswith("/accounts/login/")
    entry = page.locator("a.worker-entry")
    expect(entry).to_be_visible()
    said = {"zh-hans": "职工请点此登录", "en": "Workers: sign in here"}[language]
    expect(entry).to_have_text(said)
    box = entry.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    assert box["y"] < page.locator("input[name=username]").bounding_box()["y"]
    targets = page.locator("main input:not([type=hidden]), main a, main button").all()
    for target in [t for t in targets if t.is_visible()]:
        assert target.bounding_box()["height"] >= 44, target.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    entry.click()
    page.wait_for_url("**/portal/login/")
    context.close()

    desktop = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = desktop.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("a.worker-entry")).to_be_hidden()
    expect(page.get_by_role("link", name="在手机上登录")).to_be_visible()
    desktop.close()
