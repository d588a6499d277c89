"""Money a fund is allotted from above (an allocation from a higher union, 上级工会拨款; a public
grant, 财政补助) is not a donation: it is booked under its own source, gets a record of receipt
(入账凭证) instead of a donation receipt thanking a donor, reads as its own line of money in on
the statement and in the exports, and is listed on a public notice as a source of funds, apart
from the donors."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.funds.conftest import days_ago, key
from unionhub.core.errors import DomainError
from unionhub.funds import services
from unionhub.funds.models import Donation

CITY = "无锡市总工会"
BUREAU = "无锡市惠山区财政局"


@pytest.fixture
def allotted(fund, donate):
    """The fund holds an enterprise's donation, the city federation's allocation and the
    district's grant, all booked today."""
    donate(fund, "5000.00")
    allocation = donate(
        fund, "2000000.00", donor_kind="allocation", donor_name=CITY, collection="帮扶资金下拨"
    )
    grant = donate(fund, "600000.00", donor_kind="grant", donor_name=BUREAU)
    fund.refresh_from_db()
    return allocation, grant


def test_an_allocation_names_the_body_that_sent_it_and_is_no_enterprise(tree, fund, donate):
    allocation = donate(fund, "2000000.00", donor_kind="allocation", donor_name=f" {CITY} ")
    assert (allocation.donor_kind, allocation.donor_name) == ("allocation", CITY)
    assert allocation.is_funding and allocation.public_donor == CITY
    with pytest.raises(DomainError) as nameless:
        donate(fund, "100.00", donor_kind="grant", donor_name="")
    assert nameless.value.field == "donor_name"
    with pytest.raises(DomainError) as enterprise:
        donate(fund, "100.00", donor_kind="allocation", donor_enterprise=tree.enterprise_a)
    assert (enterprise.value.field, enterprise.value.code) == (
        "donor_enterprise", "funding_from_enterprise",
    )  # fmt: skip
    assert Donation.objects.count() == 1
    # What was booked before the new sources stays as it was.
    old = donate(fund, "100.00", donor_kind="enterprise", donor_name="无锡市总工会（帮扶资金下拨）")
    assert not old.is_funding and old.get_donor_kind_display() == "企业"


def test_the_statement_reads_allocations_and_grants_as_their_own_money_in(
    tree, fund, allotted, chair
):
    allocation, _grant = allotted
    today = timezone.localdate()
    statement = services.statement(fund, today, today)
    assert statement["money_in"] == [
        ("上级工会拨款", Decimal("2000000.00")),
        ("财政补助", Decimal("600000.00")),
        ("企业", Decimal("5000.00")),
    ]
    entry = allocation.entries.get()
    reversal = services.entry_reverse(
        actor=chair, entry=entry, reason="重复入账", idempotency_key=key()
    )
    money_in = dict(services.statement(fund, today, today)["money_in"])
    assert money_in["减：拨款和补助冲销"] == Decimal("-2000000.00")
    assert "减：捐赠冲销" not in money_in
    with translation.override("en"):
        assert reversal.description.startswith(f"reverses the allocation of {today}")


def test_an_allocation_gets_a_record_of_receipt_not_a_donation_receipt(
    tree, fund, allotted, donate, chair, login
):
    allocation, grant = allotted
    client = login(chair)
    for money, kind in ((allocation, "上级工会拨款"), (grant, "财政补助")):
        page = client.get(reverse("funds:donation-receipt", args=[money.public_id]))
        html = page.content.decode()
        assert "入账凭证" in html and "捐赠收据" not in html
        assert "感谢您对困难职工的爱心与支持" not in html
        assert kind in html and money.donor_name in html
    gift = donate(fund, "500.00", donor_kind="person", donor_name="许国华")
    html = client.get(reverse("funds:donation-receipt", args=[gift.public_id])).content.decode()
    assert "捐赠收据" in html and "感谢您对困难职工的爱心与支持" in html
    listed = client.get(reverse("funds:donation-list", args=[fund.code])).content.decode()
    assert "上级工会拨款" in listed and "财政补助" in listed


def test_the_form_books_an_allocation_and_says_its_record_was_issued(tree, fund, chair, login):
    client = login(chair)
    url = reverse("funds:donation-create", args=[fund.code])
    form = client.get(url).context["form"]
    assert ("allocation", "上级工会拨款") in form.fields["donor_kind"].choices
    assert ("grant", "财政补助") in form.fields["donor_kind"].choices
    refused = client.post(
        url,
        {"idempotency_key": uuid.uuid4(), "donor_kind": "allocation",
         "donor_enterprise": tree.enterprise_a.pk, "amount": "2000000", "channel": "bank_transfer",
         "received_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert refused.status_code == 200 and refused.context["form"].errors["donor_enterprise"]
    booked = client.post(
        url,
        {"idempotency_key": uuid.uuid4(), "donor_kind": "allocation", "donor_name": CITY,
         "amount": "2,000,000", "channel": "bank_transfer",
         "received_on": timezone.localdate().isoformat()},
        follow=True,
    )  # fmt: skip
    allocation = Donation.objects.get()
    assert allocation.donor_kind == "allocation"
    said = [str(m) for m in booked.context["messages"]]
    assert said == [f"已入账，入账凭证{allocation.receipt_number}。"]


def test_a_public_notice_lists_allocations_and_grants_as_sources_of_funds_not_donors(
    tree, fund, donate, chair, client
):
    with days_ago(1):
        donate(fund, "2000000.00", donor_kind="allocation", donor_name=CITY)
        donate(fund, "600000.00", donor_kind="grant", donor_name=BUREAU)
        donate(fund, "5000.00", donor_kind="person", donor_name="许国华")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    disclosure = services.disclosure_publish(
        actor=chair, fund=fund, period_start=yesterday, period_end=yesterday
    )
    lines = {(line.kind, line.name, line.category) for line in disclosure.lines.all()}
    assert lines == {
        ("funding", CITY, "上级工会拨款"),
        ("funding", BUREAU, "财政补助"),
        ("donor", "许*华", ""),
    }
    html = client.get(reverse("disclosure-public", args=[disclosure.token])).content.decode()
    funding = html.split("上级拨款与财政补助")[1].split("捐赠人")[0]
    assert CITY in funding and BUREAU in funding and "¥2,600,000.00" in funding
    donors = html.split("上级拨款与财政补助")[1].split("<h2")[1]
    assert CITY not in donors and "许*华" in donors and "¥5,000.00" in donors
    assert "作为资金来源列示，不属于捐赠" in html


def test_exports_and_the_api_name_the_source(tree, fund, allotted, chair, login):
    client = login(chair)
    today = timezone.localdate()
    period = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(
            reverse("funds:fund-export", args=[fund.code, "ledger"]), period
        ).streaming_content))
    ).active  # fmt: skip
    assert sheet["D3"].value == "来源/受助人"
    kinds = {row[3]: row[2] for row in sheet.iter_rows(min_row=5, values_only=True) if row[3]}
    assert kinds[CITY] == "上级工会拨款" and kinds[BUREAU] == "财政补助"
    statement = load_workbook(
        io.BytesIO(b"".join(client.get(
            reverse("funds:fund-export", args=[fund.code, "statement"]), period
        ).streaming_content))
    ).active  # fmt: skip
    money_in = [row[1] for row in statement.iter_rows(min_row=4, values_only=True)
                if row[0] == "收入"]  # fmt: skip
    assert money_in[:2] == ["上级工会拨款", "财政补助"]
    ledger_page = client.get(reverse("funds:fund-ledger", args=[fund.code])).content.decode()
    assert "上级工会拨款" in ledger_page

    api = reverse("api:donation-list")
    booked = client.post(
        api,
        {"fund": fund.code, "donor_kind": "grant", "donor_name": BUREAU, "amount": "1000.00",
         "channel": "bank_transfer", "received_on": today.isoformat()},
        HTTP_IDEMPOTENCY_KEY=key(),
    )  # fmt: skip
    assert booked.status_code == 201 and booked.json()["donor_kind"] == "grant"
    refused = client.post(
        api,
        {"fund": fund.code, "donor_kind": "allocation", "donor_name": CITY, "amount": "1.00",
         "donor_enterprise": tree.enterprise_a.pk, "channel": "bank_transfer",
         "received_on": today.isoformat()},
        HTTP_IDEMPOTENCY_KEY=key(),
    )  # fmt: skip
    assert refused.status_code == 400 and refused.json()["field"] == "donor_enterprise"
    assert client.post(
        api,
        {"fund": fund.code, "donor_kind": "city", "donor_name": CITY, "amount": "1.00",
         "channel": "bank_transfer", "received_on": today.isoformat()},
        HTTP_IDEMPOTENCY_KEY=key(),
    ).status_code == 400  # fmt: skip
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json").json()
    kinds = schema["components"]["schemas"]["DonorKindEnum"]["enum"]
    assert {"allocation", "grant"} <= set(kinds)
