"""Money under concurrency, on PostgreSQL: row locks keep many simultaneous payments, donations and
transfers from overdrawing a fund, paying twice or deadlocking, and the database itself refuses a
negative balance and any change to a posted entry.

Each test commits for real (``transactional_db``) so that threads, each on its own connection,
see each other's work; the catalogue that migrations load is restored before each test
(``django_db_serialized_rollback``). On SQLite these tests are skipped (tests/conftest.py).
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from tests.funds.conftest import key, make_fund
from unionhub.cases import services as case_services
from unionhub.cases.models import ServiceCategory
from unionhub.core.errors import Conflict
from unionhub.funds import services
from unionhub.funds.models import Disbursement, Donation, Fund, LedgerEntry

TIMEOUT = 60  # seconds: far more than any of these needs unless something is stuck


@pytest.fixture
def real_commits(transactional_db, django_db_serialized_rollback):
    """Real transactions, with the migrations' data (the service catalogue) in place."""


def run_together(calls, timeout: float = TIMEOUT) -> list[tuple[str, object]]:
    """Run each call in its own thread, connected first and then released all at once.

    Returns ``("ok", result)`` or ``("error", exception)`` per call, in order. Fails if any thread
    is still running after ``timeout`` seconds (a deadlock, or a lock never released)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=timeout)
            outcomes[index] = ("ok", call())
        except BaseException as exc:
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} of {len(threads)} threads still running after {timeout}s"
    return outcomes


def errors_of(outcomes) -> list[BaseException]:
    return [value for kind, value in outcomes if kind == "error"]


def balance(fund: Fund) -> Decimal:
    fund.refresh_from_db()
    return fund.balance


@pytest.mark.postgres
def test_twenty_concurrent_payments_pay_exactly_what_the_fund_holds(
    real_commits, funded, approved, chair
):
    payments = [approved(funded, "1000.00") for _ in range(20)]
    assert all(p.status == "approved" for p in payments)

    def pay(pk: int):
        return lambda: services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=Disbursement.objects.get(pk=pk),
            idempotency_key=key(),
        )

    outcomes = run_together([pay(p.pk) for p in payments])

    paid = [value for kind, value in outcomes if kind == "ok"]
    refused = errors_of(outcomes)
    unexpected = [e for e in refused if not isinstance(e, Conflict)]
    assert not unexpected, unexpected
    assert len(paid) == 10
    assert all(d.status == "paid" for d in paid)
    assert len(refused) == 10
    assert {e.code for e in refused} == {"insufficient_balance"}
    assert balance(funded) == Decimal("0.00")
    assert LedgerEntry.objects.filter(fund=funded, kind="disbursement").count() == 10
    statuses = Disbursement.objects.filter(fund=funded).values_list("status", flat=True)
    assert sorted(statuses) == ["approved"] * 10 + ["paid"] * 10
    assert services.verify(funded) == []


@pytest.mark.postgres
def test_the_same_payment_sent_eight_times_at_once_is_paid_once(
    real_commits, funded, approved, chair
):
    payment = approved(funded, "1000.00")
    same = key()

    def pay():
        return services.disbursement_pay(
            payment_reference="SJ-0001",
            actor=chair,
            disbursement=Disbursement.objects.get(pk=payment.pk),
            idempotency_key=same,
        )

    outcomes = run_together([pay] * 8)

    assert errors_of(outcomes) == []
    assert {value.pk for _kind, value in outcomes} == {payment.pk}
    assert LedgerEntry.objects.filter(disbursement=payment).count() == 1
    assert LedgerEntry.objects.filter(fund=funded).count() == 2  # the donation and the payment
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert balance(funded) == Decimal("9000.00")
    assert services.verify(funded) == []


@pytest.mark.postgres
def test_ten_donations_sent_at_once_with_one_key_book_one_donation(real_commits, fund, donate):
    same = key()
    outcomes = run_together([lambda: donate(fund, "500.00", idempotency_key=same)] * 10)

    assert errors_of(outcomes) == []
    assert len({value.pk for _kind, value in outcomes}) == 1
    assert Donation.objects.filter(fund=fund).count() == 1
    assert LedgerEntry.objects.filter(fund=fund).count() == 1
    assert balance(fund) == Decimal("500.00")
    assert services.verify(fund) == []


@pytest.mark.postgres
def test_transfers_both_ways_at_once_neither_deadlock_nor_lose_money(
    real_commits, tree, funded, donate, chair
):
    other = make_fund(tree.union_a, code="wd-zx", name="伟达五金助学基金")
    donate(other, "10000.00")

    def move(source: Fund, target: Fund, amount: str):
        return lambda: services.fund_transfer(
            actor=chair, source=source, target=target, amount=Decimal(amount), memo="调剂",
            idempotency_key=key(),
        )  # fmt: skip

    calls = [move(funded, other, "100.00"), move(other, funded, "70.00")] * 10
    outcomes = run_together(calls, timeout=30)

    assert errors_of(outcomes) == []
    assert balance(funded) + balance(other) == Decimal("20000.00")
    assert (funded.balance, other.balance) == (Decimal("9700.00"), Decimal("10300.00"))
    assert LedgerEntry.objects.filter(kind="transfer").count() == 40
    assert services.verify(funded) == []
    assert services.verify(other) == []


@pytest.mark.postgres
def test_the_database_refuses_a_negative_balance_even_in_raw_sql(real_commits, funded):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_fund SET balance = -1 WHERE id = %s", [funded.pk])
    assert balance(funded) == Decimal("10000.00")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE funds_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM funds_ledgerentry WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_posted_entry(real_commits, funded, sql):
    entry = LedgerEntry.objects.get(fund=funded)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    again = LedgerEntry.objects.get(pk=entry.pk)
    assert (again.amount, again.balance_after) == (Decimal("10000.00"), Decimal("10000.00"))


@pytest.mark.postgres
def test_the_same_request_sent_eight_times_at_once_is_stored_once(
    real_commits, funded, request_payment
):
    same = key()
    outcomes = run_together([lambda: request_payment(funded, "800.00", idempotency_key=same)] * 8)

    assert errors_of(outcomes) == []
    assert len({value.pk for _kind, value in outcomes}) == 1
    assert Disbursement.objects.filter(fund=funded).count() == 1


@pytest.mark.postgres
def test_the_same_emergency_advance_sent_eight_times_at_once_pays_once(
    real_commits, funded, chair, officer, worker
):
    case = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中失火", description="夜间家中失火，烧伤住院。",
    )  # fmt: skip
    case = case_services.case_accept(actor=officer, case=case)
    same = key()

    def advance():
        return services.emergency_advance(
            payment_reference="SJ-0001",
            actor=chair, fund=Fund.objects.get(pk=funded.pk), case=case,
            amount=Decimal("5000.00"), method="cash", reason="垫付住院押金", idempotency_key=same,
        )  # fmt: skip

    outcomes = run_together([advance] * 8)

    assert errors_of(outcomes) == []
    assert len({value.pk for _kind, value in outcomes}) == 1
    assert LedgerEntry.objects.filter(fund=funded, kind="disbursement").count() == 1
    assert balance(funded) == Decimal("5000.00")
    assert services.verify(funded) == []


@pytest.mark.postgres
def test_the_same_reversal_sent_eight_times_at_once_reverses_once(
    real_commits, funded, approved, chair
):
    payment = services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "1000.00"),
        idempotency_key=key(),
    )
    entry = LedgerEntry.objects.get(disbursement=payment, kind="disbursement")
    same = key()

    def reverse():
        return services.entry_reverse(
            actor=chair, entry=LedgerEntry.objects.get(pk=entry.pk), reason="误付冲回",
            idempotency_key=same,
        )  # fmt: skip

    outcomes = run_together([reverse] * 8)

    assert errors_of(outcomes) == []
    assert len({value.pk for _kind, value in outcomes}) == 1
    assert LedgerEntry.objects.filter(fund=funded, kind="reversal").count() == 1
    assert balance(funded) == Decimal("10000.00")
    assert services.verify(funded) == []


# ---------------------------------------------------------------------------------------------
# Deleting a worker's data (PIPL) while something is added to their record


def in_thread(call, outcome: dict, *, hold: threading.Event | None = None, done=None):
    """Run ``call`` in its own transaction on its own connection; with ``hold``, keep the
    transaction open (its locks held) after ``done`` is set, until ``hold`` is set."""

    def run() -> None:
        try:
            with transaction.atomic():
                outcome["value"] = call()
                if done is not None:
                    done.set()
                if hold is not None:
                    hold.wait(TIMEOUT)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            if done is not None:
                done.set()
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def wait_until_one_waits_on_a_lock() -> None:
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("nothing waited on the worker's lock")


@pytest.fixture
def closed_case(case, officer):
    case_services.case_resolve(actor=officer, case=case, resolution="已落实帮扶")
    return case_services.case_close(actor=officer, case=case)


@pytest.mark.postgres
@pytest.mark.parametrize("adding", ["request", "payment", "note", "edit", "family"])
def test_an_addition_made_while_the_data_is_being_deleted_waits_and_is_refused(
    real_commits, adding, closed_case, worker, officer, chair, district_admin, funded
):
    from unionhub.workers import services as worker_services
    from unionhub.workers.models import Worker

    # Read before the erasure commits, as a page or API call in flight would have read them.
    stale_worker = Worker.objects.get(pk=worker.pk)
    stale_case = case_services.Case.objects.get(pk=closed_case.pk)
    category = ServiceCategory.objects.get(code="hardship_relief")
    additions = {
        "request": lambda: case_services.case_submit(
            actor=officer, worker=stale_worker, category=category, channel="phone",
            summary="再次求助", description="王小明家中又遇困难，请求帮助。",
        ),
        "payment": lambda: services.disbursement_request(
            actor=chair, fund=funded, worker=stale_worker, category=category,
            amount=Decimal("500.00"), method="cash", reason="王小明家庭困难补助",
        ),
        "note": lambda: case_services.case_note(
            actor=officer, case=stale_case, text="王小明又来电"
        ),
        "edit": lambda: worker_services.worker_update(
            actor=officer, worker=stale_worker, address="惠山区钱桥街道舜柯路8号"
        ),
        "family": lambda: worker_services.family_member_add(
            actor=officer, worker=stale_worker, name="王子涵", relation="child"
        ),
    }  # fmt: skip
    erasing, release = threading.Event(), threading.Event()
    erased, added = {}, {}
    eraser = in_thread(
        lambda: worker_services.worker_erase(
            actor=district_admin, worker=Worker.objects.get(pk=worker.pk), reason="本人书面申请删除"
        ),
        erased,
        hold=release,
        done=erasing,
    )
    assert erasing.wait(TIMEOUT) and "error" not in erased, erased
    adder = in_thread(additions[adding], added)
    wait_until_one_waits_on_a_lock()
    release.set()
    eraser.join(TIMEOUT)
    adder.join(TIMEOUT)

    assert not eraser.is_alive() and not adder.is_alive()
    assert "value" in erased
    assert getattr(added.get("error"), "code", None) == "erased", added
    assert worker.cases.count() == 1
    assert not Disbursement.objects.filter(worker=worker).exists()
    everything = " ".join(closed_case.events.values_list("body", flat=True))
    assert "王小明" not in everything
    erased_now = Worker.objects.get(pk=worker.pk)
    assert erased_now.address == "" and not erased_now.family.exists()


@pytest.mark.postgres
def test_an_erasure_started_while_a_request_is_being_made_waits_and_is_refused(
    real_commits, closed_case, worker, officer, district_admin
):
    from unionhub.workers import services as worker_services
    from unionhub.workers.models import Worker

    submitted, release = threading.Event(), threading.Event()
    added, erased = {}, {}
    adder = in_thread(
        lambda: case_services.case_submit(
            actor=officer, worker=Worker.objects.get(pk=worker.pk),
            category=ServiceCategory.objects.get(code="hardship_relief"), channel="phone",
            summary="再次求助", description="家中又遇困难，请求帮助。",
        ),
        added, hold=release, done=submitted,
    )  # fmt: skip
    assert submitted.wait(TIMEOUT) and "error" not in added, added
    eraser = in_thread(
        lambda: worker_services.worker_erase(
            actor=district_admin, worker=Worker.objects.get(pk=worker.pk), reason="本人书面申请删除"
        ),
        erased,
    )
    wait_until_one_waits_on_a_lock()
    release.set()
    adder.join(TIMEOUT)
    eraser.join(TIMEOUT)

    assert getattr(erased.get("error"), "code", None) == "still_open", erased
    worker.refresh_from_db()
    assert worker.erased_at is None and worker.cases.open().count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("step", ["pay", "approve"])
def test_a_withdrawal_and_a_payment_step_at_once_wait_for_each_other(
    real_commits, step, case, officer, worker, funded, request_payment, approver1, approver2, chair
):
    """The worker withdraws at the moment the chair pays (or an approver approves): one waits
    for the other, neither deadlocks, and the money is either paid before the withdrawal or
    cancelled with it, never paid on a withdrawn request."""
    payment = request_payment(funded, "1000.00", case=case)
    if step == "pay":
        payment = services.disbursement_approve(actor=approver1, disbursement=payment)
        assert payment.status == "approved"

    def withdraw():
        return case_services.case_withdraw(
            actor=worker.user, case=case_services.Case.objects.get(pk=case.pk)
        )

    def act():
        fresh = Disbursement.objects.get(pk=payment.pk)
        if step == "pay":
            return services.disbursement_pay(
                payment_reference="SJ-0001", actor=chair, disbursement=fresh, idempotency_key=key()
            )
        return services.disbursement_approve(actor=approver1, disbursement=fresh)

    outcomes = run_together([withdraw, act])

    unexpected = [e for e in errors_of(outcomes) if not isinstance(e, Conflict)]
    assert not unexpected, unexpected  # a deadlock would be a DatabaseError here
    assert outcomes[0][0] == "ok"  # the withdrawal always goes through
    payment.refresh_from_db()
    paid = LedgerEntry.objects.filter(disbursement=payment).exists()
    if outcomes[1][0] == "ok" and step == "pay":
        assert payment.status == "paid" and paid  # paid first; the withdrawal came after
    else:
        assert payment.status == "cancelled" and not paid
    assert services.verify(Fund.objects.get(pk=funded.pk)) == []
