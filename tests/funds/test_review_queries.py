"""The fund review pages and the published lists make the same number of queries however many
payments, findings and lines they show."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.funds.conftest import key
from unionhub.funds import services


def _pay(chair, approved, fund, count):
    for _ in range(count):
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(fund, "500.00"),
            idempotency_key=key(),
        )


def _same_queries(client, small_url, large_url, count_queries, budget):
    client.get(small_url)  # warm up: session, content types
    with count_queries() as small:
        first = client.get(small_url)
    with count_queries() as large:
        second = client.get(large_url)
    assert first.status_code == second.status_code == 200
    assert len(second.content) > len(first.content)  # the larger one shows more rows
    assert len(large) == len(small) <= budget, [q["sql"][:120] for q in large.captured_queries]


def _review(auditor, chair, fund, day):
    review = services.audit_open(
        actor=auditor, fund=fund, period_start=day, period_end=day, share="1", seed=7
    )
    for item in review.items.all():
        checks = {"approvals": True, "amount": True}
        services.audit_check(actor=auditor, item=item, checks=checks, evidence_note="已核对")
        services.finding_add(
            actor=auditor, review=review, item=item, description="签收单缺少日期",
            severity="low", owner=chair, deadline=day + datetime.timedelta(days=30),
        )  # fmt: skip
    return review


def test_a_review_page_makes_the_same_number_of_queries_as_its_sample_grows(
    tree, funded, donate, approved, chair, auditor, login, count_queries
):
    donate(funded, "10000.00")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(yesterday, datetime.time(10, 0))):
        _pay(chair, approved, funded, 1)
        small = _review(auditor, chair, funded, yesterday)
    _pay(chair, approved, funded, 12)
    large = _review(auditor, chair, funded, timezone.localdate())
    assert large.items.count() == 12
    url = lambda review: reverse("funds:audit-detail", args=[review.pk])  # noqa: E731
    _same_queries(login(auditor), url(small), url(large), count_queries, budget=16)


def test_the_review_list_makes_the_same_number_of_queries_as_reviews_grow(
    tree, funded, approved, chair, auditor, login, count_queries
):
    _pay(chair, approved, funded, 2)
    today = timezone.localdate()
    client = login(auditor)
    url = reverse("funds:audit-list")
    _review(auditor, chair, funded, today)
    client.get(url)
    with count_queries() as small:
        first = client.get(url)
    for days in range(1, 9):  # a review per day: a period is reviewed once
        day = today - datetime.timedelta(days=days)
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0))):
            _pay(chair, approved, funded, 1)
        _review(auditor, chair, funded, day)
    with count_queries() as large:
        second = client.get(url)
    assert len(second.content) > len(first.content)
    assert len(large) == len(small) <= 10, [q["sql"][:120] for q in large.captured_queries]


def test_a_published_list_makes_the_same_number_of_queries_as_its_lines_grow(
    tree, funded, donate, approved, chair, login, count_queries
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(yesterday, datetime.time(10, 0))):
        _pay(chair, approved, funded, 1)
    small = services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    before = yesterday - datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(before, datetime.time(10, 0))):
        _pay(chair, approved, funded, 12)
        for _ in range(5):
            donate(funded, "200.00", donor_kind="anonymous")
    large = services.disclosure_publish(
        actor=chair, fund=funded, period_start=before, period_end=before
    )
    staff_url = lambda d: reverse("funds:disclosure-detail", args=[d.pk])  # noqa: E731
    _same_queries(login(chair), staff_url(small), staff_url(large), count_queries, budget=12)
    public_url = lambda d: reverse("disclosure-public", args=[d.token])  # noqa: E731
    _same_queries(Client(), public_url(small), public_url(large), count_queries, budget=4)
    english = Client()  # the categories' English names: one more query, however many lines
    english.cookies["django_language"] = "en"
    _same_queries(english, public_url(small), public_url(large), count_queries, budget=5)


def test_a_finding_names_the_payment_it_is_about_and_the_report_who_reviewed(
    tree, funded, approved, chair, auditor, login
):
    _pay(chair, approved, funded, 1)
    review = _review(auditor, chair, funded, timezone.localdate())
    services.audit_close(actor=auditor, review=review, conclusion="抽查支付手续齐全。")
    html = login(auditor).get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    item = review.items.get()
    payment = item.disbursement
    assert f'<a href="#item-{item.pk}">{payment.worker.name} ¥500.00</a>' in html
    assert f"审查人：{auditor.get_full_name()}" in html and "审查人（签字）" in html
