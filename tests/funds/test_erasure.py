"""A worker asks for their personal data to be deleted (PIPL): it is pseudonymised, what was
typed about them goes, and the books still balance."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.factories import FamilyMemberFactory, WorkerFactory
from tests.funds.conftest import key
from unionhub.cases import services as case_services
from unionhub.cases.models import Attachment, CaseEvent
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.models import AuditEntry
from unionhub.funds import services
from unionhub.notifications.models import Notification
from unionhub.workers import services as worker_services
from unionhub.workers.models import Worker

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def history(worker, officer, chair, case, funded, approved):
    """A closed request with a visit, a note and a file, and a payment made for it."""
    FamilyMemberFactory(worker=worker, name="王子涵", school="惠山区钱桥实验小学")
    case_services.case_note(actor=officer, case=case, text="妻子透析，每月医药费约六千元")
    case_services.case_log_contact(
        actor=officer, case=case, kind="visit", summary="上门探望王小明",
        counselling="疏导焦虑情绪",
    )  # fmt: skip
    case_services.attachment_add(
        actor=officer, case=case, upload=case_services.Upload(name="诊断书.pdf", content=PDF)
    )
    payment = approved(funded, "1000.00", case=case)
    services.disbursement_pay(
        payment_reference="SJ-0001", actor=chair, disbursement=payment, idempotency_key=key()
    )
    case_services.case_resolve(actor=officer, case=case, resolution="已为王小明发放帮扶金")
    case_services.case_close(actor=officer, case=case)
    return case, payment


def test_erasing_keeps_a_pseudonymous_record_and_the_books_balance(
    history, worker, district_admin, funded, django_capture_on_commit_callbacks
):
    case, payment = history
    user = worker.user
    stored = Attachment.objects.get(case=case).file.name
    with django_capture_on_commit_callbacks(execute=True):
        erased = worker_services.worker_erase(
            actor=district_admin, worker=worker, reason="本人书面申请删除个人信息"
        )
    erased.refresh_from_db()
    assert erased.name.startswith("已删除职工·") and erased.erased_at
    assert (erased.mobile, erased.id_number, erased.address, erased.user) == ("", "", "", None)
    assert (erased.birth_date.month, erased.birth_date.day) == (1, 1)
    assert not erased.family.exists()
    user.refresh_from_db()
    assert not user.is_active and user.mobile is None and not user.has_usable_password()
    assert not Notification.objects.filter(recipient=user).exists()
    # The request still counts; what was typed about the worker is gone.
    case.refresh_from_db()
    assert (case.status, case.category.code) == ("closed", "hardship_relief")
    assert case.worker_name == erased.name and "王小明" not in case.search_text
    assert case.description == "" and case.resolution_summary == ""
    texts = " ".join(f"{e.body} {e.body_translations} {e.public_params}" for e in case.events.all())
    assert "王小明" not in texts and "透析" not in texts and "诊断书" not in texts
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).exists()  # the line stays, emptied
    assert not case.followups.exclude(summary="").exists()
    assert not Attachment.objects.filter(case=case).exists()
    assert not Attachment._meta.get_field("file").storage.exists(stored)
    # The money stays where it went.
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.worker_id == erased.pk
    funded.refresh_from_db()
    assert services.verify(funded) == []
    assert payment.reason == "（已删除）"
    staff_inbox = " ".join(
        f"{n.title} {n.body}" for n in Notification.objects.exclude(recipient=user)
    )
    assert "王小明" not in staff_inbox  # the approvers' notices of the payment named him
    entry = AuditEntry.objects.get(action="workers.worker.erased")
    assert entry.data["reason"] == "本人书面申请删除个人信息" and entry.data["files"] == 1
    # The record is kept as it is: no note, reopening, visit or money for it any more.
    assert not case.followups.filter(status="scheduled").exists()
    assert case_services.allowed_actions(case, district_admin) == []
    with pytest.raises(Conflict):
        case_services.case_note(actor=district_admin, case=case, text="又来电")
    with pytest.raises(DomainError):
        services.disbursement_request(
            actor=district_admin, fund=funded, worker=erased, category=case.category,
            amount="100.00", method="cash", reason="生活补助", case=case,
        )  # fmt: skip


def test_an_erased_worker_cannot_sign_in(history, worker, district_admin, client, password):
    mobile = worker.mobile
    worker_services.worker_erase(actor=district_admin, worker=worker, reason="本人申请删除")
    response = client.post(reverse("portal:login"), {"username": mobile, "password": password})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_two_erased_workers_of_one_district_do_not_clash(tree, district_admin):
    for name in ("赵一", "钱二"):
        someone = WorkerFactory(name=name, organization=tree.union_a)
        worker_services.worker_erase(actor=district_admin, worker=someone, reason="本人申请删除")
    assert Worker.objects.filter(erased_at__isnull=False, mobile="").count() == 2


def test_erasing_is_refused_with_a_reason_and_changes_nothing(
    worker, officer, district_admin, case
):
    with pytest.raises(PermissionDenied):  # station staff may edit workers, not erase them
        worker_services.worker_erase(actor=officer, worker=worker, reason="本人申请删除")
    with pytest.raises(DomainError) as short:
        worker_services.worker_erase(actor=district_admin, worker=worker, reason="删")
    assert short.value.field == "reason"
    with pytest.raises(DomainError) as still_open:  # the request is still being handled
        worker_services.worker_erase(actor=district_admin, worker=worker, reason="本人申请删除")
    assert still_open.value.code == "still_open"
    assert "王小明还有办理中的诉求或帮扶款（诉求1件，帮扶款0笔）" in str(still_open.value.message)
    worker.refresh_from_db()
    assert worker.name == "王小明" and worker.erased_at is None
    assert not AuditEntry.objects.filter(action="workers.worker.erased").exists()


def test_erasing_twice_is_refused(tree, district_admin):
    someone = WorkerFactory(name="孙三", organization=tree.union_a)
    worker_services.worker_erase(actor=district_admin, worker=someone, reason="本人申请删除")
    with pytest.raises(DomainError) as again:
        worker_services.worker_erase(actor=district_admin, worker=someone, reason="本人申请删除")
    assert again.value.code == "already_erased"


def test_the_worker_page_deletes_on_request_and_then_keeps_the_record_read_only(
    history, worker, district_admin, officer, login
):
    url = reverse("workers:worker-detail", args=[worker.public_id])
    assert "删除个人信息" not in login(officer).get(url).content.decode()  # not station staff
    client = login(district_admin)
    assert "职工本人申请删除个人信息" in client.get(url).content.decode()
    erase = reverse("workers:worker-erase", args=[worker.public_id])
    refused = client.post(erase, {"erase-reason": "本人书面申请"})  # the box not ticked
    assert refused.status_code == 400
    assert "请勾选确认。" in refused.content.decode()
    assert refused.context["erase_form"]["reason"].value() == "本人书面申请"
    worker.refresh_from_db()
    assert worker.erased_at is None
    done = client.post(erase, {"erase-reason": "本人书面申请", "erase-confirm": "on"}, follow=True)
    page = done.content.decode()
    assert "个人信息已删除，记录以“已删除职工·" in page
    assert "应本人要求删除" in page and "王小明" not in page
    assert "编辑" not in page and "新建诉求" not in page
    # Nothing more is added to the record, through any page.
    worker.refresh_from_db()
    with pytest.raises(DomainError):
        worker_services.family_member_add(
            actor=district_admin, worker=worker, name="王子涵", relation="child"
        )
    with pytest.raises(DomainError):
        case_services.case_submit(
            actor=district_admin, worker=worker, category=history[0].category, channel="phone",
            summary="求助", description="求助",
        )  # fmt: skip


def test_the_audit_log_keeps_what_was_done_but_no_longer_says_it_about_the_worker(
    history, worker, district_admin, officer, login
):
    from unionhub.core import audit

    _case, payment = history
    worker_services.worker_update(actor=officer, worker=worker, address="惠山区钱桥街道舜柯路8号")
    worker_services.worker_reveal_id_number(
        actor=district_admin, worker=worker, reason="核对王小明大病救助申请材料"
    )
    about_worker = AuditEntry.objects.filter(target_id=str(worker.pk), action__startswith="workers")
    before = list(about_worker.order_by("pk").values_list("action", "actor", "created_at"))
    from django.contrib.contenttypes.models import ContentType

    def about(record):
        kind = ContentType.objects.get_for_model(record)
        return AuditEntry.objects.filter(target_type=kind, target_id=str(record.pk)).count()

    expected = about(worker) + about(worker.user) + about(payment)

    erased = worker_services.worker_erase(
        actor=district_admin, worker=worker, reason="本人书面申请删除个人信息"
    )

    # Every entry is still there: who did what, and when.
    after = about_worker.exclude(action="workers.worker.erased")
    assert list(after.order_by("pk").values_list("action", "actor", "created_at")) == before
    everything = " ".join(
        f"{e.target_label} {e.data}"
        for e in AuditEntry.objects.exclude(action="workers.worker.erased")
    )
    for said in ("王小明", "舜柯路", "核对王小明"):
        assert said not in everything
    updated = after.get(action="workers.worker.updated")
    assert updated.target_label == erased.name
    assert updated.data["changes"]["address"] == ["", "（已删除）"]  # the kind of change stays
    paid = AuditEntry.objects.get(action="funds.disbursement.paid", target_id=str(payment.pk))
    assert erased.name in paid.target_label and paid.data["amount"] == "1000.00"
    assert AuditEntry.objects.get(action="workers.worker.erased").data["audit_entries"] == expected
    # The log still reads.
    for entry in after:
        audit.describe_details(entry)
    page = login(district_admin).get(reverse("core:audit-list")).content.decode()
    assert erased.name in page and "王小明" not in page
