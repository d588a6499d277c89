"""Every movement of money, and every decision about it, goes through here.

Locking (documented so the order never varies and two payments cannot deadlock): a service that
posts locks the fund row(s) first — two funds in id order — and then the disbursement row, checks
the balance only after the lock is held, writes the entry and the new balance, and commits. The
database refuses a negative balance in any case; a posted entry is corrected only by a reversal.

Money-moving calls take an ``idempotency_key``: the same key posts once; a retry gets the first
result back.
"""

from __future__ import annotations

import datetime
import random
import secrets
import uuid
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext

from unionhub.cases.models import Case, CaseEvent, ServiceCategory
from unionhub.cases.services import LEAD_ROLES, Upload, check_upload
from unionhub.core import audit
from unionhub.core.access import ROLE_CAPABILITIES, Cap, access_for, require
from unionhub.core.calendar import add_working_days
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.masking import mask_name
from unionhub.core.money import (
    MAX_AMOUNT,
    MoneySum,
    MoneySumSubquery,
    amount_too_large_message,
    format_yuan,
    to_money,
)
from unionhub.core.validators import TEXT_LIMIT, validate_plausible_date
from unionhub.funds.models import (
    APPROVERS_AT_LEAST,
    RELATED_DAYS,
    Approval,
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
    approver_memberships,
)
from unionhub.notifications.services import notifications_settled, notify
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.services import lock_unerased

Status = Disbursement.Status
Kind = LedgerEntry.Kind


# ---------------------------------------------------------------------------------------------
# Shared pieces


# How far ahead of the server's clock a time typed at a desk may be (its clock may run fast).
CLOCK_SLACK = datetime.timedelta(minutes=10)


def _amount(value, field: str = "amount") -> Decimal:
    """A positive yuan amount with at most two decimals; floats are refused by ``to_money``."""
    try:
        amount = to_money(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Enter an amount in yuan, e.g. 2000 or 2000.50."), field=field) from exc
    if Decimal(str(value)) != amount:
        raise DomainError(_("Amounts have at most two decimal places (fen)."), field=field)
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(amount_too_large_message(), field=field)
    return amount


def _replay(existing, **expected):
    """A request repeated with its idempotency key gets its first answer back; a different
    request that reuses the key is refused (so a client's bug never pays the wrong person).
    ``expected`` is everything the request carries that is stored, as it would be stored: a
    retry that differs in any of it (another donor, date, reason, voucher…) is another request."""
    for field, value in expected.items():
        if getattr(existing, field) != value:
            raise Conflict(
                _("This idempotency key was already used for a different request."),
                code="idempotency_key_reused",
            )
    return existing


def _reason(value, *, field: str, message) -> str:
    """A reason a money step must give (asking for money, rejecting, cancelling, refusing to
    ratify, reversing, taking a list down): at least as long as the reason asked for before full
    names or a full ID number are shown (``REVEAL_REASON_MIN_LENGTH``; "x" explains nothing), at
    most ``TEXT_LIMIT``. Returns it trimmed; ``message`` says what to explain, with ``%(n)d`` for
    the least length, and is shown next to ``field``."""
    reason = (value or "").strip()
    least = settings.UNIONHUB["REVEAL_REASON_MIN_LENGTH"]
    if len(reason) < least:
        raise DomainError(message % {"n": least}, field=field, code="reason_required")
    if len(reason) > TEXT_LIMIT:
        raise DomainError(
            _("Keep it within %(limit)d characters (this has %(length)d).")
            % {"limit": TEXT_LIMIT, "length": len(reason)},
            field=field,
            code="too_long",
        )
    return reason


def _lock(fund: Fund) -> Fund:
    # The fund's row alone: its organisation is read, not locked (everything written for the
    # organisation meanwhile, an audit entry say, would wait for the fund).
    return (
        Fund.objects.select_for_update(of=("self",)).select_related("organization").get(pk=fund.pk)
    )


def _check_open_period(fund: Fund, on: datetime.date) -> None:
    if fund.closed_through and on <= fund.closed_through:
        raise DomainError(
            _("The books of %(fund)s are closed through %(date)s: nothing can be booked on %(on)s.")
            % {"fund": fund.name, "date": fund.closed_through.isoformat(), "on": on.isoformat()},
            field="entry_date",
            code="period_closed",
        )


def _post(
    *,
    fund: Fund,
    kind: str,
    amount: Decimal,
    actor,
    key: str,
    entry_date: datetime.date | None = None,
    memo: str = "",
    **links,
) -> LedgerEntry:
    """Book ``amount`` (signed) on the locked ``fund``. Refuses a closed period and an overdraw."""
    entry_date = entry_date or timezone.localdate()
    _check_open_period(fund, entry_date)
    balance = fund.balance + amount
    if balance < 0:
        raise Conflict(
            _(
                "%(fund)s holds %(balance)s: it cannot pay %(amount)s. Ask for a transfer or a "
                "smaller amount."
            )
            % {
                "fund": fund.name,
                "balance": format_yuan(fund.balance),
                "amount": format_yuan(-amount),
            },
            code="insufficient_balance",
        )
    entry = LedgerEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        balance_after=balance,
        entry_date=entry_date,
        memo=memo[:200],
        idempotency_key=key,
        created_by=actor,
        **links,
    )
    fund.balance = balance
    fund.save(update_fields=["balance"])
    return entry


def _users_with(organization: Organization, roles, *, above: bool = True) -> list:
    """Active users holding one of ``roles`` on ``organization`` or (``above``) an organisation
    above it."""
    User = get_user_model()
    chain = [organization]
    if above:
        chain += Organization.objects.get_ancestors(organization)
    return list(
        User.objects.filter(
            memberships__organization__in=chain, memberships__role__in=roles, is_active=True
        ).distinct()
    )


def fund_managers(organization: Organization) -> list:
    """Active users who manage the funds of ``organization`` itself (its chair or
    administrators; not those of the organisations above it)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Cap.MANAGE_FUNDS in caps]
    return _users_with(organization, roles, above=False)


def fund_approvers(fund: Fund) -> tuple[Organization | None, list]:
    """Who decides on ``fund``'s payments (approves or rejects them, ratifies an emergency
    advance or refuses to): the approvers of the fund's own organisation; while fewer than
    ``APPROVERS_AT_LEAST`` are on the system there (a payment above the first tier, and every
    advance, needs two), those of the organisations above it stand in, nearest first, until
    there are. Returns the nearest organisation with approvers and the deciders, each with
    ``approver_org`` (``None`` and nobody when no organisation up the tree has one). One rule
    for who is told of a payment to decide, whose queue lists it and who may decide it, on the
    pages and in the API; ``Fund.objects.decided_by`` is the same rule as a query. One query."""
    step, path = Organization.steplen, fund.organization.path
    chain = [path[:end] for end in range(step, len(path) + 1, step)]
    memberships = sorted(
        approver_memberships()
        .filter(organization__path__in=chain)
        .select_related("user", "organization")
        .order_by("user__full_name", "user_id"),
        key=lambda m: -len(m.organization.path),
    )
    if not memberships:
        return None, []
    nearest = memberships[0].organization
    users: dict[int, object] = {}
    level = None
    for membership in memberships:
        if membership.organization.path != level:
            if len(users) >= APPROVERS_AT_LEAST:
                break
            level = membership.organization.path
        if membership.user_id not in users:
            membership.user.approver_org = membership.organization
            users[membership.user_id] = membership.user
    return nearest, list(users.values())


def approvers_of(fund: Fund) -> list:
    """The users who decide on ``fund``'s payments (``fund_approvers``)."""
    return fund_approvers(fund)[1]


def names(users) -> str:
    """People's names as a list in a sentence (、 in Chinese)."""
    separator = pgettext("list separator", ", ")
    return separator.join(user.get_full_name() for user in users)


# The notices a payment's next step settles: the approvers' "to approve", the requester's "can
# be paid", the approvers' "to ratify" and the organisation above's "unratified".
TO_APPROVE, TO_PAY = "disbursement_requested", "disbursement_approved"
TO_RATIFY, UNRATIFIED = "advance_to_ratify", "advance_unratified"


def _settle(disbursement: Disbursement, *kinds: str, recipient=None) -> None:
    notifications_settled(url=_disbursement_url(disbursement), kinds=kinds, recipient=recipient)


def _disbursement_url(disbursement: Disbursement) -> str:
    return reverse("funds:disbursement-detail", args=[disbursement.public_id])


# ---------------------------------------------------------------------------------------------
# Donations


def _check_donation_date(fund: Fund, received_on: datetime.date) -> None:
    """A donation is booked on a day the fund existed, outside every period a disclosure list
    still standing has shown the public."""
    opened = fund.opened_on
    if received_on < opened:
        raise DomainError(
            _(
                "%(fund)s was opened on %(opened)s: no donation can be booked before that day. "
                "Check the date, or book it with today's date."
            )
            % {"fund": fund.name, "opened": opened.isoformat()},
            field="received_on",
            code="before_fund_opened",
        )
    published = (
        fund.disclosures.filter(
            published_at__lte=timezone.now(),
            withdrawn_at__isnull=True,
            period_start__lte=received_on,
            period_end__gte=received_on,
        )
        .order_by("-period_end")
        .first()
    )
    if published is not None:
        raise DomainError(
            _(
                "%(date)s falls in %(start)s to %(end)s, already published in “%(title)s”: a "
                "donation booked then would change what the public was shown. Book it with "
                "today's date (the note can say when it came in), or with a day not yet "
                "published."
            )
            % {
                "date": received_on.isoformat(),
                "start": published.period_start.isoformat(),
                "end": published.period_end.isoformat(),
                "title": published.title,
            },
            field="received_on",
            code="period_published",
        )


@transaction.atomic
def donation_record(
    *,
    actor,
    fund: Fund,
    donor_kind: str,
    amount,
    channel: str,
    received_on: datetime.date,
    idempotency_key: str,
    donor_name: str = "",
    donor_enterprise=None,
    collection: str = "",
    note: str = "",
) -> Donation:
    """Book money the fund receives and number its receipt (``<fund code>-<year>-<number>``):
    a donation (a person, an enterprise, anonymous), or an allocation from a higher union or a
    public grant (``Donation.FUNDING_KINDS``: a record of receipt, not a donation receipt).

    Checks: ``actor`` manages the fund; the amount; the source (a name unless anonymous; an
    allocation or a grant names the union or public body that sent it, never an enterprise);
    the date is not in the future, not before the fund was opened, not in a closed period and
    not in a period already published in a disclosure list (公示) that still stands: what the
    public was shown does not change afterwards. The same ``idempotency_key`` returns the
    donation already booked; with anything else different (fund, source, amount, channel, date,
    collection, note) it raises ``Conflict`` (``idempotency_key_reused``).
    """
    require(actor, Cap.MANAGE_FUNDS, fund)
    amount = _amount(amount)
    if donor_kind not in Donation.DonorKind.values:
        raise DomainError(_("Choose where the money came from."), field="donor_kind")
    funding = donor_kind in Donation.FUNDING_KINDS
    if funding and donor_enterprise is not None:
        raise DomainError(
            _(
                "An allocation or a public grant comes from a union or a government body, not "
                "an enterprise: leave the enterprise empty, or book it as an enterprise's "
                "donation."
            ),
            field="donor_enterprise",
            code="funding_from_enterprise",
        )
    donor_name = (donor_name or "").strip()
    if donor_enterprise is not None and not donor_name:
        donor_name = donor_enterprise.name
    if funding and not donor_name:
        raise DomainError(
            _("Enter the union or government body that sent the money."), field="donor_name"
        )
    if donor_kind != Donation.DonorKind.ANONYMOUS and not donor_name:
        raise DomainError(_("Enter the donor's name, or choose anonymous."), field="donor_name")
    if donor_kind == Donation.DonorKind.ANONYMOUS:
        donor_name, donor_enterprise = "", None
    if channel not in Donation.Channel.values:
        raise DomainError(_("Choose how the money came in."), field="channel")
    if received_on is None or received_on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field="received_on")
    _check_plausible(received_on, "received_on")
    stored = {
        "donor_kind": donor_kind,
        "donor_name": donor_name[:100],
        "donor_enterprise_id": donor_enterprise.pk if donor_enterprise is not None else None,
        "amount": amount,
        "channel": channel,
        "received_on": received_on,
        "collection": (collection or "").strip()[:100],
        "note": (note or "").strip()[:200],
    }
    fund = _lock(fund)
    existing = Donation.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, fund_id=fund.pk, **stored)
    _check_open_period(fund, received_on)
    _check_donation_date(fund, received_on)
    prefix = f"{fund.code.upper()}-{received_on.year}-"
    number = Donation.objects.filter(fund=fund, receipt_number__startswith=prefix).count() + 1
    donation = Donation.objects.create(
        fund=fund,
        receipt_number=f"{prefix}{number:06d}",
        recorded_by=actor,
        idempotency_key=idempotency_key,
        **stored,
    )
    _post(
        fund=fund,
        kind=Kind.DONATION,
        amount=amount,
        actor=actor,
        key=f"donation:{idempotency_key}",
        entry_date=received_on,
        memo=donation.receipt_number,
        donation=donation,
    )
    audit.record(
        actor=actor,
        action="funds.donation.recorded",
        target=donation,
        organization=fund.organization,
        data={"fund": fund.code, "amount": str(amount), "receipt": donation.receipt_number},
    )
    return donation


# ---------------------------------------------------------------------------------------------
# Disbursements


def _check_category(fund: Fund, category: ServiceCategory) -> None:
    if not category.allows_payment:
        raise DomainError(
            _("%(category)s does not pay money.") % {"category": category.label},
            field="category",
            code="category_no_payment",
        )
    if not Fund.objects.filter(pk=fund.pk).paying_for(category).exists():
        raise DomainError(
            _("%(fund)s does not pay for %(category)s.")
            % {"fund": fund.name, "category": category.label},
            field="category",
            code="category_not_allowed",
        )


def _case_event(
    case: Case | None,
    actor,
    body,
    public: str = "",
    params=None,
    kind: str = CaseEvent.Kind.PAYMENT,
    data=None,
) -> None:
    """Write the money's step on the request's timeline: ``aid`` for asking and deciding,
    ``payment`` for money that moved. ``body`` writes the line (with ``gettext``): it is kept in
    every language."""
    if case is None:
        return
    from unionhub.cases.services import _event

    _event(case, actor, kind, body=body, public=public, params=params, data=data or {})


def _requests_served(case: Case) -> list[Case]:
    """The request a payment was made on and those it is a part of: a part referred to the
    district for a larger grant serves the worker's request at their own union, so money paid on
    it reaches the worker for both (a part is always the same worker's)."""
    chain = [case]
    while chain[-1].parent_id is not None and len(chain) < 10:
        chain.append(chain[-1].parent)
    return chain


def with_parts(case: Case) -> list[int]:
    """The ids of ``case`` and of the parts referred from it (and from those), whose payments
    count as aid on ``case`` too."""
    ids, frontier = [case.pk], [case.pk]
    while frontier and len(ids) < 200:
        frontier = list(Case.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def paid_on_linked_requests(case: Case, user) -> list[Disbursement]:
    """Money paid (and standing) to the worker on ``case``, on the requests it is a part of, on
    the parts referred from it, and on any other linked request ``user`` may see, from any fund:
    whoever asks for more sees what a part at the district (or the request at the enterprise)
    has already paid. A part another organisation holds beside this one (a sister part) is left
    out unless the user sees it."""
    chain = _requests_served(case)
    family = with_parts(chain[-1])
    shown = {c.pk for c in chain} | set(with_parts(case))
    shown |= set(Case.objects.visible_to(user).filter(pk__in=family).values_list("pk", flat=True))
    return list(
        Disbursement.objects.filter(case_id__in=shown, status=Status.PAID)
        .select_related("fund", "case")
        .order_by("paid_at", "id")
    )


def _money_reached(disbursement: Disbursement, at: datetime.datetime) -> None:
    """Aid reached the worker: for an emergency, the 24-hour clock stops here, on the request
    it was paid on and on the one that request is a part of."""
    if disbursement.case is None:
        return
    for served in _requests_served(disbursement.case):
        if served.money_reached_at is not None:
            continue
        case = Case.objects.select_for_update(no_key=True).get(pk=served.pk)
        if case.money_reached_at is not None:  # read afresh: an earlier payment reached them first
            continue
        case.money_reached_at = at
        fields = ["money_reached_at", "updated_at"]
        if case.urgency == Case.Urgency.EMERGENCY and case.is_open:
            if at > case.resolution_due_at and case.resolution_breached_at is None:
                case.resolution_breached_at = case.resolution_due_at
            case.sla_due_at = case.sla_warn_at = None
            fields += ["resolution_breached_at", "sla_due_at", "sla_warn_at"]
        case.save(update_fields=fields)


def _money_withdrawn(disbursement: Disbursement) -> None:
    """A payment was reversed: a request counts money as reached only from a payment that
    still stands, on it or on a part of it (an emergency's 24-hour clock runs again if none
    does)."""
    if disbursement.case is None:
        return
    from unionhub.cases.services import money_reached_again

    for case in _requests_served(disbursement.case):
        if case.money_reached_at is None:
            continue
        standing = Disbursement.objects.filter(case_id__in=with_parts(case), status=Status.PAID)
        money_reached_again(case, standing.aggregate(first=Min("paid_at"))["first"])


PAID_MESSAGE = gettext_noop("Aid of %(amount)s has been paid to you.")
# What the worker's timeline says when a payment to them is reversed (the reason stays internal).
REVERSED_MESSAGE = gettext_noop(
    "The aid payment of %(amount)s recorded for you has been withdrawn. "
    "Your union will explain; ask them if you have questions."
)


# A request turned down or withdrawn takes no money.
AID_REFUSED_STATUSES = (Case.Status.REJECTED, Case.Status.WITHDRAWN)
# A request nobody has taken up yet (just submitted, or referred and not yet accepted where it
# was sent): money is asked for once its owner accepts it, so that the worker reads that it is
# being handled (and can no longer withdraw it unseen) before anything is paid on it.
AID_WAITING_STATUSES = (Case.Status.SUBMITTED, Case.Status.REFERRED)


def case_takes_aid(case: Case) -> bool:
    """Whether money asked for on ``case`` may still be approved and paid (it is not over)."""
    return case.status not in AID_REFUSED_STATUSES


def case_open_to_asking(case: Case) -> bool:
    """Whether money may be asked for on ``case`` now: taken up (accepted, in progress) or
    done (resolved, closed: aid often follows the visit that resolved it), not turned down."""
    return case_takes_aid(case) and case.status not in AID_WAITING_STATUSES


def not_accepted_message(case: Case) -> str:
    """Why no money may be asked for on ``case`` yet (``case_open_to_asking`` is false while it
    waits to be taken up)."""
    if case.status == Case.Status.REFERRED:
        return _(
            "Request %(reference)s was referred to %(organization)s and has not been accepted "
            "there yet: money can be asked for it once %(organization)s accepts it."
        ) % {"reference": case.reference, "organization": case.organization.name}
    return _(
        "Request %(reference)s has not been accepted yet: accept it first (the worker is then "
        "told it is being handled), then ask for money."
    ) % {"reference": case.reference}


def _check_case_takes_aid(case: Case, actor) -> None:
    """The request is the actor's to see, and (as it stands now) money may be asked for it: it
    has been taken up and is not turned down or withdrawn."""
    row = (
        Case.objects.visible_to(actor)
        .filter(pk=case.pk)
        .values_list("status", "organization_id")
        .first()
    )
    if row is None:
        raise PermissionDenied
    case.status, organization_id = row
    if case.organization_id != organization_id:  # referred meanwhile: name where it went now
        case.organization = Organization.objects.get(pk=organization_id)
    if not case_takes_aid(case):
        raise Conflict(
            _("Request %(reference)s is %(status)s: no money can be asked for it.")
            % {"reference": case.reference, "status": case.get_status_display()},
            code="case_closed_to_aid",
        )
    if not case_open_to_asking(case):
        raise Conflict(not_accepted_message(case), code="case_not_accepted")


def _asked_lately(fund: Fund, worker) -> Decimal:
    """What ``worker`` was asked for or paid from ``fund`` in the last ``RELATED_DAYS`` (refused,
    cancelled and reversed ones aside). The fund row is locked first, so two requests made at once
    each see the other."""
    Fund.objects.select_for_update().filter(pk=fund.pk).first()
    since = timezone.now() - datetime.timedelta(days=RELATED_DAYS)
    total = (
        Disbursement.objects.filter(fund=fund, worker=worker, requested_at__gte=since)
        .exclude(status__in=Disbursement.VOID_STATUSES)
        .aggregate(total=MoneySum("amount"))["total"]
    )
    return total or Decimal("0.00")


def _check_fund_serves(fund: Fund, worker) -> None:
    """A fund pays the workers of its own organisation and of those under it: an enterprise
    union's fund its own employees, the district's fund anyone in the district. A worker of
    another enterprise is helped through their own union, or a referral to one above both."""
    if not worker.organization.path.startswith(fund.organization.path):
        raise DomainError(
            _(
                "%(fund)s pays only workers of %(organization)s and of the organisations under "
                "it; %(name)s belongs to %(theirs)s. Ask a fund of theirs, or refer the request "
                "to an organisation whose fund covers both."
            )
            % {
                "fund": fund.name,
                "organization": fund.organization.name,
                "name": worker.name,
                "theirs": worker.organization.name,
            },
            field="fund",
            code="worker_outside_fund",
        )


@transaction.atomic
def disbursement_request(
    *,
    actor,
    fund: Fund,
    worker,
    amount,
    method: str,
    reason: str,
    case: Case | None = None,
    category: ServiceCategory | None = None,
    urgent: bool = False,
    idempotency_key: str | None = None,
) -> Disbursement:
    """Ask ``fund`` to pay ``worker``, usually against a request (``case``).

    Checks: ``actor`` may request payments from the fund; the request (if any) is theirs to see
    and is the worker's; the category allows payment and the fund pays for it; the amount; a
    reason. An urgent request goes to the top of the approvers' queues and they are told at once
    (by text message too). The same ``idempotency_key`` returns the payment already asked for;
    with anything else different (fund, request, worker, category, amount, method, reason,
    urgency) it raises ``Conflict`` (``idempotency_key_reused``).
    """
    require(actor, Cap.REQUEST_FUNDS, fund)
    lock_unerased(worker)  # a record kept after its data was deleted takes no new money
    amount = _amount(amount)
    if case is not None:
        category = category or case.category
    # Everything the request stores, as stored: a retry must match all of it.
    same = {
        "fund_id": fund.pk,
        "case_id": case.pk if case is not None else None,
        "worker_id": worker.pk,
        "category_id": category.pk if category is not None else None,
        "amount": amount,
        "method": method,
        "reason": (reason or "").strip(),
        "urgent": bool(urgent),
    }
    if idempotency_key:
        existing = Disbursement.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, **same)
    if not fund.is_active:
        raise DomainError(_("This fund is closed."), field="fund")
    _check_fund_serves(fund, worker)
    if case is not None:
        _check_case_takes_aid(case, actor)
        if case.worker_id != worker.pk:
            raise DomainError(_("The request is not this worker's."), field="worker")
    if category is None:
        raise DomainError(_("Choose what the money is for."), field="category")
    _check_category(fund, category)
    reason = _check_method_and_reason(method, reason)
    try:
        with transaction.atomic():
            combined = amount + _asked_lately(fund, worker)
            disbursement = Disbursement.objects.create(
                fund=fund,
                case=case,
                worker=worker,
                category=category,
                amount=amount,
                approvals_required=fund.approvals_needed(combined),
                combined_amount=combined,
                method=method,
                urgent=urgent,
                reason=reason,
                requested_by=actor,
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        # The same request sent twice at once: the other one was stored first.
        earlier = None
        if idempotency_key:
            earlier = Disbursement.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is None:
            raise
        return _replay(earlier, **same)
    _case_event(
        case,
        actor,
        lambda: (
            _("Requested %(amount)s from %(fund)s.")
            % {"amount": format_yuan(amount), "fund": fund.name}
        ),
        kind=CaseEvent.Kind.AID,
    )
    audit.record(
        actor=actor,
        action="funds.disbursement.requested",
        target=disbursement,
        organization=fund.organization,
        data={"fund": fund.code, "amount": str(amount), "urgent": urgent},
    )
    notify(
        recipients=[u for u in approvers_of(fund) if u.pk != actor.pk],
        kind=TO_APPROVE,
        title=(
            gettext_lazy("Urgent: approve %(amount)s for %(name)s from %(fund)s")
            if urgent
            else gettext_lazy("To approve: %(amount)s for %(name)s from %(fund)s")
        ),
        params={"amount": format_yuan(amount), "name": worker.name, "fund": fund.name},
        url=_disbursement_url(disbursement),
        sms=urgent,
    )
    return disbursement


# ---------------------------------------------------------------------------------------------
# Who may act on a payment, and when: one check used by the transitions below, by the pages'
# buttons and by the approvers' queue.

# Different approvers who ratify an emergency advance after it was paid.
RATIFICATIONS_NEEDED = 2

DISBURSEMENT_ACTIONS = (
    "approve",
    "reject",
    "ratify",
    "refuse_ratification",
    "pay",
    "cancel",
    "reverse",
)
_RATIFYING = ("ratify", "refuse_ratification")
_NOT_NOW = {
    "approve": gettext_lazy("This payment is %(status)s: it cannot be approved."),
    "reject": gettext_lazy("This payment is %(status)s: it cannot be rejected."),
    "pay": gettext_lazy("This payment is %(status)s: only an approved payment can be paid."),
    "cancel": gettext_lazy("This payment is %(status)s: it cannot be cancelled."),
    "reverse": gettext_lazy("This payment is %(status)s: only a paid payment can be reversed."),
}
_ALLOWED_STATUSES = {
    "approve": {Status.REQUESTED},
    "reject": {Status.REQUESTED},
    "pay": {Status.APPROVED},
    "cancel": {Status.REQUESTED, Status.APPROVED},
    "reverse": {Status.PAID},
}


def _check_decides(fund: Fund, actor, deciders=None) -> None:
    """Raise unless ``actor`` is one of those who decide on ``fund``'s payments
    (``fund_approvers``): an approver of an organisation above a fund whose own organisation has
    approvers may read its payments, not decide them. ``deciders`` may be ``fund_approvers``
    already asked (a page checking every action)."""
    require(actor, Cap.APPROVE_FUNDS, fund)
    organization, users = deciders if deciders is not None else fund_approvers(fund)
    if any(user.pk == actor.pk for user in users):
        return
    if organization is None:
        raise DomainError(
            _(
                "%(fund)s has no fund approver on the system: ask the operator to appoint the "
                "approvers of %(organization)s."
            )
            % {"fund": fund.name, "organization": fund.organization.name},
            code="not_fund_approver",
        )
    raise DomainError(
        _("Payments from %(fund)s are decided by its approvers (%(names)s), not by you.")
        % {"fund": fund.name, "names": names(users)},
        code="not_fund_approver",
    )


def _check_disbursement(
    disbursement: Disbursement, actor, action: str, approvals=None, deciders=None
) -> None:
    """Raise unless ``actor`` may take ``action`` on ``disbursement`` now. ``approvals`` may be
    the payment's approvals already loaded (a page showing them), else they are asked for;
    ``deciders`` the fund's ``fund_approvers``, likewise."""
    fund = disbursement.fund
    if action in ("approve", "reject", *_RATIFYING):
        _check_decides(fund, actor, deciders)
    elif action == "cancel":
        if disbursement.requested_by_id != actor.pk:
            require(actor, Cap.MANAGE_FUNDS, fund)
    else:
        require(actor, Cap.MANAGE_FUNDS, fund)
    if action in _RATIFYING:
        if not disbursement.is_unratified:
            raise Conflict(_("This payment needs no ratification."), code="invalid_transition")
        if disbursement.ratification_refused_at:
            raise Conflict(
                _(
                    "Ratification of this advance was refused on %(date)s: nobody can ratify it "
                    "any more, it can only be reversed."
                )
                % {"date": timezone.localtime(disbursement.ratification_refused_at).date()},
                code="ratification_refused",
            )
        if actor.pk in (disbursement.requested_by_id, disbursement.paid_by_id):
            raise DomainError(
                _("You paid this advance: other approvers must ratify it."), code="own_request"
            )
    elif disbursement.status not in _ALLOWED_STATUSES[action]:
        raise Conflict(
            _NOT_NOW[action] % {"status": disbursement.get_status_display()},
            code="invalid_transition",
        )
    case = disbursement.case
    if action in ("approve", "pay") and case is not None and not case_takes_aid(case):
        # Its payments are cancelled with it; one left over (older records) is not paid either.
        raise Conflict(
            _("Request %(reference)s is %(status)s: this payment can only be cancelled.")
            % {"reference": case.reference, "status": case.get_status_display()},
            code="case_closed_to_aid",
        )
    if action in ("approve", "reject") and disbursement.requested_by_id == actor.pk:
        raise DomainError(
            _("You asked for this payment: another approver must decide."), code="own_request"
        )
    if action in ("approve", "reject", *_RATIFYING):
        ratify = action in _RATIFYING
        if approvals is None:
            decided = disbursement.approvals.filter(approver=actor, is_ratification=ratify)
            already = decided.exists()
        else:
            already = any(
                a.approver_id == actor.pk and a.is_ratification == ratify for a in approvals
            )
        if already and ratify:
            raise Conflict(_("You have already ratified this advance."), code="already_approved")
        if already:
            # One decision per approver: whoever approved cannot turn round and reject alone.
            raise Conflict(_("You have already approved this payment."), code="already_approved")


def disbursement_actions(disbursement: Disbursement, user, approvals=None) -> list[str]:
    """The actions ``user`` may take on ``disbursement`` now (what the page offers)."""
    actions = []
    deciders = None, []
    if access_for(user).can(Cap.APPROVE_FUNDS, disbursement.fund.scope_path):
        deciders = fund_approvers(disbursement.fund)  # asked once for the four decisions
    for action in DISBURSEMENT_ACTIONS:
        try:
            _check_disbursement(disbursement, user, action, approvals, deciders)
        except (DomainError, PermissionDenied):
            continue
        actions.append(action)
    return actions


def with_commitments(funds) -> list:
    """Each fund with ``committed`` (approved, not yet paid) and ``available`` (what is left for
    new approvals once those are paid): one query for all of them."""
    funds = list(funds)
    committed = dict(
        Disbursement.objects.filter(fund__in=[f.pk for f in funds], status=Status.APPROVED)
        .values("fund")
        .annotate(total=MoneySum("amount"))
        .values_list("fund", "total")
    )
    for fund in funds:
        fund.committed = to_money(committed.get(fund.pk) or Decimal("0"))
        fund.available = fund.balance - fund.committed
    return funds


def with_shortfalls(disbursements) -> list:
    """Each of ``disbursements`` with its fund's ``committed`` and ``available`` (as
    ``with_commitments`` gives them; payments of one fund share one fund object) and
    ``shortfall``: how much more the fund must hold to pay it as well as what is already approved
    (zero when it can, and for a payment no longer waiting to be paid). One query for all."""
    disbursements = list(disbursements)
    funds = {d.fund_id: d.fund for d in disbursements}
    with_commitments(funds.values())
    for disbursement in disbursements:
        fund = disbursement.fund = funds[disbursement.fund_id]
        room = fund.available
        if disbursement.status == Status.APPROVED:
            room += disbursement.amount  # it is among the approved payments counted
        elif disbursement.status != Status.REQUESTED:
            room = disbursement.amount
        disbursement.shortfall = to_money(max(disbursement.amount - room, Decimal("0")))
    return disbursements


def approval_queue(user):
    """What waits for ``user`` as an approver, in the order to take it: requests to decide
    (urgent first, then oldest) and advances to ratify (nearest deadline first), of the funds
    they decide for (``Fund.objects.decided_by``). The same rules as ``_check_disbursement``, as
    queries."""
    mine = (
        Disbursement.objects.visible_to(user, Cap.APPROVE_FUNDS)
        .filter(fund__in=Fund.objects.decided_by(user))
        .select_related("fund", "worker", "category", "case", "requested_by")
        # The request behind a payment is linked only for approvers who may open it.
        .annotate(case_visible=Exists(Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))))
    )
    waiting = (
        mine.filter(status=Status.REQUESTED)
        .with_recent_total()
        .exclude(requested_by=user)
        .exclude(approvals__approver=user, approvals__is_ratification=False)
        .annotate(
            approved=Count(
                "approvals",
                filter=Q(
                    approvals__decision=Approval.Decision.APPROVE,
                    approvals__is_ratification=False,
                ),
            )
        )
        .order_by("-urgent", "requested_at")
    )
    to_ratify = (
        mine.unratified_advances()
        .select_related("paid_by")
        .annotate(ratified=Count("approvals", filter=Q(approvals__is_ratification=True)))
        .exclude(requested_by=user)
        .exclude(paid_by=user)
        .exclude(approvals__approver=user, approvals__is_ratification=True)
        .filter(ratification_refused_at__isnull=True)
        .order_by("ratify_due_at")
    )
    return waiting, to_ratify


def approvals_given(disbursement: Disbursement) -> int:
    """The approvals that count towards the fund's policy (ratifications do not)."""
    return disbursement.approvals.filter(
        decision=Approval.Decision.APPROVE, is_ratification=False
    ).count()


def _locked_disbursement(disbursement: Disbursement) -> Disbursement:
    return (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("fund", "fund__organization", "worker", "case", "category")
        .get(pk=disbursement.pk)
    )


@transaction.atomic
def disbursement_approve(*, actor, disbursement: Disbursement, comment: str = "") -> Disbursement:
    """An approver says yes. The requester never approves their own request; each approver counts
    once; when the fund's policy for the amount is met (e.g. two approvers above 2,000 yuan) the
    payment is approved and those who pay are told."""
    disbursement = _locked_disbursement(disbursement)
    _check_disbursement(disbursement, actor, "approve")
    Approval.objects.create(
        disbursement=disbursement,
        approver=actor,
        decision=Approval.Decision.APPROVE,
        comment=(comment or "").strip()[:300],
    )
    approvals = approvals_given(disbursement)
    needed = disbursement.approvals_required
    _settle(disbursement, TO_APPROVE, recipient=actor)  # the others' wait for theirs
    audit.record(
        actor=actor,
        action="funds.disbursement.approved",
        target=disbursement,
        organization=disbursement.fund.organization,
        data={"approvals": approvals, "needed": needed},
    )
    if approvals >= needed:
        disbursement.status = Status.APPROVED
        disbursement.approved_at = timezone.now()
        disbursement.save(update_fields=["status", "approved_at"])
        _settle(disbursement, TO_APPROVE)
        free = free_for(disbursement)
        figures = {
            "amount": format_yuan(disbursement.amount),
            "fund": disbursement.fund.name,
            "name": disbursement.worker.name,
            "free": format_yuan(free) if free is not None else "",
        }
        if free is None:
            line = gettext_noop("%(amount)s from %(fund)s approved; it can be paid.")
            title = gettext_lazy("Approved: %(amount)s for %(name)s can be paid")
        else:
            # Approved all the same: the need is judged, the money may follow (a donation, a
            # transfer); nobody is told it can be paid while the fund cannot pay it.
            line = gettext_noop(
                "%(amount)s from %(fund)s approved; %(fund)s has only %(free)s free, so it can "
                "be paid once money comes in."
            )
            title = gettext_lazy(
                "Approved: %(amount)s for %(name)s; %(fund)s has only %(free)s free, so it can "
                "be paid once money comes in"
            )
        _case_event(disbursement.case, actor, lambda: _(line) % figures, kind=CaseEvent.Kind.AID)
        notify(
            recipients=[disbursement.requested_by],
            kind=TO_PAY,
            title=title,
            params=figures,
            url=_disbursement_url(disbursement),
            sms=disbursement.urgent,
        )
    return disbursement


def free_for(disbursement: Disbursement) -> Decimal | None:
    """For an approved payment its fund cannot pay now: what the fund has free for it, its
    balance less the other payments approved and not yet paid (never below zero); ``None`` when
    it can be paid (as ``with_shortfalls`` counts it)."""
    [disbursement] = with_shortfalls([disbursement])
    if not disbursement.shortfall:
        return None
    return to_money(max(disbursement.amount - disbursement.shortfall, Decimal("0.00")))


@transaction.atomic
def disbursement_reject(*, actor, disbursement: Disbursement, comment: str) -> Disbursement:
    """An approver says no, with a reason; the request ends there."""
    disbursement = _locked_disbursement(disbursement)
    _check_disbursement(disbursement, actor, "reject")
    comment = _reason(
        comment,
        field="comment",
        message=_("Say why the payment is rejected (at least %(n)d characters)."),
    )
    Approval.objects.create(
        disbursement=disbursement,
        approver=actor,
        decision=Approval.Decision.REJECT,
        comment=comment[:300],
    )
    disbursement.status = Status.REJECTED
    disbursement.closed_reason = comment[:300]
    disbursement.closed_by, disbursement.closed_at = actor, timezone.now()
    disbursement.save(update_fields=["status", "closed_reason", "closed_by", "closed_at"])
    _settle(disbursement, TO_APPROVE)
    _case_event(
        disbursement.case,
        actor,
        lambda: (
            _("%(amount)s from %(fund)s not approved: %(reason)s")
            % {
                "amount": format_yuan(disbursement.amount),
                "fund": disbursement.fund.name,
                "reason": comment,
            }
        ),
        kind=CaseEvent.Kind.AID,
    )
    audit.record(
        actor=actor,
        action="funds.disbursement.rejected",
        target=disbursement,
        organization=disbursement.fund.organization,
        data={"comment": comment},
    )
    notify(
        recipients=[disbursement.requested_by],
        kind="disbursement_rejected",
        title=gettext_lazy("Not approved: %(amount)s for %(name)s"),
        params={"amount": format_yuan(disbursement.amount), "name": disbursement.worker.name},
        url=_disbursement_url(disbursement),
    )
    return disbursement


def payment_memo(disbursement: Disbursement) -> str:
    """What a payment's ledger entry says: the category and the payment's number, never the
    beneficiary's name (the ledger keeps it for ever; pages show the name masked beside it)."""
    return f"{disbursement.category.name} {str(disbursement.public_id)[:8]}"


def _pay(disbursement: Disbursement, fund: Fund, actor, key: str, reference: str) -> None:
    now = timezone.now()
    _post(
        fund=fund,
        kind=Kind.DISBURSEMENT,
        amount=-disbursement.amount,
        actor=actor,
        key=key,
        # No name in the memo: entries are kept for ever, and names are shown masked.
        memo=payment_memo(disbursement),
        disbursement=disbursement,
    )
    disbursement.status = Status.PAID
    disbursement.paid_at = now
    disbursement.paid_by = actor
    disbursement.payment_reference = (reference or "").strip()[:60]
    _money_reached(disbursement, now)
    _case_event(
        disbursement.case,
        actor,
        lambda: (
            _("Paid %(amount)s from %(fund)s (%(method)s).")
            % {
                "amount": format_yuan(disbursement.amount),
                "fund": fund.name,
                "method": disbursement.get_method_display(),
            }
        ),
        public=PAID_MESSAGE,
        params={"amount": format_yuan(disbursement.amount)},
        data={"disbursement": str(disbursement.public_id)},
    )
    user = disbursement.worker.user
    if user is not None:
        notify(
            recipients=[user],
            kind="aid_paid",
            title=gettext_lazy("Aid of %(amount)s has been paid to you."),
            params={"amount": format_yuan(disbursement.amount)},
            url=reverse("portal:aid-list"),
        )


def _check_method_and_reason(method: str, reason: str) -> str:
    """A known payment method and a reason of at most ``TEXT_LIMIT`` characters; returns the
    reason, trimmed."""
    if method not in Disbursement.Method.values:
        raise DomainError(_("Choose how the money will be paid."), field="method")
    return _reason(
        reason,
        field="reason",
        message=_("Say why the money is needed (at least %(n)d characters)."),
    )


# The review (经审) matches every payment to its voucher: a transfer to its bank slip, cash to
# the receipt the recipient signed, goods to the signed delivery note. A number, never a name: the
# reference is kept as long as the payment.
REFERENCE_REQUIRED = {
    Disbursement.Method.BANK: gettext_lazy("Give the bank slip number of the transfer."),
    Disbursement.Method.CASH: gettext_lazy(
        "Give the number of the receipt the recipient signed for the cash."
    ),
    Disbursement.Method.IN_KIND: gettext_lazy(
        "Give the number of the delivery note the recipient signed for the goods."
    ),
}


def _check_reference(method: str, reference: str) -> None:
    if not (reference or "").strip():
        raise DomainError(
            str(REFERENCE_REQUIRED[method]), field="payment_reference", code="reference_required"
        )


@transaction.atomic
def disbursement_pay(
    *, actor, disbursement: Disbursement, idempotency_key: str, payment_reference: str = ""
) -> Disbursement:
    """Record that an approved payment was made: locks the fund, posts the entry and refuses an
    overdraw. The same ``idempotency_key`` never pays twice; used for another payment or with
    another ``payment_reference`` it raises ``Conflict`` (``idempotency_key_reused``)."""
    require(actor, Cap.MANAGE_FUNDS, disbursement.fund)
    fund = _lock(disbursement.fund)
    # The request first, then the payment: the order a request's withdrawal takes them in (it
    # cancels the payments not yet made), so the two wait for each other, never deadlock.
    Case.objects.select_for_update(no_key=True).filter(pk=disbursement.case_id).exists()
    disbursement = _locked_disbursement(disbursement)
    key = f"pay:{idempotency_key}"
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        _replay(existing, disbursement_id=disbursement.pk)
        return _replay(disbursement, payment_reference=(payment_reference or "").strip()[:60])
    _check_disbursement(disbursement, actor, "pay")
    _check_reference(disbursement.method, payment_reference)
    _pay(disbursement, fund, actor, key, payment_reference)
    disbursement.save()
    _settle(disbursement, TO_PAY)
    audit.record(
        actor=actor,
        action="funds.disbursement.paid",
        target=disbursement,
        organization=fund.organization,
        data={"amount": str(disbursement.amount), "balance": str(fund.balance)},
    )
    return disbursement


@transaction.atomic
def emergency_advance(
    *,
    actor,
    fund: Fund,
    case: Case,
    amount,
    method: str,
    reason: str,
    idempotency_key: str,
    payment_reference: str = "",
) -> Disbursement:
    """Pay an emergency at once, without prior approval: only an on-duty officer named by the
    fund, only for an emergency request, only up to the fund's advance cap. Two approvers must
    ratify it within the fund's ratification days, or it escalates to the parent organisation."""
    key = f"advance:{idempotency_key}"

    def replayed():
        entry = LedgerEntry.objects.filter(idempotency_key=key).select_related("disbursement")
        entry = entry.first()
        if entry is None:
            return None
        same = {
            "fund_id": fund.pk,
            "case_id": case.pk,
            "amount": _amount(amount),
            "method": method,
            "reason": (reason or "").strip(),
            "payment_reference": (payment_reference or "").strip()[:60],
        }
        return _replay(entry.disbursement, **same)

    # Named by the fund, and still holding a role that may ask this fund for money.
    require(actor, Cap.REQUEST_FUNDS, fund)
    lock_unerased(case.worker)
    if not fund.advance_officers.filter(pk=actor.pk).exists():
        raise PermissionDenied
    if (earlier := replayed()) is not None:
        return earlier
    if not fund.is_active:
        raise DomainError(_("This fund is closed."), field="fund")
    _check_fund_serves(fund, case.worker)
    _check_case_takes_aid(case, actor)
    if case.urgency != Case.Urgency.EMERGENCY:
        raise DomainError(
            _("Advances are for emergencies only: ask for approval instead."),
            code="not_emergency",
        )
    amount = _amount(amount)
    if amount > fund.advance_cap:
        raise DomainError(
            _("An advance from %(fund)s can be at most %(cap)s; ask for approval for more.")
            % {"fund": fund.name, "cap": format_yuan(fund.advance_cap)},
            field="amount",
            code="above_advance_cap",
        )
    _check_category(fund, case.category)
    reason = _check_method_and_reason(method, reason)
    _check_reference(method, payment_reference)
    fund = _lock(fund)
    if (earlier := replayed()) is not None:  # sent twice at once: the first holds the lock
        return earlier
    # The cap holds for the request, not for each advance: what is paid ahead of approval on
    # it and not yet ratified counts (read under the fund's lock).
    advanced = Disbursement.objects.unratified_advances().filter(fund=fund, case=case)
    ahead = sum(advanced.values_list("amount", flat=True), Decimal("0.00"))
    if ahead + amount > fund.advance_cap:
        raise DomainError(
            _(
                "%(paid)s has already been advanced on this request without approval; with "
                "this one it would pass %(fund)s's cap of %(cap)s. Ask for approval instead."
            )
            % {"paid": format_yuan(ahead), "fund": fund.name, "cap": format_yuan(fund.advance_cap)},
            field="amount",
            code="above_advance_cap",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            disbursement = Disbursement.objects.create(
                fund=fund,
                case=case,
                worker=case.worker,
                category=case.category,
                amount=amount,
                method=method,
                urgent=True,
                is_advance=True,
                approvals_required=RATIFICATIONS_NEEDED,  # after the fact: they ratify it
                reason=reason,
                requested_by=actor,
                requested_at=now,
            )
            _pay(disbursement, fund, actor, key, payment_reference)
    except IntegrityError:
        # The key, sent at once for another fund, was stored first there.
        if (earlier := replayed()) is None:
            raise
        return earlier
    disbursement.ratify_due_at = disbursement.paid_at + datetime.timedelta(
        days=fund.ratify_within_days
    )
    disbursement.save()
    audit.record(
        actor=actor,
        action="funds.disbursement.advanced",
        target=disbursement,
        organization=fund.organization,
        data={"amount": str(amount), "ratify_by": disbursement.ratify_due_at.isoformat()},
    )
    notify(
        recipients=[u for u in approvers_of(fund) if u.pk != actor.pk],
        kind=TO_RATIFY,
        title=gettext_lazy("To ratify: emergency advance of %(amount)s for %(name)s"),
        params={"amount": format_yuan(amount), "name": case.worker.name},
        url=_disbursement_url(disbursement),
        sms=True,
    )
    return disbursement


@transaction.atomic
def advance_ratify(*, actor, disbursement: Disbursement, comment: str = "") -> Disbursement:
    """An approver (not the officer who paid) ratifies an emergency advance; two ratify it."""
    disbursement = _locked_disbursement(disbursement)
    _check_disbursement(disbursement, actor, "ratify")
    Approval.objects.create(
        disbursement=disbursement,
        approver=actor,
        decision=Approval.Decision.APPROVE,
        is_ratification=True,
        comment=(comment or "").strip()[:300],
    )
    ratified = disbursement.approvals.filter(
        is_ratification=True, decision=Approval.Decision.APPROVE
    )
    _settle(disbursement, TO_RATIFY, recipient=actor)
    if ratified.count() >= RATIFICATIONS_NEEDED:
        disbursement.ratified_at = timezone.now()
        disbursement.save(update_fields=["ratified_at"])
        _settle(disbursement, TO_RATIFY, UNRATIFIED)
    audit.record(
        actor=actor,
        action="funds.disbursement.ratified",
        target=disbursement,
        organization=disbursement.fund.organization,
        data={"complete": disbursement.ratified_at is not None},
    )
    return disbursement


@transaction.atomic
def advance_refuse_ratification(*, actor, disbursement: Disbursement, comment: str) -> Disbursement:
    """An approver (not the officer who paid) refuses to ratify an emergency advance, saying why.
    The money has gone out, so nothing is undone here: nobody may ratify it any more, it is
    reported at once as an overdue advance is (``unratified_report``: the organisation above, or
    for a fund of the top organisation its own leads; the officer who paid too, never the
    refuser), and it stays unratified on every report until the payment is reversed."""
    disbursement = _locked_disbursement(disbursement)
    _check_disbursement(disbursement, actor, "refuse_ratification")
    comment = _reason(
        comment,
        field="comment",
        message=_(
            "Say why you refuse to ratify the advance (at least %(n)d characters): your reason "
            "goes with the report."
        ),
    )
    now = timezone.now()
    Approval.objects.create(
        disbursement=disbursement,
        approver=actor,
        decision=Approval.Decision.REJECT,
        is_ratification=True,
        comment=comment[:300],
        decided_at=now,
    )
    disbursement.ratification_refused_at = now
    fields = ["ratification_refused_at"]
    _settle(disbursement, TO_RATIFY)  # nobody may ratify it any more
    if disbursement.escalated_at is None:
        disbursement.escalated_at = now
        fields.append("escalated_at")
    disbursement.save(update_fields=fields)
    to, _above, _told = _report_unratified(
        disbursement,
        gettext_lazy("Ratification refused: the emergency advance of %(amount)s from %(fund)s"),
        actor=actor,
        refused=True,
    )
    audit.record(
        actor=actor,
        action="funds.disbursement.ratification_refused",
        target=disbursement,
        organization=disbursement.fund.organization,
        data={"comment": comment[:300], "to": str(to)},
    )
    return disbursement


def unratified_report(
    disbursement: Disbursement, actor=None, *, refused: bool = False
) -> tuple[Organization, bool, list]:
    """To whom an emergency advance left unratified, or refused ratification, is reported:
    ``(organisation, above, people)``. To the leads and approvers of the organisation above the
    fund's (``above`` true); a fund of the top organisation (the district, with nothing above it
    on the system) to that organisation's own leads instead. A refusal (``refused``) is told to
    the officer who paid it too; whoever acted (``actor``, the approver who refused) is not told
    of their own act."""
    owner = disbursement.fund.organization
    parent = Organization.objects.get_parent(owner)
    if parent is not None:
        people = _users_with(
            parent, [Membership.Role.DISTRICT_ADMIN, Membership.Role.FUND_APPROVER]
        )
    else:
        people = _users_with(owner, LEAD_ROLES, above=False)
    if refused and disbursement.paid_by is not None and disbursement.paid_by not in people:
        people.append(disbursement.paid_by)
    people = [user for user in people if actor is None or user.pk != actor.pk]
    return (parent or owner), parent is not None, people


def _report_unratified(
    disbursement: Disbursement, title, actor=None, *, refused: bool = False
) -> tuple[Organization, bool, list]:
    """Tell ``unratified_report``'s people about an advance that is not ratified."""
    to, above, people = unratified_report(disbursement, actor, refused=refused)
    notify(
        recipients=people,
        kind=UNRATIFIED,
        title=title,
        params={"amount": format_yuan(disbursement.amount), "fund": disbursement.fund.name},
        url=_disbursement_url(disbursement),
        email=True,
    )
    return to, above, people


def escalate_unratified_advances(*, now: datetime.datetime | None = None) -> int:
    """Advances past their ratification date are reported once (``unratified_report``: to the
    organisation above the fund's, or to the top organisation's own leads)."""
    now = now or timezone.now()
    overdue = Disbursement.objects.unratified_advances().filter(
        ratify_due_at__lt=now, escalated_at__isnull=True
    )
    count = 0
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            disbursement = _locked_disbursement(Disbursement(pk=pk))
            if disbursement.escalated_at is not None or not disbursement.is_unratified:
                continue
            disbursement.escalated_at = now
            disbursement.save(update_fields=["escalated_at"])
            to, _above, _told = _report_unratified(
                disbursement,
                gettext_lazy(
                    "Unratified: the emergency advance of %(amount)s from %(fund)s is overdue"
                ),
            )
            audit.record(
                actor=None,
                action="funds.disbursement.advance_escalated",
                target=disbursement,
                organization=disbursement.fund.organization,
                data={"to": str(to)},
            )
            count += 1
    return count


@transaction.atomic
def disbursement_cancel(*, actor, disbursement: Disbursement, reason: str) -> Disbursement:
    """Withdraw a request that has not been paid (its requester, or someone managing the fund)."""
    disbursement = _locked_disbursement(disbursement)
    _check_disbursement(disbursement, actor, "cancel")
    reason = _reason(
        reason,
        field="reason",
        message=_("Say why the payment is cancelled (at least %(n)d characters)."),
    )
    return _cancel(disbursement, actor, reason)


def payments_end_with_case(*, actor, case: Case, reason) -> int:
    """The request was withdrawn or turned down: its payments not yet made are cancelled with
    it, and whoever asked for each is told (nobody is to pay money on a request that is over).
    Called inside the request's transition, with the request locked; returns how many."""
    cancelled = 0
    for pk in Disbursement.objects.filter(case=case).open().values_list("pk", flat=True):
        disbursement = _locked_disbursement(Disbursement(pk=pk))
        if disbursement.status not in Disbursement.OPEN_STATUSES:
            continue
        _cancel(disbursement, actor, reason)
        notify(
            recipients=[disbursement.requested_by],
            kind="disbursement_cancelled",
            title=gettext_lazy(
                "Cancelled: %(amount)s for %(name)s, as request %(reference)s is over (%(why)s)"
            ),
            params={
                "amount": format_yuan(disbursement.amount),
                "name": disbursement.worker.name,
                "reference": case.reference,
                "why": Case.Status(case.status).label,  # in the requester's language
            },
            url=_disbursement_url(disbursement),
        )
        cancelled += 1
    return cancelled


def _cancel(disbursement: Disbursement, actor, reason) -> Disbursement:
    """``reason``: what a person typed, or a callable that writes it with ``gettext`` (then the
    request's timeline has it in each reader's language)."""
    said = reason if callable(reason) else (lambda: reason)
    disbursement.status = Status.CANCELLED
    disbursement.closed_reason = said()[:300]
    disbursement.closed_by, disbursement.closed_at = actor, timezone.now()
    disbursement.save(update_fields=["status", "closed_reason", "closed_by", "closed_at"])
    _settle(disbursement, TO_APPROVE, TO_PAY)
    _case_event(
        disbursement.case,
        actor,
        lambda: (
            _("The request for %(amount)s from %(fund)s was cancelled: %(reason)s")
            % {
                "amount": format_yuan(disbursement.amount),
                "fund": disbursement.fund.name,
                "reason": said(),
            }
        ),
        kind=CaseEvent.Kind.AID,
    )
    audit.record(
        actor=actor,
        action="funds.disbursement.cancelled",
        target=disbursement,
        organization=disbursement.fund.organization,
        data={"reason": disbursement.closed_reason},
    )
    return disbursement


# ---------------------------------------------------------------------------------------------
# Reversals, transfers, closing the books


def check_reversible(entry: LedgerEntry) -> None:
    """Raise unless ``entry`` may be reversed at all: not a reversal itself, not reversed yet.
    The reversal page asks it before offering the form; ``entry_reverse`` asks it of each leg."""
    if entry.kind == Kind.REVERSAL:
        raise DomainError(
            _(
                "This entry is itself a reversal and cannot be reversed. To undo it, book the "
                "original again (a new donation, payment or transfer)."
            ),
            code="reverse_reversal",
        )
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("This entry has already been reversed."), code="already_reversed")


def _room(fund: Fund, amount: Decimal) -> dict[str, str]:
    """The figures a refusal for want of money quotes: what ``fund`` (``with_commitments``)
    holds, has promised and has free, and the ``amount`` asked of it."""
    return {
        "fund": fund.name,
        "balance": format_yuan(fund.balance),
        "committed": format_yuan(fund.committed),
        "available": format_yuan(max(fund.available, Decimal("0.00"))),
        "amount": format_yuan(amount),
    }


def _check_can_give_back(fund: Fund, leg: LedgerEntry) -> None:
    """Reversing ``leg``, money that came into ``fund`` (locked), takes it out again: never more
    than the fund holds, and for a transfer never what its approved, unpaid payments wait for
    (as a transfer out would not). A donation booked in error is still corrected: its reversal
    may leave approved payments short, which their fund's queue then shows."""
    if leg.amount <= 0:
        return
    [fund] = with_commitments([fund])
    figures = _room(fund, leg.amount)
    if fund.balance < leg.amount:
        raise Conflict(
            _(
                "%(fund)s now holds %(balance)s, less than the %(amount)s this entry brought in: "
                "it can be reversed once the fund holds enough again (transfer money in first)."
            )
            % figures,
            code="insufficient_balance",
        )
    if leg.kind == Kind.TRANSFER and fund.available < leg.amount:
        raise Conflict(
            _(
                "%(fund)s holds %(balance)s, of which %(committed)s is approved and not yet paid: "
                "taking back the %(amount)s it received would leave those payments unpaid. Pay or "
                "cancel approved payments first, or transfer back at most %(available)s."
            )
            % figures,
            code="insufficient_available",
        )


@transaction.atomic
def entry_reverse(*, actor, entry: LedgerEntry, reason: str, idempotency_key: str) -> LedgerEntry:
    """Correct a posted entry by posting its opposite today (the original stays). A transfer is
    reversed on both funds or not at all; a reversed payment's disbursement shows as reversed."""
    require(actor, Cap.MANAGE_FUNDS, entry.fund)
    reason = _reason(
        reason,
        field="reason",
        message=_("Say why the entry is reversed (at least %(n)d characters)."),
    )
    key = f"reverse:{idempotency_key}"
    legs = [entry]
    if entry.kind == Kind.TRANSFER:
        legs = list(LedgerEntry.objects.filter(transfer_id=entry.transfer_id).order_by("pk"))

    def replayed():
        earlier = LedgerEntry.objects.filter(idempotency_key=key).first()
        if earlier is None:
            return None
        return _replay(earlier, reverses_id=legs[0].pk, memo=reason[:200])

    if (earlier := replayed()) is not None:
        return earlier
    locked = {leg.fund_id: _lock(leg.fund) for leg in sorted(legs, key=lambda e: e.fund_id)}
    if (earlier := replayed()) is not None:  # sent twice at once: the first held the locks
        return earlier
    reversals = []
    for index, leg in enumerate(legs):
        check_reversible(leg)
        fund = locked[leg.fund_id]
        require(actor, Cap.MANAGE_FUNDS, fund)
        if leg.disbursement_id:
            _check_disbursement(leg.disbursement, actor, "reverse")
        _check_can_give_back(fund, leg)
        reversals.append(
            _post(
                fund=fund,
                kind=Kind.REVERSAL,
                amount=-leg.amount,
                actor=actor,
                key=key if index == 0 else f"{key}:{index}",
                memo=reason,
                reverses=leg,
                donation=leg.donation,
                disbursement=leg.disbursement,
                transfer_id=leg.transfer_id,
            )
        )
        if leg.disbursement_id:
            Disbursement.objects.filter(pk=leg.disbursement_id).update(status=Status.REVERSED)
            _money_withdrawn(leg.disbursement)
            _case_event(
                leg.disbursement.case,
                actor,
                lambda leg=leg, fund=fund: (
                    _("The payment of %(amount)s from %(fund)s was reversed: %(reason)s")
                    % {"amount": format_yuan(-leg.amount), "fund": fund.name, "reason": reason}
                ),
                public=REVERSED_MESSAGE,
                params={"amount": format_yuan(-leg.amount)},
            )
            # The worker was told of the payment; they are told it no longer stands (the
            # internal reason is not theirs to read).
            user = leg.disbursement.worker.user
            if user is not None:
                notify(
                    recipients=[user],
                    kind="aid_reversed",
                    title=gettext_lazy(REVERSED_MESSAGE),
                    params={"amount": format_yuan(-leg.amount)},
                    url=reverse("portal:aid-list"),
                )
    audit.record(
        actor=actor,
        action="funds.entry.reversed",
        target=entry,
        organization=entry.fund.organization,
        data={"amount": str(entry.amount), "reason": reason},
    )
    return reversals[0]


@transaction.atomic
def fund_transfer(
    *, actor, source: Fund, target: Fund, amount, memo: str, idempotency_key: str
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move money between two funds: both entries or neither.

    Checks: ``actor`` manages both funds; the amount; a purpose; the amount is at most what the
    source has available (its balance less the payments approved and not yet paid, as
    ``with_commitments`` counts them), so a transfer never leaves an approved payment unpayable.
    When the actor works for another organisation than the source fund's (one above it), the
    source organisation's fund managers are told."""
    if source.pk == target.pk:
        raise DomainError(_("Choose two different funds."), field="target")
    require(actor, Cap.MANAGE_FUNDS, source)
    require(actor, Cap.MANAGE_FUNDS, target)
    amount = _amount(amount)
    memo = (memo or "").strip()
    if not memo:
        raise DomainError(_("Say what the transfer is for."), field="memo")
    out_key, in_key = f"transfer:{idempotency_key}:out", f"transfer:{idempotency_key}:in"
    locked = {f.pk: _lock(f) for f in sorted([source, target], key=lambda f: f.pk)}
    existing = LedgerEntry.objects.filter(idempotency_key__in=[out_key, in_key]).order_by("amount")
    if len(existing := list(existing)) == 2:
        out, into = existing
        _replay(out, fund_id=source.pk, amount=-amount, memo=memo[:200])
        _replay(into, fund_id=target.pk, amount=amount, memo=memo[:200])
        return out, into
    source = locked[source.pk]
    _check_transferable(source, amount)
    transfer_id = uuid.uuid4()
    out = _post(
        fund=locked[source.pk], kind=Kind.TRANSFER, amount=-amount, actor=actor, key=out_key,
        memo=memo, transfer_id=transfer_id,
    )  # fmt: skip
    into = _post(
        fund=locked[target.pk], kind=Kind.TRANSFER, amount=amount, actor=actor, key=in_key,
        memo=memo, transfer_id=transfer_id,
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="funds.transfer.posted",
        target=out,
        organization=source.organization,
        data={"from": source.code, "to": target.code, "amount": str(amount)},
    )
    if not Membership.objects.filter(user=actor, organization=source.organization).exists():
        # Moved from above: those who run the fund learn it from the system, not the statement.
        notify(
            recipients=[u for u in fund_managers(source.organization) if u.pk != actor.pk],
            kind="fund_transfer_out",
            title=gettext_lazy(
                "%(amount)s was transferred out of %(fund)s to %(target)s by %(who)s"
            ),
            params={
                "amount": format_yuan(amount),
                "fund": source.name,
                "target": target.name,
                "who": actor.get_full_name() or actor.get_username(),
            },
            url=reverse("funds:fund-ledger", args=[source.code]),
        )
    return out, into


def _check_transferable(source: Fund, amount: Decimal) -> None:
    """``source`` (locked) can give ``amount`` and still pay every payment already approved."""
    [source] = with_commitments([source])
    if amount <= source.available:
        return
    figures = _room(source, amount)
    if source.committed:
        message = _(
            "%(fund)s holds %(balance)s, of which %(committed)s is approved and not yet paid: "
            "only %(available)s is available to transfer, not %(amount)s. Transfer at most "
            "%(available)s, or first pay or cancel approved payments."
        )
    else:
        message = _(
            "%(fund)s holds %(balance)s: it cannot transfer %(amount)s. Transfer at most "
            "%(available)s."
        )
    raise Conflict(message % figures, field="amount", code="insufficient_available")


def _check_close(fund: Fund, through: datetime.date | None) -> None:
    """A close seals a period of the fund's own books: one that has ended (through yesterday at
    the latest), from the day the fund was opened on, and beyond the last close."""
    if through is None or through >= timezone.localdate():
        raise DomainError(_("Close a period that has ended (up to yesterday)."), field="through")
    opened = fund.opened_on
    if through < opened:
        raise DomainError(
            _(
                "%(fund)s was opened on %(opened)s: there are no books before that day to close. "
                "Close them through %(opened)s or a later day."
            )
            % {"fund": fund.name, "opened": opened.isoformat()},
            field="through",
            code="before_fund_opened",
        )
    if fund.closed_through and through <= fund.closed_through:
        raise DomainError(
            _("The books are already closed through %(date)s.")
            % {"date": fund.closed_through.isoformat()},
            field="through",
        )


def period_close_preview(*, actor, fund: Fund, through: datetime.date | None) -> dict:
    """What closing the books through ``through`` would seal, changing nothing: the balance at
    the end of that day and the entries booked since the last close. Refuses what
    ``period_close`` would refuse, with the same messages."""
    require(actor, Cap.MANAGE_FUNDS, fund)
    _check_close(fund, through)
    return _close_figures(fund, through)


def _close_figures(fund: Fund, through: datetime.date) -> dict:
    since = LedgerEntry.objects.filter(fund=fund, entry_date__lte=through)
    if fund.closed_through:
        since = since.filter(entry_date__gt=fund.closed_through)
    return {
        "through": through,
        "since": fund.closed_through,
        "closing": balance_before(fund, through + datetime.timedelta(days=1)),
        "entries": since.count(),
    }


@transaction.atomic
def period_close(*, actor, fund: Fund, through: datetime.date, expect: dict | None = None) -> Fund:
    """Close the books through ``through``: no entry dated on or before it can be posted or
    reversed into it afterwards. With ``expect`` (the ``closing`` balance and number of
    ``entries`` a preview showed), refuses when something was booked into the period since."""
    require(actor, Cap.MANAGE_FUNDS, fund)
    fund = _lock(fund)
    _check_close(fund, through)
    if expect is not None:
        now = _close_figures(fund, through)
        if (now["closing"], now["entries"]) != (expect.get("closing"), expect.get("entries")):
            raise Conflict(
                _(
                    "Something was booked into the period since you looked: check the figures "
                    "again before closing."
                ),
                code="books_changed",
            )
    previous = fund.closed_through
    fund.closed_through = through
    fund.save(update_fields=["closed_through"])
    audit.record(
        actor=actor,
        action="funds.period.closed",
        target=fund,
        organization=fund.organization,
        data={
            "through": through.isoformat(),
            "previous": previous.isoformat() if previous else None,
        },
    )
    return fund


# ---------------------------------------------------------------------------------------------
# Public disclosure (公示)


def _check_plausible(day: datetime.date | None, field: str) -> None:
    try:
        validate_plausible_date(day)
    except ValidationError as error:
        raise DomainError(error.messages[0], field=field) from error


def _check_period(period_start: datetime.date | None, period_end: datetime.date | None) -> None:
    """A period given to a disclosure or a review: both ends, in order, and plausible dates."""
    _check_plausible(period_start, "period_start")
    _check_plausible(period_end, "period_end")
    if period_start is None or period_end is None or period_start > period_end:
        raise DomainError(_("The period's start is after its end."), field="period_start")


@transaction.atomic
def disclosure_publish(
    *, actor, fund: Fund, period_start: datetime.date, period_end: datetime.date, title: str = ""
) -> Disclosure:
    """Publish the period's beneficiaries (names masked) and donors (anonymous stays anonymous)
    at a public link for the fund's window of working days. The list is frozen as published.

    Checks: ``actor`` manages the fund; the period is over (it ends yesterday at the latest, as
    a period close does: today's payments and donations are still coming in); something was paid
    or given in it."""
    require(actor, Cap.MANAGE_FUNDS, fund)
    _check_period(period_start, period_end)
    if period_end >= timezone.localdate():
        raise DomainError(
            _(
                "A disclosure lists a period that is over: end it yesterday at the latest "
                "(today's payments and donations are still coming in)."
            ),
            field="period_end",
            code="period_not_over",
        )
    now = timezone.now()
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period_start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    paid = (
        Disbursement.objects.filter(
            fund=fund, status=Status.PAID, paid_at__gte=start, paid_at__lt=end
        )
        .select_related("worker", "category")
        .order_by("paid_at")
    )
    donations = Donation.objects.filter(
        fund=fund, received_on__gte=period_start, received_on__lte=period_end
    ).exclude(entries__kind=Kind.REVERSAL)
    if not paid.exists() and not donations.exists():
        raise DomainError(
            _(
                "Nothing was paid from or given to %(fund)s from %(start)s to %(end)s: there is "
                "nothing to publish. Choose a period with payments or donations."
            )
            % {
                "fund": fund.name,
                "start": period_start.isoformat(),
                "end": period_end.isoformat(),
            },
            code="nothing_to_publish",
        )
    # The notice is posted for the public in the district's language (the site's default),
    # whatever language the officer who publishes it works in.
    with translation.override(settings.LANGUAGE_CODE):
        title = (title or "").strip() or _("%(fund)s: aid and donations, %(start)s to %(end)s") % {
            "fund": fund.name,
            "start": period_start.isoformat(),
            "end": period_end.isoformat(),
        }
        donors = [
            (d, d.public_donor, d.get_donor_kind_display() if d.is_funding else "")
            for d in donations.order_by("received_on", "id")
        ]
    disclosure = Disclosure.objects.create(
        fund=fund,
        title=title[:150],
        period_start=period_start,
        period_end=period_end,
        published_at=now,
        window_ends_at=add_working_days(now, fund.disclosure_working_days),
        published_by=actor,
    )
    lines = [
        DisclosureLine(
            disclosure=disclosure,
            kind=DisclosureLine.Kind.BENEFICIARY,
            name=mask_name(d.worker.name),
            category=d.category.name,
            amount=d.amount,
            on=timezone.localtime(d.paid_at).date(),
        )
        for d in paid
    ]
    # Allocations and grants are sources of funds, listed apart from the donors under the
    # body's name and the kind of money (上级工会拨款, 财政补助).
    lines += [
        DisclosureLine(
            disclosure=disclosure,
            kind=DisclosureLine.Kind.FUNDING if d.is_funding else DisclosureLine.Kind.DONOR,
            name=name,
            category=kind[:50],
            amount=d.amount,
            on=d.received_on,
        )
        for d, name, kind in donors
    ]
    DisclosureLine.objects.bulk_create(lines, batch_size=1000)
    audit.record(
        actor=actor,
        action="funds.disclosure.published",
        target=disclosure,
        organization=fund.organization,
        data={
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "lines": len(lines),
            "until": disclosure.window_ends_at.isoformat(),
        },
    )
    return disclosure


def with_line_totals(disclosures):
    """Each disclosure with what its list shows: ``<section>_count`` and ``<section>_total`` for
    its beneficiaries, donors and sources of funds (``beneficiary``, ``donor``, ``funding``),
    and its ``objection_count``. Subqueries, so one query however many lists and lines."""
    annotations = {}
    for kind in DisclosureLine.Kind.values:
        lines = DisclosureLine.objects.filter(disclosure=OuterRef("pk"), kind=kind).order_by()
        grouped = lines.values("disclosure")
        annotations[f"{kind}_count"] = Coalesce(
            Subquery(grouped.annotate(n=Count("pk")).values("n")), 0
        )
        # None for a section without lines (a Coalesce would lose the subquery's reading in
        # yuan on SQLite): ``line_totals_or_zero`` reads it as nothing.
        annotations[f"{kind}_total"] = MoneySumSubquery(
            grouped.annotate(total=MoneySum("amount")).values("total")
        )
    objections = (
        DisclosureObjection.objects.filter(disclosure=OuterRef("pk"))
        .order_by()
        .values("disclosure")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return disclosures.annotate(objection_count=Coalesce(Subquery(objections), 0), **annotations)


def line_totals_or_zero(disclosures) -> list:
    """``disclosures`` (from ``with_line_totals``) with a section without lines totalling 0."""
    disclosures = list(disclosures)
    for disclosure in disclosures:
        for kind in DisclosureLine.Kind.values:
            if getattr(disclosure, f"{kind}_total") is None:
                setattr(disclosure, f"{kind}_total", Decimal("0.00"))
    return disclosures


def disclosure_reversed(disclosure: Disclosure) -> dict[str, dict[str, dict]]:
    """What was paid or received in a disclosure's period and has been reversed, which the list
    therefore does not count as aid given or money received: for each section of the list
    (``beneficiary``, ``donor``, ``funding``), the ``count`` and ``total`` reversed ``before``
    publication (left off the list) and ``after`` it (listed, then reversed). The statement of
    the period counts them as paid or received when their reversal is booked after the period:
    these figures reconcile the two. One query."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(disclosure.period_start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        disclosure.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    sections = {
        # The same payments and donations ``disclosure_publish`` picks for a period.
        "beneficiary": Q(
            reverses__kind=Kind.DISBURSEMENT,
            disbursement__paid_at__gte=start,
            disbursement__paid_at__lt=end,
        ),
        "donor": Q(
            reverses__kind=Kind.DONATION,
            donation__received_on__gte=disclosure.period_start,
            donation__received_on__lte=disclosure.period_end,
        )
        & ~Q(donation__donor_kind__in=Donation.FUNDING_KINDS),
        "funding": Q(
            reverses__kind=Kind.DONATION,
            donation__received_on__gte=disclosure.period_start,
            donation__received_on__lte=disclosure.period_end,
            donation__donor_kind__in=Donation.FUNDING_KINDS,
        ),
    }
    timing = {
        "before": Q(posted_at__lte=disclosure.published_at),
        "after": Q(posted_at__gt=disclosure.published_at),
    }
    aggregates = {}
    for section, matches in sections.items():
        for when, moment in timing.items():
            aggregates[f"{section}_{when}_count"] = Count("pk", filter=matches & moment)
            aggregates[f"{section}_{when}_total"] = MoneySum("amount", filter=matches & moment)
    found = (
        LedgerEntry.objects.filter(fund_id=disclosure.fund_id, kind=Kind.REVERSAL)
        .filter(sections["beneficiary"] | sections["donor"] | sections["funding"])
        .aggregate(**aggregates)
    )
    return {
        section: {
            when: {
                "count": found[f"{section}_{when}_count"],
                # A reversed payment is booked as money back in, a reversed donation as money
                # out: either way, the amount that was paid or received.
                "total": abs(found[f"{section}_{when}_total"] or Decimal("0.00")),
            }
            for when in timing
        }
        for section in sections
    }


@transaction.atomic
def disclosure_withdraw(*, actor, disclosure: Disclosure, reason: str) -> Disclosure:
    """Take a list down before its window ends, saying why (the staff page shows who did, when and
    why; the public link then answers that the notice has ended). Only a list still public."""
    require(actor, Cap.MANAGE_FUNDS, disclosure.fund)
    reason = _reason(
        reason,
        field="reason",
        message=_("Say why the list is taken down early (at least %(n)d characters)."),
    )
    disclosure = (
        Disclosure.objects.select_for_update(of=("self",))
        .select_related("fund", "fund__organization")
        .get(pk=disclosure.pk)
    )
    if not disclosure.is_showing():
        raise Conflict(
            _("This list is no longer public: there is nothing to take down."),
            code="not_public",
        )
    disclosure.withdrawn_at = timezone.now()
    disclosure.withdrawn_by = actor
    disclosure.withdrawn_reason = reason[:300]
    disclosure.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    audit.record(
        actor=actor,
        action="funds.disclosure.withdrawn",
        target=disclosure,
        organization=disclosure.fund.organization,
        data={"reason": reason[:300]},
    )
    return disclosure


@transaction.atomic
def objection_record(
    *,
    actor,
    disclosure: Disclosure,
    content: str,
    raised_by: str = "",
    received_at: datetime.datetime | None = None,
) -> DisclosureObjection:
    """Record an objection received while the list was public.

    Checks: ``actor`` manages the fund; ``received_at`` (now when not given) has already come,
    and falls inside the window the list was public; there is something written down."""
    require(actor, Cap.MANAGE_FUNDS, disclosure.fund)
    received_at = received_at or timezone.now()
    # A few minutes' grace for a desk clock running ahead, as for a request's time of events.
    if received_at > timezone.now() + CLOCK_SLACK:
        raise DomainError(
            _(
                "An objection is recorded once it is received: the time received cannot be "
                "later than now."
            ),
            field="received_at",
            code="received_in_future",
        )
    if not (disclosure.published_at <= received_at < disclosure.window_ends_at):
        raise DomainError(
            _("Objections are recorded for the time the list was public (%(start)s to %(end)s).")
            % {
                "start": timezone.localtime(disclosure.published_at).strftime("%Y-%m-%d"),
                "end": timezone.localtime(disclosure.window_ends_at).strftime("%Y-%m-%d %H:%M"),
            },
            field="received_at",
        )
    content = (content or "").strip()
    if not content:
        raise DomainError(_("Write down the objection."), field="content")
    objection = DisclosureObjection.objects.create(
        disclosure=disclosure,
        received_at=received_at,
        raised_by=(raised_by or "").strip()[:100],
        content=content,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.disclosure.objection",
        target=disclosure,
        organization=disclosure.fund.organization,
    )
    return objection


@transaction.atomic
def objection_handle(*, actor, objection: DisclosureObjection, handling: str):
    """Record how an objection was answered, once (by whom and when)."""
    require(actor, Cap.MANAGE_FUNDS, objection.disclosure.fund)
    handling = (handling or "").strip()
    if not handling:
        raise DomainError(_("Say how the objection was handled."), field="handling")
    objection = (
        DisclosureObjection.objects.select_for_update(of=("self",))
        .select_related("disclosure__fund__organization")
        .get(pk=objection.pk)
    )
    if objection.handling:
        raise Conflict(_("This objection has been answered already."), code="already_handled")
    objection.handling = handling
    objection.handled_by = actor
    objection.handled_at = timezone.now()
    objection.save(update_fields=["handling", "handled_by", "handled_at"])
    audit.record(
        actor=actor,
        action="funds.objection.handled",
        target=objection.disclosure,
        organization=objection.disclosure.fund.organization,
        data={"handling": handling},
    )
    return objection


# ---------------------------------------------------------------------------------------------
# Fund review (经审)


def audit_population(fund: Fund, start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    return Disbursement.objects.filter(
        fund=fund,
        paid_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        paid_at__lt=datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        ),
    ).filter(Q(status=Status.PAID) | Q(status=Status.REVERSED))


def draw_sample(ids: list[int], share: Decimal, seed: int) -> list[int]:
    """The same ids, share and seed always draw the same sample (at least one when any)."""
    if not ids:
        return []
    wanted = (Decimal(len(ids)) * Decimal(share)).to_integral_value(rounding=ROUND_CEILING)
    size = min(len(ids), max(1, int(wanted)))
    return sorted(random.Random(seed).sample(sorted(ids), size))


@transaction.atomic
def audit_open(
    *,
    actor,
    fund: Fund,
    period_start: datetime.date,
    period_end: datetime.date,
    share,
    seed: int | None = None,
) -> FundAudit:
    """Start a review of ``fund``'s payments in the period: draw ``share`` of them at random from a
    recorded ``seed`` (a new one when not given), so anyone can redraw the same sample.

    Checks: ``actor`` reviews the fund; the share; the period is over by today; it shares no day
    with another review of the fund, open or closed (a sample is drawn once: drawing again with
    another seed would let a reviewer pick the sample they like); it has payments to sample."""
    require(actor, Cap.AUDIT_FUNDS, fund)
    try:
        share = Decimal(str(share)).quantize(Decimal("0.01"))
    except Exception as exc:
        raise DomainError(
            _("Give the share as a number between 0.01 and 1."), field="share"
        ) from exc
    if not Decimal("0") < share <= Decimal("1"):
        raise DomainError(_("Give the share as a number between 0.01 and 1."), field="share")
    _check_period(period_start, period_end)
    if period_end > timezone.localdate():
        raise DomainError(
            _("A review covers payments already made: end the period today or earlier."),
            field="period_end",
        )
    # The fund's row orders two reviews opened at once: the second sees the first.
    Fund.objects.select_for_update(of=("self",)).filter(pk=fund.pk).exists()
    earlier = (
        fund.audits.filter(period_start__lte=period_end, period_end__gte=period_start)
        .select_related("opened_by")
        .order_by("period_start")
        .first()
    )
    if earlier is not None:
        raise Conflict(
            _(
                "%(fund)s's payments from %(start)s to %(end)s are already under the review "
                "opened on %(opened)s by %(name)s (%(status)s): a period is sampled once. "
                "Choose a period that starts after %(end)s or ends before %(start)s."
            )
            % {
                "fund": fund.name,
                "start": earlier.period_start.isoformat(),
                "end": earlier.period_end.isoformat(),
                "opened": timezone.localtime(earlier.opened_at).date().isoformat(),
                "name": earlier.opened_by.get_full_name(),
                "status": earlier.get_status_display(),
            },
            field="period_start",
            code="period_reviewed",
        )
    ids = list(audit_population(fund, period_start, period_end).values_list("pk", flat=True))
    if not ids:
        raise DomainError(
            _(
                "No payment was made from %(fund)s from %(start)s to %(end)s: there is nothing "
                "to sample. Choose a period with payments."
            )
            % {
                "fund": fund.name,
                "start": period_start.isoformat(),
                "end": period_end.isoformat(),
            },
            field="period_start",
            code="nothing_to_sample",
        )
    seed = seed if seed is not None else secrets.randbelow(2**31)
    review = FundAudit.objects.create(
        fund=fund,
        period_start=period_start,
        period_end=period_end,
        share=share,
        seed=seed,
        population=len(ids),
        opened_by=actor,
    )
    AuditItem.objects.bulk_create(
        AuditItem(audit=review, disbursement_id=pk) for pk in draw_sample(ids, share, seed)
    )
    audit.record(
        actor=actor,
        action="funds.audit.opened",
        target=review,
        organization=fund.organization,
        data={"seed": seed, "share": str(share), "population": len(ids)},
    )
    return review


def _audit_editable(actor, review: FundAudit) -> FundAudit:
    """The review, locked and read afresh: its checks, findings and closing take turns, so
    nothing lands on a review closed meanwhile."""
    require(actor, Cap.AUDIT_FUNDS, review.fund)
    review = (
        FundAudit.objects.select_for_update(of=("self",))
        .select_related("fund", "fund__organization")
        .get(pk=review.pk)
    )
    if review.status != FundAudit.Status.OPEN:
        raise Conflict(_("This review is closed."), code="audit_closed")
    return review


@transaction.atomic
def audit_check(*, actor, item: AuditItem, checks: dict, evidence_note: str) -> AuditItem:
    """Walk one sampled payment through the checklist, noting the evidence seen. While the
    review is open a check may be corrected: the audit log keeps what it said before."""
    _audit_editable(actor, item.audit)  # the review first, then the item
    item = AuditItem.objects.select_for_update().get(pk=item.pk)
    before = {"checks": item.checks, "evidence": item.evidence_note} if item.checked_at else None
    evidence_note = (evidence_note or "").strip()
    if not evidence_note:
        raise DomainError(_("Note the evidence you looked at."), field="evidence_note")
    checks = {key: bool(checks.get(key)) for key in AuditItem.CHECKS}
    if before == {"checks": checks, "evidence": evidence_note}:
        return item  # the same check sent again (a double tap)
    item.checks = checks
    item.evidence_note = evidence_note
    item.checked_by = actor
    item.checked_at = timezone.now()
    item.save()
    if before is not None:
        audit.record(
            actor=actor,
            action="funds.audit.check_corrected",
            target=item.audit,
            organization=item.audit.fund.organization,
            data={
                "payment": str(item.disbursement.public_id),
                "before": before,
                "after": {"checks": item.checks, "evidence": item.evidence_note},
            },
        )
    return item


# A sampled payment's evidence: its voucher, a signed receipt, the application, a photo or two.
EVIDENCE_PER_ITEM = 10


@transaction.atomic
def audit_evidence_add(*, actor, item: AuditItem, upload: Upload) -> AuditEvidence:
    """Keep a photo or PDF of the evidence a reviewer saw for a sampled payment: checked by its
    content as a request's files are (``cases.services.check_upload``), stored under a random
    name through Django's storage, and listed on the item and in the report.

    Checks: ``actor`` reviews the fund and the review is open (``Conflict`` once closed); the
    file is a real photo or PDF within the size limit; the item holds fewer than
    ``EVIDENCE_PER_ITEM`` files. Refusals name the ``file`` field. Files are not taken away
    again: the audit log keeps each one's checksum and size (not its name, which a worker's
    erasure takes away with their other data)."""
    from django.core.files.base import ContentFile

    review = _audit_editable(actor, item.audit)  # the review first, then the item
    item = (
        AuditItem.objects.select_for_update(of=("self",))
        .select_related("disbursement")
        .get(pk=item.pk, audit=review)
    )
    try:
        kind, content_type, digest = check_upload(upload)
    except DomainError as error:
        raise DomainError(error.message, code=error.code, field="file") from error
    if item.evidence_files.count() >= EVIDENCE_PER_ITEM:
        raise DomainError(
            _("A sampled payment holds at most %(n)d evidence files.") % {"n": EVIDENCE_PER_ITEM},
            field="file",
            code="too_many",
        )
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-150:]
    evidence = AuditEvidence(
        item=item,
        kind=kind,
        content_type=content_type,
        original_name=name,
        size=len(upload.content),
        sha256=digest,
        uploaded_by=actor,
    )
    evidence.file.save(name, ContentFile(upload.content), save=False)
    evidence.save()
    audit.record(
        actor=actor,
        action="funds.audit.evidence_added",
        target=review,
        organization=review.fund.organization,
        # Not the name it was uploaded under: a reviewer may have typed a name or a number.
        data={
            "payment": str(item.disbursement.public_id),
            "evidence": str(evidence.public_id),
            "sha256": digest,
            "size": evidence.size,
        },
    )
    return evidence


def rectifiers(fund: Fund):
    """Whom a finding can be given to rectify: the fund's people, at its organisation first, then
    above it (memberships, with user and organisation). Its reviewers (fund auditors) find; they
    do not fix what they found."""
    chain = [fund.organization, *Organization.objects.get_ancestors(fund.organization)]
    return (
        Membership.objects.filter(organization__in=chain, user__is_active=True)
        .exclude(role=Membership.Role.FUND_AUDITOR)
        .select_related("user", "organization")
        .order_by("-organization__depth", "user__full_name", "user_id")
    )


@transaction.atomic
def finding_add(
    *,
    actor,
    review: FundAudit,
    description: str,
    severity: str,
    owner,
    deadline: datetime.date,
    item: AuditItem | None = None,
) -> AuditFinding:
    """Record a finding and who must rectify it (整改) by when."""
    _audit_editable(actor, review)
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Describe the finding."), field="description")
    if severity not in AuditFinding.Severity.values:
        raise DomainError(_("Choose how serious it is."), field="severity")
    if owner is None or not rectifiers(review.fund).filter(user=owner).exists():
        raise DomainError(_("Choose a staff member of the fund's organisation."), field="owner")
    if deadline is None or deadline < timezone.localdate():
        raise DomainError(_("Choose a deadline from today on."), field="deadline")
    finding = AuditFinding.objects.create(
        audit=review,
        item=item,
        description=description,
        severity=severity,
        owner=owner,
        deadline=deadline,
        created_by=actor,
    )
    notify(
        recipients=[owner],
        kind="audit_finding",
        title=gettext_lazy("Fund review finding to rectify by %(date)s"),
        params={"date": deadline.isoformat()},
        url=reverse("funds:audit-detail", args=[review.pk]),
    )
    return finding


@transaction.atomic
def finding_rectify(*, actor, finding: AuditFinding, note: str) -> AuditFinding:
    """The owner (or a reviewer, on the owner's behalf) records what was done to rectify the
    finding, when (now) and who recorded it. Rectification goes on after the review is closed: a
    finding left open at closing is tracked until it is done, and one done after its deadline
    stays on record as late."""
    if actor.pk != finding.owner_id:
        require(actor, Cap.AUDIT_FUNDS, finding.audit.fund)
    finding = (
        AuditFinding.objects.select_for_update(of=("self",))
        .select_related("audit__fund__organization", "owner")
        .get(pk=finding.pk)
    )
    if finding.rectified_at is not None:
        raise Conflict(_("This finding is already rectified."), code="already_rectified")
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what was done to rectify it."), field="note")
    finding.rectification = note
    finding.rectified_at = timezone.now()
    finding.rectified_by = actor
    finding.save(update_fields=["rectification", "rectified_at", "rectified_by"])
    audit.record(
        actor=actor,
        action="funds.audit.finding_rectified",
        target=finding.audit,
        organization=finding.audit.fund.organization,
        data={
            "finding": finding.pk,
            "rectification": note,
            "for_owner": finding.owner.get_full_name() if finding.rectified_for_owner else "",
            "days_late": finding.late_days,
            "review_closed": finding.audit.status == FundAudit.Status.CLOSED,
        },
    )
    return finding


@transaction.atomic
def audit_close(*, actor, review: FundAudit, conclusion: str) -> FundAudit:
    """Close the review with its conclusion, once every sampled payment has been checked."""
    review = _audit_editable(actor, review)
    if review.items.filter(checked_at__isnull=True).exists():
        raise DomainError(_("Check every sampled payment before closing the review."))
    conclusion = (conclusion or "").strip()
    if not conclusion:
        raise DomainError(_("Write the review's conclusion."), field="conclusion")
    review.status = FundAudit.Status.CLOSED
    review.closed_at = timezone.now()
    review.conclusion = conclusion
    review.save(update_fields=["status", "closed_at", "conclusion"])
    audit.record(
        actor=actor,
        action="funds.audit.closed",
        target=review,
        organization=review.fund.organization,
    )
    return review


# ---------------------------------------------------------------------------------------------
# Beneficiaries' full names


def may_see_beneficiary_names(user, fund: Fund) -> bool:
    """Whether ``user`` may have the fund's beneficiaries under their full names (with a
    reason): those who manage the fund or review it."""
    access, path = access_for(user), fund.scope_path
    return access.can(Cap.MANAGE_FUNDS, path) or access.can(Cap.AUDIT_FUNDS, path)


@transaction.atomic
def beneficiary_names_reveal(
    *, actor, fund: Fund, start: datetime.date, end: datetime.date, reason: str
) -> None:
    """Allow ``actor`` the period's beneficiaries under their full names (an export is masked
    otherwise), writing to the audit log who, for which fund and period, and why.

    Raises ``PermissionDenied`` unless ``actor`` manages or reviews the fund, and
    ``DomainError`` without a reason (as long as a full ID number's reveal asks for)."""
    access = access_for(actor)
    if not (
        access.can(Cap.MANAGE_FUNDS, fund.scope_path)
        or access.can(Cap.AUDIT_FUNDS, fund.scope_path)
    ):
        raise PermissionDenied
    reason = (reason or "").strip()
    least = settings.UNIONHUB["REVEAL_REASON_MIN_LENGTH"]
    if len(reason) < least:
        raise DomainError(
            _("Say why you need the full names (at least %(n)d characters).") % {"n": least},
            field="reason",
            code="reason_required",
        )
    audit.record(
        actor=actor,
        action="funds.beneficiaries.names_revealed",
        target=fund,
        organization=fund.organization,
        data={
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "reason": reason[:200],
        },
    )


# ---------------------------------------------------------------------------------------------
# Reading the books


def statement(fund: Fund, start: datetime.date, end: datetime.date) -> dict:
    """Opening balance, money in by source, money out by category, closing balance for the
    period (by booking date). A fixed handful of aggregate queries, however many entries."""
    opening = balance_before(fund, start)
    period = LedgerEntry.objects.filter(fund=fund, entry_date__gte=start, entry_date__lte=end)
    donations_in = (
        period.filter(kind=Kind.DONATION)
        .values("donation__donor_kind")
        .annotate(total=MoneySum("amount"))
        .order_by("donation__donor_kind")
    )
    labels = dict(Donation.DonorKind.choices)
    funding = Donation.FUNDING_KINDS
    # Money allotted from above (a higher union, the public budget) first, then the gifts.
    donations_in = sorted(donations_in, key=lambda row: row["donation__donor_kind"] not in funding)
    money_in = [(labels.get(row["donation__donor_kind"], ""), row["total"]) for row in donations_in]
    # A reversal corrects what it reverses, on the same side, as a "less" line: a reversed
    # donation lowers the money in, a reversed payment the money out. Totals are then what truly
    # came in and went out (a donation booked by mistake and reversed counts as neither).
    reversal = Q(kind=Kind.REVERSAL)
    reversed_funding = Q(reverses__donation__donor_kind__in=funding)
    others = period.exclude(kind__in=[Kind.DONATION, Kind.DISBURSEMENT]).aggregate(
        transfers_in=MoneySum("amount", filter=Q(kind=Kind.TRANSFER, amount__gt=0)),
        transfers_out=MoneySum("amount", filter=Q(kind=Kind.TRANSFER, amount__lt=0)),
        funding_back=MoneySum(
            "amount", filter=reversal & Q(reverses__kind=Kind.DONATION) & reversed_funding
        ),
        donations_back=MoneySum(
            "amount", filter=reversal & Q(reverses__kind=Kind.DONATION) & ~reversed_funding
        ),
        transfers_out_back=MoneySum(
            "amount", filter=reversal & Q(reverses__kind=Kind.TRANSFER, amount__gt=0)
        ),
        transfers_in_back=MoneySum(
            "amount", filter=reversal & Q(reverses__kind=Kind.TRANSFER, amount__lt=0)
        ),
    )
    # Each line as (label, signed amount, taken off): a "less" line is printed with its amount
    # as taken off the total (减：捐赠冲销 ¥300.00), its signed amount is what it adds.
    lines_in = [(label, amount, False) for label, amount in money_in]
    for label, amount, less in (
        (_("Less: Allocations and grants reversed"), others["funding_back"], True),
        (_("Less: Donations reversed"), others["donations_back"], True),
        (_("Transfers from other funds"), others["transfers_in"], False),
        (_("Less: Transfers from other funds reversed"), others["transfers_in_back"], True),
    ):
        if amount:
            lines_in.append((str(label), amount, less))

    # Each category's payments, then (under it) its payments reversed in the period, so that
    # each kind of aid reads net of its corrections. One query for both.
    name = "disbursement__category__name_en" if _is_english() else "disbursement__category__name"
    rows = (
        period.filter(Q(kind=Kind.DISBURSEMENT) | reversal & Q(reverses__kind=Kind.DISBURSEMENT))
        .values(name, "kind")
        .annotate(total=MoneySum("amount"))
        .order_by(name, "kind")
    )
    out: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        out.setdefault(row[name], {})[row["kind"]] = -row["total"]
    lines_out = []
    for category, amounts in out.items():
        if Kind.DISBURSEMENT in amounts:
            lines_out.append((category, amounts[Kind.DISBURSEMENT], False))
        if Kind.REVERSAL in amounts:
            label = _("Less: %(category)s payments reversed") % {"category": category}
            lines_out.append((label, amounts[Kind.REVERSAL], True))
    for label, amount, less in (
        (_("Transfers to other funds"), others["transfers_out"], False),
        (_("Less: Transfers to other funds reversed"), others["transfers_out_back"], True),
    ):
        if amount:
            lines_out.append((str(label), -amount, less))
    money_in = [(label, amount) for label, amount, _less in lines_in]
    money_out = [(label, amount) for label, amount, _less in lines_out]
    total_in = sum((amount for _label, amount in money_in), Decimal("0"))
    total_out = sum((amount for _label, amount in money_out), Decimal("0"))
    return {
        "fund": fund,
        "start": start,
        "end": end,
        "opening": to_money(opening),
        # Signed: each line's amount is what it adds to its total (a reversal's is negative).
        "money_in": money_in,
        "money_out": money_out,
        # As printed: ``(label, amount shown, taken off)``; a line that is taken off its total
        # says so in its label ("Less: …") and shows its amount without a minus sign.
        "lines_in": [(label, -a if less else a, less) for label, a, less in lines_in],
        "lines_out": [(label, -a if less else a, less) for label, a, less in lines_out],
        "total_in": to_money(total_in),
        "total_out": to_money(total_out),
        "closing": to_money(opening + total_in - total_out),
    }


def booked_on_or_before(entry: LedgerEntry) -> Q:
    """Entries that come at or before ``entry`` in booking order (booking date, then posting)."""
    return Q(entry_date__lt=entry.entry_date) | Q(entry_date=entry.entry_date, id__lte=entry.id)


def ledger_entries(
    fund: Fund, start: datetime.date | None = None, end: datetime.date | None = None
):
    """The fund's entries in booking order, newest first: by booking date, as the statement counts
    them, so that a donation booked today for last month sits among last month's entries.

    Each row carries ``horizon``: the fund's newest entry id when the rows were read (one
    subquery, run once). A fund's entries are posted one at a time under its row lock, so every
    entry posted later has a larger id; sums limited to the horizon see the books exactly as the
    rows did, even when a donation is booked between the two queries."""
    horizon = LedgerEntry.objects.filter(fund=fund).order_by("-id").values("id")[:1]
    entries = LedgerEntry.objects.filter(fund=fund).annotate(horizon=Subquery(horizon))
    if start is not None:
        entries = entries.filter(entry_date__gte=start)
    if end is not None:
        entries = entries.filter(entry_date__lte=end)
    return entries.order_by("-entry_date", "-id")


def with_running_balances(fund: Fund, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Give each of ``entries`` (consecutive in booking order, newest first, from
    ``ledger_entries``) its ``running_balance``: the fund's balance after it in booking order, the
    figure the statement's closing balance for its day agrees with. One query, however long the
    list.

    ``balance_after`` stays what the balance was when the entry was posted (``verify_ledger``
    checks that chain); the two differ only for an entry booked for an earlier day."""
    if not entries:
        return entries
    running = LedgerEntry.objects.filter(fund=fund).filter(booked_on_or_before(entries[0]))
    horizon = getattr(entries[0], "horizon", None)
    if horizon is not None:
        running = running.filter(id__lte=horizon)
    running = running.aggregate(s=MoneySum("amount"))["s"] or Decimal("0")
    for entry in entries:
        entry.running_balance = to_money(running)
        running -= entry.amount
    return entries


def with_counterparts(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Give each transfer entry among ``entries`` its ``counterpart``: the other fund's leg (so
    the ledger can say where the money went or came from). One query, however many."""
    ids = {entry.transfer_id for entry in entries if entry.transfer_id}
    legs = {}
    if ids:
        transfers = LedgerEntry.objects.filter(transfer_id__in=ids, kind=Kind.TRANSFER)
        for leg in transfers.select_related("fund"):
            legs.setdefault(leg.transfer_id, []).append(leg)
    for entry in entries:
        entry.counterpart = next(
            (leg for leg in legs.get(entry.transfer_id, []) if leg.fund_id != entry.fund_id), None
        )
    return entries


def balance_before(fund: Fund, day: datetime.date, horizon: int | None = None) -> Decimal:
    """The fund's balance at the start of ``day`` (everything booked before it; with
    ``horizon``, only entries up to that id, see ``ledger_entries``)."""
    entries = LedgerEntry.objects.filter(fund=fund, entry_date__lt=day)
    if horizon is not None:
        entries = entries.filter(id__lte=horizon)
    return to_money(entries.aggregate(s=MoneySum("amount"))["s"] or Decimal("0"))


def _is_english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def verify(fund: Fund) -> list[str]:
    """Problems with ``fund``'s books: the balance against the sum of its entries, and each
    entry's running balance against the one before it."""
    problems = []
    total = LedgerEntry.objects.filter(fund=fund).aggregate(s=MoneySum("amount"))["s"] or Decimal(
        "0"
    )
    if total != fund.balance:
        problems.append(f"{fund.code}: balance {fund.balance} but entries sum to {total}")
    running = Decimal("0")
    for pk, amount, after in (
        LedgerEntry.objects.filter(fund=fund)
        .order_by("posted_at", "id")
        .values_list("pk", "amount", "balance_after")
        .iterator(chunk_size=5000)
    ):
        running += amount
        if running != after:
            problems.append(
                f"{fund.code}: entry {pk} says {after} after posting, expected {running}"
            )
            running = after
        if after < 0:
            problems.append(f"{fund.code}: entry {pk} leaves a negative balance {after}")
    return problems


def reported_on(fund: Fund, day: datetime.date) -> list[str]:
    """What has already been published or reviewed about ``day`` of ``fund``'s books: a
    disclosure list (公示) or a fund review (经审) covering it. Money booked late for that day is
    in neither; the page says so (the books can be closed through a day to seal it)."""
    said = [
        _("the disclosure list %(title)s") % {"title": disclosure.title}
        for disclosure in fund.disclosures.filter(
            period_start__lte=day, period_end__gte=day, withdrawn_at__isnull=True
        )
    ]
    said += [
        _("the fund review of %(start)s–%(end)s")
        % {"start": review.period_start.isoformat(), "end": review.period_end.isoformat()}
        for review in fund.audits.filter(period_start__lte=day, period_end__gte=day)
    ]
    return said
