"""A donation booked today for an earlier day: the ledger page, its Excel export, the API and the
statement all count it on the day it is booked for, and agree on every balance."""

import datetime
import io
from decimal import Decimal

import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.funds.conftest import key
from unionhub.funds import services


def at(month: int, day: int):
    return time_machine.travel(datetime.datetime(2026, month, day, 2, tzinfo=datetime.UTC))


def _history(fund, donate, approved, chair):
    with at(3, 2):
        donate(fund, "10000.00")
    with at(3, 20):
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(fund, "2000.00"),
            idempotency_key=key(),
        )
    with at(4, 3):  # found in the bank statement: received on 10 March, booked today
        donate(fund, "500.00", received_on=datetime.date(2026, 3, 10), donor_kind="anonymous")
    with at(4, 5):
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(fund, "1000.00"),
            idempotency_key=key(),
        )
    fund.refresh_from_db()


MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def test_the_ledger_page_agrees_with_the_statement_for_a_back_dated_donation(
    tree, fund, donate, approved, chair, login
):
    _history(fund, donate, approved, chair)
    march = services.statement(fund, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert march["opening"] == Decimal("0.00") and march["closing"] == Decimal("8500.00")

    with at(4, 6):
        response = login(chair).get(reverse("funds:fund-ledger", args=[fund.code]), MARCH)
    page = response.context["page"]
    rows = [(e.entry_date.isoformat(), e.amount, e.running_balance) for e in page]
    assert rows == [
        ("2026-03-20", Decimal("-2000.00"), Decimal("8500.00")),
        ("2026-03-10", Decimal("500.00"), Decimal("10500.00")),
        ("2026-03-02", Decimal("10000.00"), Decimal("10000.00")),
    ]
    assert response.context["closing"] == march["closing"]
    assert response.context["opening"] == march["opening"]
    html = response.content.decode()
    assert "期末余额（2026-03-31）" in html and "期初余额（2026-03-01）" in html
    assert "2026-04-03 登记" in html  # the late one says when it was recorded
    # The balance when each was posted is kept, and the books still verify.
    assert [e.balance_after for e in response.context["page"]][1] == Decimal("8500.00")
    assert services.verify(fund) == []

    with at(4, 6):
        april = login(chair).get(
            reverse("funds:fund-ledger", args=[fund.code]),
            {"start": "2026-04-01", "end": "2026-04-06"},  # today: a period ends by then
        )
    assert april.context["opening"] == Decimal("8500.00")
    assert april.context["closing"] == fund.balance == Decimal("7500.00")


def test_the_ledger_export_runs_from_the_opening_to_the_statements_closing_balance(
    tree, fund, donate, approved, chair, login
):
    _history(fund, donate, approved, chair)
    with at(4, 6):
        response = login(chair).get(reverse("funds:fund-export", args=[fund.code, "ledger"]), MARCH)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [(r[2], r[6], r[7]) for r in rows] == [
        ("期初余额", None, 0),
        ("捐赠", 10000, 10000),
        ("捐赠", 500, 10500),
        ("发放", -2000, 8500),
        ("期末余额", None, 8500),
    ]


def test_the_api_ledger_gives_both_balances(tree, fund, donate, approved, chair, login):
    _history(fund, donate, approved, chair)
    body = login(chair).get(reverse("api:fund-ledger", args=[fund.pk])).json()
    got = [(r["entry_date"], r["running_balance"], r["balance_after"]) for r in body["results"]]
    assert got == [
        ("2026-04-05", "7500.00", "7500.00"),
        ("2026-03-20", "8500.00", "8000.00"),
        ("2026-03-10", "10500.00", "8500.00"),
        ("2026-03-02", "10000.00", "10000.00"),
    ]


def test_running_balances_hold_across_pages_with_a_late_entry_at_the_bottom(
    tree, fund, donate, chair, login
):
    for _n in range(60):
        donate(fund, "1.00", donor_kind="anonymous")
    early = timezone.localdate() - datetime.timedelta(days=3)
    donate(fund, "500.00", donor_kind="anonymous", received_on=early)  # posted last, booked first
    url = reverse("funds:fund-ledger", args=[fund.code])
    client = login(chair)
    first = client.get(url).context
    second = client.get(url, {"page": 2}).context  # this year's period, as on page 1
    assert not first["form"].errors and not second["form"].errors
    assert second["form"]["start"].value() == first["form"]["start"].value()
    page1, page2 = list(first["page"]), list(second["page"])
    assert page1[0].running_balance == first["closing"] == Decimal("560.00")
    # Page 2 carries on where page 1 stopped.
    assert page2[0].running_balance == page1[-1].running_balance - page1[-1].amount
    assert (page2[-1].entry_date, page2[-1].running_balance) == (early, Decimal("500.00"))
    assert second["opening"] == Decimal("0.00")
    assert "期初余额" not in client.get(url).content.decode()  # not on the first of two pages
    assert "期初余额" in client.get(url, {"page": 2}).content.decode()


def test_balances_match_the_rows_read_even_if_a_donation_lands_in_between(
    tree, fund, donate, chair
):
    donate(fund, "100.00")
    rows = list(services.ledger_entries(fund))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(fund, "900.00", received_on=yesterday, donor_kind="anonymous")  # between the queries
    services.with_running_balances(fund, rows)
    assert [entry.running_balance for entry in rows] == [Decimal("100.00")]
    assert services.balance_before(fund, timezone.localdate(), rows[0].horizon) == 0


def test_the_ledger_says_what_each_entry_is_in_the_readers_language(
    tree, funded, approved, case, chair, login
):
    from tests.funds.conftest import make_fund

    other = make_fund(tree.union_a, code="wd-jx", name="伟达五金金秋助学基金")
    services.fund_transfer(
        actor=chair, source=funded, target=other, amount=Decimal("300.00"), memo="助学调剂",
        idempotency_key=key(),
    )  # fmt: skip
    paid = services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "500.00", case=case),
        idempotency_key=key(),
    )
    payment = paid.entries.get(kind="disbursement")
    services.entry_reverse(actor=chair, entry=payment, reason="重复发放", idempotency_key=key())
    client = login(chair)
    url = reverse("funds:fund-ledger", args=[funded.code])
    said = [e.description for e in client.get(url).context["page"]]
    today = payment.entry_date.isoformat()
    assert said == [
        f"冲销{today}的帮扶款发放：重复发放",
        f"困难帮扶 · {case.reference}",
        "转入伟达五金金秋助学基金 · 助学调剂",
        donation_receipt(funded),
    ]
    other_said = [e.description for e in client.get(
        reverse("funds:fund-ledger", args=[other.code])).context["page"]]  # fmt: skip
    assert other_said == ["由伟达五金员工扶助基金转入 · 助学调剂"]
    with translation.override("en"):
        assert payment.reversal.description == f"reverses the disbursement of {today}: 重复发放"
    # The API says the same, beside the raw memo.
    api = client.get(reverse("api:fund-ledger", args=[funded.pk])).json()["results"]
    assert [row["description"] for row in api] == said
    assert api[0]["memo"] == "重复发放"
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "Hardship relief" in english and "to 伟达五金金秋助学基金" in english
    api = client.get(reverse("api:fund-ledger", args=[funded.pk])).json()["results"]
    assert api[1]["description"] == f"Hardship relief · {case.reference}"


def donation_receipt(fund):
    return fund.donations.get().receipt_number


def test_the_ledger_export_makes_the_same_number_of_queries_as_entries_grow(
    tree, funded, donate, approved, chair, login, count_queries
):
    from tests.funds.conftest import make_fund

    other = make_fund(tree.union_a, code="wd-jx", name="伟达五金金秋助学基金")
    url = reverse("funds:fund-export", args=[funded.code, "ledger"])
    client = login(chair)

    def exported() -> int:
        with count_queries() as queries:
            b"".join(client.get(url).streaming_content)
        return len(queries)

    def grow():
        donate(funded, "100.00", donor_kind="anonymous")
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(funded, "50.00"),
            idempotency_key=key(),
        )
        out, _into = services.fund_transfer(
            actor=chair, source=funded, target=other, amount=Decimal("10.00"), memo="调剂",
            idempotency_key=key(),
        )  # fmt: skip
        services.entry_reverse(actor=chair, entry=out, reason="转账调错", idempotency_key=key())

    grow()
    small = exported()
    for _n in range(10):
        grow()
    assert exported() == small
