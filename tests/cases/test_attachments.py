import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from unionhub.cases import services
from unionhub.cases.models import Attachment
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.forms import UPLOAD_END


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (183, 28, 28)).save(buffer, format="PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def test_photos_and_pdfs_are_accepted_by_their_content(tree, case, officer):
    photo = services.attachment_add(
        actor=officer, case=case, upload=services.Upload(name="现场.png", content=png_bytes())
    )
    pdf = services.attachment_add(
        actor=officer, case=case, upload=services.Upload(name="诊断书.pdf", content=PDF)
    )
    assert (photo.kind, photo.content_type) == ("image", "image/png")
    assert (pdf.kind, pdf.content_type) == ("pdf", "application/pdf")
    assert "诊断书" not in pdf.file.name  # stored under a random name
    assert not photo.visible_to_worker


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.jpg", EXE, "file_type"),  # a renamed executable
        ("report.pdf", b"%PDF-1.4 but cut off", "file_type"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "file_type"),
        ("empty.jpg", b"", "empty_file"),
    ],
)
def test_other_files_are_refused_whatever_their_name(tree, case, officer, name, content, code):
    with pytest.raises(DomainError) as error:
        services.attachment_add(
            actor=officer, case=case, upload=services.Upload(name=name, content=content)
        )
    assert error.value.code == code
    assert not Attachment.objects.exists()


def test_a_file_too_large_is_refused(tree, case, officer, settings):
    settings.UNIONHUB = {**settings.UNIONHUB, "ATTACHMENT_MAX_BYTES": 1000}
    with pytest.raises(DomainError) as error:
        services.attachment_add(
            actor=officer, case=case, upload=services.Upload(name="big.pdf", content=PDF * 100)
        )
    assert error.value.code == "file_too_large"


def test_at_most_five_files_come_with_a_submission(tree, submit):
    uploads = [services.Upload(name=f"{i}.png", content=png_bytes()) for i in range(6)]
    with pytest.raises(DomainError):
        submit(attachments=uploads)


def test_files_are_served_only_within_the_scope(tree, case, officer, outsider, worker, login):
    attachment = services.attachment_add(
        actor=officer, case=case, upload=services.Upload(name="a.png", content=png_bytes())
    )
    url = reverse("cases:attachment-download", args=[case.public_id, attachment.public_id])
    response = login(officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert login(outsider).get(url).status_code == 404
    portal = reverse("portal:attachment-download", args=[case.public_id, attachment.public_id])
    assert login(worker.user).get(portal).status_code == 404  # staff-only file


def test_the_worker_sees_their_own_photos(tree, worker, hardship, login):
    case = services.case_submit(
        actor=worker.user, worker=worker, category=hardship, channel="mobile",
        summary="房屋漏水", description="宿舍屋顶漏水，被子都湿了。",
        attachments=[services.Upload(name="屋顶.png", content=png_bytes())],
    )  # fmt: skip
    attachment = case.attachments.get()
    assert attachment.visible_to_worker
    url = reverse("portal:attachment-download", args=[case.public_id, attachment.public_id])
    assert login(worker.user).get(url).status_code == 200


def test_uploading_on_the_case_page(tree, case, officer, login):
    response = login(officer).post(
        reverse("cases:case-action", args=[case.public_id, "attach"]),
        {"file": SimpleUploadedFile("x.exe.jpg", EXE), "visible_to_worker": "on", UPLOAD_END: "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.context["attach_form"].errors
    assert not Attachment.objects.exists()


def test_staff_show_a_file_to_the_worker_and_take_it_back(tree, case, officer, worker, login):
    attachment = services.attachment_add(
        actor=officer, case=case, upload=services.Upload(name="救助审批表.pdf", content=PDF)
    )
    from django.test import Client

    portal = reverse("portal:attachment-download", args=[case.public_id, attachment.public_id])
    worker_client = Client()
    worker_client.force_login(worker.user)
    assert worker_client.get(portal).status_code == 404
    client = login(officer)
    share = reverse("cases:case-action", args=[case.public_id, "share_file"])
    page = client.get(reverse("cases:case-detail", args=[case.public_id])).content.decode()
    assert "向职工公开" in page
    client.post(share, {"attachment": attachment.public_id, "visible": "on"})
    assert worker_client.get(portal).status_code == 200
    worker_page = worker_client.get(reverse("portal:case-detail", args=[case.public_id]))
    assert "救助审批表.pdf" in worker_page.content.decode()
    client.post(share, {"attachment": attachment.public_id})
    assert worker_client.get(portal).status_code == 404
    # Kept for staff again: the worker's timeline no longer announces it, on the phone or the API.
    worker_page = worker_client.get(reverse("portal:case-detail", args=[case.public_id]))
    assert "救助审批表.pdf" not in worker_page.content.decode()
    api = worker_client.get(reverse("api:case-detail", args=[case.public_id])).json()
    assert not any("救助审批表" in e["public_message"] for e in api["events"])
    bodies = list(case.events.filter(kind="attachment").values_list("body", flat=True))
    assert bodies[-2:] == ["救助审批表.pdf 已向职工公开。", "救助审批表.pdf 已改为仅工作人员可见。"]


def test_a_file_the_worker_added_stays_theirs_and_junk_is_refused_with_a_message(
    tree, worker, hardship, officer, outsider, login
):
    case = services.case_submit(
        actor=worker.user, worker=worker, category=hardship, channel="mobile",
        summary="房屋漏水", description="宿舍屋顶漏水，被子都湿了。",
        attachments=[services.Upload(name="屋顶.png", content=png_bytes())],
    )  # fmt: skip
    own = case.attachments.get()
    with pytest.raises(Conflict):
        services.attachment_share(actor=officer, case=case, attachment=own, visible=False)
    client = login(officer)
    page = client.get(reverse("cases:case-detail", args=[case.public_id])).content.decode()
    assert 'class="file-thumb"' in page and "仅工作人员可见</button>" not in page
    share = reverse("cases:case-action", args=[case.public_id, "share_file"])
    for junk in ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"]:
        response = client.post(share, {"attachment": junk}, follow=True)
        said = [str(m) for m in response.context["messages"]]
        assert said == ["请选择本诉求中的一个文件。"]
    refused = client.post(share, {"attachment": own.public_id}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        "屋顶.png 是职工本人上传的，职工始终可以查看。"
    ]
    own.refresh_from_db()
    assert own.visible_to_worker
    assert login(outsider).post(share, {"attachment": own.public_id}).status_code == 404


# The first box of a photo an iPhone saves as "High Efficiency": ISO base media, brand heic.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x08meta" * 20
HEIC_SAID = (
    "IMG_0042.HEIC是iPhone的HEIC照片，暂不支持。请截图后上传，"
    "或在“设置 › 相机 › 格式”里选择“兼容性最佳”后重新拍照。"
)


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"mif1"])
def test_an_iphone_heic_photo_is_refused_with_what_to_send_instead(tree, case, officer, brand):
    with pytest.raises(DomainError) as error:
        services.attachment_add(
            actor=officer,
            case=case,
            upload=services.Upload(name="IMG_0042.HEIC", content=HEIC.replace(b"heic", brand, 1)),
        )
    assert error.value.code == "file_type"
    assert str(error.value.message) == HEIC_SAID
    assert not Attachment.objects.exists()


def test_staff_uploading_a_heic_photo_on_the_case_page_are_told_what_to_do(
    tree, case, officer, login
):
    response = login(officer).post(
        reverse("cases:case-action", args=[case.public_id, "attach"]),
        {"file": SimpleUploadedFile("IMG_0042.HEIC", HEIC), UPLOAD_END: "1"},
        HTTP_HX_REQUEST="true",
    )
    assert HEIC_SAID in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_worker_sending_a_heic_photo_is_told_what_to_do(tree, worker, hardship, login):
    response = login(worker.user).post(
        reverse("portal:case-create"),
        {
            "category": hardship.pk,
            "summary": "宿舍屋顶漏水",
            "description": "宿舍屋顶漏水，被子都湿了。",
            "submission_key": "5b0d1f0e-7d0b-4d6e-8f55-2f4f6f7c1a11",
            "attachments": [SimpleUploadedFile("IMG_0042.HEIC", HEIC)],
            UPLOAD_END: "1",
        },
    )
    html = response.content.decode()
    assert HEIC_SAID in html and "不是照片" not in html
    assert not worker.cases.exists()


def test_a_photos_thumbnail_link_is_named_by_the_file(tree, case, officer, login):
    photo = services.attachment_add(
        actor=officer, case=case, upload=services.Upload(name="火灾现场.png", content=png_bytes())
    )
    page = login(officer).get(reverse("cases:case-detail", args=[case.public_id]))
    url = reverse("cases:attachment-download", args=[case.public_id, photo.public_id])
    html = page.content.decode()
    assert f'<a href="{url}" class="flex-shrink-0" aria-label="火灾现场.png"><img' in html
