import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.conftest import staff
from tests.factories import make_id_number
from unionhub.cases import services
from unionhub.cases.models import Case
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.forms import UPLOAD_END
from unionhub.notifications.models import Notification
from unionhub.workers.models import Worker


def test_references_are_numbered_per_district_and_year(tree, submit):
    tree.district.code = "HS"
    tree.district.save()
    first, second = submit(), submit(summary="另一件事")
    year = first.submitted_at.year
    assert first.reference == f"HS-{year}-000001"
    assert second.reference == f"HS-{year}-000002"


def test_the_same_submission_twice_opens_one_request(tree, submit):
    key = uuid.uuid4()
    first = submit(submission_key=key)
    again = submit(submission_key=key)
    assert first.pk == again.pk
    assert Case.objects.count() == 1
    assert submit(submission_key=uuid.uuid4(), summary="另一件事").pk != first.pk


def test_a_key_reused_for_other_words_is_refused_when_asked_and_answered_by_the_page_otherwise(
    tree, submit
):
    key = uuid.uuid4()
    reporter = services.Reporter(name="周国强", phone="139 6170 8852")
    first = submit(submission_key=key, reporter=reporter)
    # The same content, typed the same way, is the same request.
    again = submit(submission_key=key, reporter=reporter, refuse_key_reuse=True)
    assert again.pk == first.pk and again.sent_again is not None
    for change in (
        {"summary": "另一件事"},
        {"reporter": services.Reporter(name="周国强", phone="13900000000")},
        {"urgency": "urgent"},
    ):
        with pytest.raises(Conflict) as error:
            submit(**{"reporter": reporter, **change}, submission_key=key, refuse_key_reuse=True)
        assert error.value.code == "idempotency_key_reused"
    # The pages keep answering with the request already opened.
    assert submit(submission_key=key, summary="另一件事").pk == first.pk
    assert Case.objects.count() == 1


def test_the_same_request_sent_again_with_a_fresh_form_opens_one(tree, submit, worker):
    """Back after submitting brings a new form key: the identical request is the same one."""
    first = submit(submission_key=uuid.uuid4())
    assert submit(submission_key=uuid.uuid4()).pk == first.pk
    assert submit(submission_key=uuid.uuid4(), description="另外的情况说明").pk != first.pk
    later = timezone.now() + services.RESUBMISSION_WINDOW + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        assert submit(submission_key=uuid.uuid4()).pk != first.pk


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("summary", {"summary": "  "}),
        ("description", {"description": "短"}),
        ("channel", {"channel": "carrier-pigeon"}),
        ("urgency", {"urgency": "whenever"}),
    ],
)
def test_bad_input_is_refused_and_nothing_is_opened(tree, submit, field, values):
    with pytest.raises(DomainError) as error:
        submit(**values)
    assert error.value.field == field
    assert not Case.objects.exists()


def test_staff_cannot_open_requests_outside_their_scope(tree, outsider, worker, hardship):
    with pytest.raises(PermissionDenied):
        services.case_submit(
            actor=outsider, worker=worker, category=hardship, channel="phone",
            summary="x", description="一些描述内容", organization=tree.station_b,
        )  # fmt: skip


def test_a_worker_opens_their_own_request_from_the_phone(tree, worker, hardship, officer):
    case = services.case_submit(
        actor=worker.user, worker=worker, category=hardship, channel="walk_in",
        summary="申请帮扶", description="家里老人生病，需要帮助。",
    )  # fmt: skip
    assert case.channel == Case.Channel.MOBILE
    assert case.organization == worker.organization


def test_submitting_tells_the_responsible_staff_but_not_who_entered_it(
    tree, submit, officer, worker
):
    case = submit(actor=worker.user)
    # The union has no chair on the system: its station's staff are told.
    assert Notification.objects.filter(recipient=officer, kind="case_submitted").exists()
    assert case.reference in Notification.objects.get(recipient=officer).title
    # The officer who takes a call and enters it is not told about their own entry.
    Notification.objects.all().delete()
    colleague = staff(tree.station_a, "station_staff", username="colleague")
    submit(summary="另一件事")
    assert not Notification.objects.filter(recipient=officer).exists()
    assert Notification.objects.filter(recipient=colleague, kind="case_submitted").exists()


def test_an_emergency_is_also_texted(
    tree, submit, officer, worker, emergency, settings, django_capture_on_commit_callbacks
):
    from unionhub.notifications.sms import MemorySmsBackend

    settings.SMS_BACKEND = "unionhub.notifications.sms.MemorySmsBackend"
    officer.mobile = "13861800106"
    officer.save()
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(category=emergency, actor=worker.user)
    assert [mobile for mobile, _text in MemorySmsBackend.outbox] == ["13861800106"]
    assert case.reference in MemorySmsBackend.outbox[0][1]


def test_an_ordinary_request_is_not_texted(
    tree, submit, officer, settings, django_capture_on_commit_callbacks
):
    from unionhub.notifications.sms import MemorySmsBackend

    settings.SMS_BACKEND = "unionhub.notifications.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    assert MemorySmsBackend.outbox == []


def test_the_intake_page_finds_a_worker_and_opens_the_request(
    tree, officer, worker, hardship, login
):
    client = login(officer)
    found = client.get(reverse("cases:find-worker"), {"q": worker.mobile[-4:]})
    assert worker.name in found.content.decode()
    key = uuid.uuid4()
    form = {
        "worker": worker.public_id,
        "category": hardship.pk,
        "channel": "walk_in",
        "urgency": "normal",
        "summary": "家庭困难申请帮扶",
        "description": "配偶下岗，孩子上学，收入不够开支。",
        "submission_key": key,
        UPLOAD_END: "1",
    }
    first = client.post(reverse("cases:case-create"), form)
    again = client.post(reverse("cases:case-create"), form)  # a double click
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert first.url == again.url == reverse("cases:case-detail", args=[case.public_id])


def test_the_intake_page_registers_a_new_worker_on_the_spot(tree, officer, hardship, login):
    response = register_at_intake(login(officer), tree, hardship)
    assert response.status_code == 302
    worker = Worker.objects.get(name="陆海峰")
    assert Case.objects.get().worker == worker


def test_an_enterprise_chair_registers_a_colleague_of_the_enterprise_at_intake(
    tree, hardship, login
):
    """A colleague phones the chair about a worker not yet registered: the chair's only
    organisation is the enterprise's union, so the worker joins that enterprise."""
    from tests.conftest import Role, staff

    chair = staff(tree.union_a, Role.ENTERPRISE_CHAIR, username="chair-a")
    data = {
        "new_name": "陆海峰", "new_id_number": make_id_number(), "new_mobile": "13905108181",
        "organization": tree.union_a.pk, "category": hardship.pk, "channel": "phone",
        "urgency": "emergency", "summary": "家中失火", "description": "晚上十点家中失火，已送医。",
        "submission_key": uuid.uuid4(), UPLOAD_END: "1",
    }  # fmt: skip
    client = login(chair)
    response = client.post(reverse("cases:case-create"), data, follow=True)
    worker = Worker.objects.get(name="陆海峰")
    assert worker.enterprise == tree.enterprise_a and worker.organization == tree.union_a
    case = Case.objects.get()
    assert case.worker == worker
    assert [str(m) for m in response.context["messages"]] == [f"诉求{case.reference}已登记。"]
    # Sent again (Back, then Submit): the same request, and the chair is told so.
    again = client.post(reverse("cases:case-create"), data, follow=True)
    assert Case.objects.count() == 1 and Worker.objects.filter(name="陆海峰").count() == 1
    [told] = again.context["messages"]
    assert case.reference in str(told) and "已经登记" in str(told)


def test_a_new_worker_request_sent_again_with_a_photo_keeps_the_photo(
    tree, officer, hardship, login
):
    """Registered on the spot, sent, then Back with the hospital's note photographed and Send
    again: one worker, one request, and the photo on it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.test_attachments import png_bytes

    client = login(officer)
    key, id_number = uuid.uuid4(), make_id_number()
    register_at_intake(client, tree, hardship, submission_key=key, new_id_number=id_number)
    case = Case.objects.get()
    assert not case.attachments.exists()
    photo = SimpleUploadedFile("住院证明.png", png_bytes(), content_type="image/png")
    again = register_at_intake(
        client, tree, hardship, submission_key=key, new_id_number=id_number, attachments=[photo]
    )
    assert again.url == reverse("cases:case-detail", args=[case.public_id])
    assert Case.objects.count() == 1 and Worker.objects.filter(name="陆海峰").count() == 1
    assert case.attachments.count() == 1
    told = [str(m) for m in client.get(again.url).context["messages"]]
    assert (
        told[-1] == f"该诉求已经登记为{case.reference}，本次没有重复登记，新文件已加到这个诉求里。"
    )


def register_at_intake(client, tree, hardship, **changes):
    """Post the intake form registering 陆海峰 on the spot, with ``changes``."""
    data = {
        "new_name": "陆海峰",
        "new_id_number": make_id_number(),
        "new_mobile": "13905108181",
        "organization": tree.station_a.pk,
        "category": hardship.pk,
        "channel": "walk_in",
        "urgency": "normal",
        "summary": "申请困难帮扶",
        "description": "外来务工人员，工伤后收入中断。",
        "submission_key": uuid.uuid4(),
        UPLOAD_END: "1",
        **changes,
    }
    return client.post(reverse("cases:case-create"), data)


def test_a_bad_new_worker_stops_the_request_too(tree, officer, hardship, login):
    response = register_at_intake(
        login(officer), tree, hardship, new_id_number="320206199001011230"
    )
    assert response.status_code == 200
    assert "new_id_number" in response.context["form"].errors
    assert not Worker.objects.filter(name="陆海峰").exists()
    assert not Case.objects.exists()


def test_the_search_for_a_worker_never_leaves_the_scope(tree, officer, worker_b, login):
    found = login(officer).get(reverse("cases:find-worker"), {"q": worker_b.mobile[-4:]})
    assert worker_b.name not in found.content.decode()
    choose = login(officer).get(reverse("cases:find-worker"), {"choose": worker_b.public_id})
    assert choose.status_code == 404


def test_a_colleagues_night_call_records_who_reported_it_and_when_it_happened(
    tree, officer, worker, emergency, login
):
    """The fire story: at 22:00 a colleague phones; the request says who called and when the
    fire broke out, on the page, the timeline and the API; the worker's view leaves the caller
    out."""
    fire_at = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    client = login(officer)
    response = client.post(
        reverse("cases:case-create"),
        {
            "worker": worker.public_id,
            "category": emergency.pk,
            "channel": "phone",
            "urgency": "emergency",
            "summary": "家中失火",
            "description": "晚上十点家中失火，一家三口暂无住处。",
            "occurred_at": fire_at.strftime("%Y-%m-%dT%H:%M"),
            "reporter_name": "王建军",
            "reporter_relation": "同事",
            "reporter_phone": "１３９ ５１０８ ６６２１",
            "submission_key": uuid.uuid4(),
            UPLOAD_END: "1",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.reporter_name, case.reporter_relation, case.reporter_phone) == (
        "王建军", "同事", "13951086621",
    )  # fmt: skip
    assert case.occurred_at == fire_at
    page = client.get(response.url).content.decode()
    assert "王建军（同事）" in page and 'href="tel:13951086621"' in page
    first = case.events.order_by("created_at", "id").first()
    assert "反映人：王建军（同事）。" in first.body
    assert f"发生时间：{fire_at:%Y-%m-%d %H:%M}。" in first.body

    staff_view = client.get(reverse("api:case-detail", args=[case.public_id])).json()
    assert staff_view["reporter_name"] == "王建军"
    worker.user.set_password("Huishan@2026")
    worker.user.save()
    own_view = login(worker.user).get(reverse("api:case-detail", args=[case.public_id])).json()
    assert "reporter_name" not in own_view and "reporter_phone" not in own_view


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reporter_relation": "同事"}, "reporter_name"),
        ({"reporter_name": "王建军", "reporter_phone": "打我电话"}, "reporter_phone"),
        ({"occurred_at": "later"}, "occurred_at"),
    ],
    ids=["relation-without-name", "junk-phone", "junk-time"],
)
def test_a_bad_reporter_or_time_is_refused_on_the_page_and_nothing_is_opened(
    tree, officer, worker, hardship, login, values, field
):
    data = {
        "worker": worker.public_id, "category": hardship.pk, "channel": "phone",
        "urgency": "normal", "summary": "申请困难帮扶", "description": "妻子患病，家庭困难。",
        "submission_key": uuid.uuid4(), UPLOAD_END: "1", **values,
    }  # fmt: skip
    response = login(officer).post(reverse("cases:case-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Case.objects.exists()


def test_a_time_in_the_future_is_refused_by_the_service_and_the_api(
    tree, officer, worker, submit, login
):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        submit(occurred_at=tomorrow)
    assert refused.value.field == "occurred_at"
    response = login(officer).post(
        reverse("api:case-list"),
        {"worker": str(worker.public_id), "category": "hardship_relief", "channel": "phone",
         "summary": "申请困难帮扶", "description": "妻子患病，家庭困难。",
         "occurred_at": tomorrow.isoformat(), "reporter_name": "王建军"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["detail"] == "发生时间不能晚于现在。"
    assert not Case.objects.exists()


def test_the_worker_search_says_when_it_shows_only_the_first_matches(tree, officer, login):
    from tests.factories import WorkerFactory

    for given in "一二三四五六七八九十":
        WorkerFactory(name=f"王秀{given}", organization=tree.station_a)
    WorkerFactory(name="王建国", organization=tree.station_a)
    client = login(officer)
    many = client.get(reverse("cases:find-worker"), {"q": "王"}).content.decode()
    assert many.count("<li") == 10
    assert "只显示前 10 位" in many
    few = client.get(reverse("cases:find-worker"), {"q": "王建"}).content.decode()
    assert few.count("<li") == 1 and "只显示前" not in few


def test_every_mistake_in_a_new_worker_is_named_at_once(tree, officer, hardship, login):
    response = register_at_intake(
        login(officer), tree, hardship,
        new_name="", new_id_number="320206199001011230",  # wrong check digit
        new_mobile="1390510818", organization="",  # ten digits; no organisation
    )  # fmt: skip
    errors = response.context["form"].errors
    assert set(errors) >= {"new_name", "new_id_number", "new_mobile", "organization"}
    assert "校验位" in errors["new_id_number"][0] and "11位" in errors["new_mobile"][0]
    assert not Worker.objects.exists() and not Case.objects.exists()


def test_an_enterprise_chairs_own_union_is_chosen_for_them_at_intake(tree, login):
    from tests.conftest import Role, staff

    chair = staff(tree.union_a, Role.ENTERPRISE_CHAIR, username="chair-a")
    form = login(chair).get(reverse("cases:case-create")).context["form"]
    assert form["organization"].value() == tree.union_a.pk


def test_a_too_long_id_number_is_told_once(tree, officer, hardship, login):
    response = register_at_intake(
        login(officer), tree, hardship, new_id_number="3202061990010112345"
    )
    assert len(response.context["form"].errors["new_id_number"]) == 1


def test_a_new_request_notice_stops_counting_once_someone_takes_it_on(
    tree, submit, officer, worker
):
    """Every lead was told of the new request; once one of them accepts it (or it is referred on,
    rejected or withdrawn), it is no longer waiting: nobody's notice of it stays unread."""
    colleague = staff(tree.station_a, "station_staff", username="colleague")
    case = submit(actor=worker.user)
    waiting = Notification.objects.filter(kind="case_submitted", read_at__isnull=True)
    assert set(waiting.values_list("recipient", flat=True)) == {officer.pk, colleague.pk}
    services.case_accept(actor=colleague, case=case)
    assert not waiting.exists()
    assert Notification.objects.filter(recipient=officer, kind="case_submitted").exists()
    # Referred on: those it waited with are settled; those it is referred to are told anew.
    other = submit(actor=worker.user, summary="另一件事")
    street_lead = staff(tree.street_a, "district_admin", username="street_lead")
    services.case_refer(actor=officer, case=other, organization=tree.street_a, reason="需街道协调")
    assert not waiting.exists()
    referred = Notification.objects.get(kind="case_referred", recipient=street_lead)
    assert referred.read_at is None
    services.case_reject(actor=street_lead, case=other, reason="不属于本街道受理范围")
    referred.refresh_from_db()
    assert referred.read_at is not None
