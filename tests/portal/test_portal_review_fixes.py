"""What a worker on a phone found wrong in the portal, each kept fixed."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from unionhub.cases import services
from unionhub.cases.models import Case
from unionhub.core.forms import UPLOAD_END
from unionhub.notifications.models import Notification


@pytest.fixture
def resolved(case, officer):
    services.case_accept(actor=officer, case=case)
    return services.case_resolve(actor=officer, case=case, resolution="已发放帮扶金")


def act(case, action: str) -> str:
    return reverse("portal:case-act", args=[case.public_id, action])


def detail(case) -> str:
    return reverse("portal:case-detail", args=[case.public_id])


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# 1. A reload of an action's URL goes back to the request ------------------------------------------


@pytest.mark.parametrize("action", ["rate", "reopen", "withdraw"])
def test_a_get_on_an_action_url_goes_back_to_the_request(resolved, worker, login, action):
    response = login(worker.user).get(act(resolved, action))
    assert response.status_code == 302
    assert response.url == detail(resolved)
    assert Case.objects.get(pk=resolved.pk).status == "resolved"


def test_a_get_on_someone_elses_action_url_answers_404(case, worker_b, login):
    from tests.factories import UserFactory

    worker_b.user = UserFactory()
    worker_b.save()
    assert login(worker_b.user).get(act(case, "withdraw")).status_code == 404


def test_an_unknown_action_answers_404(case, worker, login):
    client = login(worker.user)
    assert client.get(act(case, "accept")).status_code == 404
    assert client.post(act(case, "accept")).status_code == 404
    assert Case.objects.get(pk=case.pk).status == "submitted"


# 2. A refusal is told, and nothing changes --------------------------------------------------------


def test_rating_twice_says_it_is_already_rated(resolved, worker, login):
    client = login(worker.user)
    client.post(act(resolved, "rate"), {"rating": "4"})
    second = client.post(act(resolved, "rate"), {"rating": "1", "comment": "另一个标签页"})
    assert second.status_code == 302 and second.url == detail(resolved)
    assert zh("You have already rated this request.") in messages_of(second)
    assert Case.objects.get(pk=resolved.pk).rating == 4
    page = client.get(second.url).content.decode()
    assert zh("You have already rated this request.") in page


def test_rating_a_request_still_submitted_says_why(case, worker, login):
    response = login(worker.user).post(act(case, "rate"), {"rating": "5"})
    assert response.status_code == 302 and response.url == detail(case)
    [message] = messages_of(response)
    assert case.get_status_display() in message
    assert Case.objects.get(pk=case.pk).rating is None


def test_an_incomplete_form_for_a_step_no_longer_offered_is_told(resolved, worker, login):
    client = login(worker.user)
    client.get(client.post(act(resolved, "rate"), {"rating": "4"}).url)  # thanked, in one tab
    response = client.post(act(resolved, "rate"), {})  # no star, and already rated anyway
    assert response.status_code == 302 and response.url == detail(resolved)
    assert len(messages_of(response)) == 1
    assert Case.objects.get(pk=resolved.pk).rating == 4


def test_rating_without_a_star_shows_the_form_with_a_summary_of_errors(resolved, worker, login):
    response = login(worker.user).post(act(resolved, "rate"), {"comment": "很好"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert" data-error-summary' in html
    assert 'href="#id_rating_0"' in html  # the summary leads to the first star
    assert f'action="{act(resolved, "rate")}#rate"' in html  # the page opens at the form
    assert Case.objects.get(pk=resolved.pk).rating is None


def test_reopening_without_a_reason_shows_the_form_with_a_summary_of_errors(
    resolved, worker, login
):
    response = login(worker.user).post(act(resolved, "reopen"), {"reason": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-summary" in html and 'href="#id_reason"' in html
    assert Case.objects.get(pk=resolved.pk).status == "resolved"


# 3. Withdrawing takes two deliberate steps --------------------------------------------------------


def test_withdrawing_is_behind_a_confirmation_away_from_the_navigation(case, worker, login):
    html = login(worker.user).get(detail(case)).content.decode()
    confirm = html.index('<details class="confirm">')
    form = html.index(f'action="{act(case, "withdraw")}"')
    assert confirm < form < html.index("</details>", confirm)
    assert 'class="btn btn-danger btn-block"' in html
    # "All my requests" is a back link at the top, no longer right under the withdraw button.
    assert html.index(reverse("portal:case-list") + '"') < confirm
    assert 'name="reason"' in html[form:]


def test_a_withdrawal_keeps_the_reason_given(case, worker, login):
    login(worker.user).post(act(case, "withdraw"), {"reason": "问题已自行解决"})
    case.refresh_from_db()
    assert case.status == "withdrawn"
    assert case.events.filter(body="问题已自行解决").exists()


def test_the_worker_is_told_before_withdrawing_that_aid_under_way_is_cancelled_too(
    case, officer, worker, login
):
    from decimal import Decimal

    from tests.funds.conftest import make_fund
    from unionhub.funds import services as fund_services

    client = login(worker.user)
    assert "一并取消" not in client.get(detail(case)).content.decode()
    fund = make_fund(case.organization, code="wd-test")
    case = services.case_accept(actor=officer, case=case)  # money is asked once it is taken up
    fund_services.disbursement_request(
        actor=Case.objects.get(pk=case.pk).created_by, fund=fund, worker=worker, case=case,
        amount=Decimal("800.00"), method="cash", reason="医药费补助",
    )  # fmt: skip
    html = client.get(detail(case)).content.decode()
    confirm = html.index('<details class="confirm">')
    assert html.index("（1笔），撤回诉求将一并取消") > confirm


# 4. Errors in sight on the request form -----------------------------------------------------------


def test_an_empty_description_is_summarised_on_top_with_a_note_about_photos(
    hardship, worker, login
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.test_attachments import png_bytes

    client = login(worker.user)
    data = {
        "category": hardship.pk,
        "summary": "求助",
        "submission_key": uuid.uuid4(),
        UPLOAD_END: "1",
    }
    html = client.post(reverse("portal:case-create"), data).content.decode()
    summary = html.index("data-error-summary")
    assert summary < html.index('name="category"')  # on top of the form
    assert 'href="#id_description"' in html[summary:]
    assert 'id="photos-again"' not in html  # no photo was chosen: nothing to choose again
    photo = SimpleUploadedFile("火灾现场.png", png_bytes(), content_type="image/png")
    html = client.post(reverse("portal:case-create"), {**data, "attachments": photo})
    assert 'id="photos-again"' in html.content.decode()
    assert not Case.objects.exists()


def test_the_fresh_request_form_has_no_summary_or_photo_note(worker, login):
    html = login(worker.user).get(reverse("portal:case-create")).content.decode()
    assert "data-error-summary" not in html
    assert 'id="photos-again"' not in html


# 11. Every field of the request form is spaced and marked like the other forms --------------------


def test_the_request_forms_fields_are_wrapped_and_required_ones_marked(worker, login):
    html = login(worker.user).get(reverse("portal:case-create")).content.decode()
    assert 'class="field category-picker required"' in html
    for name, required in [
        ("summary", True),
        ("description", True),
        ("preferred_contact_time", False),
        ("attachments", False),
    ]:
        label = html.index(f'for="id_{name}"')
        wrapper = html.rindex('<div class="field', 0, label)
        assert ("required" in html[wrapper : html.index(">", wrapper)]) is required, name


# 5. The sending state -----------------------------------------------------------------------------


def test_send_buttons_say_they_are_sending(resolved, worker, login):
    client = login(worker.user)
    for url in [reverse("portal:case-create"), detail(resolved)]:
        html = client.get(url).content.decode()
        assert "data-once data-busy-text=" in html


# 6. No htmx on the portal -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:home", "portal:case-create", "portal:notification-list"])
def test_portal_pages_do_not_load_htmx(worker, login, name):
    html = login(worker.user).get(reverse(name)).content.decode()
    assert "htmx" not in html and "hx-" not in html
    assert "js/portal.js" in html


def test_the_worker_sign_in_page_does_not_load_htmx(client, db):
    html = client.get(reverse("portal:login")).content.decode()
    assert "htmx" not in html and "js/portal.js" in html


def test_staff_pages_still_load_htmx(tree, officer, login):
    html = login(officer).get(reverse("core:dashboard")).content.decode()
    assert "htmx" in html


# 7. Workers sign in (and out) on the phone page ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/portal/",
        "/portal/requests/",
        "/portal/messages/",
        "/portal/me/",
        f"/portal/requests/{uuid.uuid4()}/",
    ],
)
def test_an_anonymous_visitor_to_a_portal_page_signs_in_on_the_phone_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    login = reverse("portal:login")
    assert response.url.startswith(login + "?next=")
    assert client.get(response.url).status_code == 200


def test_after_signing_in_the_worker_lands_where_they_were_going(client, worker, password):
    target = reverse("portal:case-list")
    redirected = client.get(target)
    response = client.post(redirected.url, {"username": worker.mobile, "password": password})
    assert response.status_code == 302
    assert response.url == target


def test_the_staff_sign_in_passes_a_worker_on_to_the_phone_page(client, db):
    response = client.get(reverse("accounts:login") + "?next=/portal/requests/")
    assert response.status_code == 302
    assert response.url == reverse("portal:login") + "?next=/portal/requests/"


def test_the_staff_sign_in_still_serves_staff(client, db):
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(reverse("accounts:login") + "?next=/cases/").status_code == 200
    unsafe = client.get(reverse("accounts:login") + "?next=https://evil.example/portal/")
    assert unsafe.status_code == 200


def test_staff_pages_still_send_to_the_staff_sign_in(client, db):
    response = client.get(reverse("core:dashboard"))
    assert response.url.startswith(reverse("accounts:login") + "?next=")


def test_signing_out_of_the_portal_lands_on_the_phone_sign_in(worker, login):
    client = login(worker.user)
    html = client.get(reverse("portal:profile")).content.decode()
    assert f'name="next" value="{reverse("portal:login")}"' in html
    response = client.post(reverse("accounts:logout"), {"next": reverse("portal:login")})
    assert response.url == reverse("portal:login")
    assert client.get(reverse("portal:home")).url.startswith(reverse("portal:login"))


# 9. Tap targets (the markup the 44-px rules hang on) ----------------------------------------------


def test_open_requests_on_home_are_whole_row_links(case, worker, login):
    html = login(worker.user).get(reverse("portal:home")).content.decode()
    assert '<ul class="plain-list link-list">' in html
    row = html.index(f'href="{detail(case)}"')
    assert html.index('class="status', row) < html.index("</a>", row)


def test_the_hotline_on_the_sign_in_page_is_a_big_link(client, db):
    html = client.get(reverse("portal:login")).content.decode()
    assert '<a class="tel-link" href="tel:12351">' in html


# 10. The inbox is never stale ---------------------------------------------------------------------


def test_the_inbox_is_not_kept_in_the_browsers_cache(case, officer, worker, login):
    services.case_accept(actor=officer, case=case)
    response = login(worker.user).get(reverse("portal:notification-list"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "data-reload-on-back" in response.content.decode()
    assert case.reference in response.content.decode()
    assert Notification.objects.filter(recipient=worker.user).exists()


def test_staff_opening_the_portal_inbox_are_sent_to_the_console(tree, officer, login):
    response = login(officer).get(reverse("portal:notification-list"))
    assert response.status_code == 302
