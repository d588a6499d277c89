"""Fund fixtures on the shared tree: station A's union has a fund; approvers and an auditor sit
on station A; the chair of union A manages the fund."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import staff
from unionhub.cases.models import ServiceCategory
from unionhub.funds import services
from unionhub.funds.models import Fund
from unionhub.orgs.models import Membership

Role = Membership.Role
TIERS = [{"up_to": "2000.00", "approvers": 1}, {"up_to": None, "approvers": 2}]
OPENED = datetime.datetime(2020, 1, 2, 1, tzinfo=datetime.UTC)


def key() -> str:
    return str(uuid.uuid4())


@contextlib.contextmanager
def days_ago(days: int = 1):
    """Run the block at this time ``days`` ago: what it pays or books falls in a period that is
    over, which a disclosure list (公示) may publish."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days)):
        yield


@pytest.fixture
def chair(tree):
    return staff(tree.union_a, Role.ENTERPRISE_CHAIR, username="chair", full_name="尤国平")


@pytest.fixture
def approver1(tree):
    return staff(tree.station_a, Role.FUND_APPROVER, username="approver1", full_name="陆文斌")


@pytest.fixture
def approver2(tree):
    return staff(tree.station_a, Role.FUND_APPROVER, username="approver2", full_name="钱雅琴")


@pytest.fixture
def auditor(tree):
    return staff(tree.station_a, Role.FUND_AUDITOR, username="auditor", full_name="顾明远")


def make_fund(
    organization, *, code="wd-fz", name="伟达五金员工扶助基金", officers=(), cap="20000.00"
):
    fund = Fund.objects.create(
        organization=organization,
        code=code,
        name=name,
        approval_tiers=TIERS,
        advance_cap=Decimal(cap),
        ratify_within_days=3,
    )
    # Opened long before the tests' dates: donations are booked only from a fund's opening.
    fund.created_at = OPENED
    Fund.objects.filter(pk=fund.pk).update(created_at=OPENED)
    fund.allowed_categories.set(
        ServiceCategory.objects.filter(code__in=["emergency_aid", "hardship_relief", "medical_aid"])
    )
    fund.advance_officers.set(officers)
    return fund


@pytest.fixture
def fund(tree, chair):
    return make_fund(tree.union_a, officers=[chair])


@pytest.fixture
def fund_b(tree):
    return make_fund(tree.union_b, code="yq-fz", name="堰桥纺织员工扶助基金")


@pytest.fixture
def donate(chair):
    def _donate(fund, amount="10000.00", **extra):
        values = {
            "actor": chair,
            "fund": fund,
            "donor_kind": "enterprise",
            "donor_name": "无锡伟达五金有限公司",
            "amount": amount,
            "channel": "bank_transfer",
            "received_on": timezone.localdate(),
            "idempotency_key": key(),
        }
        values.update(extra)
        return services.donation_record(**values)

    return _donate


@pytest.fixture
def funded(fund, donate):
    donate(fund, "10000.00")
    fund.refresh_from_db()
    return fund


@pytest.fixture
def case(officer, worker):
    """An ordinary (not emergency) request of the worker, opened and accepted by station A's
    officer: money is asked for a request someone has taken up."""
    from unionhub.cases import services as case_services

    case = case_services.case_submit(
        actor=officer,
        worker=worker,
        category=ServiceCategory.objects.get(code="hardship_relief"),
        channel="phone",
        summary="配偶患病，生活困难",
        description="妻子患病长期透析，申请困难帮扶。",
    )
    return case_services.case_accept(actor=officer, case=case)


@pytest.fixture
def request_payment(chair, worker):
    def _request(fund, amount="1000.00", actor=None, **extra):
        values = {
            "actor": actor or chair,
            "fund": fund,
            "worker": worker,
            "category": ServiceCategory.objects.get(code="hardship_relief"),
            "amount": Decimal(amount),
            "method": "cash",  # a bank transfer is paid with its slip number
            "reason": "家庭困难，申请帮扶。",
        }
        values.update(extra)
        return services.disbursement_request(**values)

    return _request


@pytest.fixture
def approved(request_payment, approver1, approver2):
    """``approved(fund, amount)``: a request approved by as many approvers as it needs."""

    def _approved(fund, amount="1000.00", **extra):
        disbursement = request_payment(fund, amount, **extra)
        disbursement = services.disbursement_approve(actor=approver1, disbursement=disbursement)
        if disbursement.status != "approved":
            disbursement = services.disbursement_approve(actor=approver2, disbursement=disbursement)
        return disbursement

    return _approved


@pytest.fixture
def emergency_case(tree, officer, worker):
    """An emergency of the worker, opened and accepted by station A's officer."""
    from unionhub.cases import services as case_services

    case = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="工伤住院", description="车间事故，手部受伤住院。",
    )  # fmt: skip
    return case_services.case_accept(actor=officer, case=case)
