"""Money is asked for a request someone has taken up: while it is still submitted (or referred
and not yet accepted where it went) neither a payment request nor an emergency advance goes
through, and the money page says to accept it first, offering to when the user may."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.funds.conftest import key, make_fund
from unionhub.cases import services as case_services
from unionhub.cases.models import Case, ServiceCategory
from unionhub.core.errors import Conflict
from unionhub.funds import services
from unionhub.funds.models import Disbursement, LedgerEntry


@pytest.fixture
def submitted(officer, worker):
    """An emergency just reported by phone: nobody has accepted it yet."""
    return case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中突发火灾", description="晚上家中失火，本人烧伤送医。",
    )  # fmt: skip


def _ask(fund, case, chair):
    return services.disbursement_request(
        actor=chair, fund=fund, worker=case.worker, case=case, amount=Decimal("30000.00"),
        method="cash", reason="火灾受伤住院，申请救助。",
    )  # fmt: skip


def _advance(fund, case, chair):
    return services.emergency_advance(
        actor=chair, fund=fund, case=case, amount=Decimal("5000.00"), method="cash",
        reason="垫付住院押金", idempotency_key=key(), payment_reference="SJ-0001",
    )  # fmt: skip


def test_no_money_is_asked_for_or_advanced_on_a_request_still_submitted(funded, chair, submitted):
    for step in (_ask, _advance):
        with pytest.raises(Conflict) as refused:
            step(funded, submitted, chair)
        assert refused.value.code == "case_not_accepted"
        assert str(refused.value) == (
            f"诉求{submitted.reference}尚未受理：请先受理（职工随即会收到正在办理的通知），"
            "再申请帮扶款。"
        )
    assert not Disbursement.objects.exists() and LedgerEntry.objects.count() == 1  # the gift
    accepted = case_services.case_accept(actor=chair, case=submitted)
    assert _advance(funded, accepted, chair).status == "paid"
    assert _ask(funded, accepted, chair).status == "requested"


def test_a_request_referred_on_waits_for_its_new_owner_to_accept_it(
    tree, officer, district_admin, submitted, donate
):
    district_fund = make_fund(tree.district, code="hs-kn", name="惠山区困难职工帮扶资金")
    donate(district_fund, "50000.00", actor=district_admin)
    case_services.case_accept(actor=officer, case=submitted)
    referred = case_services.case_refer(
        actor=officer, case=submitted, organization=tree.district,
        reason="所需金额超出本级能力，请区总工会大额救助",
    )  # fmt: skip
    assert referred.status == Case.Status.REFERRED
    with pytest.raises(Conflict) as refused:
        _ask(district_fund, referred, district_admin)
    assert refused.value.code == "case_not_accepted"
    assert str(refused.value) == (
        f"诉求{referred.reference}已转交惠山区总工会，对方尚未受理：惠山区总工会受理后方可申请帮扶款。"
    )
    accepted = case_services.case_accept(actor=district_admin, case=referred)
    assert _ask(district_fund, accepted, district_admin).status == "requested"


def test_the_money_page_says_to_accept_first_and_takes_the_officer_back_after_accepting(
    funded, chair, submitted, login
):
    client = login(chair)
    money = reverse("funds:disbursement-create", args=[submitted.public_id])
    page = client.get(money).content.decode()
    assert f"诉求{submitted.reference}尚未受理" in page
    accept = reverse("cases:case-action", args=[submitted.public_id, "accept"])
    assert f'action="{accept}"' in page and "受理后申请帮扶款" in page
    assert 'name="amount"' not in page  # neither the request nor the advance form

    # A post sent anyway (an old tab) is refused with the same words, and nothing is asked.
    sent = client.post(
        money,
        {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": "3000",
         "method": "cash", "reason": "火灾受伤住院，申请救助。"},
    )  # fmt: skip
    assert f"诉求{submitted.reference}尚未受理" in sent.content.decode()
    assert not Disbursement.objects.exists()

    taken = client.post(accept, {"then": "money"})
    assert taken.status_code == 302 and taken["Location"] == money
    submitted.refresh_from_db()
    assert submitted.status == Case.Status.ACCEPTED
    page = client.get(money).content.decode()
    assert 'name="amount"' in page and "尚未受理" not in page


def test_the_api_refuses_money_on_a_request_not_yet_accepted(funded, chair, submitted, login):
    answer = login(chair).post(
        reverse("api:disbursement-list"),
        {"fund": funded.code, "case": str(submitted.public_id), "amount": "3000.00",
         "method": "cash", "reason": "火灾受伤住院，申请救助。"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="fire-1",
    )  # fmt: skip
    assert answer.status_code == 409 and answer.json()["code"] == "case_not_accepted"
    assert not Disbursement.objects.exists()
