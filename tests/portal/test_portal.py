import json

from django.urls import reverse

from tests.factories import FamilyMemberFactory


def test_a_worker_sees_their_own_home_and_profile(tree, worker, login):
    client = login(worker.user)
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert "王小明" in home.content.decode()
    assert tree.station_a.name in home.content.decode()  # the service point above their union
    FamilyMemberFactory(worker=worker, name="王子涵")
    # (an ID number may wrap between its groups: <wbr> marks where)
    profile = client.get(reverse("portal:profile")).content.decode().replace("<wbr>", "")
    assert "王子涵" in profile
    assert worker.id_number_masked in profile
    assert worker.id_number not in profile


def test_staff_are_sent_to_the_console(tree, officer, login):
    response = login(officer).get(reverse("portal:home"))
    assert response.status_code == 302
    assert login(officer).get(response.url).url == reverse("core:dashboard")


def test_anonymous_visitors_are_sent_to_sign_in(client, tree):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login") + "?next=")


def test_a_worker_can_download_what_is_held_about_them(tree, worker, login):
    FamilyMemberFactory(worker=worker, name="王子涵")
    response = login(worker.user).get(reverse("portal:my-data-download"))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["worker"]["id_number"] == worker.id_number
    assert data["worker"]["birth_date"] == worker.birth_date.isoformat()
    assert data["family"][0]["name"] == "王子涵"
    assert data["exported_at"].endswith("+08:00")


def test_a_worker_reads_what_is_held_about_them_on_the_phone(tree, worker, login):
    """The same data as the file, readable: their own full numbers, family, and where to go to
    print it or download it."""
    FamilyMemberFactory(worker=worker, name="王子涵", school="惠山区钱桥实验小学")
    response = login(worker.user).get(reverse("portal:my-data"))
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode().replace("<wbr>", "")
    assert worker.id_number in page and worker.mobile in page
    assert "王子涵" in page and "惠山区钱桥实验小学" in page
    assert reverse("portal:my-data-download") in page and "data-print" in page
    assert "没有人查看过您的完整身份证号。" in page


def test_a_worker_cannot_reach_staff_pages_or_api(tree, worker, login):
    client = login(worker.user)
    assert client.get(reverse("workers:worker-list")).status_code == 403
    assert client.get(reverse("api:worker-list")).status_code == 403


def test_me_answers_a_worker_with_their_masked_profile(tree, worker, login):
    body = login(worker.user).get(reverse("api:me")).json()
    assert body["is_staff_member"] is False
    assert body["worker"]["id_number"] == worker.id_number_masked
    assert body["memberships"] == []


def test_me_answers_staff_with_their_roles(tree, officer, login):
    body = login(officer).get(reverse("api:me")).json()
    assert body["is_staff_member"] is True
    assert body["worker"] is None
    assert body["memberships"] == [
        {
            "organization": tree.station_a.pk,
            "organization_name": tree.station_a.name,
            "role": "station_staff",
            "role_label": "指导站工作人员",
        }
    ]


def test_the_portal_is_built_for_a_phone(tree, worker, login):
    html = login(worker.user).get(reverse("portal:home")).content.decode()
    assert 'name="viewport"' in html
    assert 'class="bottom-nav"' in html
    assert "bootstrap" not in html  # the portal ships its own small stylesheet


def test_the_new_request_form_says_up_front_that_the_description_needs_five_characters(
    tree, worker, login
):
    page = login(worker.user).get(reverse("portal:case-create")).content.decode()
    assert "至少5个字，最多2000字：发生了什么事，需要什么帮助。" in page


def test_the_hotline_has_one_name_on_every_portal_page(tree, worker, login, client):
    pages = [reverse("portal:home"), reverse("portal:case-create")]
    html = "".join(login(worker.user).get(url).content.decode() for url in pages)
    client.logout()
    html += client.get(reverse("portal:login")).content.decode()
    assert "工会服务热线" in html and "职工服务热线" not in html
