"""Excel exports of a fund: its statement, its ledger, its beneficiaries (masked by default)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionhub.core.masking import mask_name
from unionhub.core.xlsx import xlsx_response
from unionhub.funds.models import Approval, Disbursement, Fund
from unionhub.funds.services import balance_before, ledger_entries, with_counterparts


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def refusals(fund: Fund) -> dict[int, Approval]:
    """Each refusal to ratify one of ``fund``'s advances (who refused), by payment: one query,
    however long the export (an advance is refused once, and rarely)."""
    refused = Approval.objects.filter(
        disbursement__fund=fund, is_ratification=True, decision=Approval.Decision.REJECT
    ).select_related("approver")
    return {approval.disbursement_id: approval for approval in refused}


def advance_flag(disbursement: Disbursement, refusal: Approval | None = None) -> str:
    """What an export says of an emergency advance two approvers have not ratified (as the
    fund's page does): when it must be ratified by, or when and by whom (``refusal``, from
    ``refusals``) ratification was refused; empty for any other payment."""
    if not disbursement.is_unratified:
        return ""
    if disbursement.ratification_refused_at:
        when = _when(disbursement.ratification_refused_at)
        if refusal is None:
            return _("Emergency advance: ratification refused on %(date)s") % {"date": when}
        return _("Emergency advance: ratification refused on %(date)s by %(name)s") % {
            "date": when,
            "name": refusal.approver.get_full_name(),
        }
    return _("Emergency advance, unratified: ratify by %(date)s") % {
        "date": _when(disbursement.ratify_due_at)
    }


def voucher_of(entry) -> str:
    """The number of the voucher behind a ledger entry: a donation's receipt (or record of
    receipt), a payment's bank slip, signed receipt or delivery note; a reversal, that of what
    it reverses. A transfer has none of its own. The related rows should be selected with it."""
    if entry.donation_id:
        return entry.donation.receipt_number
    if entry.disbursement_id:
        return entry.disbursement.payment_reference
    return ""


def _unratified_note(pending: bool, refused: bool, *, statement: bool) -> str:
    """The note under a sheet (the ``statement``'s or the ledger's) that flags unratified
    advances: awaiting ratification, refused, or both."""
    if pending and refused:
        return _(
            "Emergency advances are paid at once by the on-duty officer. Those with a date to "
            "ratify by have not yet been ratified by two approvers; an approver refused to "
            "ratify those flagged as refused (the flag says when and by whom), which stay on "
            "the fund's reports until the payment is reversed."
        )
    if refused:
        return _(
            "Emergency advances are paid at once by the on-duty officer. An approver refused to "
            "ratify those flagged as refused (the flag says when and by whom): they stay on the "
            "fund's reports until the payment is reversed."
        )
    if statement:
        return _(
            "Emergency advances are paid at once by the on-duty officer and counted in the "
            "money out above; two approvers have not ratified these."
        )
    return _(
        "An unratified emergency advance was paid at once by the on-duty officer; two approvers "
        "have not ratified it."
    )


def _unratified_rows(fund: Fund, end: datetime.date) -> list[list]:
    """The advances paid by ``end`` that stand unratified now, each flagged under the
    statement, with a note that they count in its money out."""
    tz = timezone.get_current_timezone()
    advances = (
        fund.disbursements.unratified_advances()
        .filter(
            paid_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
        )
        .select_related("worker", "case")
        .order_by("paid_at", "id")
    )
    advances = list(advances)
    refused = refusals(fund) if any(d.ratification_refused_at for d in advances) else {}
    rows = []
    for d in advances:
        what = [timezone.localtime(d.paid_at).strftime("%Y-%m-%d"), mask_name(d.worker.name)]
        if d.case_id:
            what.append(d.case.reference)
        what.append(advance_flag(d, refused.get(d.pk)))
        rows.append([_("Unratified advance"), " · ".join(what), d.amount])
    if rows:
        note = _unratified_note(
            pending=any(not d.ratification_refused_at for d in advances),
            refused=any(d.ratification_refused_at for d in advances),
            statement=True,
        )
        rows = [[], [_("Unratified emergency advances"), "", ""], *rows, [_("Note"), note, ""]]
    return rows


def statement_xlsx(statement: dict):
    fund = statement["fund"]
    rows = [
        [_("Opening balance"), "", statement["opening"]],
        *([_("Money in"), label, amount] for label, amount, _less in statement["lines_in"]),
        [_("Total in"), "", statement["total_in"]],
        *([_("Money out"), label, amount] for label, amount, _less in statement["lines_out"]),
        [_("Total out"), "", statement["total_out"]],
        [_("Closing balance"), "", statement["closing"]],
        *_unratified_rows(fund, statement["end"]),
    ]
    name = f"{fund.code}-statement-{statement['start']:%Y%m%d}-{statement['end']:%Y%m%d}.xlsx"
    period = _("%(start)s to %(end)s") % {
        "start": statement["start"].isoformat(),
        "end": statement["end"].isoformat(),
    }
    return xlsx_response(
        filename=name,
        sheet_title=_("Statement"),
        title_rows=[[fund.name, period], []],
        headers=[_("Section"), _("Item"), _("Amount (yuan)")],
        rows=rows,
        widths=[16, 36, 18],
    )


def ledger_xlsx(fund: Fund, start: datetime.date, end: datetime.date):
    """The period's entries in booking order, oldest first, between the opening and the closing
    balance, each with the balance after it: the statement's figures, line by line."""
    opening = balance_before(fund, start)
    entries = ledger_entries(fund, start, end).described().reverse()

    def in_batches(size=2000):
        batch = []
        for entry in entries.iterator(chunk_size=size):
            batch.append(entry)
            if len(batch) == size:
                yield from with_counterparts(batch)
                batch = []
        yield from with_counterparts(batch)

    refused = refusals(fund)

    def rows():
        running = opening
        pending = refusal = False  # flagged advances: awaiting ratification, refused
        yield [start, None, _("Opening balance"), "", "", "", None, opening, "", ""]
        for entry in in_batches():
            who, flag = "", ""
            if entry.donation_id:
                who = entry.donation.public_donor
            elif entry.disbursement_id:
                who = mask_name(entry.disbursement.worker.name)
                if entry.kind == entry.Kind.DISBURSEMENT:
                    flag = advance_flag(entry.disbursement, refused.get(entry.disbursement_id))
                    if flag and entry.disbursement.ratification_refused_at:
                        refusal = True
                    elif flag:
                        pending = True
            running += entry.amount
            yield [
                entry.entry_date,
                entry.posted_at,
                entry.kind_label,
                who,
                voucher_of(entry),
                entry.description,
                entry.amount,
                running,
                entry.created_by.get_full_name(),
                flag,
            ]
        yield [end, None, _("Closing balance"), "", "", "", None, running, "", ""]
        if pending or refusal:
            yield []
            yield [None, None, _("Note"), _unratified_note(pending, refusal, statement=False)]

    return xlsx_response(
        filename=f"{fund.code}-ledger-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        sheet_title=_("Ledger"),
        title_rows=[[fund.name, _("%(start)s to %(end)s") % {"start": start, "end": end}], []],
        headers=[
            _("Booked on"),
            _("Posted at"),
            _("Kind"),
            _("Source or beneficiary"),
            _("Voucher number"),
            _("Memo"),
            _("Amount (yuan)"),
            _("Balance after"),
            _("By"),
            _("Flag"),
        ],
        rows=rows(),
        widths=[12, 17, 12, 22, 22, 30, 16, 16, 12, 34],
    )


def beneficiaries_xlsx(fund: Fund, start: datetime.date, end: datetime.date, *, masked: bool):
    tz = timezone.get_current_timezone()
    paid = (
        Disbursement.objects.filter(
            fund=fund,
            status=Disbursement.Status.PAID,
            paid_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            paid_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            ),
        )
        .select_related("worker", "category")
        .order_by("paid_at")
    )

    def rows():
        count, total = 0, Decimal("0.00")
        for d in paid.iterator(chunk_size=2000):
            name = mask_name(d.worker.name) if masked else d.worker.name
            count, total = count + 1, total + d.amount
            yield [d.paid_at, name, d.category.label, d.amount, d.get_method_display()]
        payments = ngettext("%(count)d payment", "%(count)d payments", count) % {"count": count}
        yield [_("Total"), payments, "", total, ""]

    period = _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    names = _("names masked") if masked else _("full names")
    return xlsx_response(
        # A file with full names is named so on the disk too, not to be passed on as the other.
        filename=f"{fund.code}-beneficiaries-{'' if masked else 'FULL-NAMES-'}"
        f"{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        sheet_title=_("Beneficiaries"),
        title_rows=[[fund.name, period, names], []],
        headers=[_("Paid at"), _("Beneficiary"), _("Category"), _("Amount (yuan)"), _("Method")],
        rows=rows(),
        widths=[17, 14, 14, 16, 12],
    )
