"""The money received list narrows by day, collection, source and channel, and says how many
and how much it shows (a reversed donation counted apart), in the same queries however many."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from tests.funds.conftest import key
from unionhub.funds import services
from unionhub.funds.models import LedgerEntry


def _gifts(fund, donate, chair):
    today = timezone.localdate()
    week_ago = today - datetime.timedelta(days=7)
    donate(fund, "100.00", donor_kind="person", donor_name="董霞", channel="wechat",
           collection="冬季爱心募捐", received_on=week_ago)  # fmt: skip
    donate(fund, "250.00", donor_kind="anonymous", channel="cash", collection="冬季爱心募捐")
    mistaken = donate(fund, "300.00", donor_kind="person", donor_name="王小明",
                      channel="wechat", collection="冬季爱心募捐")  # fmt: skip
    entry = LedgerEntry.objects.get(donation=mistaken, kind="donation")
    services.entry_reverse(actor=chair, entry=entry, reason="重复录入", idempotency_key=key())
    return today, week_ago


def test_the_list_filters_by_day_collection_source_and_channel_and_totals_what_it_shows(
    tree, funded, donate, chair, viewer, login
):
    today, week_ago = _gifts(funded, donate, chair)
    client = login(viewer)
    url = reverse("funds:donation-list", args=[funded.code])

    def shown(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        receipts = [d.receipt_number for d in response.context["page"]]
        return receipts, response.context["totals"], response.content.decode()

    receipts, totals, html = shown()
    assert len(receipts) == 4  # the fixture's 10,000 from the enterprise too
    assert (totals["count"], totals["total"]) == (3, Decimal("10350.00"))
    assert (totals["reversed_count"], totals["reversed_total"]) == (1, Decimal("300.00"))
    assert "共 3 笔，合计 ¥10,350.00" in html and "（另有 1 笔已冲销，共 ¥300.00，不计入）" in html
    options = html.split('name="collection"')[1].split("</select>")[0]
    assert "冬季爱心募捐" in options and "全部募捐活动" in options

    receipts, totals, html = shown(collection="冬季爱心募捐")
    assert len(receipts) == 3 and (totals["count"], totals["total"]) == (2, Decimal("350.00"))
    assert "筛选结果：2 笔，合计 ¥350.00" in html
    _receipts, totals, _html = shown(start=week_ago.isoformat(), end=week_ago.isoformat())
    assert (totals["count"], totals["total"], totals["reversed_count"]) == (1, Decimal("100.00"), 0)
    _receipts, totals, _html = shown(start=today.isoformat(), donor_kind="anonymous")
    assert (totals["count"], totals["total"]) == (1, Decimal("250.00"))
    _receipts, totals, _html = shown(channel="wechat")
    assert (totals["count"], totals["reversed_count"]) == (1, 1)
    _receipts, totals, html = shown(channel="payroll")
    assert totals["count"] == 0 and "没有符合条件的收入记录。" in html
    # Dates the wrong way round: said, and the whole list shown.
    receipts, _totals, html = shown(start=today.isoformat(), end=week_ago.isoformat())
    assert len(receipts) == 4 and "开始日期晚于结束日期" in html


def test_the_filtered_list_makes_the_same_number_of_queries_as_donations_grow(
    tree, funded, donate, chair, login, count_queries
):
    _gifts(funded, donate, chair)
    client = login(chair)
    url = reverse("funds:donation-list", args=[funded.code])
    query = {"collection": "冬季爱心募捐", "start": "2020-01-01", "channel": "wechat"}
    client.get(url, query)
    with count_queries() as small:
        first = client.get(url, query)
    for index in range(12):
        donate(funded, "10.00", donor_kind="person", donor_name=f"职工{index}", channel="wechat",
               collection=f"募捐{index % 3}" if index % 2 else "冬季爱心募捐")  # fmt: skip
    with count_queries() as large:
        second = client.get(url, query)
    assert len(second.content) > len(first.content)
    # session, user, memberships, fund, collections offered, the totals, the pager's count,
    # the page's rows
    assert len(large) == len(small) <= 8, [q["sql"][:120] for q in large.captured_queries]
