"""Demo funds (``seed_demo``): the enterprise assistance fund with the founder's donation and the
employees' collection, the district hardship fund, the scholarship fund, and a year of flows —
the 300,000-yuan payment after the fire among them.

History is written directly with its own dates (the services stamp "now"), entry by entry in date
order per fund, so every running balance is what the services would have produced;
``verify_ledger`` passes on it.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhub.cases.models import Case, CaseEvent, ServiceCategory
from unionhub.core.calendar import add_working_days
from unionhub.core.i18n import system_line
from unionhub.core.masking import mask_name
from unionhub.core.models import AuditEntry
from unionhub.core.money import format_yuan
from unionhub.enterprises.models import Enterprise
from unionhub.funds.models import (
    Approval,
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
from unionhub.funds.services import PAID_MESSAGE, draw_sample, entry_reverse, payment_memo
from unionhub.orgs.models import Organization

NS = uuid.UUID("0c5f7c1a-3d3e-4c8e-9f1a-6a8b2b7e4d10")
TIERS = [{"up_to": "2000.00", "approvers": 1}, {"up_to": None, "approvers": 2}]


def aware(y, m, d, hh=9, mm=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(y, m, d, hh, mm))


@dataclass
class Book:
    """A fund's history in memory: postings are applied in date order when saved."""

    fund: Fund
    postings: list[tuple] = field(
        default_factory=list
    )  # (posted_at, kind, amount, links, memo, by)

    def add(self, at, kind, amount, by, memo="", **links) -> None:
        self.postings.append((at, kind, Decimal(amount), links, memo, by))


class FundSeeder:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.rng = ctx.random.rng
        self.now = timezone.now()
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(username__in=[
            "hs_admin", "hs_finance", "hs_approver1", "hs_approver2", "hs_auditor", "hz_chair",
            "hz_approver1", "hz_approver2", "hz_auditor", "admin",
        ])}  # fmt: skip
        self.categories = {c.code: c for c in ServiceCategory.objects.all()}
        self.key = 0
        self.donations: list[Donation] = []
        self.disbursements: list[Disbursement] = []
        self.approvals: list[Approval] = []
        self.events: list[CaseEvent] = []
        self.receipts: dict[tuple, int] = {}
        self.trail: list[tuple] = []  # (at, actor, action, target, data): the audit log's lines

    def log(self, at, actor, action, target, **data) -> None:
        """The audit line the service would have written at ``at`` (saved with the rows)."""
        self.trail.append((at, actor, action, target, data))

    def next_key(self, prefix: str) -> str:
        self.key += 1
        return f"demo:{prefix}:{self.key}"

    def fund(self, *, code, name, org, purpose, categories, advance_cap, officers, opened) -> Fund:
        fund = Fund.objects.create(
            organization=org, code=code, name=name, purpose=purpose, approval_tiers=TIERS,
            advance_cap=Decimal(advance_cap), ratify_within_days=3, disclosure_working_days=5,
        )  # fmt: skip
        # Opened before its history: no donation is booked before a fund's opening.
        fund.created_at = opened
        Fund.objects.filter(pk=fund.pk).update(created_at=opened)
        fund.allowed_categories.set([self.categories[c] for c in categories])
        fund.advance_officers.set([self.users[u] for u in officers])
        return fund

    def donate(self, book: Book, *, on, amount, by, kind="person", name="", enterprise=None,
               channel="bank_transfer", collection="") -> Donation:  # fmt: skip
        year = on.year
        number = self.receipts.get((book.fund.code, year), 0) + 1
        self.receipts[(book.fund.code, year)] = number
        donation = Donation(
            public_id=uuid.uuid5(NS, f"donation-{book.fund.code}-{year}-{number}"),
            fund=book.fund,
            receipt_number=f"{book.fund.code.upper()}-{year}-{number:06d}",
            donor_kind=kind,
            donor_name=""
            if kind == "anonymous"
            else (name or (enterprise.name if enterprise else "")),
            donor_enterprise=enterprise,
            amount=Decimal(amount),
            channel=channel,
            received_on=on,
            collection=collection,
            recorded_by=by,
            recorded_at=aware(on.year, on.month, on.day, 10, 0),
            idempotency_key=self.next_key("donation"),
        )
        self.donations.append(donation)
        self.log(donation.recorded_at, by, "funds.donation.recorded", donation,
                 fund=book.fund.code, amount=str(donation.amount),
                 receipt=donation.receipt_number)  # fmt: skip
        book.add(donation.recorded_at, "donation", amount, by, memo=donation.receipt_number,
                 donation=donation)  # fmt: skip
        return donation

    def pay(self, book: Book, *, worker, category, amount, requested_at, requester, approvers,
            paid_at, payer, reason, case=None, method="bank_transfer", urgent=False,
            advance=False, ratified_by=(), status="paid") -> Disbursement:  # fmt: skip
        if advance:
            requested_at = paid_at  # paid as it is asked for, as emergency_advance does
        d = Disbursement(
            public_id=uuid.uuid5(NS, f"disbursement-{self.key + 1}"),
            fund=book.fund, case=case, worker=worker, category=category, amount=Decimal(amount),
            method=method, urgent=urgent, is_advance=advance, reason=reason,
            requested_by=requester, requested_at=requested_at, status=status,
        )  # fmt: skip
        self.key += 1
        if not advance:
            self.log(requested_at, requester, "funds.disbursement.requested", d,
                     fund=book.fund.code, amount=str(d.amount), urgent=urgent)  # fmt: skip
        needed = d.approvals_required = 2 if advance else book.fund.approvals_needed(d.amount)
        d.combined_amount = d.amount
        for index, (approver, at) in enumerate(approvers):
            self.approvals.append(Approval(disbursement=d, approver=approver, decision="approve",
                                           comment="同意" if index else "情况属实，同意", decided_at=at))  # fmt: skip
            self.log(at, approver, "funds.disbursement.approved", d, approvals=index + 1,
                     needed=needed)  # fmt: skip
        if approvers and not advance:
            d.approved_at = approvers[-1][1]
        if case is not None and not advance:
            money = {"amount": format_yuan(d.amount), "fund": book.fund.name}
            self.events.append(CaseEvent(
                case=case, kind=CaseEvent.Kind.AID, created_at=requested_at, actor=requester,
                **system_line(lambda: _("Requested %(amount)s from %(fund)s.") % money),
            ))  # fmt: skip
            if d.approved_at:
                self.events.append(CaseEvent(
                    case=case, kind=CaseEvent.Kind.AID, created_at=d.approved_at,
                    actor=approvers[-1][0],
                    **system_line(
                        lambda: _("%(amount)s from %(fund)s approved; it can be paid.") % money
                    ),
                ))  # fmt: skip
        if status == "paid":
            d.paid_at, d.paid_by = paid_at, payer
            # The voucher's number: a bank slip (回单), a signed receipt (收据) or delivery note.
            prefix = {"cash": "SJ", "in_kind": "LY"}.get(method, "HD")
            d.payment_reference = f"{prefix}{paid_at:%Y%m%d}{self.rng.randrange(10**6):06d}"
            book.add(paid_at, "disbursement", -Decimal(amount), payer,
                     memo=payment_memo(d), disbursement=d)  # fmt: skip
            if not advance:
                self.log(paid_at, payer, "funds.disbursement.paid", d, amount=str(d.amount))
            if case is not None:
                self.events.append(CaseEvent(
                    case=case, kind=CaseEvent.Kind.PAYMENT, created_at=paid_at, actor=payer,
                    **system_line(lambda: _("Paid %(amount)s from %(fund)s (%(method)s).") % {
                        "amount": format_yuan(d.amount), "fund": book.fund.name,
                        "method": d.get_method_display(),
                    }),
                    public_message=PAID_MESSAGE, public_params={"amount": format_yuan(d.amount)},
                    data={"disbursement": str(d.public_id)},
                ))  # fmt: skip
        if advance:
            d.ratify_due_at = paid_at + datetime.timedelta(days=book.fund.ratify_within_days)
            self.log(paid_at, payer, "funds.disbursement.advanced", d, amount=str(d.amount),
                     ratify_by=d.ratify_due_at.isoformat())  # fmt: skip
            for index, (approver, at) in enumerate(ratified_by):
                self.approvals.append(Approval(disbursement=d, approver=approver,
                                               decision="approve", is_ratification=True,
                                               comment="事后追认", decided_at=at))  # fmt: skip
                self.log(at, approver, "funds.disbursement.ratified", d, complete=index >= 1)
            if len(ratified_by) >= 2:
                d.ratified_at = ratified_by[-1][1]
        self.disbursements.append(d)
        return d

    def save(self, books: list[Book]) -> None:
        Donation.objects.bulk_create(self.donations, batch_size=1000)
        Disbursement.objects.bulk_create(self.disbursements, batch_size=1000)
        Approval.objects.bulk_create(self.approvals, batch_size=1000)
        CaseEvent.objects.bulk_create(self.events, batch_size=1000)
        entries = []
        for book in books:
            balance = Decimal("0.00")
            for at, kind, amount, links, memo, by in sorted(book.postings, key=lambda p: p[0]):
                balance += amount
                assert balance >= 0, (book.fund.code, at, balance)
                entries.append(LedgerEntry(
                    fund=book.fund, kind=kind, amount=amount, balance_after=balance,
                    entry_date=timezone.localtime(at).date(), posted_at=at, memo=memo[:200],
                    idempotency_key=self.next_key("entry"), created_by=by, **links,
                ))  # fmt: skip
            book.fund.balance = balance
            book.fund.save(update_fields=["balance"])
        LedgerEntry.objects.bulk_create(entries, batch_size=2000)

    def save_trail(self) -> None:
        """The audit lines of the history, each at its own time, with the label and organisation
        ``core.audit.record`` gives; a paid line carries the fund's balance after it."""
        after = {
            e.disbursement_id: e.balance_after
            for e in LedgerEntry.objects.filter(kind="disbursement", disbursement__isnull=False)
        }
        types: dict[type, ContentType] = {}
        rows = []
        for at, actor, action, target, data in self.trail:
            if action == "funds.disbursement.paid":
                data = {**data, "balance": str(after.get(target.pk, ""))}
            model = type(target)
            types.setdefault(model, ContentType.objects.get_for_model(model))
            rows.append(AuditEntry(
                created_at=at, actor=actor, action=action, target_type=types[model],
                target_id=str(target.pk), target_label=str(target)[:200],
                organization=target.fund.organization, data=data,
            ))  # fmt: skip
        AuditEntry.objects.bulk_create(rows, batch_size=1000)
        self.trail = []


def seed(ctx) -> None:
    if Fund.objects.filter(code="hz-ygfz").exists():
        ctx.report(f"funds: already there ({Fund.objects.count()})")
        return
    s = FundSeeder(ctx)
    u = s.users
    rng = s.rng
    hz_union = Organization.objects.get(name="无锡华锦重工机械集团有限公司工会")
    district = Organization.objects.get(kind=Organization.Kind.DISTRICT)
    hz = Book(s.fund(
        code="hz-ygfz", name="华锦重工员工扶助基金", org=hz_union,
        purpose="公司拨付与员工自愿捐款设立，用于员工及家庭遭遇突发灾害、重病、意外时的救助。",
        categories=["emergency_aid", "hardship_relief", "medical_aid"], advance_cap="20000.00",
        officers=["hz_chair"], opened=aware(2025, 1, 2),
    ))  # fmt: skip
    hs = Book(s.fund(
        code="hs-knbf", name="惠山区困难职工帮扶资金", org=district,
        purpose="市总工会下拨与区财政配套，用于困难职工生活救助、医疗救助和突发困难救助。",
        categories=["hardship_relief", "medical_aid", "emergency_aid"], advance_cap="20000.00",
        officers=["hs_admin"], opened=aware(2025, 1, 2),
    ))  # fmt: skip
    jq = Book(s.fund(
        code="hs-jqzx", name="惠山区金秋助学基金", org=district,
        purpose="企业和社会各界捐赠，资助困难职工子女升学。", categories=["scholarship"],
        advance_cap="0.00", officers=[], opened=aware(2026, 6, 15),
    ))  # fmt: skip
    huajin = Enterprise.objects.get(name="无锡华锦重工机械集团有限公司")

    # Money in: the company's yearly contribution, the district's allocations, enterprise donors.
    s.donate(hz, on=datetime.date(2025, 1, 6), amount="500000.00", by=u["hz_chair"],
             kind="enterprise", enterprise=huajin, collection="2025年度公司拨付")  # fmt: skip
    s.donate(hz, on=datetime.date(2026, 1, 5), amount="500000.00", by=u["hz_chair"],
             kind="enterprise", enterprise=huajin, collection="2026年度公司拨付")  # fmt: skip
    # The district fund's money comes from above: the city federation's yearly allocation
    # (上级工会拨款) and the district budget's matching grant (财政补助), each booked with a record
    # of receipt and named on the public notice as a source of funds, not as a donor.
    s.donate(hs, on=datetime.date(2025, 1, 15), amount="1800000.00", by=u["hs_admin"],
             kind="allocation", name="无锡市总工会", collection="2025年困难职工帮扶资金下拨")  # fmt: skip
    s.donate(hs, on=datetime.date(2026, 1, 14), amount="2000000.00", by=u["hs_admin"],
             kind="allocation", name="无锡市总工会", collection="2026年困难职工帮扶资金下拨")  # fmt: skip
    s.donate(hs, on=datetime.date(2026, 10, 16), amount="600000.00", by=u["hs_admin"],
             kind="grant", name="无锡市惠山区财政局", collection="2026年区级困难职工帮扶配套资金")  # fmt: skip
    donors = list(Enterprise.objects.filter(size_class__in=["medium", "large"]).order_by("name"))
    for index, enterprise in enumerate(donors):
        s.donate(jq, on=datetime.date(2026, 7, 1 + index * 3), by=u["hs_admin"],
                 amount=f"{rng.choice([20000, 30000, 50000, 80000]):.2f}", kind="enterprise",
                 enterprise=enterprise, collection="2026年金秋助学企业捐赠")  # fmt: skip
    s.donate(jq, on=datetime.date(2026, 7, 20), amount="5000.00", by=u["hs_admin"],
             kind="anonymous", channel="cash", collection="2026年金秋助学")  # fmt: skip

    # The fire (2025-12-08 22:00): an advance at once, 300,000 the next morning.
    fire = Case.objects.get(summary__startswith="家中突发火灾")
    fire_part = Case.objects.get(parent=fire)
    night = aware(2025, 12, 8, 22, 0)
    s.pay(hz, worker=fire.worker, category=s.categories["emergency_aid"], amount="20000.00",
          case=fire, requested_at=night + datetime.timedelta(minutes=75), requester=u["hz_chair"],
          approvers=[], paid_at=night + datetime.timedelta(minutes=78), payer=u["hz_chair"],
          reason="火灾受伤住院，垫付医院押金。", method="cash", urgent=True, advance=True,
          ratified_by=[(u["hz_approver1"], aware(2025, 12, 9, 8, 40)),
                       (u["hz_approver2"], aware(2025, 12, 9, 9, 5))])  # fmt: skip
    founder = s.donate(hz, on=datetime.date(2025, 12, 9), amount="100000.00", by=u["hz_chair"],
                       name="许国华", collection="火灾救助专项捐款")  # fmt: skip
    founder.recorded_at = aware(2025, 12, 9, 8, 10)
    hz.postings[-1] = (founder.recorded_at, *hz.postings[-1][1:])
    s.pay(hz, worker=fire.worker, category=s.categories["emergency_aid"], amount="300000.00",
          case=fire, requested_at=night + datetime.timedelta(minutes=95), requester=u["hz_chair"],
          approvers=[(u["hz_approver1"], night + datetime.timedelta(minutes=118)),
                     (u["hz_approver2"], aware(2025, 12, 9, 0, 6))],
          paid_at=aware(2025, 12, 9, 10, 30), payer=u["hz_chair"], urgent=True,
          reason="家中火灾，本人烧伤住院，房屋财物损毁；创始人捐款、员工募捐与扶助基金共同救助。")  # fmt: skip
    # 1,200 employees give small amounts over the following days.
    for i in range(1200):
        day = datetime.date(2025, 12, 9 + (i * 5) // 1200)
        amount = rng.choice([20, 50, 50, 100, 100, 100, 200, 200, 500])
        d = s.donate(hz, on=day, amount=f"{amount}.00", by=u["hz_chair"],
                     kind="anonymous" if rng.random() < 0.3 else "person",
                     name=ctx.random.name(rng.choice(["male", "female"])), channel="wechat",
                     collection="2025年12月员工爱心募捐")  # fmt: skip
        d.recorded_at = aware(day.year, day.month, day.day, 12, i % 60)
        hz.postings[-1] = (d.recorded_at, *hz.postings[-1][1:])
    s.pay(hs, worker=fire.worker, category=s.categories["emergency_aid"], amount="50000.00",
          case=fire_part, requested_at=aware(2025, 12, 9, 11, 0), requester=u["hs_admin"],
          approvers=[(u["hs_approver1"], aware(2025, 12, 9, 11, 40)),
                     (u["hs_approver2"], aware(2025, 12, 9, 13, 15))],
          paid_at=aware(2025, 12, 9, 16, 0), payer=u["hs_finance"], urgent=True,
          reason="企业工会先行救助后，申请区困难职工帮扶资金大额救助。")  # fmt: skip

    # A year of ordinary payments against the demo requests.
    paying = (
        Case.objects.filter(category__code__in=["hardship_relief", "medical_aid", "scholarship"],
                            status__in=["resolved", "closed"], resolved_at__isnull=False)
        .exclude(pk__in=[fire.pk, fire_part.pk])
        .select_related("worker", "category", "organization")
        .order_by("submitted_at")
    )  # fmt: skip
    for case in paying:
        if rng.random() > 0.55:
            continue
        code = case.category.code
        in_huajin = case.owner_path.startswith(hz_union.path)
        book = jq if code == "scholarship" else (hz if in_huajin and rng.random() < 0.7 else hs)
        base = {"hardship_relief": (800, 6000), "medical_aid": (1000, 15000), "scholarship": (2000, 5000)}[code]  # fmt: skip
        amount = rng.randrange(base[0] // 100, base[1] // 100 + 1) * 100
        requester = u["hz_chair"] if book is hz else u["hs_admin"]
        # The district's payments are recorded by its finance officer; the enterprise union's
        # chair asks for and records its own (a small union's way; its review flags them).
        payer = requester if book is hz else u["hs_finance"]
        pair = ("hz_approver1", "hz_approver2") if book is hz else ("hs_approver1", "hs_approver2")
        asked = case.accepted_at or case.submitted_at
        requested_at = asked + datetime.timedelta(hours=rng.randrange(1, 30))
        approvals = [(u[pair[0]], requested_at + datetime.timedelta(hours=rng.randrange(1, 20)))]
        if amount > 2000:
            approvals.append(
                (u[pair[1]], approvals[0][1] + datetime.timedelta(hours=rng.randrange(1, 20)))
            )
        paid_at = approvals[-1][1] + datetime.timedelta(hours=rng.randrange(2, 48))
        if paid_at > case.resolved_at + datetime.timedelta(days=20) or paid_at > s.now:
            continue
        if book is jq and paid_at.date() < datetime.date(2026, 7, 20):
            continue  # the scholarship fund pays after the summer collection
        s.pay(book, worker=case.worker, category=case.category, amount=f"{amount}.00", case=case,
              requested_at=requested_at, requester=requester, approvers=approvals,
              paid_at=paid_at, payer=payer, reason=case.summary)  # fmt: skip

    # Waiting now: an urgent request and an ordinary one; and a recent unratified advance.
    open_cases = list(
        Case.objects.filter(status__in=["accepted", "in_progress"],
                            category__code__in=["hardship_relief", "medical_aid"])
        .select_related("worker", "category").order_by("-submitted_at")[:3]
    )  # fmt: skip
    for index, case in enumerate(open_cases):
        in_huajin = case.owner_path.startswith(hz_union.path)
        book = hz if in_huajin else hs
        requester = u["hz_chair"] if in_huajin else u["hs_admin"]
        s.pay(book, worker=case.worker, category=case.category, case=case,
              amount="8000.00" if index == 0 else "1500.00", requested_at=s.now - datetime.timedelta(hours=3 + index),
              requester=requester, approvers=[], paid_at=None, payer=None, status="requested",
              urgent=index == 0, reason=case.summary + "，申请救助。")  # fmt: skip
    # An advance is paid on a request someone has taken up (and that is still open).
    emergency = (
        Case.objects.filter(urgency="emergency", status__in=["accepted", "in_progress"])
        .exclude(pk__in=[fire.pk, fire_part.pk]).exclude(owner_path__startswith=hz_union.path)
        .order_by("-submitted_at").first()
    )  # fmt: skip
    if emergency is not None:
        at = max(
            emergency.accepted_at + datetime.timedelta(hours=2), s.now - datetime.timedelta(days=2)
        )
        s.pay(hs, worker=emergency.worker, category=emergency.category, case=emergency,
              amount="15000.00", requested_at=at, requester=u["hs_admin"], approvers=[],
              paid_at=at + datetime.timedelta(minutes=5), payer=u["hs_admin"], method="cash",
              urgent=True, advance=True, ratified_by=[(u["hs_approver1"], at + datetime.timedelta(hours=9))],
              reason="突发伤病，先行垫付医疗费用。")  # fmt: skip
    s.save([hz, hs, jq])
    _money_reached(s)
    _disclosures(s, hz.fund, hs.fund)
    _reviews(s, hz.fund, hs.fund)
    s.save_trail()
    _bank_return(s, hz.fund)
    ctx.report(
        f"funds: {Fund.objects.count()} funds, {LedgerEntry.objects.count()} ledger entries, "
        f"{Disbursement.objects.count()} payments, {Donation.objects.count()} donations"
    )


def _bank_return(s: FundSeeder, fund: Fund) -> None:
    """This morning the bank sent back the fund's latest transfer (the worker's card had been
    closed): the chair reverses it through the service, as staff would, until a new account is
    given. The statement, the ledger, the request and the worker's phone all show it."""
    returned = (
        LedgerEntry.objects.filter(
            fund=fund, kind="disbursement", disbursement__method="bank_transfer",
            disbursement__is_advance=False, disbursement__case__urgency="normal",
        )
        .exclude(disbursement__case__summary__startswith="家中突发火灾")
        .order_by("-posted_at")
        .first()
    )  # fmt: skip
    if returned is None:
        return
    entry_reverse(
        actor=s.users["hz_chair"],
        entry=returned,
        reason="银行退票：职工工资卡已销户，款项退回基金账户，待职工提供新账号后重新申请发放。",
        idempotency_key=s.next_key("bank-return"),
    )


def _money_reached(s: FundSeeder) -> None:
    """Emergencies: when the first payment reached the worker (the 24-hour clock's end)."""
    first: dict[int, datetime.datetime] = {}
    for d in s.disbursements:
        if d.case_id and d.paid_at and (d.case_id not in first or d.paid_at < first[d.case_id]):
            first[d.case_id] = d.paid_at
    for case in Case.objects.filter(pk__in=first, urgency="emergency"):
        case.money_reached_at = first[case.pk]
        fields = ["money_reached_at"]
        if case.is_open:
            case.sla_due_at = case.sla_warn_at = None
            fields += ["sla_due_at", "sla_warn_at"]
        case.save(update_fields=fields)


def _disclosures(s: FundSeeder, hz: Fund, hs: Fund) -> None:
    """The fire month's list (long taken down) and last month's district list (public now)."""
    for fund, start, end, published, by in (
        (hz, datetime.date(2025, 12, 1), datetime.date(2025, 12, 31), aware(2026, 1, 8, 9), s.users["hz_chair"]),
        (hs, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31),
         max(s.now - datetime.timedelta(days=2), aware(2026, 11, 2, 9)), s.users["hs_admin"]),
    ):  # fmt: skip
        disclosure = Disclosure.objects.create(
            fund=fund, title=f"{fund.name}{start:%Y年%m月}救助与捐赠公示", period_start=start,
            period_end=end, published_at=published, published_by=by,
            window_ends_at=add_working_days(published, fund.disclosure_working_days),
        )  # fmt: skip
        lines = []
        for d in fund.disbursements.filter(status="paid", paid_at__date__gte=start,
                                           paid_at__date__lte=end).select_related("worker", "category"):  # fmt: skip
            lines.append(DisclosureLine(disclosure=disclosure, kind="beneficiary",
                                        name=mask_name(d.worker.name), category=d.category.name,
                                        amount=d.amount, on=timezone.localtime(d.paid_at).date()))  # fmt: skip
        for d in fund.donations.filter(received_on__gte=start, received_on__lte=end):
            lines.append(DisclosureLine(disclosure=disclosure,
                                        kind="funding" if d.is_funding else "donor",
                                        name=d.public_donor,
                                        category=d.get_donor_kind_display() if d.is_funding else "",
                                        amount=d.amount, on=d.received_on))  # fmt: skip
        DisclosureLine.objects.bulk_create(lines)
        s.log(published, by, "funds.disclosure.published", disclosure,
              period_start=start.isoformat(), period_end=end.isoformat(), lines=len(lines),
              until=disclosure.window_ends_at.isoformat())  # fmt: skip
        if fund is hz:
            objection = DisclosureObjection.objects.create(
                disclosure=disclosure, received_at=published + datetime.timedelta(days=1, hours=3),
                raised_by="职工（匿名来电）", content="询问救助金额是否过高，是否符合基金章程。",
                recorded_by=by,
                handling="已向来电职工说明：火灾救助经基金管理小组两名审批人批准，符合章程第七条突发灾害救助规定。",
                handled_by=by, handled_at=published + datetime.timedelta(days=2, hours=1),
            )  # fmt: skip
            s.log(published + datetime.timedelta(days=1, hours=3, minutes=20), by,
                  "funds.disclosure.objection", disclosure)  # fmt: skip
            s.log(published + datetime.timedelta(days=2, hours=1), by, "funds.objection.handled",
                  disclosure, handling=objection.handling)  # fmt: skip


def _reviews(s: FundSeeder, hz: Fund, hs: Fund) -> None:
    """A closed review of the enterprise fund's second half of 2025, and an open one of the
    district fund's third quarter of 2026."""
    from unionhub.funds.services import audit_population

    for fund, start, end, auditor, seed, closed in (
        (hz, datetime.date(2025, 7, 1), datetime.date(2025, 12, 31), s.users["hz_auditor"], 20260115, True),
        (hs, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), s.users["hs_auditor"], 20261102, False),
    ):  # fmt: skip
        ids = list(audit_population(fund, start, end).values_list("pk", flat=True))
        review = FundAudit.objects.create(
            fund=fund, period_start=start, period_end=end, share=Decimal("0.30"), seed=seed,
            population=len(ids), opened_by=auditor,
            opened_at=aware(end.year + (end.month == 12), 1 if end.month == 12 else end.month + 1, 10),
        )  # fmt: skip
        s.log(review.opened_at, auditor, "funds.audit.opened", review, seed=seed,
              share=str(review.share), population=len(ids))  # fmt: skip
        items = [
            AuditItem(audit=review, disbursement_id=pk)
            for pk in draw_sample(ids, review.share, seed)
        ]
        for index, item in enumerate(items):
            if closed or index % 2 == 0:
                item.checks = {"approvals": True, "eligibility": True, "evidence": index != 1,
                               "amount": True}  # fmt: skip
                item.evidence_note = (
                    "申请表、审批单、银行回单齐全。" if index != 1 else "缺少银行回单原件。"
                )
                item.checked_by = auditor
                item.checked_at = review.opened_at + datetime.timedelta(days=3 + index)
        AuditItem.objects.bulk_create(items)
        owner = s.users["hz_chair"] if fund is hz else s.users["hs_admin"]
        if len(items) > 1:
            AuditFinding.objects.create(
                audit=review, item=AuditItem.objects.filter(audit=review).order_by("id")[1],
                description="一笔支付缺少银行回单原件，仅有网银截图。", severity="low", owner=owner,
                deadline=(review.opened_at + datetime.timedelta(days=30)).date(),
                rectified_at=review.opened_at + datetime.timedelta(days=12) if closed else None,
                rectification="已向银行补打回单并归档。" if closed else "",
                rectified_by=owner if closed else None,
                created_by=auditor, created_at=review.opened_at + datetime.timedelta(days=4),
            )  # fmt: skip
        if closed:
            review.status = FundAudit.Status.CLOSED
            review.closed_at = review.opened_at + datetime.timedelta(days=15)
            review.conclusion = (
                "抽查的支付均经规定人数审批，无申请人自批情形；火灾救助30万元手续完备，"
                "两名审批人夜间审批记录清晰，应急垫付已在时限内追认。发现1项单据不全问题，已整改。"
            )
            review.save(update_fields=["status", "closed_at", "conclusion"])
            s.log(review.closed_at, auditor, "funds.audit.closed", review)
