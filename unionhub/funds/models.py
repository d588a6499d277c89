"""Aid funds as a ledger: funds, append-only entries, donations, disbursements and their approvals,
public disclosures (公示) and fund reviews (经审).

A fund's ``balance`` moves only through ``funds/services.py``, in the same transaction as the ledger
entry and with the fund row locked; the database refuses a negative balance and (on PostgreSQL) any
change to a posted entry.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhub.cases.models import Attachment
from unionhub.core.models import AppendOnlyModel, AppendOnlyQuerySet
from unionhub.core.money import MoneyField, MoneySum, MoneySumSubquery, format_yuan

# Requests for the same worker from the same fund within these days count together when the
# number of approvers is decided: three requests of 2,000 need what one of 6,000 needs.
RELATED_DAYS = 30


def _scope(queryset, user, field: str, capability: str | None):
    from unionhub.core.access import Cap, access_for

    return queryset.filter(access_for(user).q(field, capability or Cap.VIEW))


# A payment above a fund's first tier, and every emergency advance, needs two approvers: while
# a fund's organisation has fewer on the system, those above it stand in (``decided_by``).
APPROVERS_AT_LEAST = 2


def approver_memberships():
    """The fund approvers on the system: active users holding the role at an active
    organisation. Who decides on a fund's payments is chosen among them
    (``funds.services.fund_approvers`` for one fund, ``Fund.objects.decided_by`` as a query)."""
    from unionhub.orgs.models import Membership

    return Membership.objects.filter(
        role=Membership.Role.FUND_APPROVER, user__is_active=True, organization__is_active=True
    )


class FundQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> FundQuerySet:
        return _scope(self, user, "organization__path", capability)

    def to_ask_for(self, user, case) -> FundQuerySet:
        """The funds ``user`` may ask to pay for ``case``: active, of their own organisations
        (an ancestor's fund is asked through a referral), paying for its category, and serving
        the worker (a fund of the worker's organisation or of one above it)."""
        from unionhub.core.access import Cap
        from unionhub.orgs.models import Organization

        path, step = case.worker.organization.path, Organization.steplen
        serving = [path[:end] for end in range(step, len(path) + 1, step)]
        return (
            self.visible_to(user, Cap.REQUEST_FUNDS)
            .filter(is_active=True, organization__path__in=serving)
            .paying_for(case.category)
            .order_by("name")
        )

    def decided_by(self, user) -> FundQuerySet:
        """The funds whose payments ``user`` approves, rejects and ratifies: those of each
        organisation where they are an approver, and of the organisations under it where fewer
        than ``APPROVERS_AT_LEAST`` approvers sit nearer the fund (at its own organisation or in
        between). The same rule as ``funds.services.fund_approvers``, as one query: a fund of an
        enterprise union with two approvers of its own is theirs alone, never the district's."""
        from unionhub.core.access import access_for
        from unionhub.orgs.models import Membership, Organization

        query, funds = Q(pk__in=[]), self
        access = access_for(user)  # the user's memberships, as loaded for the request
        paths = {g.path for g in access.grants if g.role == Membership.Role.FUND_APPROVER}
        if not (user.is_authenticated and user.is_active):
            paths = set()
        for index, path in enumerate(sorted(paths)):
            depth = len(path) // Organization.steplen
            # An approver at an organisation between this one and the fund's (or at the fund's
            # own) decides instead: a path that begins the fund organisation's path is above it.
            nearer = (
                approver_memberships()
                .filter(organization__depth__gt=depth, organization__path__startswith=path)
                .alias(
                    fund_path_head=Substr(
                        OuterRef("organization__path"), 1, Length("organization__path")
                    )
                )
                .filter(fund_path_head=F("organization__path"))
            )
            # Counted as people: while fewer than two decide nearer the fund, this level does.
            counted = (
                nearer.order_by()
                .values("role")
                .annotate(people=Count("user_id", distinct=True))
                .values("people")[:1]
            )
            name = f"approvers_nearer_{index}"
            funds = funds.alias(**{name: Coalesce(Subquery(counted), 0)})
            few = Q(**{f"{name}__lt": APPROVERS_AT_LEAST})
            query |= Q(organization__path__startswith=path) & few
        return funds.filter(query)

    def transfer_targets(self, user, source) -> FundQuerySet:
        """The funds ``user`` may move money into from ``source``: the other active funds they
        manage."""
        from unionhub.core.access import Cap

        return self.visible_to(user, Cap.MANAGE_FUNDS).filter(is_active=True).exclude(pk=source.pk)

    def paying_for(self, category) -> FundQuerySet:
        """Funds that may pay for ``category``: those that list it, and those that list no
        category at all (they pay for every category that allows payments)."""
        listed = Fund.allowed_categories.through.objects.filter(fund=OuterRef("pk"))
        return self.filter(Exists(listed.filter(servicecategory=category)) | ~Exists(listed))


class Fund(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="funds",
        verbose_name=_("owning organisation"),
    )
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.TextField(_("fund purpose"), blank=True)
    allowed_categories = models.ManyToManyField(
        "cases.ServiceCategory",
        blank=True,
        related_name="funds",
        verbose_name=_("may pay for"),
        help_text=_("Leave empty for every category that allows payments."),
    )
    balance = MoneyField(_("balance"), default=Decimal("0.00"), editable=False)
    # [{"up_to": "2000.00", "approvers": 1}, {"up_to": null, "approvers": 2}]: the first tier whose
    # limit the amount does not exceed gives the number of different approvers needed.
    approval_tiers = models.JSONField(_("approval tiers"), default=list)
    advance_cap = MoneyField(_("emergency advance cap"), default=Decimal("0.00"))
    advance_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="advance_funds",
        verbose_name=_("on-duty officers who may pay emergency advances"),
    )
    ratify_within_days = models.PositiveSmallIntegerField(
        _("ratify advances within (days)"), default=3
    )
    disclosure_working_days = models.PositiveSmallIntegerField(
        _("disclosure window (working days)"), default=5
    )
    closed_through = models.DateField(_("books closed through"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["organization__path", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="fund_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(advance_cap__gte=0), name="fund_advance_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_path(self) -> str:
        return self.organization.path

    @property
    def opened_on(self) -> datetime.date:
        """The day the fund was opened, in local time: nothing is booked or closed before it."""
        return timezone.localdate(self.created_at)

    @property
    def approval_rules(self) -> list[tuple[Decimal | None, int]]:
        """The tiers as ``(up to this amount or None for "above", approvers needed)``."""
        return [
            (
                None if tier.get("up_to") is None else Decimal(str(tier["up_to"])),
                int(tier.get("approvers", 1)),
            )
            for tier in self.approval_tiers or []
        ]

    def approvals_needed(self, amount: Decimal) -> int:
        for limit, approvers in self.approval_rules:
            if limit is None or amount <= limit:
                return approvers
        return 2

    def clean(self) -> None:
        """Approval tiers as operators type them in the admin: rising limits, each needing at
        least one approver, ending with an open tier ("above that") of at least two."""
        message = _(
            'Approval tiers: a list such as [{"up_to": "2000.00", "approvers": 1}, '
            '{"up_to": null, "approvers": 2}] with rising limits, ending with "up_to": null '
            "and at least 2 approvers."
        )
        try:
            rules = self.approval_rules
        except (AttributeError, TypeError, ValueError, KeyError, ArithmeticError):
            raise ValidationError({"approval_tiers": message}) from None
        limits = [limit for limit, _n in rules[:-1]]
        if (
            not rules
            or rules[-1][0] is not None
            or rules[-1][1] < 2
            or any(limit is None or limit <= 0 for limit in limits)
            or limits != sorted(set(limits))
            or any(n < 1 for _limit, n in rules)
        ):
            raise ValidationError({"approval_tiers": message})


class LedgerEntryQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user, capability: str | None = None) -> LedgerEntryQuerySet:
        return _scope(self, user, "fund__organization__path", capability)

    def described(self) -> LedgerEntryQuerySet:
        """With the rows a ledger line shows: the donor or beneficiary, ``description`` (the
        payment's category and request, what a reversal reverses) and who booked it."""
        return self.select_related(
            "donation",
            "disbursement__worker",
            "disbursement__category",
            "disbursement__case",
            "reverses__donation",
            "created_by",
        )


class LedgerEntry(AppendOnlyModel):
    """One posting. Money in is positive, money out negative; ``balance_after`` is the fund's
    balance once this entry was posted, in posting order (``verify_ledger`` checks that chain).
    Pages and statements go by ``entry_date``, the day it is booked for (see
    ``services.with_running_balances``)."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("Donation")
        DISBURSEMENT = "disbursement", _("Disbursement")
        TRANSFER = "transfer", _("Transfer")
        REVERSAL = "reversal", _("Reversal")

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = MoneyField(_("amount"))
    balance_after = MoneyField(_("balance after"))
    entry_date = models.DateField(_("booked on"))
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    donation = models.ForeignKey(
        "Donation", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    disbursement = models.ForeignKey(
        "Disbursement", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    transfer_id = models.UUIDField(_("transfer"), null=True, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["posted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_balance_after_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="donation") | Q(amount__gt=0), name="ledger_donation_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind="disbursement") | Q(amount__lt=0),
                name="ledger_disbursement_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "entry_date", "id"], name="ledger_fund_date_idx"),
            models.Index(fields=["fund", "posted_at", "id"], name="ledger_fund_posted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.entry_date} {format_yuan(self.amount)}"

    @property
    def scope_path(self) -> str:
        return self.fund.organization.path

    @property
    def kind_label(self) -> str:
        """The entry's kind as a ledger shows it: money allotted by a higher union or the public
        budget says so, instead of "Donation"."""
        if self.kind == self.Kind.DONATION and self.donation_id and self.donation.is_funding:
            return self.donation.get_donor_kind_display()
        return self.get_kind_display()

    @property
    def noun(self) -> str:
        """What the entry is, as a word inside a sentence ("reverses the disbursement of …"):
        the lowercase verbose name of what it books."""
        if self.kind == self.Kind.DONATION and self.donation_id and self.donation.is_funding:
            return str(Donation.FUNDING_NOUNS[self.donation.donor_kind])
        nouns = {
            self.Kind.DONATION: Donation._meta.verbose_name,
            self.Kind.DISBURSEMENT: Disbursement._meta.verbose_name,
            self.Kind.TRANSFER: LedgerEntry._meta.get_field("transfer_id").verbose_name,
            self.Kind.REVERSAL: _("reversal"),
        }
        return str(nouns.get(self.kind, self.kind))

    @property
    def description(self) -> str:
        """What the entry is, in the reader's language: a payment's category and request number,
        the other fund of a transfer (``counterpart``, set by ``services.with_counterparts``),
        what a reversal reverses; else the memo. The related rows should be selected with it."""
        if self.reverses_id:
            text = _("reverses the %(kind)s of %(date)s") % {
                "kind": self.reverses.noun,
                "date": self.reverses.entry_date.isoformat(),
            }
            from unionhub.core.templatetags.unionhub import colon

            return f"{text}{colon()}{self.memo}" if self.memo else text
        if self.disbursement_id:
            payment = self.disbursement
            parts = [str(payment.category.label)]
            if payment.case_id:
                parts.append(payment.case.reference)
            return " · ".join(parts)
        counterpart = getattr(self, "counterpart", None)
        if counterpart is not None:
            where = _("to %(fund)s") if self.amount < 0 else _("from %(fund)s")
            text = where % {"fund": counterpart.fund.name}
            return f"{text} · {self.memo}" if self.memo else text
        return self.memo


class DonationQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> DonationQuerySet:
        return _scope(self, user, "fund__organization__path", capability)

    def with_reversal(self) -> DonationQuerySet:
        """Each donation with ``reversed_at`` and ``reversal_memo`` when its entry was reversed
        (a receipt then is void), in the same query."""
        reversal = LedgerEntry.objects.filter(
            kind=LedgerEntry.Kind.REVERSAL, reverses__donation=OuterRef("pk")
        )
        return self.annotate(
            reversed_at=models.Subquery(reversal.values("posted_at")[:1]),
            reversal_memo=models.Subquery(reversal.values("memo")[:1]),
        )


class Donation(models.Model):
    """Money a fund receives: a gift (from a person, an enterprise, or anonymous), thanked for
    with a donation receipt; or money allotted to it, an allocation from a higher union
    (上级工会拨款) or a grant from the public budget (财政补助), booked with a record of receipt
    and listed on a public notice as a source of funds, not as a donor."""

    class DonorKind(models.TextChoices):
        PERSON = "person", _("Person")
        ENTERPRISE = "enterprise", _("Enterprise")
        ANONYMOUS = "anonymous", _("Anonymous")
        ALLOCATION = "allocation", _("Allocation from a higher union")
        GRANT = "grant", _("Public grant")

    # Allotted, not given: no donor to thank, and a public body named in full.
    FUNDING_KINDS = (DonorKind.ALLOCATION, DonorKind.GRANT)
    # Each as a word inside a sentence ("reverses the allocation of …").
    FUNDING_NOUNS = {DonorKind.ALLOCATION: _("allocation"), DonorKind.GRANT: _("grant")}

    class Channel(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank_transfer", _("Bank transfer")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        PAYROLL = "payroll", _("Payroll deduction")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="donations", verbose_name=_("fund")
    )
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    donor_kind = models.CharField(_("source"), max_length=12, choices=DonorKind.choices)
    donor_name = models.CharField(_("donor's or sender's name"), max_length=100, blank=True)
    donor_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("donor enterprise"),
    )
    amount = MoneyField(_("amount"))
    channel = models.CharField(_("received through"), max_length=14, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    collection = models.CharField(_("collection"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    idempotency_key = models.CharField(max_length=120, unique=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
        ]
        indexes = [models.Index(fields=["fund", "received_on"], name="donation_fund_date_idx")]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def scope_path(self) -> str:
        return self.fund.organization.path

    @property
    def is_funding(self) -> bool:
        """An allocation from a higher union or a public grant, not a gift."""
        return self.donor_kind in self.FUNDING_KINDS

    @property
    def public_donor(self) -> str:
        """How the donor appears on a public list: enterprises and the bodies that allot money
        by name, people masked, anonymous donors anonymous."""
        from unionhub.core.masking import mask_name

        if self.donor_kind == self.DonorKind.ANONYMOUS:
            return str(_("Anonymous"))
        if self.donor_kind == self.DonorKind.ENTERPRISE or self.is_funding:
            return self.donor_name
        return mask_name(self.donor_name)


class DisbursementQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> DisbursementQuerySet:
        return _scope(self, user, "fund__organization__path", capability)

    def unratified_advances(self) -> DisbursementQuerySet:
        return self.filter(
            is_advance=True, status=Disbursement.Status.PAID, ratified_at__isnull=True
        )

    def open(self) -> DisbursementQuerySet:
        """Asked for and not yet paid: waiting for approval, or approved and waiting to be paid."""
        return self.filter(status__in=Disbursement.OPEN_STATUSES)

    def with_recent_total(self) -> DisbursementQuerySet:
        """Each payment with ``recent_total``: what its worker has asked for from its fund in the
        ``RELATED_DAYS`` up to it, itself included, as things stand now (requests since
        rejected, cancelled or reversed left out). One subquery, however many rows."""
        mark = OuterRef("requested_at")
        before = Q(requested_at__lt=mark) | Q(requested_at=mark, pk__lt=OuterRef("pk"))
        window = Q(requested_at__gte=mark - datetime.timedelta(days=RELATED_DAYS)) & before
        counted = (
            Disbursement.objects.filter(fund=OuterRef("fund"), worker=OuterRef("worker"))
            .filter(Q(pk=OuterRef("pk")) | (window & ~Q(status__in=Disbursement.VOID_STATUSES)))
            .order_by()
            .values("worker")
            .annotate(total=MoneySum("amount"))
            .values("total")
        )
        return self.annotate(recent_total=MoneySumSubquery(counted))


class Disbursement(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("payment status", "Requested")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", pgettext_lazy("payment status", "Rejected")
        CANCELLED = "cancelled", pgettext_lazy("payment status", "Cancelled")
        REVERSED = "reversed", _("Reversed")

    # Asked for and not yet paid.
    OPEN_STATUSES = (Status.REQUESTED, Status.APPROVED)
    # Turned down, withdrawn or paid back: no money is asked for any more.
    VOID_STATUSES = (Status.REJECTED, Status.CANCELLED, Status.REVERSED)

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank_transfer", _("Bank transfer")
        IN_KIND = "in_kind", _("In kind")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("fund")
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        verbose_name=_("request"),
    )
    worker = models.ForeignKey(
        "workers.Worker",
        on_delete=models.PROTECT,
        related_name="disbursements",
        verbose_name=_("beneficiary"),
    )
    category = models.ForeignKey(
        "cases.ServiceCategory",
        on_delete=models.PROTECT,
        related_name="disbursements",
        verbose_name=_("category"),
    )
    amount = MoneyField(_("amount"))
    # Set when asked for: the fund's approval tiers applied to this amount together with what the
    # same worker was asked for from the fund in the days before (``RELATED_DAYS``), so that a
    # payment split into small ones still needs the approvers a single one would.
    approvals_required = models.PositiveSmallIntegerField(_("approvals needed"), default=1)
    combined_amount = MoneyField(_("amount the approval tier was chosen by"), null=True, blank=True)
    method = models.CharField(_("payment method"), max_length=14, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    is_advance = models.BooleanField(_("emergency advance"), default=False)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by"),
    )
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    closed_reason = models.CharField(
        _("reason for rejection or cancellation"), max_length=300, blank=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rejected or cancelled by"),
    )
    closed_at = models.DateTimeField(_("rejected or cancelled at"), null=True, blank=True)
    ratify_due_at = models.DateTimeField(_("ratify by"), null=True, blank=True)
    ratified_at = models.DateTimeField(_("ratified at"), null=True, blank=True)
    # An approver refused to ratify the advance: nobody may ratify it any more; it was reported
    # to the parent organisation and stays on every report until the payment is reversed.
    ratification_refused_at = models.DateTimeField(
        _("ratification refused at"), null=True, blank=True
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True, null=True, blank=True)

    objects = DisbursementQuerySet.as_manager()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(paid_at__gte=F("requested_at")),
                name="disbursement_paid_after_request",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-urgent", "requested_at"], name="disb_queue_idx"),
            models.Index(fields=["fund", "paid_at"], name="disb_fund_paid_idx"),
            models.Index(fields=["worker", "-requested_at"], name="disb_worker_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fund} · {self.worker} · {format_yuan(self.amount)}"

    @property
    def combined_with_earlier(self) -> bool:
        """Whether earlier requests for the worker decided how many approvers this one needs."""
        return self.combined_amount is not None and self.combined_amount > self.amount

    @property
    def scope_path(self) -> str:
        return self.fund.organization.path

    @property
    def is_unratified(self) -> bool:
        return self.is_advance and self.status == self.Status.PAID and self.ratified_at is None

    @property
    def paid_by_requester(self) -> bool:
        """Asked for and recorded as paid by the same person: allowed (a small union may have
        one officer for both), but a review should see it. Not said of an emergency advance:
        the officer who pays it asks for it by design, and two approvers ratify it instead."""
        return (
            not self.is_advance
            and self.paid_by_id is not None
            and self.paid_by_id == self.requested_by_id
        )


class Approval(AppendOnlyModel):
    """An approver's decision on a request, or their ratification of an emergency advance."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", pgettext_lazy("payment decision", "Reject")

    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, related_name="approvals"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    is_ratification = models.BooleanField(_("ratifies an advance"), default=False)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["disbursement", "approver", "is_ratification"], name="approval_once_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} {self.decision}"


class DisclosureQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> DisclosureQuerySet:
        return _scope(self, user, "fund__organization__path", capability)

    def showing(self, now=None) -> DisclosureQuerySet:
        """Published and inside their window: what the public link shows."""
        now = now or timezone.now()
        return self.filter(published_at__lte=now, window_ends_at__gt=now, withdrawn_at__isnull=True)

    def overlapping(self, disclosure) -> DisclosureQuerySet:
        """The fund's other disclosures, not taken down, whose periods share a day with it."""
        return self.filter(
            fund_id=disclosure.fund_id,
            period_start__lte=disclosure.period_end,
            period_end__gte=disclosure.period_start,
            withdrawn_at__isnull=True,
        ).exclude(pk=disclosure.pk)


class Disclosure(models.Model):
    """A published list (公示) of a fund's beneficiaries and donors for a period."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("fund")
    )
    title = models.CharField(_("title"), max_length=150)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    published_at = models.DateTimeField(_("published at"))
    window_ends_at = models.DateTimeField(_("shown until"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("taken down at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken down by"),
    )
    withdrawn_reason = models.CharField(_("why it was taken down"), max_length=300, blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_path(self) -> str:
        return self.fund.organization.path

    def is_showing(self, now=None) -> bool:
        now = now or timezone.now()
        return self.withdrawn_at is None and self.published_at <= now < self.window_ends_at


class DisclosureLine(models.Model):
    """One line of a published list, frozen at publication (names already masked)."""

    class Kind(models.TextChoices):
        BENEFICIARY = "beneficiary", _("Beneficiary")
        DONOR = "donor", _("Donor")
        # An allocation from a higher union or a public grant: a source of funds, named in
        # full with its kind in ``category``, listed apart from the donors.
        FUNDING = "funding", _("Source of funds")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=50, blank=True)
    amount = MoneyField(_("amount"))
    on = models.DateField(_("date"))

    class Meta:
        ordering = ["kind", "on", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class DisclosureObjection(models.Model):
    """An objection received while a list was public (异议), and how it was handled."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="objections")
    received_at = models.DateTimeField(_("received at"))
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    content = models.TextField(_("objection"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handling = models.TextField(_("how it was handled"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    handled_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return self.content[:40]


class FundAuditQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> FundAuditQuerySet:
        return _scope(self, user, "fund__organization__path", capability)


class FundAudit(models.Model):
    """A fund review (经审) of one fund's period: a seeded random sample of its disbursements, a
    checklist per sampled payment, findings and their rectification, and a closing report."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        CLOSED = "closed", _("Closed")

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="audits", verbose_name=_("fund")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    share = models.DecimalField(_("share sampled"), max_digits=4, decimal_places=2)
    seed = models.BigIntegerField(_("random seed"))
    population = models.PositiveIntegerField(_("payments in the period"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    objects = FundAuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund review")
        verbose_name_plural = _("fund reviews")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1), name="audit_share_between_0_and_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.period_start}–{self.period_end}"

    @property
    def scope_path(self) -> str:
        return self.fund.organization.path


class AuditItem(models.Model):
    """One sampled payment and its checklist."""

    CHECKS = {
        "approvals": _("Approved by the required number of approvers, none of them the requester"),
        "eligibility": _("The beneficiary and the category fit the fund's purpose"),
        "evidence": _("Evidence on file (application, receipt or bank slip)"),
        "amount": _("The amount paid matches the amount approved"),
    }

    audit = models.ForeignKey(FundAudit, on_delete=models.CASCADE, related_name="items")
    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, related_name="audit_items"
    )
    checks = models.JSONField(_("checklist"), default=dict)
    evidence_note = models.TextField(_("evidence seen"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "disbursement"], name="audit_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.audit_id}: {self.disbursement_id}"

    @property
    def passed(self) -> bool | None:
        if self.checked_at is None:
            return None
        return all(self.checks.get(key) for key in self.CHECKS)


def evidence_path(instance: AuditEvidence, filename: str) -> str:
    # A random name: nothing guessable, no personal data in the path.
    return f"reviews/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class AuditEvidence(models.Model):
    """A photo or PDF of what a reviewer saw for a sampled payment (the voucher, a signed
    receipt, the application), checked by its content as a request's files are, stored under
    a random name and served only to those who may see the review."""

    Kind = Attachment.Kind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(
        AuditItem,
        on_delete=models.PROTECT,
        related_name="evidence_files",
        verbose_name=_("sampled payment"),
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=50)
    original_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("review evidence file")
        verbose_name_plural = _("review evidence files")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class AuditFinding(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", _("Minor")
        MEDIUM = "medium", _("Significant")
        HIGH = "high", _("Serious")

    audit = models.ForeignKey(FundAudit, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        AuditItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    description = models.TextField(_("finding"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rectification owner"),
    )
    deadline = models.DateField(_("rectify by"))
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectification = models.TextField(_("what was done"), blank=True)
    # Who typed the rectification in: its owner, or a reviewer on the owner's behalf.
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rectification recorded by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def overdue_days(self) -> int:
        """Days past the deadline while not rectified (0 when not overdue)."""
        if self.rectified_at is not None:
            return 0
        return max((timezone.localdate() - self.deadline).days, 0)

    @property
    def rectified_for_owner(self) -> bool:
        """Recorded by someone other than its owner, on the owner's behalf."""
        return self.rectified_by_id is not None and self.rectified_by_id != self.owner_id

    @property
    def late_days(self) -> int:
        """Days past the deadline it was rectified on (0 when on time or not yet rectified): a
        late rectification stays on the report as late."""
        if self.rectified_at is None:
            return 0
        return max((timezone.localdate(self.rectified_at) - self.deadline).days, 0)
