import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import staff
from tests.factories import UserFactory
from unionhub.core.access import access_for
from unionhub.core.errors import DomainError
from unionhub.core.models import AuditEntry
from unionhub.orgs.models import Membership, Organization
from unionhub.orgs.services import (
    membership_grant,
    membership_revoke,
    organization_create,
    organization_update,
)

Kind = Organization.Kind
Role = Membership.Role


def test_an_admin_adds_a_station_under_a_street_and_it_is_audited(tree, district_admin):
    station = organization_create(
        actor=district_admin, kind=Kind.STATION, name=" 前洲街道产改指导站 ", parent=tree.street_a
    )
    assert station.name == "前洲街道产改指导站"
    assert Organization.objects.get_parent(station) == tree.street_a
    assert station in Organization.objects.subtree_of(tree.street_a)
    entry = AuditEntry.objects.get(action="orgs.organization.created")
    assert entry.actor == district_admin
    assert entry.organization == station


@pytest.mark.parametrize(
    ("kind", "parent_name"),
    [
        (Kind.STATION, "district"),  # a station sits under a street
        (Kind.STREET, "station_a"),  # a street sits under the district
        (Kind.ENTERPRISE_UNION, "district"),
        (Kind.DISTRICT, "street_a"),
    ],
)
def test_kinds_only_go_under_their_allowed_parents(tree, district_admin, kind, parent_name):
    before = Organization.objects.count()
    with pytest.raises(DomainError) as error:
        organization_create(
            actor=district_admin, kind=kind, name="X", parent=getattr(tree, parent_name)
        )
    assert error.value.field == "kind"
    assert Organization.objects.count() == before


def test_a_blank_name_is_refused(tree, district_admin):
    with pytest.raises(DomainError) as error:
        organization_create(
            actor=district_admin, kind=Kind.STATION, name="  ", parent=tree.street_a
        )
    assert error.value.field == "name"


def test_only_an_operator_adds_a_district(tree, district_admin):
    with pytest.raises(DomainError):
        organization_create(actor=district_admin, kind=Kind.DISTRICT, name="滨湖区总工会")
    operator = UserFactory(is_superuser=True)
    assert organization_create(actor=operator, kind=Kind.DISTRICT, name="滨湖区总工会").depth == 1


def test_station_staff_cannot_change_the_tree(tree, officer):
    with pytest.raises(PermissionDenied):
        organization_create(
            actor=officer, kind=Kind.ENTERPRISE_UNION, name="X", parent=tree.station_a
        )
    with pytest.raises(PermissionDenied):
        organization_update(actor=officer, organization=tree.station_a, name="Y")


def test_an_update_records_old_and_new_values(tree, district_admin):
    organization_update(actor=district_admin, organization=tree.station_a, phone="0510-83226801")
    entry = AuditEntry.objects.get(action="orgs.organization.updated")
    assert entry.data["changes"] == {"phone": ["", "0510-83226801"]}
    tree.station_a.refresh_from_db()
    assert tree.station_a.phone == "0510-83226801"


def test_granting_and_revoking_a_role_changes_scope_and_is_audited(tree, district_admin):
    user = UserFactory()
    membership = membership_grant(
        actor=district_admin, user=user, organization=tree.station_b, role=Role.STATION_STAFF
    )
    again = membership_grant(
        actor=district_admin, user=user, organization=tree.station_b, role=Role.STATION_STAFF
    )
    assert again == membership
    assert access_for(user).can("view", tree.union_b.path)
    membership_revoke(actor=district_admin, membership=membership)
    assert not access_for(user).can("view", tree.union_b.path)
    actions = list(
        AuditEntry.objects.filter(action__startswith="orgs.membership").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["orgs.membership.granted", "orgs.membership.revoked"]


def test_a_station_admin_cannot_grant_roles_elsewhere(tree):
    admin_a = staff(tree.station_a, Role.DISTRICT_ADMIN)
    with pytest.raises(PermissionDenied):
        membership_grant(
            actor=admin_a, user=UserFactory(), organization=tree.station_b, role=Role.STATION_STAFF
        )
