"""On the phone, each payment of aid says which of the worker's requests it was for."""

from __future__ import annotations

from django.urls import reverse

from tests.funds.conftest import key
from unionhub.funds import services


def test_each_payment_names_and_links_the_request_it_was_for(
    tree, funded, approved, request_payment, chair, worker, case, login
):
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "2000.00", case=case),
        idempotency_key=key(),
    )
    services.disbursement_pay(
        payment_reference="SJ-0001",
        actor=chair,
        disbursement=approved(funded, "300.00"),
        idempotency_key=key(),
    )  # care paid without a request
    request_payment(funded, "800.00", case=case)  # still being decided
    client = login(worker.user)
    html = client.get(reverse("portal:aid-list")).content.decode()
    own = reverse("portal:case-detail", args=[case.public_id])
    link = (
        f'<a class="aid-request small" href="{own}">对应诉求{case.reference} · {case.summary}</a>'
    )
    assert case.summary == "配偶患病，生活困难"
    pending, received = html.split("已收到")
    assert link in pending and "¥800.00" in pending
    assert link in received
    assert html.count("aid-request") == 2  # the payment without a request names none
    assert client.get(own).status_code == 200
