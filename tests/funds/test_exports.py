"""The fund's Excel exports say what its pages say: an emergency advance two approvers have not
ratified is flagged on the statement and on its ledger line, until it is ratified."""

import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.funds.conftest import key
from unionhub.funds import services


def _sheet(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _advance(fund, case, chair, amount="3000.00"):
    return services.emergency_advance(
        actor=chair, fund=fund, case=case, amount=Decimal(amount), method="cash",
        reason="垫付住院押金", idempotency_key=key(), payment_reference="收据 0001",
    )  # fmt: skip


def test_an_unratified_advance_is_flagged_in_the_statement_and_ledger_sheets(
    tree, funded, chair, approver1, approver2, approved, emergency_case, login
):
    advance = _advance(funded, emergency_case, chair)
    services.disbursement_pay(
        payment_reference="SJ-0002", actor=chair, disbursement=approved(funded, "500.00"),
        idempotency_key=key(),
    )  # fmt: skip
    today = timezone.localdate()
    period = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    client = login(chair)

    def exported(what):
        return _sheet(client.get(reverse("funds:fund-export", args=[funded.code, what]), period))

    due = timezone.localtime(advance.ratify_due_at).strftime("%Y-%m-%d %H:%M")
    ledger = exported("ledger")
    assert [c.value for c in ledger[3]][-1] == "标记"
    lines = {
        (row[2], row[6]): row[9] for row in ledger.iter_rows(min_row=4, values_only=True) if row
    }
    assert lines[("发放", Decimal("-3000"))] == f"应急垫付，未追认：须于{due}前追认"
    assert lines[("发放", Decimal("-500"))] in (None, "")  # an approved payment is not flagged
    notes = [row for row in ledger.iter_rows(min_row=4, values_only=True) if row[2] == "备注"]
    assert len(notes) == 1 and "未追认" in notes[0][3]

    statement = exported("statement")
    rows = [tuple(row) for row in statement.iter_rows(min_row=4, values_only=True)]
    flagged = [row for row in rows if row[0] == "未追认的垫付"]
    assert len(flagged) == 1
    assert flagged[0][1] == (
        f"{today.isoformat()} · 王*明 · {emergency_case.reference} · "
        f"应急垫付，未追认：须于{due}前追认"
    )
    assert flagged[0][2] == Decimal("3000")
    assert ("未追认的应急垫付", None, None) in rows and any(row[0] == "备注" for row in rows)
    # The fund page says the same.
    assert "未追认" in client.get(reverse("funds:fund-ledger", args=[funded.code])).content.decode()

    for approver in (approver1, approver2):
        services.advance_ratify(actor=approver, disbursement=advance)
    ledger = exported("ledger")
    assert not any(row[9] for row in ledger.iter_rows(min_row=4, values_only=True) if row)
    statement = exported("statement")
    assert not any(
        row[0] in ("未追认的垫付", "未追认的应急垫付")
        for row in statement.iter_rows(min_row=4, values_only=True)
    )


def test_a_refused_ratification_stays_flagged_in_the_exports(
    tree, funded, chair, approver1, emergency_case, login
):
    advance = _advance(funded, emergency_case, chair)
    advance = services.advance_refuse_ratification(
        actor=approver1, disbursement=advance, comment="不符合垫付条件"
    )
    refused = timezone.localtime(advance.ratification_refused_at).strftime("%Y-%m-%d %H:%M")
    client = login(chair)
    ledger = _sheet(client.get(reverse("funds:fund-export", args=[funded.code, "ledger"])))
    rows = list(ledger.iter_rows(min_row=4, values_only=True))
    flags = [row[9] for row in rows if row and row[9]]
    # When and by whom, not "not yet ratified by two approvers".
    assert flags == [f"应急垫付：陆文斌于{refused}不予追认"]
    [note] = [row[3] for row in rows if row and row[2] == "备注"]
    assert "标为不予追认的垫付已被审批人不予追认" in note and "尚未经两名审批人追认" not in note
    today = timezone.localdate()
    statement = _sheet(
        client.get(
            reverse("funds:fund-export", args=[funded.code, "statement"]),
            {"start": today.replace(day=1).isoformat(), "end": today.isoformat()},
        )
    )
    lines = [row for row in statement.iter_rows(min_row=4, values_only=True) if row]
    [flagged] = [row for row in lines if row[0] == "未追认的垫付"]
    assert flagged[1].endswith(f"应急垫付：陆文斌于{refused}不予追认")
    [note] = [row[1] for row in lines if row[0] == "备注"]
    assert "已被审批人不予追认" in note and "以上垫付尚未经两名审批人追认" not in note

    # One still awaiting ratification beside it: the note tells the two apart.
    _advance(funded, emergency_case, chair, "1000.00")
    ledger = _sheet(client.get(reverse("funds:fund-export", args=[funded.code, "ledger"])))
    [note] = [row[3] for row in ledger.iter_rows(min_row=4, values_only=True) if row[2] == "备注"]
    assert "标有追认期限的垫付尚未经两名审批人追认；标为不予追认的垫付" in note
    # A statement of a period before the advance does not list it.
    earlier = timezone.localdate() - datetime.timedelta(days=1)
    statement = _sheet(
        client.get(
            reverse("funds:fund-export", args=[funded.code, "statement"]),
            {"start": earlier.replace(month=1, day=1).isoformat(), "end": earlier.isoformat()},
        )
    )
    assert not any(
        row[0] == "未追认的垫付" for row in statement.iter_rows(min_row=4, values_only=True)
    )
