"""Error pages speak the user's language and carry the app's own look (no bare "Not Found")."""

from django.template import loader
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory


def test_someone_without_a_role_opening_the_staff_desk_gets_a_translated_403(tree, login):
    response = login(UserFactory(username="nobody")).get(reverse("cases:case-list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "此页面不对您开放" in page
    assert "返回首页" in page


def test_an_unknown_address_gets_a_translated_404(tree, officer, login):
    response = login(officer).get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()
    with translation.override("en"):
        english = loader.get_template("404.html").render()
    assert "We could not find this page" in english


def test_the_500_page_renders_without_a_request():
    with translation.override("en"):
        page = loader.get_template("500.html").render()
    assert "Something went wrong on our side" in page
    assert '<html lang="en">' in page


def test_an_expired_form_gets_a_translated_page_for_the_phone(tree, worker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(worker.user)
    form = reverse("portal:case-create")
    response = client.post(form, {"summary": "求助"}, HTTP_REFERER=f"http://testserver{form}")
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page
    # What a new request held is restored by the form itself: the page does not ask to copy it.
    assert "复制" not in page
    assert "您在新诉求里填写的文字保存在这部手机上，会自动填回；照片需要重新选择。" in page
    assert 'name="viewport"' in page and "portal.css" in page
    with translation.override("en"):
        english = loader.get_template("403_csrf.html").render()
    assert "The page has expired" in english and "kept on this phone" in english


def test_an_expired_form_offers_a_button_back_to_where_the_worker_was(tree, worker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(worker.user)
    form = reverse("portal:case-create")
    back = client.post(form, {"summary": "求助"}, HTTP_REFERER=f"http://testserver{form}")
    page = back.content.decode()
    assert f'href="http://testserver{form}"' in page and "返回刚才的页面" in page
    unknown = client.post(form, {"summary": "求助"}).content.decode()
    assert 'href="/"' in unknown and "返回刚才的页面" not in unknown
    foreign = client.post(form, {"summary": "求助"}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in foreign.content.decode()
