"""Every API list pages the same way: a page or page size that is not a whole number in range is
refused with 400 naming it, in the caller's language; the schema says so."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

LISTS = [
    "api:organization-list",
    "api:worker-list",
    "api:enterprise-list",
    "api:service-category-list",
    "api:case-list",
    "api:case-referred-on",
    "api:fund-list",
    "api:donation-list",
    "api:disbursement-list",
]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", "1.5"),
        ("page_size", "abc"),
        ("page_size", "0"),
        ("page_size", "-3"),
        ("page_size", "201"),
        ("page_size", "1000"),
    ],
)
def test_a_bad_page_or_page_size_is_refused_with_400_naming_it(
    tree, district_admin, login, name, param, value
):
    response = login(district_admin).get(
        reverse(name), {param: value}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    [message] = response.json()[param]
    assert message in {"请填写页码：从 1 开始的整数。", "请填写每页条数：1 到 200 之间的整数。"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_good_page_and_size_page_and_a_page_past_the_end_is_404(
    tree, district_admin, login, language
):
    client = login(district_admin)
    url = reverse("api:organization-list")
    body = client.get(url, {"page": "2", "page_size": "3"}).json()
    assert len(body["results"]) == 3 and body["count"] == 7
    past = client.get(url, {"page": "9", "page_size": "3"}, HTTP_ACCEPT_LANGUAGE=language)
    assert past.status_code == 404
    assert past.json()["code"] == "not_found"
    assert past.json()["detail"] in {"That page does not exist.", "您访问的页面不存在。"}


def test_the_schema_says_how_pages_are_asked_for(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/organizations/", "/api/v1/cases/", "/api/v1/disbursements/"):
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
        size = parameters["page_size"]
        assert (size["schema"]["minimum"], size["schema"]["maximum"]) == (1, 200)
        assert "refused with 400" in size["description"]
