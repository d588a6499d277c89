"""The queue's filters and buttons offer what the user can use, within their scope."""

import re

import pytest
from django.urls import reverse

from tests.conftest import staff
from tests.factories import EnterpriseFactory, OrganizationFactory, WorkerFactory
from unionhub.cases import forms as case_forms
from unionhub.orgs.models import Membership, Organization


def organisation_options(page) -> list[str]:
    select = re.search(r'<select name="organization".*?</select>', page.content.decode(), re.S)
    if select is None:
        return []
    return [
        name.strip("\u3000") for name in re.findall(r"<option[^>]*>([^<]*)</option>", select[0])
    ]


def union_under(station, name):
    union = OrganizationFactory(parent=station, kind=Organization.Kind.ENTERPRISE_UNION, name=name)
    enterprise = EnterpriseFactory(name=name.removesuffix("工会"), station=station, union=union)
    return union, enterprise


def test_station_staff_filter_the_queue_by_the_unions_they_serve(
    tree, officer, outsider, submit, login
):
    other_union, other_enterprise = union_under(tree.station_a, "无锡钱桥物流有限公司工会")
    theirs = submit(
        worker=WorkerFactory(organization=other_union, enterprise=other_enterprise),
        summary="物流公司职工的诉求",
    )
    ours = submit()  # of union A
    client = login(officer)
    page = client.get(reverse("cases:case-list"))
    assert organisation_options(page) == [
        "我的全部组织", tree.station_a.name, tree.union_a.name, other_union.name,
    ]  # fmt: skip
    filtered = client.get(reverse("cases:case-list"), {"organization": other_union.pk})
    assert [case.reference for case in filtered.context["page"]] == [theirs.reference]
    filtered = client.get(reverse("cases:case-list"), {"organization": tree.union_a.pk})
    assert [case.reference for case in filtered.context["page"]] == [ours.reference]
    # Another station's unions are neither offered nor taken.
    assert tree.union_b.name not in organisation_options(
        login(officer).get(reverse("cases:case-list"))
    )
    refused = client.get(reverse("cases:case-list"), {"organization": tree.union_b.pk})
    assert refused.context["form"].errors["organization"]
    assert not list(refused.context["page"])


def test_a_chair_of_one_union_has_nothing_to_choose_so_no_filter(tree, login):
    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, username="chair")
    assert organisation_options(login(chair).get(reverse("cases:case-list"))) == []


def test_a_large_scope_offers_its_streets_and_stations_not_every_union(
    tree, district_admin, login, monkeypatch
):
    monkeypatch.setattr(case_forms, "ORGANIZATION_CHOICES_LIMIT", 5)  # the tree holds seven
    offered = organisation_options(login(district_admin).get(reverse("cases:case-list")))
    assert offered == [
        "我的全部组织", tree.district.name, tree.street_a.name, tree.station_a.name,
        tree.street_b.name, tree.station_b.name,
    ]  # fmt: skip


@pytest.mark.parametrize("limit", [100, 5])
def test_the_organisation_choices_cost_the_same_however_many_unions(
    tree, district_admin, login, count_queries, monkeypatch, limit
):
    """Under the limit one query lists them all; over it, a second lists streets and stations."""
    monkeypatch.setattr(case_forms, "ORGANIZATION_CHOICES_LIMIT", limit)
    client = login(district_admin)
    client.get(reverse("cases:case-list"))
    with count_queries() as few:
        client.get(reverse("cases:case-list"))
    for i in range(12):
        union_under(tree.station_b, f"无锡堰桥第{i}厂工会")
    with count_queries() as many:
        page = client.get(reverse("cases:case-list"))
    assert len(many) == len(few), [q["sql"][:100] for q in many.captured_queries]
    assert ("无锡堰桥第11厂工会" in organisation_options(page)) == (limit == 100)


def assignee_options(page) -> list[str]:
    select = re.search(r'<select name="assignee".*?</select>', page.content.decode(), re.S)
    return re.findall(r'<option value="([^"]*)"', select[0])


@pytest.mark.parametrize("role", [Membership.Role.FUND_APPROVER, Membership.Role.FUND_AUDITOR])
def test_a_role_that_is_never_assigned_a_request_is_not_offered_its_own_list(
    tree, case, login, role
):
    reader = staff(tree.district, role, username="reader")
    client = login(reader)
    page = client.get(reverse("cases:case-list"))
    assert case.reference in page.content.decode()  # they read the queue
    assert reverse("cases:case-mine") not in page.content.decode()
    assert "me" not in assignee_options(page)
    assert client.get(reverse("cases:case-mine")).url == reverse("cases:case-list")


def test_those_who_handle_requests_have_their_own_list(officer, login):
    page = login(officer).get(reverse("cases:case-list"))
    assert f'href="{reverse("cases:case-mine")}"' in page.content.decode()
    assert "me" in assignee_options(page)


def test_a_request_referred_in_counts_as_new_until_it_is_accepted(
    tree, officer, outsider, worker_b, hardship, submit, login
):
    from django.utils import translation

    from unionhub.cases import services

    new = submit()
    referred = services.case_submit(
        actor=outsider, worker=worker_b, category=hardship, channel="phone",
        summary="跨街道务工", description="在钱桥上班，请舜何站跟进。",
    )  # fmt: skip
    services.case_refer(
        actor=outsider, case=referred, organization=tree.station_a, reason="工作地在钱桥"
    )
    started = submit(summary="已受理的")
    services.case_accept(actor=officer, case=started)

    def to_accept(user) -> tuple[int, str]:
        response = login(user).get(reverse("core:dashboard"))
        with translation.override("en"):
            item = next(
                i for i in response.context["work"] if i["label"] == "New requests to accept"
            )
        return item["count"], item["url"]

    count, url = to_accept(officer)
    assert count == 2
    listed = login(officer).get(url)
    assert {case.reference for case in listed.context["page"]} == {
        new.reference, referred.reference,
    }  # fmt: skip
    assert "待受理" in listed.content.decode()  # the status filter says what it shows
    assert to_accept(outsider)[0] == 0  # no longer theirs
    services.case_accept(actor=officer, case=referred)
    assert to_accept(officer)[0] == 1
