"""The API's error answers: in the caller's language, with a code, never naming a model."""

import pytest
from django.urls import reverse

MISSING = "/api/v1/cases/00000000-0000-0000-0000-000000000000/"


@pytest.mark.parametrize(("language", "detail"), [("zh-hans", "未找到。"), ("en", "Not found.")])
def test_a_missing_record_answers_404_in_the_callers_language_without_naming_it(
    tree, officer, login, language, detail
):
    client = login(officer)
    for url in (
        MISSING,
        "/api/v1/workers/00000000-0000-0000-0000-000000000000/",
        "/api/v1/disbursements/00000000-0000-0000-0000-000000000000/",
        reverse("api:organization-detail", args=[999999]),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404, url
        assert response.json() == {"code": "not_found", "detail": detail}


@pytest.mark.parametrize(
    ("language", "detail"),
    [("zh-hans", "请求内容不是有效的 JSON。"), ("en", "The request body is not valid JSON.")],
)
def test_a_body_that_is_not_json_is_refused_in_the_callers_language(
    tree, officer, login, language, detail
):
    response = login(officer).post(
        reverse("api:case-list"),
        '{"summary": "漏了引号}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json() == {"code": "parse_error", "detail": detail}


def test_refusals_carry_a_code_beside_the_detail(tree, viewer, worker, client, login):
    anonymous = client.get(reverse("api:case-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert anonymous.status_code in {401, 403}
    assert anonymous.json()["code"] == "not_authenticated"
    refused = login(worker.user).get(reverse("api:organization-list"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
