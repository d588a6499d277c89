"""Fixtures shared by every test: a small organisation tree and the personas of STYLE.md.

district (惠山区总工会)                     ← district_admin
  street_a (钱桥街道)
    station_a (舜何社区产改指导站)         ← officer (station staff), viewer (fund auditor)
      union_a (伟达五金工会) ← enterprise_a, worker (with a sign-in)
  street_b (堰桥街道)
    station_b (堰桥街道产改指导站)         ← outsider (station staff)
      union_b ← enterprise_b, worker_b
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    PASSWORD,
    EnterpriseFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    WorkerFactory,
)
from unionhub.orgs.models import Membership, Organization

Kind = Organization.Kind
Role = Membership.Role


@dataclass
class Tree:
    district: Organization
    street_a: Organization
    station_a: Organization
    union_a: Organization
    street_b: Organization
    station_b: Organization
    union_b: Organization
    enterprise_a: object
    enterprise_b: object


def build_tree() -> Tree:
    district = OrganizationFactory(name="惠山区总工会")
    street_a = OrganizationFactory(parent=district, kind=Kind.STREET, name="钱桥街道")
    station_a = OrganizationFactory(parent=street_a, kind=Kind.STATION, name="舜何社区产改指导站")
    union_a = OrganizationFactory(
        parent=station_a, kind=Kind.ENTERPRISE_UNION, name="无锡伟达五金有限公司工会"
    )
    street_b = OrganizationFactory(parent=district, kind=Kind.STREET, name="堰桥街道")
    station_b = OrganizationFactory(parent=street_b, kind=Kind.STATION, name="堰桥街道产改指导站")
    union_b = OrganizationFactory(
        parent=station_b, kind=Kind.ENTERPRISE_UNION, name="无锡堰桥纺织有限公司工会"
    )
    enterprise_a = EnterpriseFactory(
        name="无锡伟达五金有限公司", street=street_a, station=station_a, union=union_a
    )
    enterprise_b = EnterpriseFactory(
        name="无锡堰桥纺织有限公司", street=street_b, station=station_b, union=union_b
    )
    return Tree(
        district, street_a, station_a, union_a, street_b, station_b, union_b,
        enterprise_a, enterprise_b,
    )  # fmt: skip


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


def staff(organization: Organization, role: str, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def officer(tree):
    """Station staff at station A: may read and write in station A's subtree."""
    return staff(tree.station_a, Role.STATION_STAFF, username="officer", full_name="蒋丽华")


@pytest.fixture
def viewer(tree):
    """Fund auditor at station A: may read station A's subtree, may not change it."""
    return staff(tree.station_a, Role.FUND_AUDITOR, username="viewer", full_name="顾明远")


@pytest.fixture
def outsider(tree):
    """Station staff at station B: must never see station A's records."""
    return staff(tree.station_b, Role.STATION_STAFF, username="outsider", full_name="华振宇")


@pytest.fixture
def district_admin(tree):
    return staff(tree.district, Role.DISTRICT_ADMIN, username="admin1", full_name="周建华")


@pytest.fixture
def worker(tree):
    """A worker of enterprise A with a sign-in (mobile + password)."""
    record = WorkerFactory(name="王小明", organization=tree.union_a, enterprise=tree.enterprise_a)
    user = UserFactory(username="w-wangxiaoming", full_name="王小明", mobile=record.mobile)
    record.user = user
    record.save(update_fields=["user"])
    return record


@pytest.fixture
def workmate(tree):
    """A second worker of enterprise A with a sign-in: the same workshop, the same Wi-Fi."""
    record = WorkerFactory(name="赵丽", organization=tree.union_a, enterprise=tree.enterprise_a)
    user = UserFactory(username="w-zhaoli", full_name="赵丽", mobile=record.mobile)
    record.user = user
    record.save(update_fields=["user"])
    return record


@pytest.fixture
def worker_b(tree):
    return WorkerFactory(name="李娜", organization=tree.union_b, enterprise=tree.enterprise_b)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def login(client):
    """``login(user)`` signs ``user`` in on the test client and returns the client."""

    def _login(user):
        client.force_login(user, backend="unionhub.accounts.backends.UsernameOrMobileBackend")
        return client

    return _login


@pytest.fixture
def count_queries():
    """``with count_queries() as q: ...``; then ``len(q)`` and ``q.captured_queries``."""

    def _count():
        return CaptureQueriesContext(connection)

    return _count


@pytest.fixture(autouse=True)
def _service_catalogue_after_flush(request):
    """Tests that commit for real (``transactional_db``, the browser tests' live server) end with
    a flush that also empties the service catalogue the migrations load; the next such test gets
    it back, from the same list the migration uses, and a content-type cache read afresh."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from unionhub.cases.models import ServiceCategory

    # The flush (and a serialized rollback's reload) can leave content types under other ids than
    # the cache remembers; an audit line written with a stale id breaks its foreign key.
    ContentType.objects.clear_cache()

    if not ServiceCategory.objects.exists():
        migration = importlib.import_module(
            "unionhub.cases.migrations.0002_catalogue_and_search_index"
        )
        migration.add_catalogue(apps, None)


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))
