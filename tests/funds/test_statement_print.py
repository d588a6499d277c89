"""The statement as read and printed: a reversal under "less" shows the amount it takes off
(no double negative), the printout says when it was printed and has lines to sign, a past
period's statement names the header's figures as today's and leaves them off the paper; a
spreadsheet of full names is not named like the masked one."""

import datetime
import io
import re
from decimal import Decimal

import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.funds.conftest import key
from unionhub.funds import services
from unionhub.funds.models import LedgerEntry


def _sheet(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _pay(fund, approved, chair, amount):
    return services.disbursement_pay(
        payment_reference="HD-0001", actor=chair, disbursement=approved(fund, amount),
        idempotency_key=key(),
    )  # fmt: skip


def _reverse(chair, entry):
    services.entry_reverse(actor=chair, entry=entry, reason="金额录错，更正", idempotency_key=key())


def _reversed_payment_and_gift(funded, donate, approved, chair):
    paid = _pay(funded, approved, chair, "5200.00")
    _pay(funded, approved, chair, "1800.00")
    gift = donate(funded, "300.00", donor_kind="person", donor_name="王小明")
    _reverse(chair, LedgerEntry.objects.get(disbursement=paid, kind="disbursement"))
    _reverse(chair, LedgerEntry.objects.get(donation=gift, kind="donation"))


def _rows(html: str, section: str) -> list[tuple[str, str]]:
    """The (label, amount) rows of the statement's money in or out, as printed."""
    table = html.split('class="table mb-0 statement"')[1].split("</table>")[0]
    part = table.split(f">{section}<")[1].split("合计")[0]
    row = r'<td class="ps-4">([^<]*)</td><td class="text-end money">([^<]*)</td>'
    return re.findall(row, part)


def test_a_reversal_reads_as_an_amount_taken_off_and_the_totals_still_add_up(
    tree, funded, donate, approved, chair, login
):
    _reversed_payment_and_gift(funded, donate, approved, chair)
    html = login(chair).get(reverse("funds:fund-detail", args=[funded.code])).content.decode()
    assert ("减：捐赠冲销", "¥300.00") in _rows(html, "收入")
    assert ("减：困难帮扶支付冲销", "¥5,200.00") in _rows(html, "支出")
    assert "-¥" not in html.split('class="table mb-0 statement"')[1].split("</table>")[0]
    today = timezone.localdate()
    statement = services.statement(funded, today.replace(month=1, day=1), today)
    for lines, total in (("lines_in", "total_in"), ("lines_out", "total_out")):
        shown = statement[lines]
        assert all(amount > 0 for _label, amount, _less in shown)
        added = sum(amount for _label, amount, less in shown if not less)
        taken = sum(amount for _label, amount, less in shown if less)
        assert added - taken == statement[total]
    # 10,000 + 300 − 300 in; 5,200 + 1,800 − 5,200 out.
    assert statement["total_in"] == Decimal("10000.00")
    assert statement["total_out"] == Decimal("1800.00")
    assert (
        statement["opening"] + statement["total_in"] - statement["total_out"]
        == (statement["closing"])
    )
    funded.refresh_from_db()
    assert statement["closing"] == funded.balance == Decimal("8200.00")


def test_the_statement_sheet_shows_a_reversal_as_the_page_does(
    tree, funded, donate, approved, chair, login
):
    _reversed_payment_and_gift(funded, donate, approved, chair)
    sheet = _sheet(login(chair).get(reverse("funds:fund-export", args=[funded.code, "statement"])))
    rows = {row[1]: row[2] for row in sheet.iter_rows(min_row=4, values_only=True) if row[1]}
    assert (rows["减：捐赠冲销"], rows["减：困难帮扶支付冲销"]) == (300, 5200)


def test_the_printed_statement_says_when_it_was_printed_and_has_lines_to_sign(
    tree, funded, chair, login
):
    moment = datetime.datetime(2026, 11, 25, 7, 30, tzinfo=datetime.UTC)  # 15:30 in Wuxi
    with time_machine.travel(moment, tick=False):
        html = login(chair).get(reverse("funds:fund-detail", args=[funded.code])).content.decode()
    printed = html.split('statement-signatures">')[1].split('<div class="card-body')[0]
    assert "打印于2026-11-25 15:30" in printed
    for line in ("制表人：", "审核人：", "负责人："):
        assert line in printed
    # This year's statement: the balance in the header is the statement's own closing one.
    header = html.split('<span class="fund-today')[1].split("</span>")[0]
    assert not header.startswith(" d-print-none") and "今日" not in header


def test_a_past_periods_statement_names_todays_figures_and_leaves_them_off_the_paper(
    tree, funded, approved, chair, login
):
    approved(funded, "3000.00")  # approved, not yet paid: a figure of today
    today = timezone.localdate()
    last_week = today - datetime.timedelta(days=7)
    url = reverse("funds:fund-detail", args=[funded.code])
    html = login(chair).get(url, {"start": last_week, "end": last_week}).content.decode()
    header = html.split('<span class="fund-today')[1].split("</div>")[0]
    assert header.startswith(' d-print-none">')
    assert f"今日（{today:%Y-%m-%d}）：余额" in header and "已批待付" in header
    waiting = html.split('id="waiting-title"')[0].rsplit('<div class="col-lg-5', 1)[1]
    assert waiting.startswith(' d-print-none"')  # today's queue is not the period's


def test_the_full_names_sheet_is_not_named_like_the_masked_one(
    tree, funded, approved, chair, login
):
    _pay(funded, approved, chair, "500.00")
    today = timezone.localdate()
    period = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat()}
    client = login(chair)
    masked = client.get(reverse("funds:fund-export", args=[funded.code, "beneficiaries"]), period)
    full = client.post(
        reverse("funds:beneficiary-names", args=[funded.code]), {**period, "reason": "核对发放名单"}
    )
    masked_name = masked["Content-Disposition"].split("filename=")[1].strip('"')
    full_name = full["Content-Disposition"].split("filename=")[1].strip('"')
    span = f"{today:%Y}0101-{today:%Y%m%d}"
    assert masked_name == f"{funded.code}-beneficiaries-{span}.xlsx"
    assert full_name == f"{funded.code}-beneficiaries-FULL-NAMES-{span}.xlsx"
