"""The approvers' queue on a phone: a refusal without a reason keeps the approver on the queue
with the reason asked for beside that card; an advance can be refused ratification from its
card as a request is rejected from its own."""

from decimal import Decimal

from django.urls import reverse

from tests.funds.conftest import key
from unionhub.funds import services
from unionhub.funds.models import Disbursement


def _card(html: str, disbursement: Disbursement) -> str:
    action = reverse("funds:disbursement-action", args=[disbursement.public_id, "approve"])
    if action not in html:
        action = reverse("funds:disbursement-action", args=[disbursement.public_id, "ratify"])
    return html.split(action)[1].split("</form>")[0]


def test_rejecting_without_a_comment_stays_on_the_queue_with_the_reason_on_that_card(
    tree, funded, request_payment, approver1, login
):
    asked = request_payment(funded, "800.00")
    other = request_payment(funded, "600.00")
    client = login(approver1)
    reject = reverse("funds:disbursement-action", args=[asked.public_id, "reject"])
    response = client.post(reject, {"comment": "  ", "next": "queue"})
    assert response.status_code == 400
    assert response.templates[0].name == "funds/approval_queue.html"
    html = response.content.decode()
    card = _card(html, asked)
    assert 'class="form-control approval-comment is-invalid"' in card
    assert 'role="alert">请填写不同意的理由（至少4个字）。</div>' in card
    assert "is-invalid" not in _card(html, other)  # the other card is left as it was
    asked.refresh_from_db()
    assert asked.status == "requested"
    # With a reason: back to the queue, the payment gone from it.
    done = client.post(reject, {"comment": "材料不全", "next": "queue"})
    assert done.status_code == 302 and done.url == reverse("funds:approval-queue")
    asked.refresh_from_db()
    assert asked.status == "rejected"


def test_an_advance_can_be_refused_ratification_from_its_card(
    tree, funded, chair, emergency_case, approver1, login
):
    advance = services.emergency_advance(
        payment_reference="SJ-0001", actor=chair, fund=funded, case=emergency_case,
        amount=Decimal("8000.00"), method="cash", reason="垫付住院押金", idempotency_key=key(),
    )  # fmt: skip
    client = login(approver1)
    queue = client.get(reverse("funds:approval-queue")).content.decode()
    refuse = reverse("funds:disbursement-action", args=[advance.public_id, "refuse_ratification"])
    card = _card(queue, advance)
    assert f'formaction="{refuse}#card-{advance.pk}"' in card and "不予追认" in card
    assert 'class="btn btn-link details-link"' in card
    empty = client.post(refuse, {"comment": "", "next": "queue"})
    assert empty.status_code == 400
    card = _card(empty.content.decode(), advance)
    assert "is-invalid" in card and "请说明不予追认的理由" in card
    advance.refresh_from_db()
    assert advance.ratification_refused_at is None
    done = client.post(refuse, {"comment": "垫付金额与押金票据不符", "next": "queue"})
    assert done.status_code == 302 and done.url == reverse("funds:approval-queue")
    advance.refresh_from_db()
    assert advance.ratification_refused_at is not None


def test_a_decision_on_a_payment_gone_from_the_queue_is_said_at_the_top(
    tree, funded, request_payment, approver1, approver2, login
):
    asked = request_payment(funded, "800.00")
    services.disbursement_reject(actor=approver2, disbursement=asked, comment="不符合条件")
    response = login(approver1).post(
        reverse("funds:disbursement-action", args=[asked.public_id, "approve"]),
        {"comment": "", "next": "queue"},
    )
    assert response.status_code == 400
    said = [str(m) for m in response.context["messages"]]
    assert len(said) == 1 and said[0]
