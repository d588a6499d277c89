import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory
from unionhub.orgs.models import Organization


def test_the_list_shows_only_the_subtree(tree, officer, login):
    response = login(officer).get(reverse("orgs:organization-list"))
    assert response.status_code == 200
    names = {org.name for org in response.context["page"]}
    assert names == {tree.station_a.name, tree.union_a.name}


def test_an_outsider_gets_404_for_another_stations_organisation(tree, outsider, login):
    client = login(outsider)
    assert (
        client.get(reverse("orgs:organization-detail", args=[tree.union_a.pk])).status_code == 404
    )
    assert (
        client.get(reverse("orgs:organization-detail", args=[tree.union_b.pk])).status_code == 200
    )


def test_the_list_filters_by_kind_and_name(tree, district_admin, login):
    client = login(district_admin)
    response = client.get(reverse("orgs:organization-list"), {"kind": "station"})
    assert {o.name for o in response.context["page"]} == {tree.station_a.name, tree.station_b.name}
    response = client.get(reverse("orgs:organization-list"), {"q": "堰桥"})
    assert {o.name for o in response.context["page"]} == {
        tree.street_b.name, tree.station_b.name, tree.union_b.name,
    }  # fmt: skip


def test_an_htmx_request_gets_the_table_only(tree, officer, login):
    response = login(officer).get(reverse("orgs:organization-list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert tree.union_a.name.encode() in response.content


def test_workers_are_sent_away_from_the_console(tree, worker, login):
    assert login(worker.user).get(reverse("orgs:organization-list")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, tree):
    response = client.get(reverse("orgs:organization-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def _add_unions(parent: Organization, count: int) -> None:
    for i in range(count):
        OrganizationFactory(parent=parent, kind=Organization.Kind.ENTERPRISE_UNION, name=f"工会{i}")


@pytest.mark.parametrize("path", ["orgs:organization-list"])
def test_the_list_makes_the_same_number_of_queries_as_rows_grow(
    tree, district_admin, login, count_queries, path
):
    client = login(district_admin)
    client.get(reverse(path))  # warm up: session, content types
    with count_queries() as small:
        client.get(reverse(path))
    _add_unions(tree.station_a, 30)
    with count_queries() as large:
        response = client.get(reverse(path))
    assert len(response.context["page"]) > 30
    # session, user, memberships, unread notifications, count, the page of organisations, their
    # worker counts
    assert len(large) == len(small) <= 7, [q["sql"] for q in large.captured_queries]


def test_an_administrator_adds_and_edits_organisations_through_the_pages(
    tree, district_admin, login
):
    client = login(district_admin)
    response = client.post(
        reverse("orgs:organization-create", args=[tree.street_a.pk]),
        {"kind": "station", "name": "钱桥藕塘社区产改指导站", "opened_on": "2025-11-01"},
    )
    station = Organization.objects.get(name="钱桥藕塘社区产改指导站")
    assert response.status_code == 302
    assert Organization.objects.get_parent(station) == tree.street_a
    client.post(
        reverse("orgs:organization-edit", args=[station.pk]),
        {"name": "钱桥藕塘社区产改指导站", "phone": "0510-83226899", "is_active": "on"},
    )
    station.refresh_from_db()
    assert station.phone == "0510-83226899"


def test_a_wrong_kind_is_not_offered_and_is_refused(tree, district_admin, login):
    response = login(district_admin).post(
        reverse("orgs:organization-create", args=[tree.street_a.pk]),
        {"kind": "district", "name": "X"},
    )
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors


def test_station_staff_cannot_add_organisations(tree, officer, outsider, login):
    url = reverse("orgs:organization-create", args=[tree.station_a.pk])
    assert login(officer).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
