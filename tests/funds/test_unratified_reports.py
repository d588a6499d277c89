"""An emergency advance left unratified, or refused ratification, is reported to the organisation
above the fund's; a fund of the top organisation (the district, with nothing above it) is reported
to its own leads instead, and every message says who was told. Whoever refused is not told of
their own act."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import staff
from tests.funds.conftest import key, make_fund
from unionhub.core.models import AuditEntry
from unionhub.funds import services
from unionhub.notifications.models import Notification
from unionhub.orgs.models import Membership

Role = Membership.Role


@pytest.fixture
def district_fund(tree, district_admin, donate):
    fund = make_fund(
        tree.district, code="hs-knbf", name="惠山区困难职工帮扶资金", officers=[district_admin]
    )
    donate(fund, "50000.00", actor=district_admin)
    return fund


@pytest.fixture
def district_approvers(tree):
    return (
        staff(tree.district, Role.FUND_APPROVER, username="hs_approver1", full_name="陆文斌"),
        staff(tree.district, Role.FUND_APPROVER, username="hs_approver2", full_name="钱雅琴"),
    )


@pytest.fixture
def district_advance(district_fund, district_admin, emergency_case):
    return services.emergency_advance(
        actor=district_admin, fund=district_fund, case=emergency_case,
        amount=Decimal("15000.00"), method="cash", reason="突发伤病，先行垫付医疗费用。",
        idempotency_key=key(), payment_reference="SJ-0001",
    )  # fmt: skip


def _told() -> set[str]:
    notices = Notification.objects.filter(kind="advance_unratified")
    return set(notices.values_list("recipient__username", flat=True))


def test_a_refused_advance_of_the_district_s_fund_goes_to_its_own_leads_not_the_refuser(
    tree, district_advance, district_admin, district_approvers
):
    refuser, _other = district_approvers
    assert services.unratified_report(district_advance, refuser, refused=True) == (
        tree.district, False, [district_admin],
    )  # fmt: skip
    services.advance_refuse_ratification(
        actor=refuser, disbursement=district_advance, comment="伤情不符合紧急垫付条件"
    )
    assert _told() == {district_admin.username}
    entry = AuditEntry.objects.get(action="funds.disbursement.ratification_refused")
    assert entry.data["to"] == tree.district.name


def test_the_refuser_is_told_who_was_told_instead_of_an_organisation_above(
    tree, district_advance, district_approvers, login
):
    refuser, _other = district_approvers
    client = login(refuser)
    action = reverse(
        "funds:disbursement-action", args=[district_advance.public_id, "refuse_ratification"]
    )
    done = client.post(action, {"comment": "伤情不符合紧急垫付条件"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "已记录您对¥15,000.00垫付不予追认的意见。惠山区总工会在系统中没有上级组织，"
        "已改为报本会负责人。已通知：周建华。"
    ]
    page = done.content.decode()
    assert "惠山区总工会在系统中没有上级组织，已报该组织负责人" in page
    assert "已报上级组织" not in page


def test_an_overdue_advance_of_the_district_s_fund_is_escalated_to_its_own_leads(
    tree, district_advance, district_admin, district_approvers
):
    later = district_advance.ratify_due_at + datetime.timedelta(minutes=1)
    assert services.escalate_unratified_advances(now=later) == 1
    assert _told() == {district_admin.username}
    entry = AuditEntry.objects.get(action="funds.disbursement.advance_escalated")
    assert entry.data["to"] == tree.district.name


def test_a_refusal_below_goes_above_and_names_the_organisation_and_who_was_told(
    tree, funded, chair, approver1, approver2, emergency_case, login
):
    lead = staff(tree.station_a, Role.DISTRICT_ADMIN, username="lead", full_name="邹晓东")
    advance = services.emergency_advance(
        actor=chair, fund=funded, case=emergency_case, amount=Decimal("5000.00"),
        method="cash", reason="垫付住院押金", idempotency_key=key(), payment_reference="SJ-0001",
    )  # fmt: skip
    action = reverse("funds:disbursement-action", args=[advance.public_id, "refuse_ratification"])
    done = login(approver1).post(action, {"comment": "不符合垫付条件"}, follow=True)
    [said] = [str(m) for m in done.context["messages"]]
    assert said.startswith(
        "已记录您对¥5,000.00垫付不予追认的意见，并已报上级组织舜何社区产改指导站。已通知："
    )
    # The station's lead and its other approver, and the chair who paid; not the refuser.
    assert _told() == {lead.username, approver2.username, chair.username}
    for name in ("邹晓东", "钱雅琴", "尤国平"):
        assert name in said
    assert "陆文斌" not in said
    assert "已报上级组织舜何社区产改指导站" in done.content.decode()
