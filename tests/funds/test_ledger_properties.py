"""A stateful property test of the funds ledger.

Hypothesis drives random donations, payment requests, approvals, rejections, payments,
cancellations, reversals, transfers and idempotent retries over two or three fresh funds, and keeps
its own model of what each fund should hold and where each payment stands. After every step the
database must agree with the model, every balance must equal the sum of its entries and never be
negative, each running balance must follow from the one before, and every amount must be a
``Decimal`` in fen. A move the services refuse must change nothing.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import staff
from tests.factories import MembershipFactory
from tests.funds.conftest import key, make_fund
from unionhub.cases.models import ServiceCategory
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.money import MoneySum
from unionhub.funds import services
from unionhub.funds.models import Disbursement, Donation, Fund, LedgerEntry
from unionhub.orgs.models import Membership

Role = Membership.Role
ZERO = Decimal("0.00")
THRESHOLD = Decimal("2000.00")  # tests/funds/conftest.py TIERS: one approver up to it, then two
_fund_numbers = itertools.count(1)


def amounts(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Yuan amounts between ``low`` and ``high`` fen, written with 0, 1 or 2 decimals."""
    fen = st.integers(low, high)
    whole = st.integers(max(1, low // 100), max(1, high // 100)).map(Decimal)
    tenths = st.integers(max(1, low // 10), max(1, high // 10)).map(lambda n: Decimal(n).scaleb(-1))
    cents = fen.map(lambda n: Decimal(n).scaleb(-2))
    return st.one_of(cents, tenths, whole)


SMALL = amounts(1, 100)  # 0.01 to 1.00 yuan
MONEY = st.one_of(SMALL, amounts(1, 200_000), amounts(200_001, 3_000_000))


def is_fen(value) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


@dataclass
class People:
    chair: object  # manages the funds and asks for payments
    approver1: object
    approver2: object
    approver3: object  # approves, and may also ask for payments (then may not approve them)
    worker: object
    category: ServiceCategory
    organization: object  # where the funds sit: the chair's union

    @property
    def requesters(self) -> list:
        return [self.chair, self.approver3]

    @property
    def approvers(self) -> list:
        return [self.approver1, self.approver2, self.approver3]


@dataclass
class PaymentModel:
    pk: int
    fund: int
    amount: Decimal
    requester: object
    status: str = "requested"
    approvers: set[int] = field(default_factory=set)
    pay_key: str | None = None
    # Set when asked for: the tier of this amount together with the worker's other live requests
    # from the fund (a payment split into small ones needs what one large one would).
    needed: int = 1


@dataclass
class EntryModel:
    pk: int
    fund: int
    kind: str
    amount: Decimal
    transfer: object = None
    disbursement: int | None = None
    reversed: bool = False


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, people: People) -> None:
        super().__init__()
        self.people = people
        self.funds: list[Fund] = []
        self.balances: dict[int, Decimal] = {}
        self.entry_counts: dict[int, int] = {}
        self.payments: dict[int, PaymentModel] = {}
        self.entries: dict[int, EntryModel] = {}
        # (key, fund pk, donation pk, amount)
        self.donations: list[tuple[str, int, int, Decimal, datetime.date]] = []
        self.transfers: list[tuple[str, int, int, Decimal, tuple[int, int]]] = []

    # ---- helpers --------------------------------------------------------------------------

    def snapshot(self) -> tuple:
        """What a refused move must leave untouched, read from the database."""
        pks = [f.pk for f in self.funds]
        return (
            dict(Fund.objects.filter(pk__in=pks).values_list("pk", "balance")),
            LedgerEntry.objects.filter(fund__in=pks).count(),
            Donation.objects.filter(fund__in=pks).count(),
            sorted(Disbursement.objects.filter(fund__in=pks).values_list("pk", "status")),
        )

    def refused(self, call, *, error=DomainError, code: str | None = None):
        before = self.snapshot()
        with pytest.raises(error) as caught:
            call()
        if code is not None:
            assert caught.value.code == code, caught.value
        assert self.snapshot() == before, "a refused move changed the books"
        return caught.value

    def record_entry(self, entry: LedgerEntry) -> None:
        assert is_fen(entry.amount) and is_fen(entry.balance_after)
        self.entries[entry.pk] = EntryModel(
            pk=entry.pk,
            fund=entry.fund_id,
            kind=entry.kind,
            amount=entry.amount,
            transfer=entry.transfer_id,
            disbursement=entry.disbursement_id,
        )
        self.entry_counts[entry.fund_id] += 1

    def fund(self, index: int) -> Fund:
        return self.funds[index % len(self.funds)]

    def committed(self, fund_pk: int) -> Decimal:
        """What the fund's approved, unpaid payments wait for."""
        waiting = (p for p in self.payments.values() if p.fund == fund_pk)
        return sum((p.amount for p in waiting if p.status == "approved"), ZERO)

    def request(self, fund: Fund, amount: Decimal, requester) -> PaymentModel:
        disbursement = services.disbursement_request(
            actor=requester,
            fund=fund,
            worker=self.people.worker,
            category=self.people.category,
            amount=amount,
            method="bank_transfer",
            reason="家庭困难，申请帮扶。",
            urgent=amount <= Decimal("1.00"),
        )
        assert is_fen(disbursement.amount)
        assert disbursement.amount == amount
        earlier = sum(
            (
                p.amount
                for p in self.payments.values()
                if p.fund == fund.pk and p.status not in ("rejected", "cancelled", "reversed")
            ),
            Decimal("0.00"),
        )
        needed = 1 if amount + earlier <= THRESHOLD else 2
        assert disbursement.approvals_required == needed
        payment = PaymentModel(
            disbursement.pk, fund.pk, disbursement.amount, requester, needed=needed
        )
        self.payments[payment.pk] = payment
        return payment

    def approve(self, payment: PaymentModel, approver) -> None:
        """Approve as the model predicts: refused out of turn, by the requester, or twice."""
        call = lambda: services.disbursement_approve(  # noqa: E731
            actor=approver, disbursement=Disbursement(pk=payment.pk)
        )
        if payment.status != "requested":
            self.refused(call, error=Conflict, code="invalid_transition")
        elif approver.pk == payment.requester.pk:
            self.refused(call, code="own_request")
        elif approver.pk in payment.approvers:
            self.refused(call, error=Conflict, code="already_approved")
        else:
            disbursement = call()
            payment.approvers.add(approver.pk)
            if len(payment.approvers) >= payment.needed:
                payment.status = "approved"
            assert disbursement.status == payment.status

    def approve_fully(self, payment: PaymentModel) -> None:
        others = [a for a in self.people.approvers if a.pk != payment.requester.pk]
        for approver in others[: payment.needed]:
            self.approve(payment, approver)
        assert payment.status == "approved"

    def pay_payment(self, payment: PaymentModel) -> None:
        pay_key = key()
        call = lambda: services.disbursement_pay(  # noqa: E731
            actor=self.people.chair,
            disbursement=Disbursement.objects.get(pk=payment.pk),
            idempotency_key=pay_key,
            payment_reference="HX2026-0001",
        )
        if payment.status != "approved":
            self.refused(call, error=Conflict, code="invalid_transition")
        elif self.balances[payment.fund] < payment.amount:
            self.refused(call, error=Conflict, code="insufficient_balance")
        else:
            disbursement = call()
            assert disbursement.status == "paid"
            payment.status, payment.pay_key = "paid", pay_key
            self.balances[payment.fund] -= payment.amount
            self.record_entry(
                LedgerEntry.objects.get(disbursement_id=payment.pk, kind="disbursement")
            )

    # ---- rules ----------------------------------------------------------------------------

    @initialize(count=st.integers(2, 3), opening=st.lists(MONEY, min_size=3, max_size=3))
    def open_funds(self, count, opening):
        for index in range(count):
            number = next(_fund_numbers)
            fund = make_fund(
                self.people.organization, code=f"pp{number}", name=f"性质测试基金{number}"
            )
            self.funds.append(fund)
            self.balances[fund.pk] = ZERO
            self.entry_counts[fund.pk] = 0
            self.donate(index, opening[index])

    @rule(index=st.integers(0, 2), amount=MONEY, days_late=st.sampled_from([0, 0, 1, 12, 40]))
    def donate(self, index, amount, days_late=0):
        """A donation, booked for today or (found late in a bank statement) an earlier day."""
        fund = self.fund(index)
        donation_key = key()
        received_on = timezone.localdate() - datetime.timedelta(days=days_late)
        donation = services.donation_record(
            actor=self.people.chair,
            fund=fund,
            donor_kind="person",
            donor_name="许国华",
            amount=amount,
            channel="wechat",
            received_on=received_on,
            idempotency_key=donation_key,
        )
        assert is_fen(donation.amount) and donation.amount == amount
        self.balances[fund.pk] += amount
        self.record_entry(LedgerEntry.objects.get(donation=donation, kind="donation"))
        self.donations.append((donation_key, fund.pk, donation.pk, amount, received_on))

    @precondition(lambda self: self.donations)
    @rule(data=st.data())
    def retry_a_donation(self, data):
        """The same donation sent again books nothing more; its key reused for another amount
        is refused and changes nothing."""
        donation_key, fund_pk, donation_pk, amount, received_on = data.draw(
            st.sampled_from(self.donations)
        )
        other = data.draw(st.sampled_from([amount, amount + Decimal("1.00")]))
        before = self.snapshot()
        retry = functools.partial(
            services.donation_record,
            actor=self.people.chair,
            fund=Fund.objects.get(pk=fund_pk),
            donor_kind="person",
            donor_name="许国华",
            amount=other,
            channel="wechat",
            received_on=received_on,
            idempotency_key=donation_key,
        )
        if other == amount:
            assert retry().pk == donation_pk
        else:
            with pytest.raises(Conflict):
                retry()
        assert self.snapshot() == before

    @rule(index=st.integers(0, 2), amount=MONEY, requester=st.integers(0, 1))
    def request_a_payment(self, index, amount, requester):
        self.request(self.fund(index), amount, self.people.requesters[requester])

    @precondition(lambda self: any(p.status == "requested" for p in self.payments.values()))
    @rule(data=st.data(), approver=st.integers(0, 2))
    def approve_a_request(self, data, approver):
        waiting = [p for p in self.payments.values() if p.status == "requested"]
        payment = data.draw(st.sampled_from(waiting))
        self.approve(payment, self.people.approvers[approver])

    @precondition(lambda self: any(p.status != "requested" for p in self.payments.values()))
    @rule(data=st.data(), approver=st.integers(0, 2))
    def approve_out_of_turn(self, data, approver):
        decided = [p for p in self.payments.values() if p.status != "requested"]
        self.approve(data.draw(st.sampled_from(decided)), self.people.approvers[approver])

    @precondition(lambda self: self.payments)
    @rule(data=st.data(), approver=st.integers(0, 2))
    def reject(self, data, approver):
        payment = data.draw(st.sampled_from(sorted(self.payments.values(), key=lambda p: p.pk)))
        approver = self.people.approvers[approver]
        call = lambda: services.disbursement_reject(  # noqa: E731
            actor=approver, disbursement=Disbursement(pk=payment.pk), comment="材料不全"
        )
        if payment.status != "requested":
            self.refused(call, error=Conflict, code="invalid_transition")
        elif approver.pk == payment.requester.pk:
            self.refused(call, code="own_request")
        elif approver.pk in payment.approvers:
            self.refused(call, error=Conflict, code="already_approved")
        else:
            assert call().status == "rejected"
            payment.status = "rejected"

    @precondition(lambda self: self.payments)
    @rule(data=st.data())
    def pay(self, data):
        payments = sorted(self.payments.values(), key=lambda p: p.pk)
        self.pay_payment(data.draw(st.sampled_from(payments)))

    @rule(index=st.integers(0, 2), delta=st.sampled_from(["-0.01", "0", "0.01", "0.10", "500"]))
    def pay_around_the_balance(self, index, delta):
        """Ask for what the fund holds, a fen less or a little more, approve it and pay it: paying
        the whole balance leaves 0.00, a fen more is refused."""
        fund = self.fund(index)
        amount = self.balances[fund.pk] + Decimal(delta)
        if amount <= 0:
            return
        payment = self.request(fund, amount, self.people.requesters[0])
        self.approve_fully(payment)
        self.pay_payment(payment)

    @precondition(lambda self: any(p.pay_key for p in self.payments.values()))
    @rule(data=st.data())
    def retry_a_payment(self, data):
        paid = sorted((p for p in self.payments.values() if p.pay_key), key=lambda p: p.pk)
        payment = data.draw(st.sampled_from(paid))
        before = self.snapshot()
        services.disbursement_pay(
            actor=self.people.chair,
            disbursement=Disbursement.objects.get(pk=payment.pk),
            idempotency_key=payment.pay_key,
            payment_reference="HX2026-0001",
        )
        assert self.snapshot() == before

    @precondition(lambda self: self.payments)
    @rule(data=st.data(), by_requester=st.booleans())
    def cancel(self, data, by_requester):
        payment = data.draw(st.sampled_from(sorted(self.payments.values(), key=lambda p: p.pk)))
        actor = payment.requester if by_requester else self.people.chair
        call = lambda: services.disbursement_cancel(  # noqa: E731
            actor=actor, disbursement=Disbursement(pk=payment.pk), reason="不再需要"
        )
        if payment.status in ("requested", "approved"):
            assert call().status == "cancelled"
            payment.status = "cancelled"
        else:
            self.refused(call, error=Conflict, code="invalid_transition")

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def reverse(self, data):
        entry = data.draw(st.sampled_from(sorted(self.entries.values(), key=lambda e: e.pk)))
        call = lambda: services.entry_reverse(  # noqa: E731
            actor=self.people.chair,
            entry=LedgerEntry.objects.get(pk=entry.pk),
            reason="冲正错账",
            idempotency_key=key(),
        )
        if entry.kind == "reversal":
            self.refused(call, code="reverse_reversal")
            return
        legs = [entry]
        if entry.kind == "transfer":
            legs = sorted(
                (
                    e
                    for e in self.entries.values()
                    if e.transfer == entry.transfer and e.kind == "transfer"
                ),
                key=lambda e: e.pk,
            )
            assert len(legs) == 2
        balances = dict(self.balances)
        for leg in legs:
            if leg.reversed:
                self.refused(call, error=Conflict, code="already_reversed")
                return
            balances[leg.fund] -= leg.amount
            if balances[leg.fund] < 0:
                self.refused(call, error=Conflict, code="insufficient_balance")
                return
            # Taking a transfer back leaves what the fund's approved, unpaid payments need; the
            # fund the money goes back to is not asked (its leg brings money in).
            taken_back = leg.kind == "transfer" and leg.amount > 0
            if taken_back and balances[leg.fund] < self.committed(leg.fund):
                self.refused(call, error=Conflict, code="insufficient_available")
                return
        first = call()
        assert first.kind == "reversal" and first.reverses_id == legs[0].pk
        self.balances = balances
        for leg in legs:
            leg.reversed = True
            self.record_entry(LedgerEntry.objects.get(reverses_id=leg.pk))
            if leg.disbursement is not None:
                self.payments[leg.disbursement].status = "reversed"

    @rule(source=st.integers(0, 2), destination=st.integers(0, 2), amount=MONEY)
    def transfer(self, source, destination, amount):
        source, target = self.fund(source), self.fund(destination)
        transfer_key = key()
        call = lambda: services.fund_transfer(  # noqa: E731
            actor=self.people.chair, source=source, target=target, amount=amount, memo="调剂",
            idempotency_key=transfer_key,
        )  # fmt: skip
        # A transfer leaves what the fund's approved, unpaid payments need.
        if source.pk == target.pk:
            self.refused(call)
        elif self.balances[source.pk] - self.committed(source.pk) < amount:
            self.refused(call, error=Conflict, code="insufficient_available")
        else:
            out, into = call()
            assert (out.amount, into.amount) == (-amount, amount)
            assert out.transfer_id == into.transfer_id
            self.balances[source.pk] -= amount
            self.balances[target.pk] += amount
            self.record_entry(out)
            self.record_entry(into)
            self.transfers.append((transfer_key, source.pk, target.pk, amount, (out.pk, into.pk)))

    @precondition(lambda self: self.transfers)
    @rule(data=st.data())
    def retry_a_transfer(self, data):
        transfer_key, source, target, amount, pks = data.draw(st.sampled_from(self.transfers))
        before = self.snapshot()
        out, into = services.fund_transfer(
            actor=self.people.chair, source=Fund.objects.get(pk=source),
            target=Fund.objects.get(pk=target), amount=amount, memo="调剂",
            idempotency_key=transfer_key,
        )  # fmt: skip
        assert (out.pk, into.pk) == pks
        assert self.snapshot() == before

    # ---- invariants -------------------------------------------------------------------------

    @invariant()
    def the_books_agree_with_the_model(self):
        for fund in self.funds:
            fund.refresh_from_db()
            entries = list(
                LedgerEntry.objects.filter(fund=fund).values_list("amount", "balance_after")
            )
            assert is_fen(fund.balance), repr(fund.balance)
            assert all(is_fen(amount) and is_fen(after) for amount, after in entries), entries
            total = sum((amount for amount, _after in entries), ZERO)
            assert fund.balance == total
            in_db = (
                LedgerEntry.objects.filter(fund=fund).aggregate(s=MoneySum("amount"))["s"] or ZERO
            )
            assert in_db == total
            assert fund.balance >= 0
            assert fund.balance == self.balances[fund.pk]
            assert len(entries) == self.entry_counts[fund.pk]
            assert services.verify(fund) == []
            # In booking order (the ledger page's and the statement's), the balance after every
            # entry is never negative and the newest one's is the fund's balance.
            booked = services.with_running_balances(fund, list(services.ledger_entries(fund)))
            assert all(entry.running_balance >= 0 for entry in booked)
            assert (booked[0].running_balance if booked else ZERO) == fund.balance

    @invariant()
    def payments_stand_where_the_model_says(self):
        pks = [f.pk for f in self.funds]
        rows = Disbursement.objects.filter(fund__in=pks).values_list("pk", "status", "amount")
        assert {pk: status for pk, status, _ in rows} == {
            pk: p.status for pk, p in self.payments.items()
        }
        assert all(is_fen(amount) for _, _, amount in rows)
        donated = Donation.objects.filter(fund__in=pks).values_list("amount", flat=True)
        assert all(is_fen(amount) for amount in donated)


@pytest.mark.django_db
def test_random_sequences_of_moves_keep_every_fund_balanced_and_never_negative(
    tree, chair, approver1, approver2, worker
):
    approver3 = staff(tree.station_a, Role.FUND_APPROVER, username="approver3", full_name="沈佳慧")
    MembershipFactory(user=approver3, organization=tree.station_a, role=Role.STATION_STAFF)
    people = People(
        chair=chair,
        approver1=approver1,
        approver2=approver2,
        approver3=approver3,
        worker=worker,
        category=ServiceCategory.objects.get(code="hardship_relief"),
        organization=tree.union_a,
    )
    run_state_machine_as_test(
        lambda: LedgerMachine(people),
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
