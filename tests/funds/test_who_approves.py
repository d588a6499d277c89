"""Who decides on a fund's payments: the approvers of the fund's own organisation; only when it has
no active approver on the system, those of the nearest organisation above it that has. The same
people are told, see the payment in their queue and may approve, reject, ratify or refuse to
ratify it, on the pages and through the API; approvers above keep reading it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import staff
from tests.funds.conftest import key, make_fund
from unionhub.cases import services as case_services
from unionhub.cases.models import ServiceCategory
from unionhub.core.errors import DomainError
from unionhub.funds import services
from unionhub.funds.models import Approval, Disbursement, Fund
from unionhub.notifications.models import Notification
from unionhub.orgs.models import Membership

Role = Membership.Role


@pytest.fixture
def own_approvers(tree):
    """The enterprise union's own two approvers (as 华锦重工's hz_approver1/2)."""
    return (
        staff(tree.union_a, Role.FUND_APPROVER, username="own1", full_name="冯立群"),
        staff(tree.union_a, Role.FUND_APPROVER, username="own2", full_name="唐美玲"),
    )


@pytest.fixture
def district_approvers(tree):
    """The district union's two approvers (as hs_approver1/2)."""
    return (
        staff(tree.district, Role.FUND_APPROVER, username="district1", full_name="陆文斌"),
        staff(tree.district, Role.FUND_APPROVER, username="district2", full_name="钱雅琴"),
    )


@pytest.fixture
def enterprise_fund(funded, own_approvers, district_approvers):
    return funded


def _asked(fund, chair, worker, amount="8000.00", urgent=True) -> Disbursement:
    return services.disbursement_request(
        actor=chair, fund=fund, worker=worker, amount=Decimal(amount), method="cash",
        reason="家中突发火灾，申请救助。", urgent=urgent,
        category=ServiceCategory.objects.get(code="emergency_aid"),
    )  # fmt: skip


def _deciding(fund) -> tuple:
    organization, users = services.fund_approvers(fund)
    return organization, {user.username for user in users}


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_an_enterprise_fund_with_its_own_approvers_is_decided_by_them_alone(
    enterprise_fund, chair, worker, own_approvers, district_approvers
):
    own1, own2 = own_approvers
    district1, _district2 = district_approvers
    payment = _asked(enterprise_fund, chair, worker)
    # Only the union's approvers are woken for its urgent request.
    assert _told("disbursement_requested") == {"own1", "own2"}

    services.disbursement_approve(actor=own1, disbursement=payment)
    with pytest.raises(DomainError) as refused:
        services.disbursement_approve(actor=district1, disbursement=payment)
    assert refused.value.code == "not_fund_approver"
    assert str(refused.value) == (
        "伟达五金员工扶助基金的支出由其审批人（冯立群、唐美玲）审批，您不在其中。"
    )
    with pytest.raises(DomainError):
        services.disbursement_reject(actor=district1, disbursement=payment, comment="不同意支付")
    payment.refresh_from_db()
    assert payment.status == "requested"
    assert list(payment.approvals.values_list("approver__username", flat=True)) == ["own1"]

    # The district approver still reads it, but is offered nothing and queues nothing.
    assert Disbursement.objects.visible_to(district1).filter(pk=payment.pk).exists()
    assert services.disbursement_actions(payment, district1) == []
    assert not services.approval_queue(district1)[0].filter(pk=payment.pk).exists()
    assert services.approval_queue(own2)[0].filter(pk=payment.pk).exists()
    assert services.disbursement_actions(payment, own2) == ["approve", "reject"]

    assert services.disbursement_approve(actor=own2, disbursement=payment).status == "approved"


def test_an_advance_of_an_enterprise_fund_is_ratified_by_its_own_approvers_only(
    enterprise_fund, chair, officer, worker, own_approvers, district_approvers
):
    own1, _own2 = own_approvers
    district1, _district2 = district_approvers
    fire = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中突发火灾", description="晚上家中失火，本人烧伤送医。",
    )  # fmt: skip
    case_services.case_accept(actor=chair, case=fire)
    advance = services.emergency_advance(
        actor=chair, fund=enterprise_fund, case=fire, amount=Decimal("5000.00"), method="cash",
        reason="垫付住院押金", idempotency_key=key(), payment_reference="SJ-0001",
    )  # fmt: skip
    assert _told("advance_to_ratify") == {"own1", "own2"}
    for refused in (
        lambda: services.advance_ratify(actor=district1, disbursement=advance),
        lambda: services.advance_refuse_ratification(
            actor=district1, disbursement=advance, comment="不符合垫付条件"
        ),
    ):
        with pytest.raises(DomainError) as error:
            refused()
        assert error.value.code == "not_fund_approver"
    assert not Approval.objects.filter(disbursement=advance).exists()
    assert not services.approval_queue(district1)[1].filter(pk=advance.pk).exists()
    assert services.approval_queue(own1)[1].filter(pk=advance.pk).exists()
    assert services.disbursement_actions(advance, own1) == ["ratify", "refuse_ratification"]
    services.advance_ratify(actor=own1, disbursement=advance)


def test_without_approvers_of_its_own_the_nearest_organisation_above_with_some_stands_in(
    tree, funded, chair, worker, district_approvers
):
    district1, _district2 = district_approvers
    # Union A has no approver: the district's decide, and are told.
    assert _deciding(funded) == (tree.district, {"district1", "district2"})
    payment = _asked(funded, chair, worker, "1000.00", urgent=False)
    assert _told("disbursement_requested") == {"district1", "district2"}
    assert services.approval_queue(district1)[0].filter(pk=payment.pk).exists()

    # One approver at the street, nearer the fund, decides; while they are the only one there,
    # the district's stand in beside them (a payment above the first tier needs two).
    street = staff(tree.street_a, Role.FUND_APPROVER, username="street1", full_name="邹晓东")
    assert _deciding(funded) == (tree.street_a, {"street1", "district1", "district2"})
    # With a second at the street, the street's two decide alone.
    staff(tree.street_a, Role.FUND_APPROVER, username="street2", full_name="邹晓南")
    assert _deciding(funded) == (tree.street_a, {"street1", "street2"})
    assert not services.approval_queue(district1)[0].filter(pk=payment.pk).exists()
    with pytest.raises(DomainError):
        services.disbursement_approve(actor=district1, disbursement=payment)
    assert services.disbursement_approve(actor=street, disbursement=payment).status == "approved"

    # An approver who leaves (their sign-in switched off) no longer counts: the district stands
    # in again beside the one left.
    street.is_active = False
    street.save(update_fields=["is_active"])
    assert _deciding(funded) == (tree.street_a, {"street2", "district1", "district2"})


def test_an_enterprise_union_with_one_approver_is_not_stuck_on_a_payment_that_needs_two(
    tree, funded, chair, worker, district_approvers
):
    """A payment above the first tier needs two approvers: with one at the union, the one
    above decides beside them, so the payment can be decided at all."""
    own = staff(tree.union_a, Role.FUND_APPROVER, username="own1", full_name="冯立群")
    district1, _district2 = district_approvers
    payment = _asked(funded, chair, worker, "8000.00")
    assert _told("disbursement_requested") == {"own1", "district1", "district2"}
    services.disbursement_approve(actor=own, disbursement=payment)
    done = services.disbursement_approve(actor=district1, disbursement=payment)
    assert done.status == "approved"
    assert set(Fund.objects.decided_by(district1).values_list("code", flat=True)) == {funded.code}


def test_the_queue_s_query_and_the_one_fund_helper_apply_the_same_rule(
    tree, funded, fund_b, own_approvers, district_approvers
):
    district_fund = make_fund(tree.district, code="hs-kn", name="惠山区困难职工帮扶资金")
    street_fund = make_fund(tree.street_b, code="yq-jd", name="堰桥街道帮扶资金")
    station_b = staff(tree.station_b, Role.FUND_APPROVER, username="station_b")
    people = [*own_approvers, *district_approvers, station_b]
    funds = [funded, fund_b, district_fund, street_fund]
    for person in people:
        decided = set(Fund.objects.decided_by(person).values_list("code", flat=True))
        expected = {f.code for f in funds if person in services.approvers_of(f)}
        assert decided == expected, person.username
    assert {f.code for f in Fund.objects.decided_by(station_b)} == {"yq-fz"}
    # Station B has one approver: the district stands in beside them for its union's fund.
    assert {f.code for f in Fund.objects.decided_by(people[2])} == {"hs-kn", "yq-jd", "yq-fz"}


def test_pages_and_the_api_refuse_a_decision_from_an_approver_above(
    enterprise_fund, chair, worker, own_approvers, district_approvers, login, client
):
    district1, _district2 = district_approvers
    payment = _asked(enterprise_fund, chair, worker)
    detail = reverse("funds:disbursement-detail", args=[payment.public_id])
    approve = reverse("funds:disbursement-action", args=[payment.public_id, "approve"])
    page = login(district1).get(detail)
    assert page.status_code == 200 and approve not in page.content.decode()
    refused = client.post(approve, {"comment": ""})
    assert refused.status_code == 400
    assert "您不在其中" in refused.content.decode()
    api = client.post(
        reverse("api:disbursement-approve", args=[payment.public_id]),
        {},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["code"] == "not_fund_approver"
    assert not payment.approvals.exists()
    queue = client.get(reverse("funds:approval-queue")).content.decode()
    assert payment.worker.name not in queue


def test_the_fund_page_says_who_approves_and_when_others_stand_in(
    tree, funded, chair, login, district_approvers
):
    client = login(chair)
    url = reverse("funds:fund-detail", args=[funded.code])
    page = client.get(url).content.decode()
    assert "惠山区总工会的审批人（本基金所属组织在系统中没有审批人，由其代为审批）" in page
    assert "陆文斌" in page and "钱雅琴" in page
    staff(tree.union_a, Role.FUND_APPROVER, username="own1", full_name="冯立群")
    page = client.get(url).content.decode()
    assert "无锡伟达五金有限公司工会的审批人：冯立群、" in page
    assert "陆文斌（惠山区总工会，代为审批）" in page and "钱雅琴（惠山区总工会，代为审批）" in page
    staff(tree.union_a, Role.FUND_APPROVER, username="own2", full_name="唐美玲")
    page = client.get(url).content.decode()
    assert "无锡伟达五金有限公司工会的审批人：冯立群、唐美玲" in page and "陆文斌" not in page
