"""Each ledger line names its voucher (a payment's bank slip or signed receipt, a donation's
receipt), on the page and in Excel; the audit log says through which day the books were closed
and which period a disclosure published."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.funds.conftest import key
from unionhub.core.models import AuditEntry
from unionhub.funds import services
from unionhub.funds.models import LedgerEntry


def _history(funded, donate, approved, chair):
    """A payment by bank transfer (reversed, its slip on both lines), a donation, a transfer."""
    paid = services.disbursement_pay(
        payment_reference="HD20261115565218", actor=chair,
        disbursement=approved(funded, "5200.00", method="bank_transfer"), idempotency_key=key(),
    )  # fmt: skip
    services.entry_reverse(
        actor=chair, entry=LedgerEntry.objects.get(disbursement=paid, kind="disbursement"),
        reason="银行退票", idempotency_key=key(),
    )  # fmt: skip
    gift = donate(funded, "300.00", donor_kind="person", donor_name="王小明", collection="冬季募捐")
    return paid, gift


def test_the_ledger_page_names_each_lines_voucher(
    tree, funded, donate, approved, chair, viewer, login
):
    _paid, gift = _history(funded, donate, approved, chair)
    response = login(viewer).get(reverse("funds:fund-ledger", args=[funded.code]))
    html = response.content.decode()
    assert '<th scope="col">凭证号</th>' in html
    vouchers = [entry.voucher for entry in response.context["page"]]
    assert vouchers == [
        gift.receipt_number,  # newest first
        "HD20261115565218",  # the reversal: the slip of the payment it takes back
        "HD20261115565218",
        funded.donations.order_by("id").first().receipt_number,
    ]
    # A donation's memo is its receipt number: the memo cell shows the collection instead.
    row = html.split(f">{gift.receipt_number}</td>")[1].split("</tr>")[0]
    assert "冬季募捐" in row and gift.receipt_number not in row


def test_the_ledger_sheet_has_a_voucher_column(tree, funded, donate, approved, chair, login):
    _paid, gift = _history(funded, donate, approved, chair)
    response = login(chair).get(reverse("funds:fund-export", args=[funded.code, "ledger"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["E3"].value == "凭证号"
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row]
    assert [(row[2], row[4], row[6]) for row in rows] == [
        ("期初余额", None, None),
        ("捐赠", funded.donations.order_by("id").first().receipt_number, 10000),
        ("发放", "HD20261115565218", -5200),
        ("冲销", "HD20261115565218", 5200),
        ("捐赠", gift.receipt_number, 300),
        ("期末余额", None, None),
    ]


def test_the_audit_log_says_through_which_day_the_books_were_closed(
    tree, funded, chair, district_admin, login
):
    today = timezone.localdate()
    for days in (9, 2):
        services.period_close(
            actor=chair, fund=funded, through=today - datetime.timedelta(days=days)
        )
    entry = AuditEntry.objects.filter(action="funds.period.closed").latest("id")
    assert dict(entry.detail_rows) == {
        "结账截至": (today - datetime.timedelta(days=2)).isoformat(),
        "此前结账截至": (today - datetime.timedelta(days=9)).isoformat(),
    }
    page = login(district_admin).get(reverse("core:audit-list"), {"kind": "funds."})
    html = page.content.decode()
    assert f"结账截至：{today - datetime.timedelta(days=2):%Y-%m-%d}" in html


def test_the_audit_log_says_which_period_a_disclosure_published(tree, funded, donate, chair):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donate(funded, "200.00", donor_kind="anonymous", received_on=yesterday)
    services.disclosure_publish(
        actor=chair, fund=funded, period_start=yesterday, period_end=yesterday
    )
    entry = AuditEntry.objects.get(action="funds.disclosure.published")
    assert dict(entry.detail_rows)["期间"] == f"{yesterday} 至 {yesterday}"
