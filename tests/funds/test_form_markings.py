"""Forms mark what they need: a payment's voucher number is marked required (every method needs
one) and, left empty, refused beside it in the words of the method chosen; an enterprise's
donation without the enterprise is refused at the enterprise picker."""

import re
import uuid

from django.urls import reverse
from django.utils import timezone

from unionhub.cases import services as case_services
from unionhub.cases.models import ServiceCategory
from unionhub.funds.models import Donation


def _label(html: str, field_id: str) -> str:
    return re.search(rf'<label[^>]*for="{field_id}"[^>]*>', html).group(0)


def test_the_advance_forms_voucher_number_is_marked_required_and_refused_by_method(
    tree, funded, chair, officer, worker, login
):
    fire = case_services.case_submit(
        actor=officer, worker=worker, category=ServiceCategory.objects.get(code="emergency_aid"),
        channel="phone", summary="家中失火", description="晚上十点家中失火。",
    )  # fmt: skip
    fire = case_services.case_accept(actor=officer, case=fire)  # money follows acceptance
    client = login(chair)
    page = client.get(reverse("funds:disbursement-create", args=[fire.public_id])).content.decode()
    assert 'class="required"' in _label(page, "id_advance_payment_reference")
    assert "每笔支付都须填写" in page
    url = reverse("funds:advance-create", args=[fire.public_id])
    data = {"idempotency_key": uuid.uuid4(), "fund": funded.pk, "amount": "600",
            "method": "cash", "reason": "垫付住院押金"}  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert refused.context["advance_form"].errors == {
        "payment_reference": ["请填写领款人签收的现金收据编号。"]
    }
    assert client.post(url, {**data, "payment_reference": "SJ 0031"}).status_code == 302


def test_the_pay_forms_voucher_number_is_marked_required(tree, funded, approved, chair, login):
    payment = approved(funded, "500.00")
    url = reverse("funds:disbursement-detail", args=[payment.public_id])
    page = login(chair).get(url).content.decode()
    assert 'class="required"' in _label(page, "id_payment_reference")


def _donation(**values):
    return {
        "idempotency_key": uuid.uuid4(), "donor_kind": "enterprise", "donor_name": "",
        "amount": "2000.00", "channel": "bank_transfer",
        "received_on": timezone.localdate().isoformat(), **values,
    }  # fmt: skip


def test_an_enterprises_donation_without_the_enterprise_is_refused_at_the_picker(
    tree, fund, chair, login
):
    client = login(chair)
    url = reverse("funds:donation-create", args=[fund.code])
    refused = client.post(url, _donation())
    assert refused.status_code == 200 and not Donation.objects.exists()
    assert refused.context["form"].errors == {
        "donor_enterprise": [
            "请选择捐赠企业。列表中没有的企业，请在“捐赠人或拨款单位”中填写其名称。"
        ]
    }
    picked = client.post(url, _donation(donor_enterprise=tree.enterprise_a.pk))
    assert picked.status_code == 302
    typed = client.post(url, _donation(donor_name="无锡某外地企业有限公司"))
    assert typed.status_code == 302
    assert sorted(Donation.objects.values_list("donor_name", flat=True)) == sorted(
        [tree.enterprise_a.name, "无锡某外地企业有限公司"]
    )
    # A person's donation without a name is still refused at the name box.
    person = client.post(url, _donation(donor_kind="person"))
    assert list(person.context["form"].errors) == ["donor_name"]
