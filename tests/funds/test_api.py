"""The funds API: idempotency keys, look-ups and refusals, in the shape clients rely on."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from unionhub.core.validators import TEXT_LIMIT
from unionhub.funds import services
from unionhub.funds.models import Disbursement, Donation, LedgerEntry


def gift(fund, **change) -> dict:
    return {
        "fund": fund.code,
        "donor_kind": "person",
        "donor_name": "张三",
        "amount": "500.00",
        "channel": "cash",
        "received_on": (timezone.localdate() - datetime.timedelta(days=5)).isoformat(),
        **change,
    }


@pytest.mark.parametrize(
    "change",
    [
        {"donor_name": "李四"},
        {"received_on": (timezone.localdate() - datetime.timedelta(days=4)).isoformat()},
        {"channel": "wechat"},
        {"donor_kind": "enterprise"},
        {"note": "另一笔"},
    ],
)
def test_a_donation_key_reused_for_another_donation_answers_409(tree, fund, chair, login, change):
    client = login(chair)
    url = reverse("api:donation-list")
    first = client.post(url, gift(fund), HTTP_IDEMPOTENCY_KEY="K")
    assert first.status_code == 201
    again = client.post(url, gift(fund), HTTP_IDEMPOTENCY_KEY="K")
    assert again.status_code == 201
    assert again.json() == first.json()
    reused = client.post(
        url, gift(fund, **change), HTTP_IDEMPOTENCY_KEY="K", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert "幂等" in reused.json()["detail"]
    assert Donation.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_a_payment_request_key_reused_for_another_request_answers_409(
    tree, funded, case, chair, login
):
    client = login(chair)
    url = reverse("api:disbursement-list")
    asked = {"fund": funded.code, "case": str(case.public_id), "amount": "300.00",
             "method": "cash", "reason": "生活困难"}  # fmt: skip
    first = client.post(url, asked, HTTP_IDEMPOTENCY_KEY="D")
    assert first.status_code == 201
    again = client.post(url, asked, HTTP_IDEMPOTENCY_KEY="D")
    assert again.json()["id"] == first.json()["id"]
    for change in ({"method": "bank_transfer"}, {"reason": "医药费用"}, {"urgent": True}):
        reused = client.post(url, {**asked, **change}, HTTP_IDEMPOTENCY_KEY="D")
        assert reused.status_code == 409, change
        assert reused.json()["code"] == "idempotency_key_reused"
    assert Disbursement.objects.count() == 1


def test_a_pay_key_reused_with_another_voucher_answers_409(tree, funded, approved, chair, login):
    disbursement = approved(funded, "700.00")
    client = login(chair)
    url = reverse("api:disbursement-pay", args=[disbursement.public_id])
    first = client.post(url, {"payment_reference": "SJ-1"}, HTTP_IDEMPOTENCY_KEY="P")
    again = client.post(url, {"payment_reference": "SJ-1"}, HTTP_IDEMPOTENCY_KEY="P")
    assert first.status_code == again.status_code == 200
    reused = client.post(url, {"payment_reference": "SJ-2"}, HTTP_IDEMPOTENCY_KEY="P")
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 1
    assert Disbursement.objects.get(pk=disbursement.pk).payment_reference == "SJ-1"


def test_two_long_keys_differing_only_after_80_characters_are_two_donations(
    tree, fund, chair, login
):
    client = login(chair)
    url = reverse("api:donation-list")
    stem = "k" * 80
    first = client.post(url, gift(fund), HTTP_IDEMPOTENCY_KEY=stem + "-1")
    second = client.post(url, gift(fund, amount="600.00"), HTTP_IDEMPOTENCY_KEY=stem + "-2")
    assert first.status_code == second.status_code == 201
    assert first.json()["receipt_number"] != second.json()["receipt_number"]
    # The whole long key counts for a retry too.
    again = client.post(url, gift(fund, amount="600.00"), HTTP_IDEMPOTENCY_KEY=stem + "-2")
    assert again.json()["receipt_number"] == second.json()["receipt_number"]
    assert Donation.objects.count() == 2
    assert all(len(d.idempotency_key) <= 120 for d in Donation.objects.all())


def test_payments_filter_by_status_and_an_unknown_status_is_refused(
    tree, funded, request_payment, approved, chair, login
):
    asked, ready = request_payment(funded, "100.00"), approved(funded, "200.00")
    client = login(chair)
    url = reverse("api:disbursement-list")
    listed = client.get(url, {"status": "approved"}).json()["results"]
    assert [row["id"] for row in listed] == [str(ready.public_id)]
    assert client.get(url).json()["count"] == 2
    refused = client.get(url, {"status": "bad"})
    assert refused.status_code == 400
    assert list(refused.json()) == ["status"]
    assert asked.status == "requested"


def test_ledger_entries_name_their_donation_and_payment_by_the_ids_the_api_looks_up(
    tree, fund, donate, approved, chair, login
):
    donation = donate(fund, "5000.00")
    paid = approved(fund, "300.00")
    services.disbursement_pay(
        actor=chair, disbursement=paid, payment_reference="SJ-1", idempotency_key="p"
    )
    entry = LedgerEntry.objects.get(disbursement=paid)
    services.entry_reverse(actor=chair, entry=entry, reason="重复支付", idempotency_key="r")
    client = login(chair)
    rows = client.get(reverse("api:fund-ledger", args=[fund.pk])).json()["results"]
    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["donation"]["donation"] == str(donation.public_id)
    assert by_kind["donation"]["disbursement"] is None
    assert by_kind["disbursement"]["disbursement"] == str(paid.public_id)
    assert by_kind["reversal"]["disbursement"] == str(paid.public_id)
    assert by_kind["reversal"]["reverses"] == by_kind["disbursement"]["id"]
    # Each links to something: the ids open the donation and the payment.
    assert (
        client.get(reverse("api:donation-detail", args=[by_kind["donation"]["donation"]])).json()[
            "receipt_number"
        ]
        == donation.receipt_number
    )
    assert client.get(
        reverse("api:disbursement-detail", args=[by_kind["disbursement"]["disbursement"]])
    ).json()["id"] == str(paid.public_id)


def test_a_fund_s_approval_tiers_read_as_amounts_and_approvers(tree, fund, chair, login):
    fund.approval_tiers = [{"up_to": 2000, "approvers": 1}, {"up_to": None, "approvers": "2"}]
    fund.save(update_fields=["approval_tiers"])
    body = login(chair).get(reverse("api:fund-detail", args=[fund.pk])).json()
    assert body["approval_tiers"] == [
        {"up_to": "2000.00", "approvers": 1},
        {"up_to": None, "approvers": 2},
    ]


def test_paying_a_payment_outside_the_scope_answers_404_with_or_without_a_key(
    tree, funded, approved, outsider, login
):
    disbursement = approved(funded, "100.00")
    url = reverse("api:disbursement-pay", args=[disbursement.public_id])
    client = login(outsider)
    assert client.post(url, {"payment_reference": "SJ-1"}).status_code == 404
    assert client.post(url, {}, HTTP_IDEMPOTENCY_KEY="k").status_code == 404


@pytest.mark.parametrize("role", ["approver1", "auditor"])
def test_booking_a_donation_without_the_role_answers_403_like_asking_for_money(
    tree, fund, case, request, login, role
):
    user = request.getfixturevalue(role)
    client = login(user)
    donation = client.post(reverse("api:donation-list"), gift(fund), HTTP_IDEMPOTENCY_KEY="g")
    payment = client.post(
        reverse("api:disbursement-list"),
        {"fund": fund.code, "case": str(case.public_id), "amount": "10.00", "method": "cash",
         "reason": "困难"},
        HTTP_IDEMPOTENCY_KEY="d",
    )  # fmt: skip
    assert donation.status_code == payment.status_code == 403
    assert donation.json()["code"] == "permission_denied"
    assert not Donation.objects.exists()


def test_a_fund_or_enterprise_outside_the_scope_is_unknown(tree, fund, fund_b, chair, login):
    client = login(chair)
    refused = client.post(
        reverse("api:donation-list"),
        gift(fund_b, donor_kind="enterprise", donor_enterprise=tree.enterprise_b.pk),
        HTTP_IDEMPOTENCY_KEY="g",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert refused.status_code == 400
    assert refused.json() == {"fund": ["找不到该基金。"], "donor_enterprise": ["找不到该企业。"]}


@pytest.mark.parametrize("amount", ["1e400", "1" * 40, "1000000000"])
def test_an_amount_far_too_large_gets_the_usual_message(tree, fund, chair, login, amount):
    response = login(chair).post(
        reverse("api:donation-list"),
        gift(fund, amount=amount),
        HTTP_IDEMPOTENCY_KEY="g",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    [message] = response.json()["amount"]
    assert message.startswith("单笔金额最多为")
    assert not Donation.objects.exists()


def test_a_payment_reason_is_capped_at_the_text_limit(tree, funded, case, chair, login):
    client = login(chair)
    asked = {"fund": funded.code, "case": str(case.public_id), "amount": "10.00",
             "method": "cash"}  # fmt: skip
    refused = client.post(
        reverse("api:disbursement-list"),
        {**asked, "reason": "困" * (TEXT_LIMIT + 1)},
        HTTP_IDEMPOTENCY_KEY="d1",
    )
    assert refused.status_code == 400 and list(refused.json()) == ["reason"]
    taken = client.post(
        reverse("api:disbursement-list"), {**asked, "reason": "困" * TEXT_LIMIT},
        HTTP_IDEMPOTENCY_KEY="d2",
    )  # fmt: skip
    assert taken.status_code == 201
    assert Disbursement.objects.count() == 1
