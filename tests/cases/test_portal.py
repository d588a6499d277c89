import uuid

from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from unionhub.cases import services
from unionhub.cases.models import Case
from unionhub.core.forms import UPLOAD_END
from unionhub.notifications.models import Notification


def test_a_worker_submits_from_the_phone_once_even_on_a_double_tap(tree, worker, hardship, login):
    client = login(worker.user)
    form = {
        "category": hardship.pk,
        "summary": "家里老人住院",
        "description": "父亲突发脑梗住院，需要陪护，收入减少。",
        "preferred_contact_time": "晚上七点后",
        "submission_key": uuid.uuid4(),
        UPLOAD_END: "1",
    }
    first = client.post(reverse("portal:case-create"), form)
    second = client.post(reverse("portal:case-create"), form)
    case = Case.objects.get()
    assert first.url == second.url == reverse("portal:case-detail", args=[case.public_id])
    assert case.channel == "mobile"
    assert case.preferred_contact_time == "晚上七点后"


def test_bad_input_on_the_phone_keeps_what_was_typed(tree, worker, hardship, login):
    response = login(worker.user).post(
        reverse("portal:case-create"),
        {
            "category": hardship.pk,
            "summary": "求助",
            "description": "短",
            "submission_key": uuid.uuid4(),
            UPLOAD_END: "1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["description"]
    assert "求助" in response.content.decode()
    assert not Case.objects.exists()


def test_the_worker_sees_progress_but_never_internal_notes(tree, worker, officer, case, login):
    services.case_accept(actor=officer, case=case)
    services.case_note(actor=officer, case=case, text="内部备注：家属情绪激动")
    services.case_log_contact(actor=officer, case=case, kind="visit", summary="探望时发现房屋漏水")
    html = (
        login(worker.user)
        .get(reverse("portal:case-detail", args=[case.public_id]))
        .content.decode()
    )
    assert "内部备注" not in html
    assert "房屋漏水" not in html
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Union staff visited you.") in html


def test_a_worker_cannot_see_anothers_request(tree, worker, case, login):
    other = UserFactory()
    assert login(other).get(reverse("portal:case-detail", args=[case.public_id])).status_code == 302
    from tests.factories import WorkerFactory

    someone = WorkerFactory(organization=tree.union_a, enterprise=tree.enterprise_a)
    someone.user = other
    someone.save()
    assert login(other).get(reverse("portal:case-detail", args=[case.public_id])).status_code == 404
    assert (
        login(other).post(reverse("portal:case-act", args=[case.public_id, "withdraw"])).status_code
        == 404
    )


def test_withdraw_rate_and_reopen_from_the_phone(tree, worker, officer, case, login):
    client = login(worker.user)
    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已发放帮扶金")
    refused = client.post(
        reverse("portal:case-act", args=[case.public_id, "rate"]), {"rating": "9"}
    )
    assert refused.status_code == 400
    client.post(
        reverse("portal:case-act", args=[case.public_id, "rate"]),
        {"rating": "4", "comment": "不错"},
    )
    assert Case.objects.get(pk=case.pk).rating == 4
    client.post(
        reverse("portal:case-act", args=[case.public_id, "reopen"]), {"reason": "钱还没到账"}
    )
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    client.post(reverse("portal:case-act", args=[case.public_id, "withdraw"]))
    assert Case.objects.get(pk=case.pk).status == "withdrawn"


def test_each_step_reaches_the_workers_inbox_in_their_language(tree, worker, officer, case, login):
    worker.user.language = "en"
    worker.user.save()
    services.case_accept(actor=officer, case=case)
    note = Notification.objects.get(recipient=worker.user)
    assert note.title == f"Your request {case.reference} has been accepted."
    inbox = login(worker.user).get(reverse("portal:notification-list"))
    assert case.reference in inbox.content.decode()
    read = login(worker.user).post(reverse("notifications:notification-read", args=[note.pk]))
    assert read.url == reverse("portal:case-detail", args=[case.public_id])
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_worker_opening_the_console_inbox_reads_it_in_the_portal(tree, worker, officer, login):
    response = login(worker.user).get(reverse("notifications:notification-list"))
    assert response.status_code == 302
    assert response.url == reverse("portal:notification-list")
    staff_inbox = login(officer).get(reverse("notifications:notification-list"))
    assert staff_inbox.status_code == 200


def test_a_notification_of_someone_else_answers_404(tree, worker, officer, case, login):
    services.case_accept(actor=officer, case=case)
    note = Notification.objects.get(recipient=worker.user)
    response = login(officer).post(reverse("notifications:notification-read", args=[note.pk]))
    assert response.status_code == 404


def test_the_portal_lists_only_my_requests(tree, worker, case, login):
    response = login(worker.user).get(reverse("portal:case-list"))
    assert [c.reference for c in response.context["page"]] == [case.reference]


# Sent again: the same text within half an hour is the same request, and its new photos join it.


def coloured_photo(name: str, colour: tuple[int, int, int]):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def leak_request(hardship, *photos):
    """The new-request form as the worker sends it: a fresh form key each time (Back and Send)."""
    return {
        "category": hardship.pk,
        "summary": "宿舍漏水",
        "description": "宿舍屋顶漏水，床铺被淋湿，请工会帮忙协调。",
        "submission_key": uuid.uuid4(),
        "attachments": list(photos),
        UPLOAD_END: "1",
    }


def test_sending_a_request_again_with_new_photos_adds_them_to_the_one_already_sent(
    tree, worker, officer, hardship, login
):
    client = login(worker.user)
    url = reverse("portal:case-create")
    client.post(url, leak_request(hardship, coloured_photo("屋顶.png", (200, 0, 0))))
    again = client.post(
        url,
        leak_request(
            hardship,
            coloured_photo("屋顶.png", (200, 0, 0)),  # the same photo: kept once
            coloured_photo("床铺.png", (0, 0, 200)),
        ),
        follow=True,
    )
    case = Case.objects.get()
    assert sorted(case.attachments.values_list("original_name", flat=True)) == [
        "屋顶.png",
        "床铺.png",
    ]
    page = again.content.decode()
    assert f"您已经提交过这个诉求（{case.reference}），这次选择的照片已加到这个诉求里。" in page
    # Whoever handles it hears of the addition, as when the worker adds on the request's page.
    assert Notification.objects.filter(recipient=officer, kind="case_added_to").exists()


def test_sending_a_request_again_with_the_same_photos_adds_nothing(tree, worker, hardship, login):
    client = login(worker.user)
    url = reverse("portal:case-create")
    client.post(url, leak_request(hardship, coloured_photo("屋顶.png", (200, 0, 0))))
    again = client.post(
        url, leak_request(hardship, coloured_photo("屋顶.png", (200, 0, 0))), follow=True
    )
    case = Case.objects.get()
    assert case.attachments.count() == 1
    assert f"您已经提交过这个诉求（{case.reference}）。" in again.content.decode()


def test_photos_sent_again_to_a_request_no_longer_open_are_not_added_and_the_worker_is_told(
    tree, worker, hardship, login
):
    client = login(worker.user)
    url = reverse("portal:case-create")
    client.post(url, leak_request(hardship))
    case = Case.objects.get()
    services.case_withdraw(actor=worker.user, case=case)
    again = client.post(
        url, leak_request(hardship, coloured_photo("床铺.png", (0, 0, 200))), follow=True
    )
    assert Case.objects.count() == 1 and not case.attachments.exists()
    page = again.content.decode()
    assert f"您已经提交过这个诉求（{case.reference}），但这次选择的照片没能加进去" in page
    assert "已撤回" in page


def test_a_bad_file_sent_again_is_refused_on_the_form_and_nothing_is_added(
    tree, worker, hardship, login
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.test_attachments import EXE

    client = login(worker.user)
    url = reverse("portal:case-create")
    client.post(url, leak_request(hardship))
    refused = client.post(url, leak_request(hardship, SimpleUploadedFile("bill.jpg", EXE)))
    assert refused.status_code == 200
    assert refused.context["form"].errors["attachments"]
    assert not Case.objects.get().attachments.exists()


def test_a_full_request_sent_again_keeps_its_files_and_says_why(
    tree, worker, hardship, login, settings
):
    client = login(worker.user)
    url = reverse("portal:case-create")
    client.post(url, leak_request(hardship))
    case = Case.objects.get()
    for i in range(20):
        services.attachment_add(
            actor=worker.user,
            case=case,
            upload=services.Upload(name=f"{i}.png", content=coloured_photo("x", (i, 9, 9)).read()),
        )
    again = client.post(
        url, leak_request(hardship, coloured_photo("床铺.png", (0, 0, 200))), follow=True
    )
    assert case.attachments.count() == 20
    assert "每件诉求最多上传20个文件" in again.content.decode()


def test_staff_sending_an_intake_again_add_its_new_files_to_the_request(
    tree, officer, worker, hardship, login
):
    def intake(*photos):
        return {
            "worker": worker.public_id, "category": hardship.pk, "channel": "walk_in",
            "urgency": "normal", "summary": "宿舍漏水", "description": "宿舍屋顶漏水，请协调。",
            "submission_key": uuid.uuid4(), "attachments": list(photos), UPLOAD_END: "1",
        }  # fmt: skip

    client = login(officer)
    client.post(reverse("cases:case-create"), intake())
    again = client.post(
        reverse("cases:case-create"), intake(coloured_photo("床铺.png", (0, 0, 200))), follow=True
    )
    case = Case.objects.get()
    attachment = case.attachments.get()
    assert attachment.visible_to_worker
    assert "新文件已加到这个诉求里" in again.content.decode()


def test_opening_their_request_reads_its_news_and_only_its_own(
    tree, worker, officer, submit, login
):
    from django.test import Client

    first, second = (
        submit(),
        submit(summary="医药费报销困难", description="住院费用较高，报销后仍有缺口。"),
    )
    services.case_accept(actor=officer, case=first)
    services.case_start(actor=officer, case=first)
    services.case_accept(actor=officer, case=second)
    assert Notification.objects.filter(recipient=worker.user, read_at__isnull=True).count() == 3
    # Signed in for real, so the badge is counted as on a phone (by the sign-in backend).
    client = Client()
    client.post(reverse("portal:login"), {"username": worker.mobile, "password": PASSWORD})
    page = client.get(reverse("portal:case-detail", args=[first.public_id])).content.decode()
    unread = Notification.objects.filter(recipient=worker.user, read_at__isnull=True)
    assert list(unread.values_list("url", flat=True)) == [
        reverse("portal:case-detail", args=[second.public_id])
    ]
    assert '<span class="count" aria-hidden="true">1</span>' in page


def test_opening_a_request_reads_nothing_of_someone_elses(tree, worker, officer, case, login):
    services.case_accept(actor=officer, case=case)
    login(officer).get(reverse("cases:case-detail", args=[case.public_id]))
    assert Notification.objects.filter(recipient=worker.user, read_at__isnull=True).exists()
