"""The worker adds to an open request from the phone (a few words, photos); what they did and why
reads back on their timeline; a refused request points to what they can do next."""

import uuid

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cases.test_attachments import EXE, png_bytes
from tests.factories import UserFactory
from unionhub.cases import services
from unionhub.cases.models import Attachment, Case, CaseEvent
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.forms import UPLOAD_END
from unionhub.notifications.models import Notification

WHOLE = {UPLOAD_END: "1"}  # the end of a form with files: it arrived whole


def detail(case):
    return reverse("portal:case-detail", args=[case.public_id])


def add_url(case):
    return reverse("portal:case-act", args=[case.public_id, "add"])


def test_the_worker_adds_words_and_a_photo_and_whoever_handles_it_is_told(
    tree, worker, officer, case, login
):
    services.case_accept(actor=officer, case=case)
    services.case_assign(actor=officer, case=case, assignee=officer)
    client = login(worker.user)
    page = client.get(detail(case)).content.decode()
    assert "补充情况" in page and 'enctype="multipart/form-data"' in page
    photo = SimpleUploadedFile("住院发票.png", png_bytes(), content_type="image/png")
    response = client.post(
        add_url(case), {"text": "补交住院发票一张。", "attachments": [photo], **WHOLE}
    )
    assert response.status_code == 302
    message = case.events.get(kind=CaseEvent.Kind.MESSAGE)
    assert message.body == "补交住院发票一张。" and message.actor == worker.user
    (file,) = Attachment.objects.filter(case=case)
    assert file.visible_to_worker and file.original_name == "住院发票.png"
    page = client.get(detail(case)).content.decode()
    assert "您补充了：补交住院发票一张。" in page and "住院发票.png" in page
    assert "已补充，工会已收到通知。" in page
    told = Notification.objects.get(recipient=officer, kind="case_added_to")
    assert case.reference in told.title
    # Staff read it on the request's timeline as the worker's own words.
    staff = Client()
    staff.force_login(officer)
    html = staff.get(reverse("cases:case-detail", args=[case.public_id])).content.decode()
    assert "职工补充" in html and "补交住院发票一张。" in html


def test_nothing_to_add_or_a_bad_file_is_refused_and_changes_nothing(tree, worker, case, login):
    client = login(worker.user)
    empty = client.post(add_url(case), {"text": "  ", **WHOLE})
    assert empty.status_code == 400
    assert "请填写要补充的内容，或选择照片。" in empty.content.decode()
    fake = SimpleUploadedFile("发票.jpg", EXE, content_type="image/jpeg")
    refused = client.post(add_url(case), {"text": "补交发票", "attachments": [fake], **WHOLE})
    assert refused.status_code == 400
    said = refused.content.decode()
    assert "不是照片" in said and 'id="id_attachments"' in said
    assert not case.events.filter(kind=CaseEvent.Kind.MESSAGE).exists()
    assert not Attachment.objects.exists()


def test_only_the_worker_adds_and_only_while_it_is_open(tree, worker, worker_b, officer, case):
    worker_b.user = UserFactory()
    worker_b.save()
    with pytest.raises(PermissionDenied):
        services.case_add_info(actor=officer, case=case, text="员工代补")
    with pytest.raises(PermissionDenied):
        services.case_add_info(actor=worker_b.user, case=case, text="不是我的诉求")
    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已帮扶")
    with pytest.raises(Conflict):
        services.case_add_info(actor=worker.user, case=case, text="晚了")
    with pytest.raises(DomainError):
        services.case_add_info(
            actor=worker.user,
            case=Case.objects.get(pk=case.pk),
            attachments=[services.Upload("a.png", png_bytes())] * 6,
        )
    assert not case.events.filter(kind=CaseEvent.Kind.MESSAGE).exists()


def test_the_api_takes_the_same_addition(tree, worker, officer, case, login):
    client = login(worker.user)
    url = reverse("api:case-add-info", args=[case.public_id])
    photo = SimpleUploadedFile("伤情.png", png_bytes(), content_type="image/png")
    response = client.post(url, {"text": "伤口复查结果", "attachments": [photo], **WHOLE})
    assert response.status_code == 200, response.content
    assert any("您补充了" in e["public_message"] for e in response.json()["events"])
    assert Attachment.objects.filter(case=case, visible_to_worker=True).count() == 1
    refused = client.post(url, {"text": ""}, content_type="application/json")
    assert refused.status_code == 400
    staff = Client()
    staff.force_login(officer)
    assert staff.post(url, {"text": "x"}, content_type="application/json").status_code == 403


def test_why_the_worker_withdrew_or_reopened_reads_back_on_their_timeline(
    tree, worker, officer, submit, login
):
    client = login(worker.user)
    first = submit()
    client.post(
        reverse("portal:case-act", args=[first.public_id, "withdraw"]), {"reason": "问题已自行解决"}
    )
    assert "您已撤回诉求：问题已自行解决" in client.get(detail(first)).content.decode()
    second = submit(summary="医药费报销困难", description="住院费用较高，报销后仍有缺口。")
    services.case_accept(actor=officer, case=second)
    services.case_resolve(actor=officer, case=second, resolution="已发放帮扶金")
    client.post(
        reverse("portal:case-act", args=[second.public_id, "reopen"]),
        {"reason": "钱还没有收到，医院在催缴费。"},
    )
    page = client.get(detail(second)).content.decode()
    assert "您已重新打开诉求：钱还没有收到，医院在催缴费。" in page
    assert "还有什么问题没有解决" not in page  # reopened: the form is gone
    # Sent again from a stale tab: it is done already, said so.
    again = client.post(reverse("portal:case-act", args=[first.public_id, "withdraw"]))
    assert "该诉求已是“已撤回”状态。" in client.get(again.url).content.decode()


def test_a_refused_request_says_what_the_worker_can_do_next(tree, worker, officer, case, login):
    tree.station_a.phone = "0510-83591234"
    tree.station_a.save()
    services.case_reject(actor=officer, case=case, reason="经核实不符合帮扶条件")
    page = login(worker.user).get(detail(case)).content.decode()
    assert "您现在可以" in page
    assert f'href="{reverse("portal:case-create")}"' in page
    assert 'href="tel:0510-83591234"' in page and 'href="tel:12351"' in page


def test_after_sending_the_worker_is_told_by_when_the_union_takes_it_up_and_when_it_calls(
    tree, worker, hardship, login
):
    """The deadline is the response deadline, which runs at night too: it is when the union
    takes the request up, said as a day and a time; the call comes at the worker's own time."""
    import datetime

    import time_machine

    client = login(worker.user)
    form = {
        "category": hardship.pk, "summary": "家里老人住院",
        "description": "父亲突发脑梗住院，需要陪护，收入减少。",
        "preferred_contact_time": "晚上八点后", "submission_key": uuid.uuid4(), UPLOAD_END: "1",
    }  # fmt: skip
    # Tuesday 25 November 2026, 02:25 in Shanghai: a 24-hour deadline falls at 02:25 tomorrow.
    night = datetime.datetime(2026, 11, 24, 18, 25, tzinfo=datetime.UTC)
    with time_machine.travel(night, tick=False):
        response = client.post(reverse("portal:case-create"), form, follow=True)
        case = Case.objects.get()
        assert case.response_due_at - case.submitted_at == datetime.timedelta(
            hours=hardship.response_sla_hours
        )
        due = timezone.localtime(case.response_due_at).strftime("%H:%M")
        page = response.content.decode()
        assert f"我们已收到您的诉求{case.reference}。" in page
        assert "工会将在明天 02:25前受理您的诉求。" in page
        assert "前受理您的诉求。<br>工作人员会在您方便的时间（晚上八点后）联系您。" in page
        assert "与您联系。" not in page and f"11-26 {due}" not in page
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("portal:case-detail", args=[case.public_id]))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "Your union will take up your request by tomorrow at 02:25." in english.content.decode()
    assert (
        "Staff will contact you at a time that suits you (晚上八点后)." in english.content.decode()
    )
    Case.objects.filter(pk=case.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )  # a deadline gone by with the request still waiting
    late = client.get(reverse("portal:case-detail", args=[case.public_id])).content.decode()
    assert "工会本应在" in late and "现在还没有受理" in late


@pytest.mark.parametrize(
    ("hours", "chinese", "english"),
    [
        (1, "今天 03:25", "today at 03:25"),
        (24, "明天 02:25", "tomorrow at 02:25"),
        (48, "11月27日 02:25", "November 27 at 02:25"),
        (-24, "昨天 02:25", "yesterday at 02:25"),
    ],
)
def test_a_deadline_is_said_as_a_day_and_a_time(hours, chinese, english):
    import datetime

    import time_machine
    from django.utils import translation

    from unionhub.core.i18n import day_and_time

    now = datetime.datetime(2026, 11, 24, 18, 25, tzinfo=datetime.UTC)  # 02:25 in Shanghai
    with time_machine.travel(now, tick=False):
        moment = now + datetime.timedelta(hours=hours)
        with translation.override("zh-hans"):
            assert day_and_time(moment) == chinese
        with translation.override("en"):
            assert day_and_time(moment) == english


def test_the_phone_says_which_field_is_missing_in_plain_words(tree, worker, login):
    response = login(worker.user).post(
        reverse("portal:case-create"), {"submission_key": uuid.uuid4(), UPLOAD_END: "1"}
    )
    page = response.content.decode()
    for said in ["请选择您需要哪方面的帮助。", "请用一句话说明您的诉求。", "请说明具体情况。"]:
        assert said in page
    assert "该字段是必填项" not in page


def test_more_than_five_files_are_refused_before_any_is_read(tree, worker, case, login):
    response = login(worker.user).post(
        add_url(case), {"text": "补充", "attachments": six(), **WHOLE}
    )
    assert response.status_code == 400
    assert "最多只能上传5个文件。" in response.content.decode()
    assert not Attachment.objects.exists()
    api = login(worker.user).post(
        reverse("api:case-add-info", args=[case.public_id]),
        {"text": "补充", "attachments": six()},
    )
    assert api.status_code == 400 and not Attachment.objects.exists()


def six():
    return [
        SimpleUploadedFile(f"p{i}.png", png_bytes(), content_type="image/png") for i in range(6)
    ]
