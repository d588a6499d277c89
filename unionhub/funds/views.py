"""Fund pages: balances, statements and ledgers, donations and receipts, requests, the approvers'
queue, payment, reversal, transfers, period close, disclosures (公示) and reviews (经审)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from unionhub.cases import services as case_services
from unionhub.cases.models import Case
from unionhub.cases.views import serve_attachment, upload_from
from unionhub.core.access import Cap, access_for, get_object_for_user, require
from unionhub.core.calendar import years_without_schedule
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.money import MoneySum, format_yuan
from unionhub.core.pagination import BoundedPaginator
from unionhub.core.views import (
    add_domain_error,
    paginate,
    posted_here,
    staff_required,
    whole_upload_required,
)
from unionhub.funds import exports, services
from unionhub.funds.forms import (
    AdvanceForm,
    AuditCheckForm,
    AuditEvidenceForm,
    AuditOpenForm,
    CloseForm,
    CommentForm,
    ConclusionForm,
    DisbursementRequestForm,
    DisclosureForm,
    DonationFilterForm,
    DonationForm,
    FindingForm,
    FullNamesForm,
    HandlingForm,
    ObjectionForm,
    PayForm,
    PeriodForm,
    ReasonForm,
    RectifyForm,
    ReverseForm,
    TransferForm,
    WithdrawForm,
)
from unionhub.funds.models import (
    AuditEvidence,
    AuditFinding,
    AuditItem,
    Disbursement,
    Disclosure,
    DisclosureLine,
    DisclosureObjection,
    Donation,
    Fund,
    FundAudit,
    LedgerEntry,
)

Status = Disbursement.Status


def _fund(request: HttpRequest, code: str, capability: Cap | None = None) -> Fund:
    return get_object_for_user(
        Fund.objects.select_related("organization"), request.user, capability=capability, code=code
    )


def _period(request: HttpRequest) -> tuple[PeriodForm, datetime.date, datetime.date]:
    """The period asked for, or this year. Only ``start`` and ``end`` bind the form: a page
    number alone (the ledger's page 2 of this year) is no period with its dates missing."""
    asked = "start" in request.GET or "end" in request.GET
    form = PeriodForm(request.GET if asked else None, initial=PeriodForm.default_initial())
    start, end = PeriodForm.default_initial()["start"], PeriodForm.default_initial()["end"]
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


def _posted_pk(value) -> int:
    """A posted record id, or 0 (matches nothing) when it is not a plain positive number."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 18 else 0


@staff_required
def fund_list(request: HttpRequest) -> HttpResponse:
    funds = (
        Fund.objects.visible_to(request.user)
        .select_related("organization")
        .annotate(
            unratified=Count(
                "disbursements",
                filter=Q(
                    disbursements__is_advance=True,
                    disbursements__status=Status.PAID,
                    disbursements__ratified_at__isnull=True,
                ),
            ),
            waiting=Count("disbursements", filter=Q(disbursements__status=Status.REQUESTED)),
        )
        .order_by("organization__path", "name")
    )
    page = paginate(request, funds)
    page.object_list = services.with_commitments(page.object_list)
    access = access_for(request.user)
    context = {
        "page": page,
        "can_approve": access.can(Cap.APPROVE_FUNDS),
        "can_review": access.can(Cap.AUDIT_FUNDS),
    }
    return render(request, "funds/fund_list.html", context)


@staff_required
def fund_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The fund's statement for a period, its unratified advances and what waits."""
    fund = _fund(request, code)
    services.with_commitments([fund])
    form, start, end = _period(request)
    access = access_for(request.user)
    today = timezone.localdate()
    context = {
        "fund": fund,
        "form": form,
        "today": today,
        # A statement of a period that ended before today: the header's figures are today's.
        "past": end < today,
        "statement": services.statement(fund, start, end),
        "unratified": fund.disbursements.unratified_advances().select_related("worker"),
        "waiting": fund.disbursements.filter(status__in=[Status.REQUESTED, Status.APPROVED])
        .select_related("worker", "category")
        .order_by("-urgent", "requested_at")[:20],
        "can_manage": access.can(Cap.MANAGE_FUNDS, fund.scope_path),
        "can_transfer": Fund.objects.transfer_targets(request.user, fund).exists(),
        "can_audit": access.can(Cap.AUDIT_FUNDS, fund.scope_path),
        "can_see_names": services.may_see_beneficiary_names(request.user, fund),
        "deciders": services.fund_approvers(fund),
        "names_form": FullNamesForm(auto_id="id_names_%s"),
        # The ledger and the exports follow the period shown (this year after a refused one).
        "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
    }
    return render(request, "funds/fund_detail.html", context)


@staff_required
def fund_ledger(request: HttpRequest, code: str) -> HttpResponse:
    """A period's entries, newest first in booking order, with the balance after each: the same
    figures as the statement for that period (its closing balance on top, its opening below)."""
    fund = _fund(request, code)
    form, start, end = _period(request)
    entries = (
        services.ledger_entries(fund, start, end)
        .described()
        .annotate(reversed_count=Count("reversal"))
    )
    page = BoundedPaginator(entries, 50, count_limit=5000).get_page(request.GET.get("page"))
    rows = services.with_running_balances(fund, list(page.object_list))
    page.object_list = services.with_counterparts(rows)
    for entry in page.object_list:
        entry.voucher = exports.voucher_of(entry)
    horizon = page.object_list[0].horizon if page.object_list else None
    opening = services.balance_before(fund, start, horizon)
    closing = page.object_list[0].running_balance if page.object_list else opening
    return render(
        request,
        "funds/fund_ledger.html",
        {
            "fund": fund,
            "form": form,
            "start": start,
            "end": end,
            "page": page,
            "opening": opening,
            "closing": closing,
            "query": request.GET.urlencode(),
            "can_manage": access_for(request.user).can(Cap.MANAGE_FUNDS, fund.scope_path),
        },
    )


@staff_required
def fund_export(request: HttpRequest, code: str, what: str) -> HttpResponse:
    fund = _fund(request, code)
    _form, start, end = _period(request)
    if what == "statement":
        return exports.statement_xlsx(services.statement(fund, start, end))
    if what == "ledger":
        return exports.ledger_xlsx(fund, start, end)
    if what == "beneficiaries":
        # Names masked: full names come only through ``beneficiary_names``, with a reason.
        return exports.beneficiaries_xlsx(fund, start, end, masked=True)
    raise Http404


@staff_required
def beneficiary_names(request: HttpRequest, code: str) -> HttpResponse:
    """The period's beneficiaries under their full names, for those who manage or review the
    fund and say why (the audit log keeps who, which fund and period, and the reason). A GET
    shows the form; a valid POST answers the spreadsheet."""
    fund = _fund(request, code)
    if not services.may_see_beneficiary_names(request.user, fund):
        raise PermissionDenied
    if request.method == "POST":
        form = FullNamesForm(request.POST)
    else:
        _shown, start, end = _period(request)
        form = FullNamesForm(initial={"start": start, "end": end})
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.beneficiary_names_reveal(
                actor=request.user,
                fund=fund,
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return exports.beneficiaries_xlsx(fund, data["start"], data["end"], masked=False)
    return render(
        request,
        "funds/beneficiary_names.html",
        {"fund": fund, "form": form},
        status=400 if form.is_bound else 200,
    )


# ---------------------------------------------------------------------------------------------
# Donations


@staff_required
def donation_create(request: HttpRequest, code: str) -> HttpResponse:
    fund = _fund(request, code, Cap.MANAGE_FUNDS)
    form = DonationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            donation = services.donation_record(
                actor=request.user,
                fund=fund,
                donor_kind=data["donor_kind"],
                donor_name=data["donor_name"],
                donor_enterprise=data["donor_enterprise"],
                amount=data["amount"],
                channel=data["channel"],
                received_on=data["received_on"],
                collection=data["collection"],
                note=data["note"],
                idempotency_key=f"page:{form.key()}",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            done = (
                _("Booked: record of receipt %(number)s.")
                if donation.is_funding
                else _("Receipt %(number)s issued.")
            )
            messages.success(request, done % {"number": donation.receipt_number})
            covered = services.reported_on(fund, donation.received_on)
            if covered:
                messages.warning(
                    request,
                    _(
                        "%(date)s is already covered by %(what)s, which do not include this "
                        "donation. To seal a period, close the books through its last day."
                    )
                    % {
                        "date": donation.received_on.isoformat(),
                        "what": pgettext("list separator", ", ").join(covered),
                    },
                )
            return redirect("funds:donation-receipt", public_id=donation.public_id)
    return render(request, "funds/donation_form.html", {"fund": fund, "form": form})


# A fund's collections offered in the list's filter: a fund holds a handful a year.
COLLECTIONS_OFFERED = 200


@staff_required
def donation_list(request: HttpRequest, code: str) -> HttpResponse:
    """Money received, newest first, narrowed by day, collection, source and channel, with the
    count and total of what is shown (a reversed donation is listed, struck through, and
    counted apart: it was not received)."""
    fund = _fund(request, code)
    collections = (
        fund.donations.exclude(collection="")
        .order_by("collection")
        .values_list("collection", flat=True)
        .distinct()[:COLLECTIONS_OFFERED]
    )
    form = DonationFilterForm(request.GET or None, collections=list(collections))
    donations = fund.donations.all()
    if form.is_valid():
        donations = form.filter(donations)
    reversed_ = Q(
        Exists(
            LedgerEntry.objects.filter(
                kind=LedgerEntry.Kind.REVERSAL, reverses__donation=OuterRef("pk")
            )
        )
    )
    totals = donations.aggregate(
        count=Count("pk", filter=~reversed_),
        total=MoneySum("amount", filter=~reversed_),
        reversed_count=Count("pk", filter=reversed_),
        reversed_total=MoneySum("amount", filter=reversed_),
    )
    listed = donations.with_reversal().select_related("recorded_by").order_by("-received_on", "-id")
    page = BoundedPaginator(listed, 50, count_limit=5000).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/donation_list.html",
        {
            "fund": fund,
            "page": page,
            "form": form,
            "totals": {
                **totals,
                "total": totals["total"] or Decimal("0.00"),
                "reversed_total": totals["reversed_total"] or Decimal("0.00"),
            },
            "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        },
    )


@staff_required
def donation_receipt(request: HttpRequest, public_id) -> HttpResponse:
    donations = Donation.objects.with_reversal()
    donation = get_object_for_user(
        donations.select_related("fund", "fund__organization", "recorded_by"),
        request.user,
        public_id=public_id,
    )
    return render(request, "funds/donation_receipt.html", {"donation": donation})


# ---------------------------------------------------------------------------------------------
# Disbursements


def _case_for(request: HttpRequest, public_id) -> Case:
    return get_object_for_user(
        Case.objects.select_related("worker", "category", "organization"),
        request.user,
        public_id=public_id,
    )


def _asked_for(request: HttpRequest, case: Case) -> list[Disbursement]:
    """Money already asked for on the request and not yet paid, from any fund the user sees: a
    second request for the same need is seen before it is sent, and said after."""
    return list(
        Disbursement.objects.visible_to(request.user)
        .open()
        .filter(case=case)
        .select_related("fund", "requested_by")
        .order_by("requested_at", "id")
    )


@staff_required
def disbursement_create(request: HttpRequest, case_id) -> HttpResponse:
    """Ask a fund to pay against a request (from the request's page)."""
    case = _case_for(request, case_id)
    require(request.user, Cap.REQUEST_FUNDS, case)
    form = DisbursementRequestForm(request.POST or None, user=request.user, case=case)
    asked = _asked_for(request, case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disbursement = services.disbursement_request(
                actor=request.user,
                fund=data["fund"],
                case=case,
                worker=case.worker,
                amount=data["amount"],
                method=data["method"],
                reason=data["reason"],
                urgent=data["urgent"],
                idempotency_key=f"page:{form.key()}",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The request for money has gone to the approvers."))
            _warn_after_request(request, disbursement, asked)
            return redirect("funds:disbursement-detail", public_id=disbursement.public_id)
    advance = None
    closed = not services.case_takes_aid(case)  # withdrawn or rejected: said before any typing
    # Not taken up yet: said before any typing too, with the way to take it up when it is theirs.
    waiting = (
        "" if closed or services.case_open_to_asking(case) else services.not_accepted_message(case)
    )
    can_accept = bool(waiting) and "accept" in case_services.allowed_actions(case, request.user)
    if (
        not closed
        and not waiting
        and case.urgency == Case.Urgency.EMERGENCY
        and request.user.advance_funds.exists()
    ):
        advance = AdvanceForm(user=request.user, case=case)
        if not advance.fields["fund"].offered:
            advance = None  # none of the funds this officer advances from pays for this kind
    return render(
        request,
        "funds/disbursement_form.html",
        {
            "case": case,
            "form": form,
            "advance_form": advance,
            "asked": asked,
            "closed": closed,
            "paid_linked": services.paid_on_linked_requests(case, request.user),
            "waiting": waiting,
            "can_accept": can_accept,
        },
    )


def _warn_after_request(request: HttpRequest, disbursement: Disbursement, asked: list) -> None:
    """Say what stands between a new request and its payment: other money asked for on the same
    request and not yet paid (a duplicate?), and a fund that does not have the amount."""
    earlier = [d for d in asked if d.pk != disbursement.pk]
    if earlier:
        separator = pgettext("list separator", ", ")
        listed = separator.join(
            _("%(amount)s from %(fund)s (%(status)s)")
            % {
                "amount": format_yuan(d.amount),
                "fund": d.fund.name,
                "status": d.get_status_display(),
            }
            for d in earlier
        )
        messages.warning(
            request,
            _(
                "Request %(reference)s already had money asked for and not yet paid: %(list)s. "
                "If the new request repeats one of these, cancel one of them."
            )
            % {"reference": disbursement.case.reference, "list": listed},
        )
    [disbursement] = services.with_shortfalls([disbursement])
    if disbursement.shortfall:
        messages.warning(request, _shortfall_message(disbursement))


def _shortfall_message(disbursement: Disbursement) -> str:
    """Why a request the fund cannot cover now may be approved but not yet paid."""
    fund = disbursement.fund
    figures = {
        "fund": fund.name,
        "balance": format_yuan(fund.balance),
        "available": format_yuan(fund.available),
        "shortfall": format_yuan(disbursement.shortfall),
    }
    if fund.committed:
        message = _(
            "%(fund)s holds %(balance)s and has %(available)s available once the approved "
            "payments are paid: this request is %(shortfall)s more than that. It can be "
            "approved, but it can be paid only once money is transferred into the fund or a "
            "smaller amount is asked for instead."
        )
    else:
        message = _(
            "%(fund)s holds %(balance)s: this request is %(shortfall)s more than that. It can be "
            "approved, but it can be paid only once money is transferred into the fund or a "
            "smaller amount is asked for instead."
        )
    return message % figures


@staff_required
@posted_here(lambda request, case_id: reverse("cases:case-detail", args=[case_id]))
def advance_create(request: HttpRequest, case_id) -> HttpResponse:
    """Pay an emergency advance from the request's page. Only those who may ask for money on
    the request and are named by a fund as on-duty officers get as far as the form: anyone
    else (a fund auditor, an approver) is refused before it is read or shown again."""
    case = _case_for(request, case_id)
    require(request.user, Cap.REQUEST_FUNDS, case)
    if not request.user.advance_funds.exists():
        raise PermissionDenied
    form = AdvanceForm(request.POST, user=request.user, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            disbursement = services.emergency_advance(
                actor=request.user,
                fund=data["fund"],
                case=case,
                amount=data["amount"],
                method=data["method"],
                reason=data["reason"],
                idempotency_key=f"page:{form.key()}",
                payment_reference=data["payment_reference"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The advance is paid; two approvers must ratify it."))
            return redirect("funds:disbursement-detail", public_id=disbursement.public_id)
    request_form = DisbursementRequestForm(user=request.user, case=case)
    return render(
        request,
        "funds/disbursement_form.html",
        {
            "case": case,
            "form": request_form,
            "advance_form": form,
            "asked": _asked_for(request, case),
        },
        status=400,
    )


def _disbursement(request: HttpRequest, public_id) -> Disbursement:
    return get_object_for_user(
        Disbursement.objects.select_related(
            "fund",
            "fund__organization",
            "worker",
            "category",
            "case",
            "requested_by",
            "paid_by",
            "closed_by",
        ).with_recent_total(),
        request.user,
        public_id=public_id,
    )


def _detail_context(request, disbursement: Disbursement, **forms) -> dict:
    approvals = list(disbursement.approvals.select_related("approver"))
    actions = services.disbursement_actions(disbursement, request.user, approvals)
    services.with_shortfalls([disbursement])
    waiting_for_money = disbursement.shortfall and disbursement.status == Status.REQUESTED
    entries = list(disbursement.entries.select_related("created_by").order_by("posted_at", "id"))
    payment = next((e for e in entries if e.kind == LedgerEntry.Kind.DISBURSEMENT), None)
    reported = None
    if disbursement.ratification_refused_at:
        to, above, _people = services.unratified_report(disbursement)
        reported = {"organization": to, "above": above}
    return {
        "disbursement": disbursement,
        "reported": reported,
        "approvals": approvals,
        "entries": entries,
        "related_days": services.RELATED_DAYS,
        "shortfall_message": _shortfall_message(disbursement) if waiting_for_money else "",
        "can_approve": "approve" in actions,
        "can_reject": "reject" in actions,
        "can_ratify": "ratify" in actions,
        "can_refuse_ratification": "refuse_ratification" in actions,
        "can_pay": "pay" in actions,
        "can_cancel": "cancel" in actions,
        "can_reverse": "reverse" in actions and payment is not None,
        "payment": payment,
        "comment_form": forms.get("comment") or CommentForm(),
        "pay_form": forms.get("pay") or PayForm(),
        "reason_form": forms.get("reason") or ReasonForm(),
        "reverse_form": forms.get("reverse") or ReverseForm(),
    }


@staff_required
def disbursement_detail(request: HttpRequest, public_id) -> HttpResponse:
    disbursement = _disbursement(request, public_id)
    return render(request, "funds/disbursement_detail.html", _detail_context(request, disbursement))


def _done_message(action: str, disbursement: Disbursement, user) -> str:
    """What the officer is told after deciding, paying or cancelling."""
    disbursement.refresh_from_db(fields=["status", "ratified_at"])
    amount = format_yuan(disbursement.amount)
    if action == "approve":
        if disbursement.status == Status.APPROVED:
            free = services.free_for(disbursement)
            if free is not None:
                return _(
                    "%(amount)s is approved, but %(fund)s has only %(free)s free (its balance "
                    "less the payments already approved and not yet paid): it can be paid once "
                    "money comes in, as a donation or as a transfer from another fund by those "
                    "who may make one."
                ) % {"amount": amount, "fund": disbursement.fund.name, "free": format_yuan(free)}
            return _("%(amount)s is approved and can now be paid.") % {"amount": amount}
        left = disbursement.approvals_required - services.approvals_given(disbursement)
        return ngettext(
            "Your approval is recorded; %(count)d more approver must decide.",
            "Your approval is recorded; %(count)d more approvers must decide.",
            left,
        ) % {"count": left}
    if action == "ratify":
        if disbursement.ratified_at:
            return _("The advance of %(amount)s is fully ratified.") % {"amount": amount}
        return _("Your ratification is recorded; one more approver must ratify.")
    if action == "refuse_ratification":
        to, above, people = services.unratified_report(disbursement, user, refused=True)
        if not people:
            message = _(
                "Your refusal to ratify the advance of %(amount)s is recorded, but nobody on "
                "the system could be told (%(organization)s has no one to report it to): raise "
                "it with them yourself."
            )
        elif above:
            message = _(
                "Your refusal to ratify the advance of %(amount)s is recorded and reported to "
                "%(organization)s, the organisation above the fund's. Told: %(names)s."
            )
        else:
            message = _(
                "Your refusal to ratify the advance of %(amount)s is recorded. %(organization)s "
                "has no organisation above it on the system, so it was reported to its own "
                "leads instead. Told: %(names)s."
            )
        return message % {
            "amount": amount,
            "organization": to.name,
            "names": services.names(people),
        }
    return {
        "reject": _("%(amount)s was turned down; the requester has been told."),
        "pay": _("The payment of %(amount)s is recorded."),
        "cancel": _("The request for %(amount)s is cancelled."),
    }[action] % {"amount": amount}


@staff_required
@posted_here(
    lambda request, public_id, action: reverse("funds:disbursement-detail", args=[public_id])
)
def disbursement_action(request: HttpRequest, public_id, action: str) -> HttpResponse:
    disbursement = _disbursement(request, public_id)
    user, post = request.user, request.POST
    specs = {
        "approve": ("comment", CommentForm, lambda d: services.disbursement_approve(
            actor=user, disbursement=disbursement, comment=d["comment"])),
        "reject": ("comment", CommentForm, lambda d: services.disbursement_reject(
            actor=user, disbursement=disbursement, comment=d["comment"])),
        "ratify": ("comment", CommentForm, lambda d: services.advance_ratify(
            actor=user, disbursement=disbursement, comment=d["comment"])),
        "refuse_ratification": ("comment", CommentForm, lambda d: (
            services.advance_refuse_ratification(
                actor=user, disbursement=disbursement, comment=d["comment"]))),
        "pay": ("pay", PayForm, lambda d: services.disbursement_pay(
            actor=user, disbursement=disbursement, payment_reference=d["payment_reference"],
            idempotency_key=f"page:{d['idempotency_key']}")),
        "cancel": ("reason", ReasonForm, lambda d: services.disbursement_cancel(
            actor=user, disbursement=disbursement, reason=d["reason"])),
    }  # fmt: skip
    if action not in specs:
        raise Http404
    name, form_class, run = specs[action]
    form = form_class(post)
    refusal = None
    from_queue = post.get("next") == "queue"
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            refusal = error
        else:
            messages.success(request, _done_message(action, disbursement, request.user))
            if from_queue:
                return redirect("funds:approval-queue")
            return redirect("funds:disbursement-detail", public_id=disbursement.public_id)
    if from_queue and action in QUEUE_ACTIONS:
        # Decided on the phone's queue: stay there, the reason beside the card as typed.
        errors = [str(e) for e in form.errors.get("comment", [])] + list(form.non_field_errors())
        failed = {"pk": disbursement.pk, "action": action, "comment": post.get("comment", "")}
        failed["error"] = " ".join(errors) or str(getattr(refusal, "message", ""))
        return _queue_page(request, failed=failed, status=400)
    disbursement = _disbursement(request, public_id)
    context = _detail_context(request, disbursement, **{name: form})
    context["open_action"] = action
    if refusal is not None and not context[f"can_{action}"]:
        # The form is no longer offered (e.g. approved already): say why at the top instead.
        messages.error(request, " ".join(form.non_field_errors()) or str(refusal.message))
    return render(request, "funds/disbursement_detail.html", context, status=400)


# What an approver decides on the queue's cards (the rest only on a payment's page).
QUEUE_ACTIONS = ("approve", "reject", "ratify", "refuse_ratification")


@staff_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    """What waits for this approver: urgent first, then oldest; and advances to ratify. Built
    for a phone as much as a desk."""
    return _queue_page(request)


def _queue_page(request: HttpRequest, *, failed: dict | None = None, status: int = 200):
    """The queue; after a refused decision (``failed``: the payment's ``pk``, the ``action``,
    the ``comment`` as typed and the ``error``), with the reason on that payment's card. A
    payment no longer in the queue (decided meanwhile) has its reason said at the top."""
    waiting, to_ratify = services.approval_queue(request.user)
    waiting = services.with_shortfalls(waiting[:100])
    to_ratify = list(to_ratify[:100])
    if failed and not any(d.pk == failed["pk"] for d in [*waiting, *to_ratify]):
        messages.error(request, failed["error"])
        failed = None
    return render(
        request,
        "funds/approval_queue.html",
        {
            "waiting": waiting,
            "to_ratify": to_ratify,
            "ratifications_needed": services.RATIFICATIONS_NEEDED,
            "related_days": services.RELATED_DAYS,
            "comment_form": CommentForm(),
            "failed": failed or {},
        },
        status=status,
    )


@staff_required
def disbursement_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    disbursements = Disbursement.objects.visible_to(request.user).select_related(
        "fund", "worker", "category", "requested_by"
    )
    if status in Status.values:
        disbursements = disbursements.filter(status=status)
    elif status == "unratified":
        disbursements = disbursements.unratified_advances()
    page = BoundedPaginator(disbursements.order_by("-requested_at", "-id"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "funds/disbursement_list.html",
        {"page": page, "status": status, "statuses": Status.choices},
    )


# ---------------------------------------------------------------------------------------------
# Reversal, transfer, period close


@staff_required
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_for_user(
        LedgerEntry.objects.described().select_related("fund", "fund__organization"),
        request.user,
        capability=Cap.MANAGE_FUNDS,
        pk=pk,
    )
    [entry] = services.with_counterparts([entry])  # a transfer names the other fund
    reversal = LedgerEntry.objects.filter(reverses=entry).first()
    refusal = None
    if reversal is None:  # the page says when it was reversed instead
        try:
            services.check_reversible(entry)
        except DomainError as error:
            refusal = error.message  # said up front, without the form
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.entry_reverse(
                actor=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                idempotency_key=f"page:{form.key()}",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The entry has been reversed."))
            return redirect("funds:fund-ledger", code=entry.fund.code)
    context = {"entry": entry, "form": form, "reversal": reversal, "refusal": refusal}
    return render(request, "funds/entry_reverse.html", context)


@staff_required
def fund_transfer(request: HttpRequest, code: str) -> HttpResponse:
    fund = _fund(request, code, Cap.MANAGE_FUNDS)
    services.with_commitments([fund])  # what it may give: approved payments stay payable
    form = TransferForm(request.POST or None, user=request.user, source=fund)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.fund_transfer(
                actor=request.user,
                source=fund,
                target=data["target"],
                amount=data["amount"],
                memo=data["memo"],
                idempotency_key=f"page:{form.key()}",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The transfer has been booked on both funds."))
            return redirect("funds:fund-ledger", code=fund.code)
    return render(request, "funds/fund_transfer.html", {"fund": fund, "form": form})


@staff_required
def fund_close(request: HttpRequest, code: str) -> HttpResponse:
    """Closing the books cannot be undone: the first post shows what the close would seal (the
    balance that day, the entries since the last close) and asks again; the second closes."""
    fund = _fund(request, code, Cap.MANAGE_FUNDS)
    form = CloseForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        through = data["through"]
        try:
            if request.POST.get("confirm") == "1":
                expect = {"closing": data["expect_closing"], "entries": data["expect_entries"]}
                services.period_close(actor=request.user, fund=fund, through=through, expect=expect)
            else:
                preview = services.period_close_preview(
                    actor=request.user, fund=fund, through=through
                )
        except DomainError as error:
            if error.code == "books_changed":  # show the figures as they are now
                messages.error(request, str(error.message))
                preview = services.period_close_preview(
                    actor=request.user, fund=fund, through=through
                )
            else:
                add_domain_error(form, error)
        else:
            if preview is None:
                messages.success(
                    request,
                    _("The books are closed through %(date)s.") % {"date": through.isoformat()},
                )
                return redirect("funds:fund-detail", code=fund.code)
    return render(
        request, "funds/fund_close.html", {"fund": fund, "form": form, "preview": preview}
    )


# ---------------------------------------------------------------------------------------------
# Disclosure (公示)


def _reversal_notes(reversed_: dict) -> dict[str, list[str]]:
    """What a list says under each section about what was paid or received in its period and
    reversed (``services.disclosure_reversed``): a reversed payment is not aid given."""
    said: dict[str, list[str]] = {}
    sentences = {
        ("beneficiary", "before"): lambda n: ngettext(
            "A further payment of %(total)s in this period was reversed: it is not "
            "aid given, and is neither on the list nor in its total.",
            "A further %(count)d payments totalling %(total)s in this period were reversed: "
            "they are not aid given, and are neither on the list nor in its total.",
            n,
        ),
        ("beneficiary", "after"): lambda n: ngettext(
            "One payment on the list (%(total)s) was reversed after the list was "
            "published: it is not aid given.",
            "%(count)d payments on the list (%(total)s in all) were reversed after the list "
            "was published: they are not aid given.",
            n,
        ),
        ("funding", "before"): lambda n: ngettext(
            "A further allocation or grant of %(total)s received in this period was "
            "reversed: it is neither on the list nor in its total.",
            "A further %(count)d allocations or grants totalling %(total)s received in this "
            "period were reversed: they are neither on the list nor in its total.",
            n,
        ),
        ("funding", "after"): lambda n: ngettext(
            "One allocation or grant on the list (%(total)s) was reversed after the "
            "list was published.",
            "%(count)d allocations or grants on the list (%(total)s in all) were reversed "
            "after the list was published.",
            n,
        ),
        ("donor", "before"): lambda n: ngettext(
            "A further donation of %(total)s received in this period was reversed: "
            "it is neither on the list nor in its total.",
            "A further %(count)d donations totalling %(total)s received in this period were "
            "reversed: they are neither on the list nor in its total.",
            n,
        ),
        ("donor", "after"): lambda n: ngettext(
            "One donation on the list (%(total)s) was reversed after the list was published.",
            "%(count)d donations on the list (%(total)s in all) were reversed after the list "
            "was published.",
            n,
        ),
    }
    for (section, when), sentence in sentences.items():
        figures = reversed_[section][when]
        if figures["count"]:
            said.setdefault(section, []).append(
                sentence(figures["count"])
                % {"count": figures["count"], "total": format_yuan(figures["total"])}
            )
    return said


def _in_reader_language(lines) -> None:
    """Give each published line its ``category_label`` in the reader's language. A line keeps
    the category as published, in Chinese (the notice is posted in the district's language); a
    reader in English gets the category's English name, and a source of funds its kind in
    English. One query in English, none in Chinese."""
    lines = list(lines)
    for line in lines:
        line.category_label = line.category
    if not (translation.get_language() or "").startswith("en"):
        return
    from unionhub.cases.models import ServiceCategory

    with translation.override(settings.LANGUAGE_CODE):
        published = {str(label): value for value, label in Donation.DonorKind.choices}
    kinds = dict(Donation.DonorKind.choices)
    names = {line.category for line in lines if line.kind == DisclosureLine.Kind.BENEFICIARY}
    english = dict(
        ServiceCategory.objects.filter(name__in=names)
        .exclude(name_en="")
        .values_list("name", "name_en")
    )
    for line in lines:
        if line.kind == DisclosureLine.Kind.BENEFICIARY:
            line.category_label = english.get(line.category, line.category)
        elif line.category in published:
            line.category_label = str(kinds[published[line.category]])


def _sections(lines) -> dict:
    """A published list by section, each with its lines, count and total."""
    sections = {
        kind: {"lines": [], "count": 0, "total": Decimal("0.00")}
        for kind in DisclosureLine.Kind.values
    }
    for line in lines:
        section = sections[line.kind]
        section["lines"].append(line)
        section["count"] += 1
        section["total"] += line.amount
    return sections


@staff_required
def disclosure_list(request: HttpRequest, code: str) -> HttpResponse:
    fund = _fund(request, code)
    can_manage = access_for(request.user).can(Cap.MANAGE_FUNDS, fund.scope_path)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                disclosure = services.disclosure_publish(
                    actor=request.user,
                    fund=fund,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    title=data["title"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Published until %(date)s.") % {
                    "date": timezone.localtime(disclosure.window_ends_at).strftime("%Y-%m-%d %H:%M")
                })  # fmt: skip
                unknown = years_without_schedule(
                    timezone.localtime(disclosure.published_at).date(),
                    timezone.localtime(disclosure.window_ends_at).date(),
                )
                if unknown:
                    messages.warning(
                        request,
                        _(
                            "No public holidays are recorded for %(years)s, so the window counts "
                            "Monday to Friday there. Check the holiday calendar."
                        )
                        % {"years": ", ".join(map(str, unknown))},
                    )
                for earlier in Disclosure.objects.overlapping(disclosure):
                    messages.warning(
                        request,
                        _(
                            "The period overlaps “%(title)s” (%(start)s to %(end)s): payments and "
                            "donations of the shared days appear in both. Take one down if that "
                            "is not meant."
                        )
                        % {
                            "title": earlier.title,
                            "start": earlier.period_start.isoformat(),
                            "end": earlier.period_end.isoformat(),
                        },
                    )
                return redirect("funds:disclosure-detail", pk=disclosure.pk)
    disclosures = services.line_totals_or_zero(services.with_line_totals(fund.disclosures.all()))
    return render(
        request,
        "funds/disclosure_list.html",
        {"fund": fund, "form": form, "disclosures": disclosures, "can_manage": can_manage},
    )


@staff_required
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = get_object_for_user(
        Disclosure.objects.select_related(
            "fund", "fund__organization", "published_by", "withdrawn_by"
        ),
        request.user,
        pk=pk,
    )
    can_manage = access_for(request.user).can(Cap.MANAGE_FUNDS, disclosure.scope_path)
    which = request.POST.get("form") if request.method == "POST" else None
    form = ObjectionForm(
        request.POST if which == "objection" else None,
        initial={"received_at": timezone.localtime()},
    )
    withdraw_form = WithdrawForm(request.POST if which == "withdraw" else None, prefix="withdraw")
    if which in ("objection", "withdraw") and not can_manage:
        raise PermissionDenied
    if which == "objection" and form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_record(
                actor=request.user,
                disclosure=disclosure,
                content=data["content"],
                raised_by=data["raised_by"],
                received_at=data["received_at"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The objection has been recorded."))
            return redirect("funds:disclosure-detail", pk=disclosure.pk)
    if which == "withdraw" and withdraw_form.is_valid():
        try:
            services.disclosure_withdraw(
                actor=request.user,
                disclosure=disclosure,
                reason=withdraw_form.cleaned_data["reason"],
            )
        except DomainError as error:
            if error.field:
                add_domain_error(withdraw_form, error)
            else:  # no longer public: the form is gone from the page, so say it at the top
                messages.error(request, str(error.message))
                return redirect("funds:disclosure-detail", pk=disclosure.pk)
        else:
            messages.success(request, _("The list has been taken down."))
            return redirect("funds:disclosure-detail", pk=disclosure.pk)
    lines = list(disclosure.lines.all())
    _in_reader_language(lines)
    period = {"start": disclosure.period_start, "end": disclosure.period_end}
    return render(
        request,
        "funds/disclosure_detail.html",
        {
            "disclosure": disclosure,
            "lines": lines,
            # After the public link has ended this page is the record of what was published:
            # its period, window, sections with their counts and totals, and what was reversed.
            "sections": _sections(lines),
            "notes": _reversal_notes(services.disclosure_reversed(disclosure)),
            "statement_query": urlencode({k: v.isoformat() for k, v in period.items()}),
            "objections": disclosure.objections.select_related("recorded_by", "handled_by"),
            "form": form,
            "withdraw_form": withdraw_form,
            "handling_form": HandlingForm(),
            "can_manage": can_manage,
            "showing": disclosure.is_showing(),
        },
        status=400 if which and request.method == "POST" else 200,
    )


@staff_required
@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        DisclosureObjection.objects.select_related("disclosure__fund__organization"), pk=pk
    )
    get_object_for_user(Disclosure.objects, request.user, pk=objection.disclosure_id)
    form = HandlingForm(request.POST)
    if form.is_valid():
        try:
            services.objection_handle(
                actor=request.user, objection=objection, handling=form.cleaned_data["handling"]
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("How the objection was handled is saved."))
    else:
        messages.error(request, _("Say how the objection was handled."))
    return redirect("funds:disclosure-detail", pk=objection.disclosure_id)


@login_not_required
def disclosure_public(request: HttpRequest, token) -> HttpResponse:
    """The public list (no sign-in): shown only inside its window, then gone. A link followed
    after the window (from a notice board's QR code, say) says the notice has ended, without a
    line of it; one that never was public answers 404."""
    disclosure = get_object_or_404(
        Disclosure.objects.select_related("fund", "fund__organization"),
        token=token,
        published_at__lte=timezone.now(),
    )
    if not disclosure.is_showing():
        response = render(
            request,
            "funds/disclosure_ended.html",
            {"disclosure": disclosure, "contact": disclosure.fund.organization.contact()},
            status=410,
        )
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "no-store"
        return response
    lines = list(disclosure.lines.all())
    _in_reader_language(lines)
    sections = _sections(lines)
    response = render(
        request,
        "funds/disclosure_public.html",
        {
            "disclosure": disclosure,
            "contact": disclosure.fund.organization.contact(),
            "beneficiaries": sections["beneficiary"]["lines"],
            "funding": sections["funding"]["lines"],
            "donors": sections["donor"]["lines"],
            "paid_total": sections["beneficiary"]["total"],
            "funded_total": sections["funding"]["total"],
            "given_total": sections["donor"]["total"],
            # Reversed payments and donations of the period, said under their section: the
            # notice then reconciles with the statement of the same period.
            "notes": _reversal_notes(services.disclosure_reversed(disclosure)),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Fund review (经审)


@staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    audits = (
        FundAudit.objects.visible_to(request.user)
        .select_related("fund")
        .annotate(
            sampled=Count("items", distinct=True),
            open_findings=Count(
                "findings", filter=Q(findings__rectified_at__isnull=True), distinct=True
            ),
        )
    )
    funds = Fund.objects.visible_to(request.user, Cap.AUDIT_FUNDS)
    form = AuditOpenForm(request.POST or None)
    if request.method == "POST":
        fund = funds.filter(pk=_posted_pk(request.POST.get("fund"))).first()
        if fund is None:
            form.add_error(None, _("Choose the fund to review."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = services.audit_open(
                    actor=request.user,
                    fund=fund,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    share=Decimal(data["percent"]) / 100,
                    seed=data["seed"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return redirect("funds:audit-detail", pk=review.pk)
    return render(
        request,
        "funds/audit_list.html",
        {"audits": audits, "form": form, "funds": funds},
    )


def _review(request: HttpRequest, pk: int) -> FundAudit:
    return get_object_for_user(
        FundAudit.objects.select_related("fund", "fund__organization", "opened_by"),
        request.user,
        pk=pk,
    )


@staff_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _audit_page(request, _review(request, pk))


def _audit_page(
    request: HttpRequest,
    review: FundAudit,
    *,
    status: int = 200,
    failed_check: dict | None = None,
    finding_form: FindingForm | None = None,
    failed_rectify: dict | None = None,
    failed_evidence: dict | None = None,
    conclusion_form: ConclusionForm | None = None,
) -> HttpResponse:
    """The review page; after a refused check, finding, rectification or conclusion, with what
    was typed and why, where it was typed."""
    items = review.items.select_related(
        "disbursement__worker",
        "disbursement__category",
        "disbursement__requested_by",
        "disbursement__paid_by",
        "checked_by",
    ).prefetch_related(
        "disbursement__approvals__approver",
        Prefetch("evidence_files", AuditEvidence.objects.select_related("uploaded_by")),
    )
    items = list(items)
    can_audit = access_for(request.user).can(Cap.AUDIT_FUNDS, review.scope_path)
    return render(
        request,
        "funds/audit_detail.html",
        {
            "review": review,
            "items": items,
            "paid_by_requester": sum(1 for i in items if i.disbursement.paid_by_requester),
            "findings": review.findings.select_related(
                "owner", "rectified_by", "item__disbursement__worker"
            ),
            "checks": AuditItem.CHECKS,
            "can_audit": can_audit and review.status == FundAudit.Status.OPEN,
            # Findings are rectified after the review is closed too (by their owner as well).
            "can_rectify": can_audit,
            "check_form": AuditCheckForm(),
            "failed_check": failed_check or {},
            "finding_form": finding_form or FindingForm(review=review),
            "finding_open": finding_form is not None,
            "failed_rectify": failed_rectify or {},
            "failed_evidence": failed_evidence or {},
            "evidence_limit": services.EVIDENCE_PER_ITEM,
            "rectify_limit": RectifyForm.note_limit,
            "conclusion_form": conclusion_form or ConclusionForm(),
            "print": request.GET.get("print") == "1",
        },
        status=status,
    )


@staff_required
def audit_evidence_file(request: HttpRequest, pk: int, evidence_id) -> HttpResponse:
    """A review's evidence file, for those who may see the review (404 for anyone else)."""
    review = _review(request, pk)
    evidence = get_object_or_404(AuditEvidence, item__audit=review, public_id=evidence_id)
    return serve_attachment(evidence)


@staff_required
@posted_here(lambda request, pk, action: reverse("funds:audit-detail", args=[pk]))
@whole_upload_required(actions=frozenset({"evidence"}))
def audit_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    review = _review(request, pk)
    user, post = request.user, request.POST
    if action == "evidence":
        item = get_object_or_404(AuditItem, pk=_posted_pk(post.get("item")), audit=review)
        form = AuditEvidenceForm(post, request.FILES)
        try:
            if not form.is_valid():
                raise DomainError(form.errors["file"][0], field="file")
            upload = upload_from(form.cleaned_data["file"], field="file")
            services.audit_evidence_add(actor=user, item=item, upload=upload)
        except Conflict as error:  # closed meanwhile: no form to go back to
            messages.error(request, str(error.message))
            return _audit_page(request, review, status=400)
        except DomainError as error:
            failed = {"item": item.pk, "error": str(error.message)}
            return _audit_page(request, review, status=400, failed_evidence=failed)
        messages.success(request, _("The file is added to the payment's evidence."))
        return redirect(reverse("funds:audit-detail", args=[review.pk]) + f"#item-{item.pk}")
    if action == "check":
        item = get_object_or_404(AuditItem, pk=_posted_pk(post.get("item")), audit=review)
        form = AuditCheckForm(post)
        try:
            if not form.is_valid():
                raise DomainError(_("Note the evidence you looked at."))
            services.audit_check(
                actor=user,
                item=item,
                checks=form.checks(),
                evidence_note=form.cleaned_data["evidence_note"],
            )
        except DomainError as error:
            item.refresh_from_db()
            if item.checked_at is not None or review.status != FundAudit.Status.OPEN:
                # No form to go back to (checked meanwhile, or the review closed): say why.
                messages.error(request, str(error.message))
                return _audit_page(request, review, status=400)
            # Back to the item, with the ticks and the note as typed and the reason beside them.
            failed = {"item": item.pk, "posted": post, "error": str(error.message)}
            return _audit_page(request, review, status=400, failed_check=failed)
        messages.success(request, _("Saved."))
        return redirect(reverse("funds:audit-detail", args=[review.pk]) + f"#item-{item.pk}")
    if action == "finding":
        form = FindingForm(post, review=review)
        try:
            if form.is_valid():
                services.finding_add(actor=user, review=review, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        if form.errors:
            return _audit_page(request, review, status=400, finding_form=form)
        messages.success(request, _("Saved."))
        return redirect(reverse("funds:audit-detail", args=[review.pk]) + "#findings-title")
    if action == "rectify":
        finding = get_object_or_404(AuditFinding, pk=_posted_pk(post.get("finding")), audit=review)
        form = RectifyForm(post)
        valid = form.is_valid()
        try:
            # An invalid note (too long) goes on as none: the service still says whether the
            # finding may be rectified at all.
            note = form.cleaned_data["note"] if valid else ""
            services.finding_rectify(actor=user, finding=finding, note=note)
        except Conflict as error:
            # Rectified meanwhile by someone else: the row now shows what they wrote.
            messages.error(request, str(error.message))
            return _audit_page(request, review, status=400)
        except DomainError as error:
            reason = form.errors["note"][0] if form.errors.get("note") else str(error.message)
            failed = {"finding": finding.pk, "note": post.get("note", ""), "error": reason}
            return _audit_page(request, review, status=400, failed_rectify=failed)
        messages.success(request, _("Saved."))
        return redirect(reverse("funds:audit-detail", args=[review.pk]) + f"#finding-{finding.pk}")
    if action == "close":
        form = ConclusionForm(post)
        conclusion = form.cleaned_data["conclusion"] if form.is_valid() else ""
        try:
            services.audit_close(actor=user, review=review, conclusion=conclusion)
        except Conflict as error:
            messages.error(request, str(error.message))  # closed meanwhile: no form to go back to
            return _audit_page(request, review, status=400)
        except DomainError as error:
            if not form.has_error(error.field or NON_FIELD_ERRORS):
                add_domain_error(form, error)
            return _audit_page(request, review, status=400, conclusion_form=form)
        messages.success(request, _("Saved."))
        return redirect(reverse("funds:audit-detail", args=[review.pk]) + "#conclusion-title")
    raise Http404
