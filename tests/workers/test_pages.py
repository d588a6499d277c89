import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import FamilyMemberFactory, WorkerFactory, make_id_number
from unionhub.core.models import AuditEntry
from unionhub.workers.models import FamilyMember, Worker


def detail(worker):
    return reverse("workers:worker-detail", args=[worker.public_id])


def test_the_list_shows_the_subtree_with_numbers_masked(tree, officer, worker, worker_b, login):
    response = login(officer).get(reverse("workers:worker-list"))
    assert [w.name for w in response.context["page"]] == ["王小明"]
    html = response.content.decode()
    assert worker.id_number_masked in html
    assert worker.id_number not in html
    assert worker.mobile not in html
    assert worker.mobile_masked in html


@pytest.mark.parametrize("term", ["王小", "wxm", "wangxiao", "Wang Xiaoming", "wang xiao"])
def test_search_finds_by_name_or_pinyin(tree, officer, worker, login, term):
    response = login(officer).get(reverse("workers:worker-list"), {"q": term})
    assert [w.name for w in response.context["page"]] == ["王小明"]


def test_search_finds_by_the_tail_of_the_mobile_or_id_number(tree, officer, worker, login):
    client = login(officer)
    for term in (worker.mobile[-4:], worker.mobile[-6:], worker.id_number[-4:]):
        response = client.get(reverse("workers:worker-list"), {"q": term})
        assert [w.name for w in response.context["page"]] == ["王小明"], term


def test_search_never_crosses_the_scope(tree, officer, worker_b, login):
    response = login(officer).get(reverse("workers:worker-list"), {"q": worker_b.mobile[-4:]})
    assert list(response.context["page"]) == []
    assert response.context["page"].paginator.count == 0


def test_a_full_number_in_the_search_is_refused_with_a_message(tree, officer, worker, login):
    response = login(officer).get(reverse("workers:worker-list"), {"q": worker.mobile})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    with translation.override("zh-hans"):
        message = translation.gettext(
            "To protect privacy, search with only the last 4–6 digits of a mobile or ID number."
        )
    assert message in response.content.decode()


def test_an_outsider_gets_404_for_the_worker_and_its_actions(tree, outsider, worker, login):
    client = login(outsider)
    assert client.get(detail(worker)).status_code == 404
    assert client.get(reverse("workers:worker-edit", args=[worker.public_id])).status_code == 404
    reveal = reverse("workers:worker-reveal-id", args=[worker.public_id])
    assert client.post(reveal, {"reason": "核对身份信息"}).status_code == 404
    assert not AuditEntry.objects.filter(action="workers.worker.id_revealed").exists()


def test_a_viewer_may_read_but_gets_403_for_changes(tree, viewer, worker, login):
    client = login(viewer)
    assert client.get(detail(worker)).status_code == 200
    assert client.get(reverse("workers:worker-edit", args=[worker.public_id])).status_code == 403
    add = reverse("workers:family-add", args=[worker.public_id])
    assert client.post(add, {"name": "王一", "relation": "child"}).status_code == 403
    assert not FamilyMember.objects.exists()


def test_the_detail_page_shows_family_and_masks_the_id(tree, officer, worker, login):
    FamilyMemberFactory(worker=worker, name="王子涵", school="惠山区钱桥实验小学")
    html = login(officer).get(detail(worker)).content.decode()
    assert "王子涵" in html
    assert "惠山区钱桥实验小学" in html
    assert worker.id_number_masked in html
    assert worker.id_number not in html


def test_revealing_over_htmx_answers_the_fragment_and_logs_it(tree, officer, worker, login):
    client = login(officer)
    url = reverse("workers:worker-reveal-id", args=[worker.public_id])
    refused = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert worker.id_number not in refused.content.decode()
    assert refused.context["reveal_form"].errors
    shown = client.post(url, {"reason": "核对身份证复印件"}, HTTP_HX_REQUEST="true")
    assert worker.id_number in shown.content.decode()
    assert b"<html" not in shown.content
    assert shown["Cache-Control"] == "no-store"
    assert (
        AuditEntry.objects.get(action="workers.worker.id_revealed").data["reason"]
        == "核对身份证复印件"
    )


def test_registering_through_the_form(tree, officer, login):
    client = login(officer)
    id_number = make_id_number()
    response = client.post(
        reverse("workers:worker-create"),
        {
            "name": "孙丽",
            "id_number": id_number,
            "mobile": "13905102222",
            "enterprise": tree.enterprise_a.pk,
            "hardship_level": "none",
        },
    )
    worker = Worker.objects.get(name="孙丽")
    assert response.status_code == 302
    assert response.url == detail(worker)


def test_bad_input_on_the_form_shows_a_message_next_to_the_field_and_saves_nothing(
    tree, officer, login
):
    client = login(officer)
    response = client.post(
        reverse("workers:worker-create"),
        {
            "name": "孙丽",
            "id_number": "320206199003151234",
            "mobile": "13905102222",
            "enterprise": tree.enterprise_a.pk,
            "hardship_level": "none",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "id_number" in errors
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The ID number's check digit does not match; check each digit."
        )
    assert expected in response.content.decode()
    assert not Worker.objects.exists()


def test_an_enterprise_outside_the_scope_cannot_be_chosen(tree, officer, login):
    response = login(officer).post(
        reverse("workers:worker-create"),
        {
            "name": "孙丽",
            "id_number": make_id_number(),
            "mobile": "13905102222",
            "enterprise": tree.enterprise_b.pk,
            "hardship_level": "none",
        },
    )
    assert response.status_code == 200
    assert "enterprise" in response.context["form"].errors
    assert not Worker.objects.exists()


def test_editing_keeps_the_id_number_when_left_empty(tree, officer, worker, login):
    response = login(officer).post(
        reverse("workers:worker-edit", args=[worker.public_id]),
        {
            "name": "王小明",
            "id_number": "",
            "mobile": worker.mobile,
            "enterprise": tree.enterprise_a.pk,
            "hardship_level": "hardship",
        },
    )
    assert response.status_code == 302
    refreshed = Worker.objects.get(pk=worker.pk)
    assert refreshed.id_number == worker.id_number
    assert refreshed.hardship_level == "hardship"


def test_the_edit_form_never_puts_the_full_id_number_into_the_page(tree, officer, worker, login):
    html = login(officer).get(reverse("workers:worker-edit", args=[worker.public_id])).content
    assert worker.id_number.encode() not in html


def test_adding_a_family_member_over_htmx_answers_the_family_card(tree, officer, worker, login):
    response = login(officer).post(
        reverse("workers:family-add", args=[worker.public_id]),
        {"name": "王一诺", "relation": "child", "birth_date": "2018-05-01"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "王一诺" in response.content.decode()
    assert b"<html" not in response.content


def test_the_list_makes_the_same_number_of_queries_as_rows_grow(
    tree, district_admin, login, count_queries
):
    client = login(district_admin)
    url = reverse("workers:worker-list")
    WorkerFactory(organization=tree.union_a, enterprise=tree.enterprise_a)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for _ in range(30):
        WorkerFactory(organization=tree.union_b, enterprise=tree.enterprise_b)
    with count_queries() as large:
        response = client.get(url)
    assert len(response.context["page"]) == 25
    # session, user, memberships, unread notifications, count, one page of workers with their
    # organisation and enterprise
    assert len(large) == len(small) <= 6


def test_a_view_only_role_sees_the_mobile_masked_and_no_address(tree, viewer, worker, login):
    worker.address = "无锡市惠山区舜何社区8幢302室"
    worker.save()
    html = login(viewer).get(detail(worker)).content.decode()
    assert worker.mobile not in html
    assert worker.mobile_masked in html
    assert worker.address not in html


def test_the_search_box_refuses_to_send_more_than_six_digits(tree, officer, login):
    import re

    html = login(officer).get(reverse("workers:worker-list")).content.decode()
    pattern = re.search(r'name="q"[^>]*pattern="([^"]+)"', html).group(1)
    regex = re.compile(f"^(?:{pattern})$")
    assert regex.match("王小明") and regex.match("5678") and regex.match("125678")
    assert not regex.match("13812345678")
    assert not regex.match("320206198001011234")


def test_staff_give_a_worker_who_forgot_it_a_new_password_and_unlock_the_sign_in(
    tree, officer, viewer, worker, password, login, settings
):
    from django.test import Client

    phone = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        phone.post(reverse("portal:login"), {"username": worker.mobile, "password": "wrong-1"})
    locked = phone.post(reverse("portal:login"), {"username": worker.mobile, "password": password})
    assert "_auth_user_id" not in phone.session and locked.status_code in (200, 403, 429)
    url = reverse("workers:enable-login", args=[worker.public_id])
    page = login(officer).get(detail(worker)).content.decode()
    assert "职工忘记密码？为其重设" in page
    weak = login(officer).post(url, {"password": "12345678", "intent": "reset"}, follow=True)
    assert "太常见" in weak.content.decode()
    worker.user.refresh_from_db()
    assert worker.user.check_password(password)
    done = login(officer).post(url, {"password": "Qianqiao#2026", "intent": "reset"}, follow=True)
    assert f"{worker.name}现在可以用新密码登录了。" in done.content.decode()
    assert AuditEntry.objects.filter(action="workers.worker.password_set").count() == 1
    fresh = Client()
    fresh.post(reverse("portal:login"), {"username": worker.mobile, "password": "Qianqiao#2026"})
    assert "_auth_user_id" in fresh.session
    refused = login(viewer).post(url, {"password": "Another#2026", "intent": "reset"})
    assert refused.status_code in (403, 404)


def test_a_new_password_ends_app_sign_ins_tells_the_worker_and_never_touches_staff(
    tree, officer, worker, login
):
    from rest_framework.authtoken.models import Token

    from tests.factories import MembershipFactory
    from unionhub.core.errors import DomainError
    from unionhub.notifications.models import Notification
    from unionhub.workers import services

    Token.objects.create(user=worker.user)
    url = reverse("workers:enable-login", args=[worker.public_id])
    # An "enable" sent from a stale page, after sign-in was enabled, resets nothing.
    stale = login(officer).post(url, {"password": "Qianqiao#2026"}, follow=True)
    assert "该职工已开通登录" in stale.content.decode()
    worker.user.refresh_from_db()
    assert not worker.user.check_password("Qianqiao#2026")
    login(officer).post(url, {"password": "Qianqiao#2026", "intent": "reset"})
    assert not Token.objects.filter(user=worker.user).exists()
    told = Notification.objects.get(recipient=worker.user, kind="password_set")
    assert officer.get_full_name() in told.title
    MembershipFactory(user=worker.user, organization=tree.union_a, role="enterprise_chair")
    with pytest.raises(DomainError) as refused:
        services.worker_set_password(actor=officer, worker=worker, password="Another#2026")
    assert refused.value.code == "staff_account"


def test_a_name_of_two_latin_words_is_found_as_typed(tree, officer, login):
    from tests.factories import WorkerFactory

    WorkerFactory(name="Maria Santos", organization=tree.union_a, enterprise=tree.enterprise_a)
    response = login(officer).get(reverse("workers:worker-list"), {"q": "Maria Santos"})
    assert [w.name for w in response.context["page"]] == ["Maria Santos"]
