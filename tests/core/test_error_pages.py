"""Error pages speak the user's language and carry the app's own look (no bare "Not Found")."""

from django.template import loader
from django.urls import reverse
from django.utils import translation


def test_a_worker_opening_the_staff_desk_gets_a_translated_403(tree, worker, login):
    response = login(worker.user).get(reverse("cases:case-list"))
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
    response = client.post(reverse("portal:case-create"), {"summary": "求助"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "复制您填写的内容" in page
    assert 'name="viewport"' in page and "portal.css" in page
    with translation.override("en"):
        english = loader.get_template("403_csrf.html").render()
    assert "The page has expired" in english
