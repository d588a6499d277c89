"""A public notice reconciles with the statement of its period: a payment or donation of the
period that was reversed is said under its section (a reversed payment is not aid given), both
on the public notice and on the staff's record of it; the staff pages give each list's period,
window, counts and totals; a notice read in English names its categories in English."""

import datetime
from decimal import Decimal

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.funds.conftest import key
from unionhub.funds import services
from unionhub.funds.models import LedgerEntry


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _pay_yesterday(fund, approved, chair, amount):
    with time_machine.travel(datetime.datetime.combine(_yesterday(), datetime.time(10, 0))):
        return services.disbursement_pay(
            payment_reference="HD-0001", actor=chair, disbursement=approved(fund, amount),
            idempotency_key=key(),
        )  # fmt: skip


def _reverse(chair, **which):
    entry = LedgerEntry.objects.get(kind__in=["disbursement", "donation"], **which)
    services.entry_reverse(actor=chair, entry=entry, reason="银行退票", idempotency_key=key())


def _publish(chair, fund):
    day = _yesterday()
    return services.disclosure_publish(actor=chair, fund=fund, period_start=day, period_end=day)


def _period_of_yesterday(funded, donate, approved, chair):
    """Yesterday: 4,400 and 5,200 paid, 300 given; the 5,200 and the 300 reversed today."""
    _pay_yesterday(funded, approved, chair, "4400.00")
    returned = _pay_yesterday(funded, approved, chair, "5200.00")
    gift = donate(
        funded, "300.00", donor_kind="person", donor_name="王小明", received_on=_yesterday()
    )
    _reverse(chair, disbursement=returned)
    _reverse(chair, donation=gift)


def test_a_notice_says_what_of_its_period_was_reversed_and_reconciles_with_the_statement(
    tree, funded, donate, approved, chair, login
):
    _period_of_yesterday(funded, donate, approved, chair)
    disclosure = _publish(chair, funded)
    public = Client().get(reverse("disclosure-public", args=[disclosure.token])).content.decode()
    assert "合计 1 笔支付" in public and "¥4,400.00" in public
    paid_note = (
        "另有 1 笔本期支付共 ¥5,200.00 已冲销，不属于实际发放的帮扶，未列入名单，也不计入合计。"
    )
    given_note = "另有 1 笔本期收到的捐赠共 ¥300.00 已冲销，未列入名单，也不计入合计。"
    assert paid_note in public and given_note in public
    # Under their own sections: the payment under the beneficiaries, the gift under the donors.
    assert public.index(paid_note) < public.index("捐赠人") < public.index(given_note)
    staff = login(chair).get(reverse("funds:disclosure-detail", args=[disclosure.pk]))
    html = staff.content.decode()
    assert paid_note in html and given_note in html
    # The statement of the period counts the reversed payment and gift (their reversals are
    # booked today): the notice's total and what it says was reversed add up to it.
    day = _yesterday()
    statement = services.statement(funded, day, day)
    reversed_ = services.disclosure_reversed(disclosure)
    paid = staff.context["sections"]["beneficiary"]["total"]
    assert paid + reversed_["beneficiary"]["before"]["total"] == statement["total_out"]
    assert statement["total_out"] == Decimal("9600.00")
    given = staff.context["sections"]["donor"]["total"]
    assert given + reversed_["donor"]["before"]["total"] == Decimal("300.00")
    assert dict(statement["money_in"])["个人"] == Decimal("300.00")


def test_a_payment_reversed_after_publication_is_said_to_be_no_aid_under_the_list(
    tree, funded, donate, approved, chair, login
):
    returned = _pay_yesterday(funded, approved, chair, "5200.00")
    disclosure = _publish(chair, funded)
    url = reverse("disclosure-public", args=[disclosure.token])
    assert "冲销" not in Client().get(url).content.decode()
    _reverse(chair, disbursement=returned)
    public = Client().get(url).content.decode()
    assert "合计 1 笔支付" in public  # the list stays as published
    note = "名单中有 1 笔支付（共 ¥5,200.00）在公示发布后已冲销，不属于实际发放的帮扶。"
    assert note in public
    staff = login(chair).get(reverse("funds:disclosure-detail", args=[disclosure.pk]))
    assert note in staff.content.decode()


def test_the_staff_record_of_a_list_gives_its_period_window_counts_and_totals(
    tree, funded, donate, approved, chair, viewer, login
):
    _pay_yesterday(funded, approved, chair, "4400.00")
    _pay_yesterday(funded, approved, chair, "600.00")
    donate(funded, "200.00", donor_kind="anonymous", received_on=_yesterday())
    disclosure = _publish(chair, funded)
    day = _yesterday().isoformat()
    html = login(viewer).get(reverse("funds:disclosure-detail", args=[disclosure.pk]))
    html = html.content.decode()
    record = html.split('class="card mb-3 disclosure-record"')[1].split("</section>")[0]
    assert f"{day} 至 {day}" in record
    published = timezone.localtime(disclosure.published_at).strftime("%Y-%m-%d %H:%M")
    until = timezone.localtime(disclosure.window_ends_at).strftime("%Y-%m-%d %H:%M")
    assert f"{published} 至 {until}" in record and f"发布人：{chair.get_full_name()}" in record
    assert "2 笔支付，合计 ¥5,000.00" in record and "1 笔捐赠，合计 ¥200.00" in record
    statement = reverse("funds:fund-detail", args=[funded.code]) + f"?start={day}&amp;end={day}"
    assert statement in record
    listing = login(viewer).get(reverse("funds:disclosure-list", args=[funded.code]))
    row = listing.content.decode().split("disclosure-table")[1]
    assert f"{day} – {day}" in row
    assert "2 笔支付" in row and "¥5,000.00" in row and "1 笔捐赠" in row and "¥200.00" in row
    services.disclosure_withdraw(actor=chair, disclosure=disclosure, reason="期间选错")
    record = login(viewer).get(reverse("funds:disclosure-detail", args=[disclosure.pk]))
    assert "提前撤下" in record.content.decode().split("disclosure-record")[1]


def test_a_list_without_donations_reads_none_in_its_row(tree, funded, approved, chair, login):
    _pay_yesterday(funded, approved, chair, "800.00")
    _publish(chair, funded)
    listing = login(chair).get(reverse("funds:disclosure-list", args=[funded.code]))
    [disclosure] = listing.context["disclosures"]
    assert (disclosure.beneficiary_count, disclosure.beneficiary_total) == (1, Decimal("800.00"))
    assert (disclosure.donor_count, disclosure.donor_total) == (0, Decimal("0.00"))
    assert "0 笔捐赠" in listing.content.decode()


def test_a_notice_read_in_english_names_its_categories_and_sources_in_english(
    tree, funded, donate, approved, chair
):
    _pay_yesterday(funded, approved, chair, "800.00")
    donate(
        funded, "50000.00", donor_kind="allocation", donor_name="无锡市总工会",
        donor_enterprise=None, received_on=_yesterday(),
    )  # fmt: skip
    disclosure = _publish(chair, funded)
    assert set(disclosure.lines.values_list("category", flat=True)) == {"困难帮扶", "上级工会拨款"}
    client = Client()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("disclosure-public", args=[disclosure.token])).content.decode()
    assert "Hardship relief" in english and "困难帮扶" not in english
    assert "Allocation from a higher union" in english and "上级工会拨款" not in english
    chinese = Client().get(reverse("disclosure-public", args=[disclosure.token])).content.decode()
    assert "困难帮扶" in chinese and "上级工会拨款" in chinese
