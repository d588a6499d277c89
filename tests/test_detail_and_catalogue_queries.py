"""Pages and API lists not covered beside their own capability: each makes the same number of
queries however many rows it shows (the audit log, the catalogue, "my requests", a worker's
timeline, an enterprise's workers, an organisation's children)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory, WorkerFactory
from unionhub.cases import services as case_services
from unionhub.cases.models import ServiceCategory
from unionhub.core import audit
from unionhub.orgs.models import Organization


def _flat(client, url, grow, count_queries, *, budget):
    client.get(url)  # warm up: session, content types
    with count_queries() as small:
        first = client.get(url)
    grow()
    with count_queries() as large:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert len(second.content) > len(first.content)  # the new rows are shown
    assert len(large) == len(small) <= budget, [q["sql"][:120] for q in large.captured_queries]


def test_the_audit_log_makes_the_same_number_of_queries_as_entries_grow(
    tree, district_admin, worker, login, count_queries
):
    def grow():
        for i in range(30):
            audit.record(
                actor=district_admin, action="workers.worker.updated", target=worker,
                data={"address": [f"旧址{i}", f"新址{i}"]},
            )  # fmt: skip

    audit.record(actor=district_admin, action="workers.worker.created", target=worker)
    _flat(login(district_admin), reverse("core:audit-list"), grow, count_queries, budget=8)


@pytest.mark.parametrize("url_name", ["cases:category-list", "api:service-category-list"])
def test_the_catalogue_makes_the_same_number_of_queries_as_categories_grow(
    tree, district_admin, login, count_queries, url_name
):
    def grow():
        for i in range(12):
            ServiceCategory.objects.create(
                code=f"extra-{i}", name=f"新增服务{i}", name_en=f"Extra service {i}",
                response_sla_hours=24, resolution_sla_hours=72,
            )  # fmt: skip

    _flat(login(district_admin), reverse(url_name), grow, count_queries, budget=6)


def _submit(officer, worker, number):
    return case_services.case_submit(
        actor=officer, worker=worker,
        category=ServiceCategory.objects.get(code="hardship_relief"), channel="phone",
        summary=f"困难帮扶{number}", description="家庭困难，申请帮扶。",
    )  # fmt: skip


def test_my_requests_make_the_same_number_of_queries_as_rows_grow(
    tree, officer, login, count_queries
):
    def grow():
        for i in range(30):
            case = _submit(officer, WorkerFactory(organization=tree.union_a), i)
            case_services.case_accept(actor=officer, case=case)

    case_services.case_accept(
        actor=officer, case=_submit(officer, WorkerFactory(organization=tree.union_a), 0)
    )
    _flat(login(officer), reverse("cases:case-mine"), grow, count_queries, budget=9)


def test_a_workers_timeline_makes_the_same_number_of_queries_as_it_grows(
    tree, officer, worker, login, count_queries
):
    def grow():
        for i in range(10):
            case_services.case_accept(actor=officer, case=_submit(officer, worker, i))

    _submit(officer, worker, 0)
    url = reverse("workers:worker-detail", args=[worker.public_id])
    _flat(login(officer), url, grow, count_queries, budget=16)


def test_an_enterprise_page_makes_the_same_number_of_queries_as_its_workers_grow(
    tree, district_admin, login, count_queries
):
    def grow():
        for _ in range(15):
            WorkerFactory(organization=tree.union_a, enterprise=tree.enterprise_a)

    WorkerFactory(organization=tree.union_a, enterprise=tree.enterprise_a)
    url = reverse("enterprises:enterprise-detail", args=[tree.enterprise_a.pk])
    _flat(login(district_admin), url, grow, count_queries, budget=8)


def test_an_organisation_page_makes_the_same_number_of_queries_as_its_children_grow(
    tree, district_admin, login, count_queries
):
    def grow():
        for i in range(15):
            OrganizationFactory(
                parent=tree.station_a, kind=Organization.Kind.ENTERPRISE_UNION, name=f"新工会{i}"
            )

    url = reverse("orgs:organization-detail", args=[tree.station_a.pk])
    _flat(login(district_admin), url, grow, count_queries, budget=12)
