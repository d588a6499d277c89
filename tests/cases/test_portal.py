import uuid

from django.urls import reverse

from tests.factories import UserFactory
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
