import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import OrganizationFactory
from unionhub.orgs.models import Organization


def test_the_list_is_scoped_and_reports_a_count(tree, officer, login):
    response = login(officer).get(reverse("api:organization-list"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["name"] for row in body["results"]} == {tree.station_a.name, tree.union_a.name}
    union = next(row for row in body["results"] if row["id"] == tree.union_a.pk)
    assert union["parent"] == tree.station_a.pk
    assert union["kind"] == "enterprise_union"


def test_another_stations_organisation_answers_404(tree, outsider, login):
    url = reverse("api:organization-detail", args=[tree.station_a.pk])
    assert login(outsider).get(url).status_code == 404


def test_token_authentication_works_and_is_scoped(tree, officer, client):
    token = Token.objects.create(user=officer)
    response = client.get(reverse("api:organization-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_anonymous_callers_get_401_or_403(client, tree):
    assert client.get(reverse("api:organization-list")).status_code in {401, 403}


def test_workers_cannot_list_organisations(tree, worker, login):
    assert login(worker.user).get(reverse("api:organization-list")).status_code == 403


def test_page_size_is_at_most_200_and_more_is_refused(tree, district_admin, login):
    for i in range(205):
        OrganizationFactory(
            parent=tree.station_a, kind=Organization.Kind.ENTERPRISE_UNION, name=f"工会{i}"
        )
    refused = login(district_admin).get(
        reverse("api:organization-list"), {"page_size": 500}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert refused.status_code == 400
    assert refused.json() == {"page_size": ["请填写每页条数：1 到 200 之间的整数。"]}
    response = login(district_admin).get(reverse("api:organization-list"), {"page_size": 200})
    body = response.json()
    assert len(body["results"]) == 200
    assert body["count"] == Organization.objects.count()
    second = login(district_admin).get(
        reverse("api:organization-list"), {"page_size": 200, "page": 2}
    )
    assert len(second.json()["results"]) == Organization.objects.count() - 200


@pytest.mark.parametrize(("value", "active"), [("true", True), ("false", False), ("1", True)])
def test_is_active_filters_by_true_or_false(tree, district_admin, login, value, active):
    tree.union_b.is_active = False
    tree.union_b.save(update_fields=["is_active"])
    body = login(district_admin).get(reverse("api:organization-list"), {"is_active": value}).json()
    assert body["results"] and all(row["is_active"] is active for row in body["results"])


def test_a_yes_or_no_filter_that_is_neither_is_refused_not_ignored(tree, district_admin, login):
    response = login(district_admin).get(
        reverse("api:organization-list"), {"is_active": "maybe"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response.json() == {"is_active": ["请填写 true 或 false。"]}


def test_within_filters_to_a_visible_subtree_only(tree, district_admin, officer, login):
    url = reverse("api:organization-list")
    body = login(district_admin).get(url, {"within": tree.street_b.pk}).json()
    assert {row["name"] for row in body["results"]} == {
        tree.street_b.name, tree.station_b.name, tree.union_b.name,
    }  # fmt: skip
    assert login(officer).get(url, {"within": tree.street_b.pk}).json()["count"] == 0


def test_the_list_makes_the_same_number_of_queries_as_rows_grow(
    tree, district_admin, login, count_queries
):
    client = login(district_admin)
    url = reverse("api:organization-list")
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for i in range(40):
        OrganizationFactory(
            parent=tree.station_b, kind=Organization.Kind.ENTERPRISE_UNION, name=f"工会{i}"
        )
    with count_queries() as large:
        response = client.get(url)
    assert response.json()["count"] > 40
    # session + user, memberships, count, page (parent ids come from a subquery)
    assert len(large) == len(small) <= 5
