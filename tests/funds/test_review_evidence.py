"""A reviewer attaches what they saw for a sampled payment (a photo of the signed receipt, the
bank slip as a PDF) to its review item: checked by content like a request's files, stored under
a random name, listed on the item and in the printed report, and served only to those who may
see the review."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.cases.test_attachments import EXE, PDF, png_bytes
from tests.funds.conftest import key
from unionhub.cases.services import Upload
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.forms import UPLOAD_END
from unionhub.core.models import AuditEntry
from unionhub.funds import services
from unionhub.funds.models import AuditEvidence


@pytest.fixture
def review(funded, approved, chair, auditor):
    services.disbursement_pay(
        payment_reference="回单 HS-0087", actor=chair, disbursement=approved(funded, "500.00"),
        idempotency_key=key(),
    )  # fmt: skip
    today = timezone.localdate()
    return services.audit_open(
        actor=auditor, fund=funded, period_start=today, period_end=today, share="1", seed=7
    )


def _post(client, review, item, upload, *, whole=True):
    data = {"item": item.pk, "file": upload}
    if whole:
        data[UPLOAD_END] = "1"
    return client.post(reverse("funds:audit-action", args=[review.pk, "evidence"]), data)


def test_a_reviewer_adds_a_photo_and_a_pdf_that_only_those_who_see_the_review_can_open(
    tree, review, auditor, chair, outsider, login, client
):
    item = review.items.get()
    reviewer = login(auditor)
    photo = SimpleUploadedFile("签收单.png", png_bytes(), content_type="image/png")
    assert _post(reviewer, review, item, photo).status_code == 302
    slip = SimpleUploadedFile("银行回单.pdf", PDF, content_type="application/pdf")
    assert _post(reviewer, review, item, slip).status_code == 302
    files = list(item.evidence_files.order_by("id"))
    assert [(f.original_name, f.kind, f.uploaded_by) for f in files] == [
        ("签收单.png", "image", auditor), ("银行回单.pdf", "pdf", auditor),
    ]  # fmt: skip
    assert all(f.file.name.startswith("reviews/") and "签收单" not in f.file.name for f in files)
    assert AuditEntry.objects.filter(action="funds.audit.evidence_added").count() == 2

    page = reviewer.get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    card = page.split(f'id="item-{item.pk}"')[1].split("</article>")[0]
    links = [reverse("funds:audit-evidence", args=[review.pk, f.public_id]) for f in files]
    assert all(link in card for link in links) and "签收单.png" in card and "银行回单.pdf" in card
    assert "回单 HS-0087" in card  # the voucher's number, without opening the payment
    listed = card.split('class="small mt-1 evidence-files"')[1].split("</div>")[0]
    assert "d-print-none" not in listed  # the printed report lists them too

    for who in (auditor, chair):  # the reviewer, and the fund's manager who reads the review
        shown = login(who).get(links[0])
        assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
        assert shown["Cache-Control"] == "private, no-store"
        assert b"".join(shown.streaming_content) == png_bytes()
    assert login(who).get(links[1])["Content-Disposition"].startswith("attachment")
    assert login(outsider).get(links[0]).status_code == 404
    client.logout()
    assert client.get(links[0]).status_code == 302  # to the sign-in page
    other = reverse("funds:audit-evidence", args=[review.pk + 1, files[0].public_id])
    assert login(auditor).get(other).status_code == 404


def test_a_file_that_is_no_photo_or_pdf_is_refused_beside_its_item(tree, review, auditor, login):
    item = review.items.get()
    fake = SimpleUploadedFile("回单.jpg", EXE, content_type="image/jpeg")
    refused = _post(login(auditor), review, item, fake)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "回单.jpg不是照片（JPEG、PNG、WebP）或PDF文件，请重新选择。" in html
    assert f'id="f{item.pk}-error"' in html
    nothing = _post(login(auditor), review, item, "")
    assert (
        nothing.status_code == 400 and "请选择要添加的照片或PDF文件。" in nothing.content.decode()
    )
    assert not AuditEvidence.objects.exists()


def test_an_upload_cut_off_on_the_way_saves_nothing(tree, review, auditor, login):
    item = review.items.get()
    photo = SimpleUploadedFile("签收单.png", png_bytes(), content_type="image/png")
    refused = _post(login(auditor), review, item, photo, whole=False)
    assert refused.status_code == 400
    assert "网络中断" in refused.content.decode()
    assert not AuditEvidence.objects.exists()


def test_only_a_reviewer_adds_evidence_and_only_while_the_review_is_open(
    tree, review, auditor, chair, login
):
    item = review.items.get()
    upload = Upload(name="签收单.png", content=png_bytes())
    with pytest.raises(PermissionDenied):
        services.audit_evidence_add(actor=chair, item=item, upload=upload)
    photo = SimpleUploadedFile("签收单.png", png_bytes(), content_type="image/png")
    assert _post(login(chair), review, item, photo).status_code == 403
    services.audit_check(
        actor=auditor, item=item, checks=dict.fromkeys(item.CHECKS, True), evidence_note="齐全"
    )
    services.audit_close(actor=auditor, review=review, conclusion="未发现问题。")
    with pytest.raises(Conflict):
        services.audit_evidence_add(actor=auditor, item=item, upload=upload)
    page = login(auditor).get(reverse("funds:audit-detail", args=[review.pk])).content.decode()
    assert "evidence-form" not in page
    assert not AuditEvidence.objects.exists()


def test_an_item_holds_a_bounded_number_of_files(tree, review, auditor):
    item = review.items.get()
    for n in range(services.EVIDENCE_PER_ITEM):
        services.audit_evidence_add(
            actor=auditor, item=item, upload=Upload(name=f"{n}.pdf", content=PDF)
        )
    with pytest.raises(DomainError) as refused:
        services.audit_evidence_add(
            actor=auditor, item=item, upload=Upload(name="x.pdf", content=PDF)
        )
    assert (refused.value.code, refused.value.field) == ("too_many", "file")


def test_a_workers_erasure_keeps_the_voucher_but_not_the_name_it_was_uploaded_under(
    review, auditor, district_admin, worker
):
    from unionhub.workers import services as worker_services

    item = review.items.get()
    named = "王小明-签收单-320206199001011234.png"
    evidence = services.audit_evidence_add(
        actor=auditor, item=item, upload=Upload(name=named, content=png_bytes())
    )
    entry = AuditEntry.objects.get(action="funds.audit.evidence_added")
    assert "王小明" not in str(entry.data) and "320206" not in str(entry.data)
    assert entry.data["evidence"] == str(evidence.public_id)
    stored = evidence.file.name
    worker_services.worker_erase(actor=district_admin, worker=worker, reason="本人书面申请删除")
    evidence.refresh_from_db()
    assert evidence.original_name == "（已删除）.png"
    assert evidence.file.storage.exists(stored)  # the fund's voucher stays with its books
