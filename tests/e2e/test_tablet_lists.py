"""The request queue and the follow-up round on a tablet (768 px wide), in Chinese and English:
every column that stays is seen whole, nothing runs past the card's edge."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.conftest import build_tree, staff
from tests.e2e.test_shells import sign_in
from tests.factories import WorkerFactory
from unionhub.orgs.models import Membership

FITS = "t => t.closest('.table-card').scrollWidth <= t.closest('.table-card').clientWidth"
# The height of what a cell holds (the cell itself is as tall as its row).
TEXT_HEIGHT = (
    "c => { const r = document.createRange(); r.selectNodeContents(c);"
    " return r.getBoundingClientRect().height; }"
)


@pytest.fixture
def desk(transactional_db):
    """A station's officer with open requests of the longest categories and follow-ups, some of
    them long overdue."""
    from unionhub.cases import services
    from unionhub.cases.models import FollowUp, ServiceCategory

    tree = build_tree()
    officer = staff(
        tree.station_a, Membership.Role.STATION_STAFF, username="qq_staff", full_name="蒋丽华"
    )
    categories = ["homecoming", "matchmaking", "counselling", "hardship_relief", "emergency_aid"]
    for i, code in enumerate(categories * 2):
        worker = WorkerFactory(
            name=["欧阳晓峰", "周火生", "王丽"][i % 3],
            organization=tree.union_a,
            enterprise=tree.enterprise_a,
        )
        case = services.case_submit(
            actor=officer, worker=worker, category=ServiceCategory.objects.get(code=code),
            channel="phone", urgency="emergency" if i == 0 else "normal",
            summary="家中失火，本人烧伤住院，爱人和两个孩子暂住亲戚家", description="急需救助。",
        )  # fmt: skip
        if i % 2:
            services.case_accept(actor=officer, case=case)
    # Overdue by days and by months: the badge under the date is at its longest.
    for days, followup in zip((3, 120, 0), FollowUp.objects.all()[:3], strict=False):
        FollowUp.objects.filter(pk=followup.pk).update(
            due_on=timezone.localdate() - datetime.timedelta(days=days)
        )
    return tree, officer


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [768, 1280])
def test_the_queue_and_the_follow_ups_fit_a_tablet_and_a_laptop(
    desk, live_server, open_page, shot, language, width
):
    page = open_page()
    page.set_viewport_size({"width": width, "height": 1000})
    sign_in(page, live_server.url, "/accounts/login/", "qq_staff")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 24")

    page.goto(live_server.url + "/cases/")
    table = page.locator(".queue-table")
    assert table.evaluate(FITS)
    card = page.locator(".table-card").bounding_box()
    right = card["x"] + card["width"]
    for cell in page.locator(".q-status, .q-due").all():  # status and deadline, whole
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= right + 0.5
        assert cell.evaluate("c => c.scrollWidth <= c.clientWidth")
    shot(page, f"queue-{width}-{language}")

    page.goto(live_server.url + "/cases/follow-ups/?when=all")
    table = page.locator(".followup-table")
    assert table.evaluate(FITS)
    assert page.locator(".followup-overdue").count() == 2
    card = page.locator(".table-card").bounding_box()
    right = card["x"] + card["width"]
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert ("经办人" if language == "zh-hans" else "Assignee") in headers
    for button in table.locator(".followup-actions .btn").all():
        box = button.bounding_box()
        assert box["x"] + box["width"] <= right + 0.5
        assert box["height"] < 2 * line  # its words on one line
    for name in table.locator("td.case-worker").all():  # a name is never one character a line
        assert name.evaluate(TEXT_HEIGHT) < 2 * line
    shot(page, f"follow-ups-{width}-{language}")
    assert page.console_errors == []
