"""A form with files whose body was cut off on the way (a phone losing its signal mid-upload)
lacks its last field: it is refused and nothing is saved, instead of a request with some of its
photos or half its description."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.cases.test_attachments import png_bytes
from unionhub.cases.models import Attachment, Case
from unionhub.core.forms import UPLOAD_END

CUT_OFF = "网络中断，表单没有发送完整，所以什么都没有保存。请检查信号后重新发送。"


def photo(name="现场照片.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def new_request(hardship, **extra):
    return {
        "category": hardship.pk,
        "summary": "宿舍漏水",
        "description": "宿舍屋顶漏水，床铺被淋湿，请工会帮忙协调。",
        "submission_key": uuid.uuid4(),
        "attachments": [photo()],
        **extra,
    }


def test_a_new_request_cut_off_on_the_way_is_refused_and_nothing_is_opened(
    tree, worker, hardship, login
):
    client = login(worker.user)
    response = client.post(reverse("portal:case-create"), new_request(hardship))
    assert response.status_code == 400
    page = response.content.decode()
    assert CUT_OFF in page
    assert 'name="viewport"' in page and "portal.css" in page
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_new_request_that_arrives_whole_is_opened_with_its_photos(tree, worker, hardship, login):
    client = login(worker.user)
    response = client.post(
        reverse("portal:case-create"), new_request(hardship, **{UPLOAD_END: "1"})
    )
    assert response.status_code == 302
    assert Case.objects.get().attachments.count() == 1


def test_the_refusal_offers_the_way_back_to_the_form(tree, worker, hardship, login):
    form = reverse("portal:case-create")
    response = login(worker.user).post(
        form, new_request(hardship), HTTP_REFERER=f"http://testserver{form}"
    )
    assert f'href="http://testserver{form}"' in response.content.decode()
    elsewhere = login(worker.user).post(
        form, new_request(hardship), HTTP_REFERER="https://evil.example/phish"
    )
    assert "evil.example" not in elsewhere.content.decode()


def test_an_addition_cut_off_on_the_way_adds_nothing(tree, worker, case, login):
    url = reverse("portal:case-act", args=[case.public_id, "add"])
    client = login(worker.user)
    refused = client.post(url, {"text": "补交住院发票。", "attachments": [photo()]})
    assert refused.status_code == 400
    assert CUT_OFF in refused.content.decode()
    assert not case.attachments.exists()
    assert not case.events.filter(kind="message").exists()
    whole = client.post(url, {"text": "补交住院发票。", "attachments": [photo()], UPLOAD_END: "1"})
    assert whole.status_code == 302
    assert case.attachments.count() == 1


def test_the_workers_other_buttons_are_not_asked_for_the_end_field(tree, worker, case, login):
    """Withdrawing, rating and reopening carry no files: their forms post as plain fields."""
    url = reverse("portal:case-act", args=[case.public_id, "withdraw"])
    response = login(worker.user).post(url, {"reason": "已自行解决"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN


def test_the_staff_intake_cut_off_on_the_way_opens_nothing(tree, officer, worker, hardship, login):
    data = {
        "worker": worker.public_id, "category": hardship.pk, "channel": "walk_in",
        "urgency": "normal", "summary": "申请困难帮扶", "description": "配偶下岗，收入不够开支。",
        "submission_key": uuid.uuid4(), "attachments": [photo()],
    }  # fmt: skip
    client = login(officer)
    refused = client.post(reverse("cases:case-create"), data)
    assert refused.status_code == 400
    assert CUT_OFF in refused.content.decode()
    assert not Case.objects.exists()
    whole = client.post(
        reverse("cases:case-create"), {**data, "attachments": [photo()], UPLOAD_END: "1"}
    )
    assert whole.status_code == 302
    assert Case.objects.get().attachments.count() == 1


def test_a_staff_file_cut_off_on_the_way_is_not_kept(tree, officer, case, login):
    url = reverse("cases:case-action", args=[case.public_id, "attach"])
    client = login(officer)
    refused = client.post(url, {"file": photo()})
    assert refused.status_code == 400
    assert not case.attachments.exists()
    by_htmx = client.post(url, {"file": photo()}, HTTP_HX_REQUEST="true")
    assert by_htmx.status_code == 400
    assert by_htmx["HX-Redirect"] == "/"  # the page comes back, with the message on top
    assert not case.attachments.exists()
    whole = client.post(url, {"file": photo(), UPLOAD_END: "1"})
    assert whole.status_code == 302
    assert case.attachments.count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_form_with_files_ends_with_the_end_field(
    tree, worker, officer, case, login, language
):
    """Browsers send fields in the page's order: the end field must come after everything."""
    pages = [
        (worker.user, reverse("portal:case-create")),
        (worker.user, reverse("portal:case-detail", args=[case.public_id])),
        (officer, reverse("cases:case-create")),
        (officer, reverse("cases:case-detail", args=[case.public_id]) + "?open=attach"),
    ]
    end = f'<input type="hidden" name="{UPLOAD_END}" value="1">'
    for user, url in pages:
        with translation.override(language):
            html = login(user).get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        forms = re.findall(r"<form[^>]*multipart/form-data.*?</form>", html, flags=re.S)
        assert forms, url
        for form in forms:
            assert end in form, url
            after = form.split(end, 1)[1]
            assert re.fullmatch(r"(\s*</\w+>)*\s*", after), (url, after)
