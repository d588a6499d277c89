"""The export holds what the queue page lists: the same requests, in the same order."""

import datetime
import html
import io
import re

import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from unionhub.cases import services


def exported(client, url: str) -> list[str]:
    response = client.get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [row[0] for row in list(workbook.active.iter_rows(values_only=True))[1:]]


def export_link(page) -> str:
    found = re.search(r'id="case-export"[^>]*href="([^"]+)"', page.content.decode())
    return html.unescape(found.group(1))


def listed(page) -> list[str]:
    return [case.reference for case in page.context["page"]]


def test_the_export_of_assigned_to_me_holds_only_the_requests_assigned_to_me(
    officer, submit, login
):
    mine = submit(summary="指派给我的")
    services.case_accept(actor=officer, case=mine)  # accepting assigns it to the officer
    submit(summary="还没有人接的")
    client = login(officer)
    page = client.get(reverse("cases:case-mine"))
    assert listed(page) == [mine.reference]
    assert exported(client, export_link(page)) == [mine.reference]


def test_the_export_of_assigned_to_me_keeps_the_filters_chosen_there(officer, submit, login):
    open_one = submit(summary="办理中")
    services.case_accept(actor=officer, case=open_one)
    closed = submit(summary="已办结")
    services.case_accept(actor=officer, case=closed)
    services.case_resolve(actor=officer, case=closed, resolution="已解决")
    submit(summary="没有指派")
    client = login(officer)
    page = client.get(reverse("cases:case-mine"), {"status": "all", "page": "1"})
    assert set(listed(page)) == {open_one.reference, closed.reference}
    link = export_link(page)
    assert "page=" not in link  # the file holds every page
    assert sorted(exported(client, link)) == sorted(listed(page))
    # Changed in place (htmx), the link that comes with the table says the same.
    swap = client.get(
        reverse("cases:case-mine"), {"assignee": "me", "status": "resolved"}, HTTP_HX_REQUEST="true"
    )
    assert exported(client, export_link(swap)) == [closed.reference]


def test_the_export_lists_the_requests_in_the_order_the_queue_shows(
    officer, submit, emergency, login
):
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    made = []
    # A hardship request (a day to respond), then an emergency (an hour) and another hardship.
    for hours, category in ((0, None), (3, emergency), (6, None)):
        extra = {"category": category} if category else {}
        with time_machine.travel(start + datetime.timedelta(hours=hours), tick=False):
            made.append(submit(summary=f"第{hours}时", **extra))
    client = login(officer)
    for sort in ("newest", "oldest", "due", "updated"):
        page = client.get(reverse("cases:case-list"), {"status": "all", "sort": sort})
        assert exported(client, export_link(page)) == listed(page), sort
    oldest = client.get(reverse("cases:case-list"), {"status": "all", "sort": "oldest"})
    assert listed(oldest) == [case.reference for case in made]
    by_deadline = client.get(reverse("cases:case-list"), {"status": "all", "sort": "due"})
    assert listed(by_deadline) == [made[1].reference, made[0].reference, made[2].reference]
