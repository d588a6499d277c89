"""The fund review (经审) page as a reviewer works through it: overdue rectifications stand out,
and a refused form keeps what was chosen and is found where it was filled in."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.funds.conftest import days_ago, key
from unionhub.funds import services


def _review(auditor, chair, approved, fund, payments: int = 2):
    for _ in range(payments):
        services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=approved(fund, "500.00"),
            idempotency_key=key(),
        )
    today = timezone.localdate()
    return services.audit_open(
        actor=auditor, fund=fund, period_start=today, period_end=today, share="1", seed=7
    )


def test_a_rectification_past_its_deadline_is_marked_overdue_until_done(
    tree, funded, approved, chair, auditor, login
):
    review = _review(auditor, chair, approved, funded)
    today = timezone.localdate()
    late = services.finding_add(
        actor=auditor, review=review, description="签收单缺少日期", severity="low",
        owner=chair, deadline=today,
    )  # fmt: skip
    services.finding_add(
        actor=auditor, review=review, description="银行回单未归档", severity="medium",
        owner=chair, deadline=today + datetime.timedelta(days=30),
    )  # fmt: skip
    url = reverse("funds:audit-detail", args=[review.pk])
    assert "已逾期" not in login(auditor).get(url).content.decode()  # due today: not late yet
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        html = login(auditor).get(url).content.decode()
        assert html.count("finding-overdue") == 1
        assert re.search(r"签收单缺少日期.*?已逾期 3 天", html, re.S)
        services.finding_rectify(actor=chair, finding=late, note="已补签日期")
        assert "已逾期" not in login(auditor).get(url).content.decode()


def test_a_finding_open_at_closing_is_rectified_afterwards_and_stays_marked_late(
    tree, funded, approved, chair, auditor, approver1, login
):
    from unionhub.core.models import AuditEntry

    review = _review(auditor, chair, approved, funded, payments=1)
    for item in review.items.all():
        services.audit_check(
            actor=auditor, item=item, checks=dict.fromkeys(item.CHECKS, True),
            evidence_note="审批单、回单齐全",
        )  # fmt: skip
    finding = services.finding_add(
        actor=auditor, review=review, description="银行回单未归档", severity="medium",
        owner=chair, deadline=timezone.localdate() + datetime.timedelta(days=2),
    )  # fmt: skip
    services.audit_close(actor=auditor, review=review, conclusion="基本规范，一项待整改。")
    listing = reverse("funds:audit-list")
    assert login(auditor).get(listing).context["audits"][0].open_findings == 1
    page = reverse("funds:audit-detail", args=[review.pk])
    url = reverse("funds:audit-action", args=[review.pk, "rectify"])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5)):
        # Closed, the review still offers the finding's owner and its reviewer the form.
        for who in (chair, auditor):
            assert f'action="{url}#finding-{finding.pk}"' in login(who).get(page).content.decode()
        # Someone else on the fund may not rectify it, and nothing changes.
        with pytest.raises(PermissionDenied):
            services.finding_rectify(actor=approver1, finding=finding, note="已归档")
        finding.refresh_from_db()
        assert finding.rectified_at is None
        done = login(chair).post(url, {"finding": finding.pk, "note": "回单已补充归档"})
        assert done.status_code == 302
        finding.refresh_from_db()
        assert finding.rectification == "回单已补充归档" and finding.late_days == 3
        for shown in (page, page + "?print=1"):
            html = login(auditor).get(shown).content.decode()
            row = html.split(f'id="finding-{finding.pk}"')[1].split("</tr>")[0]
            assert "回单已补充归档" in row and timezone.localdate().isoformat() in row
            assert "逾期 3 天整改" in row and "已逾期" not in row
            # A checked payment's note is labelled neutrally, whatever it says was missing.
            assert "凭证查验说明：审批单、回单齐全" in html and "已查验凭证" not in html
        assert login(auditor).get(listing).context["audits"][0].open_findings == 0
    entry = AuditEntry.objects.get(action="funds.audit.finding_rectified")
    assert entry.actor == chair
    assert entry.data["days_late"] == 3 and entry.data["review_closed"] is True


def test_a_rectification_records_who_entered_it_the_owner_or_a_reviewer_on_their_behalf(
    tree, funded, approved, chair, auditor, login
):
    from unionhub.core.models import AuditEntry

    review = _review(auditor, chair, approved, funded, payments=1)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    by_owner, for_owner = (
        services.finding_add(
            actor=auditor,
            review=review,
            description=text,
            severity="low",
            owner=chair,
            deadline=deadline,
        )
        for text in ("签收单缺少日期", "银行回单未归档")
    )
    services.finding_rectify(actor=chair, finding=by_owner, note="已补签日期")
    services.finding_rectify(actor=auditor, finding=for_owner, note="已向银行补打回单并归档")
    by_owner.refresh_from_db()
    for_owner.refresh_from_db()
    assert (by_owner.rectified_by, by_owner.rectified_for_owner) == (chair, False)
    assert (for_owner.rectified_by, for_owner.rectified_for_owner) == (auditor, True)
    entries = AuditEntry.objects.filter(action="funds.audit.finding_rectified").order_by("pk")
    assert [e.data["for_owner"] for e in entries] == ["", "尤国平"]

    # The page, and so the printed closing report, says who entered each one.
    today = timezone.localdate().isoformat()
    html = login(auditor).get(reverse("funds:audit-detail", args=[review.pk])).content.decode()

    def row(finding):
        return html.split(f'id="finding-{finding.pk}"')[1].split("</tr>")[0]

    assert f"（{today}，由整改责任人尤国平本人登记）" in row(by_owner)
    assert f"（{today}，由顾明远代尤国平登记）" in row(for_owner)


def test_a_finding_rectified_by_its_deadline_is_not_marked_late(
    tree, funded, approved, chair, auditor, login
):
    review = _review(auditor, chair, approved, funded, payments=1)
    finding = services.finding_add(
        actor=auditor, review=review, description="签收单缺少日期", severity="low",
        owner=chair, deadline=timezone.localdate() + datetime.timedelta(days=2),
    )  # fmt: skip
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        services.finding_rectify(actor=chair, finding=finding, note="已补签日期")
        html = login(auditor).get(reverse("funds:audit-detail", args=[review.pk])).content
    assert "finding-late" not in html.decode()


def test_the_rectify_button_stays_on_one_line_beside_a_labelled_note(
    tree, funded, approved, chair, auditor, login
):
    review = _review(auditor, chair, approved, funded, payments=1)
    finding = services.finding_add(
        actor=auditor, review=review, description="签收单缺少日期", severity="low",
        owner=chair, deadline=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    html = login(chair).get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    assert f'<input class="form-control form-control-sm" id="r{finding.pk}" name="note" ' in html
    assert 'placeholder="整改情况" maxlength="2000" required>' in html
    assert (
        'class="btn btn-sm btn-outline-primary text-nowrap" type="submit">已整改</button>' in html
    )


def test_a_refused_finding_keeps_the_payment_it_was_about(
    tree, funded, approved, chair, auditor, login
):
    review = _review(auditor, chair, approved, funded)
    item = review.items.order_by("pk").last()
    url = reverse("funds:audit-action", args=[review.pk, "finding"])
    client = login(auditor)
    refused = client.post(
        url, {"item": item.pk, "description": "", "severity": "low", "owner": chair.pk}
    )
    assert refused.status_code == 400
    form = refused.context["finding_form"]
    assert form.errors["description"]
    html = refused.content.decode()
    assert f'<option value="{item.pk}" selected>' in html
    assert 'action="' + url + '#record-finding"' in html  # back where it was filled in
    assert not review.findings.exists()
    done = client.post(
        url,
        {"item": item.pk, "description": "签收单缺少日期", "severity": "low",
         "owner": chair.pk, "deadline": (timezone.localdate() + datetime.timedelta(days=30))},
    )  # fmt: skip
    assert done.status_code == 302
    assert review.findings.get().item == item
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with days_ago(1):
        services.disbursement_pay(
            payment_reference="SJ-0002", actor=chair, disbursement=approved(funded, "300.00"),
            idempotency_key=key(),
        )  # fmt: skip
    other = services.audit_open(
        actor=auditor, fund=funded, period_start=yesterday, period_end=yesterday, share="1",
        seed=8,
    )  # fmt: skip
    # A payment of another review is not one to choose here.
    stray = client.post(
        url, {"item": other.items.first().pk, "description": "x", "severity": "low",
              "owner": chair.pk, "deadline": timezone.localdate()},
    )  # fmt: skip
    assert stray.status_code == 400 and stray.context["finding_form"].errors["item"]


def test_a_refused_check_lands_on_its_payment_with_the_note_in_focus(
    tree, funded, approved, chair, auditor, login
):
    review = _review(auditor, chair, approved, funded, payments=3)
    item = review.items.order_by("pk")[1]
    page = login(auditor).get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    check = reverse("funds:audit-action", args=[review.pk, "check"])
    # Each checklist posts to an address that ends on its own payment, so the page that comes
    # back (with the error) opens there, not at the top.
    for each in review.items.all():
        assert f'action="{check}#item-{each.pk}"' in page
    refused = login(auditor).post(check, {"item": item.pk, "approvals": "on"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'id="item-{item.pk}"' in html
    card = html.split(f'id="item-{item.pk}"')[1].split("</article>")[0]
    assert "is-invalid" in card and "autofocus" in card and "请填写已查验的凭证。" in card


def test_a_refused_rectification_stays_on_its_finding_with_the_note_kept(
    tree, funded, approved, chair, auditor, login
):
    review = _review(auditor, chair, approved, funded, payments=1)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    findings = [
        services.finding_add(
            actor=auditor,
            review=review,
            description=text,
            severity="low",
            owner=chair,
            deadline=deadline,
        )
        for text in ("签收单缺少日期", "银行回单未归档")
    ]
    finding = findings[1]
    url = reverse("funds:audit-action", args=[review.pk, "rectify"])
    client = login(chair)
    page = client.get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    for each in findings:
        assert f'action="{url}#finding-{each.pk}"' in page
    refused = client.post(url, {"finding": finding.pk, "note": "   "})
    assert refused.status_code == 400
    row = refused.content.decode().split(f'id="finding-{finding.pk}"')[1].split("</tr>")[0]
    assert "is-invalid" in row and "autofocus" in row and "请填写整改情况。" in row
    other = refused.content.decode().split(f'id="finding-{findings[0].pk}"')[1].split("</tr>")[0]
    assert "is-invalid" not in other
    finding.refresh_from_db()
    assert finding.rectified_at is None and finding.rectification == ""
    long = client.post(url, {"finding": finding.pk, "note": "补" * 2001})
    assert long.status_code == 400
    row = long.content.decode().split(f'id="finding-{finding.pk}"')[1].split("</tr>")[0]
    assert "is-invalid" in row and "2000" in row and "补" * 2001 in row
    finding.refresh_from_db()
    assert finding.rectified_at is None
    done = client.post(url, {"finding": finding.pk, "note": "已补充归档"})
    assert done.status_code == 302 and done.url.endswith(f"#finding-{finding.pk}")
    finding.refresh_from_db()
    assert finding.rectification == "已补充归档"
    # Sent again (a double tap): the row shows what was written, the reason goes on top.
    again = client.post(url, {"finding": finding.pk, "note": "再次"})
    assert again.status_code == 400 and "该问题已整改，请勿重复操作。" in again.content.decode()
    finding.refresh_from_db()
    assert finding.rectification == "已补充归档"


def test_closing_too_early_keeps_the_conclusion_as_typed_with_the_reason(
    tree, funded, approved, chair, auditor, login
):
    review = _review(auditor, chair, approved, funded, payments=2)
    url = reverse("funds:audit-action", args=[review.pk, "close"])
    client = login(auditor)
    conclusion = "抽查两笔发放，审批手续齐全，凭证完整。"
    early = client.post(url, {"conclusion": conclusion})
    assert early.status_code == 400
    html = early.content.decode()
    section = html.split('id="conclusion-title"')[1]
    assert conclusion in section and "请先检查全部抽样发放记录，再结束审查。" in section
    assert f'action="{url}#conclusion-title"' in html
    for item in review.items.all():
        services.audit_check(
            actor=auditor, item=item, checks=dict.fromkeys(item.CHECKS, True),
            evidence_note="申请表、银行回单",
        )  # fmt: skip
    long = client.post(url, {"conclusion": "审" * 2001})
    assert long.status_code == 400
    assert "2000" in str(long.context["conclusion_form"].errors["conclusion"])
    review.refresh_from_db()
    assert review.status == "open"
    empty = client.post(url, {"conclusion": "  "})
    assert empty.status_code == 400
    assert "conclusion" in empty.context["conclusion_form"].errors
    review.refresh_from_db()
    assert review.status == "open" and review.conclusion == ""
    closed = client.post(url, {"conclusion": conclusion})
    assert closed.status_code == 302 and closed.url.endswith("#conclusion-title")
    review.refresh_from_db()
    assert review.status == "closed" and review.conclusion == conclusion
    # Closed meanwhile (a second tab): said on top, the conclusion stays the one recorded.
    again = client.post(url, {"conclusion": "另一份结论"})
    assert again.status_code == 400 and "该经费审查已结束。" in again.content.decode()
    review.refresh_from_db()
    assert review.conclusion == conclusion


def test_whom_to_rectify_lists_the_funds_people_by_where_and_what_they_are_not_reviewers(
    tree, funded, approved, chair, approver1, auditor, login
):
    review = _review(auditor, chair, approved, funded, payments=1)
    page = login(auditor).get(reverse("funds:audit-detail", args=[review.pk]))
    owner = page.context["finding_form"].fields["owner"]
    labels = [label for value, label in owner.choices if value]
    assert labels[0] == "尤国平（无锡伟达五金有限公司工会 · 企业工会主席）"  # the fund's own first
    assert "陆文斌（舜何社区产改指导站 · 资金审批人）" in labels
    assert not any(label.startswith("顾明远") for label in labels)  # the reviewer
    assert "尤国平（无锡伟达五金有限公司工会 · 企业工会主席）" in page.content.decode()


def test_a_check_can_be_corrected_while_the_review_is_open_and_the_log_keeps_the_first(
    tree, funded, approved, chair, auditor, login
):
    from unionhub.core.models import AuditEntry

    review = _review(auditor, chair, approved, funded, payments=1)
    item = review.items.get()
    url = reverse("funds:audit-action", args=[review.pk, "check"])
    client = login(auditor)
    client.post(url, {"item": item.pk, "evidence_note": "看了申请表"})  # nothing ticked
    page = client.get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    assert "更正检查结果" in page and "看了申请表</textarea>" in page  # offered, filled in
    ticked = dict.fromkeys(item.CHECKS, "on")
    client.post(url, {"item": item.pk, "evidence_note": "申请表、签收单齐全", **ticked})
    item.refresh_from_db()
    assert item.passed and item.evidence_note == "申请表、签收单齐全"
    corrected = AuditEntry.objects.get(action="funds.audit.check_corrected")
    assert corrected.data["before"]["evidence"] == "看了申请表"
    services.audit_close(actor=auditor, review=review, conclusion="抽查无问题，账实相符。")
    page = client.get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    assert "更正检查结果" not in page


def test_a_reviewer_is_not_given_their_own_finding_to_rectify_through_the_service_either(
    tree, funded, approved, chair, auditor
):
    import pytest

    from unionhub.core.errors import DomainError

    review = _review(auditor, chair, approved, funded, payments=1)
    with pytest.raises(DomainError) as refused:
        services.finding_add(
            actor=auditor, review=review, description="签收单缺少日期", severity="low",
            owner=auditor, deadline=timezone.localdate(),
        )  # fmt: skip
    assert refused.value.field == "owner" and not review.findings.exists()


def test_a_payment_asked_for_and_paid_by_one_person_is_flagged_for_the_review(
    tree, funded, request_payment, approver1, chair, officer, auditor, login
):
    # The chair asks and pays one; station staff ask for another, which the chair pays.
    for asker in (chair, officer):
        asked = request_payment(funded, "500.00", actor=asker)
        asked = services.disbursement_approve(actor=approver1, disbursement=asked)
        services.disbursement_pay(
            payment_reference=f"SJ-{asker.pk}", actor=chair, disbursement=asked,
            idempotency_key=key(),
        )  # fmt: skip
    today = timezone.localdate()
    review = services.audit_open(
        actor=auditor, fund=funded, period_start=today, period_end=today, share="1", seed=7
    )
    html = login(auditor).get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    assert "1 笔抽查的支付由同一人申请并登记支付。" in html

    def card(item) -> str:
        return html.split(f'id="item-{item.pk}"')[1].split("</article>")[0]

    items = review.items.select_related("disbursement")
    cards = {item.disbursement.requested_by_id: card(item) for item in items}
    assert "申请人亦为支付人" in cards[chair.pk] and "尤国平申请了这笔支付" in cards[chair.pk]
    assert "申请人亦为支付人" not in cards[officer.pk]
    # Each card shows the voucher's number, and the trail's times carry the year.
    assert f"SJ-{chair.pk}" in cards[chair.pk] and f"SJ-{officer.pk}" in cards[officer.pk]
    approved_at = review.items.get(disbursement__requested_by=chair).disbursement.approved_at
    assert f"审批同意 陆文斌 {timezone.localtime(approved_at):%Y-%m-%d %H:%M}" in cards[chair.pk]
    # The payment's own trail says it too; it is a flag, not a refusal.
    same = review.items.get(disbursement__requested_by=chair).disbursement
    page = login(auditor).get(reverse("funds:disbursement-detail", args=[same.public_id]))
    assert "申请人亦为支付人" in page.content.decode()
    assert same.status == "paid"
