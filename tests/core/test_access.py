import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.conftest import staff
from tests.factories import UserFactory
from unionhub.core.access import Cap, access_for, get_object_for_user
from unionhub.orgs.models import Membership, Organization

Role = Membership.Role


def test_a_membership_grants_its_whole_subtree_and_nothing_else(tree, officer):
    visible = set(Organization.objects.visible_to(officer))
    assert visible == {tree.station_a, tree.union_a}


def test_nested_memberships_collapse_to_the_topmost_path(tree):
    user = staff(tree.street_a, Role.STATION_STAFF)
    Membership.objects.create(user=user, organization=tree.union_a, role=Role.STATION_STAFF)
    assert access_for(user, refresh=True).paths() == [tree.street_a.path]


def test_the_subtree_is_one_query(tree, officer, django_assert_num_queries):
    access_for(officer)  # memberships are loaded once per request
    with django_assert_num_queries(1):
        list(Organization.objects.visible_to(officer))


@pytest.mark.parametrize(
    ("role", "capabilities"),
    [
        (Role.DISTRICT_ADMIN, set(Cap) - {Cap.APPROVE_FUNDS, Cap.AUDIT_FUNDS}),
        (
            Role.STATION_STAFF,
            {
                Cap.VIEW,
                Cap.MANAGE_WORKERS,
                Cap.REVEAL_ID,
                Cap.MANAGE_ENTERPRISES,
                Cap.HANDLE_CASES,
                Cap.REQUEST_FUNDS,
            },
        ),
        (
            Role.ENTERPRISE_CHAIR,
            {
                Cap.VIEW,
                Cap.MANAGE_WORKERS,
                Cap.REVEAL_ID,
                Cap.HANDLE_CASES,
                Cap.REQUEST_FUNDS,
                Cap.MANAGE_FUNDS,
            },
        ),
        (Role.FUND_APPROVER, {Cap.VIEW, Cap.APPROVE_FUNDS}),
        (Role.FUND_AUDITOR, {Cap.VIEW, Cap.READ_AUDIT, Cap.AUDIT_FUNDS}),
    ],
)
def test_each_role_holds_exactly_its_capabilities(tree, role, capabilities):
    user = staff(tree.station_a, role)
    access = access_for(user)
    held = {cap for cap in Cap if access.can(cap, tree.union_a.path)}
    assert held == capabilities
    # ...and none of them over another station's subtree.
    assert not any(access.can(cap, tree.union_b.path) for cap in Cap)


def test_users_without_a_membership_see_nothing(tree, worker):
    assert not Organization.objects.visible_to(worker.user).exists()
    assert not access_for(worker.user).is_staff_member


def test_an_operator_sees_everything(tree):
    operator = UserFactory(is_superuser=True)
    assert Organization.objects.visible_to(operator).count() == Organization.objects.count()


def test_the_access_helper_answers_404_outside_and_403_without_the_capability(
    tree, viewer, outsider
):
    with pytest.raises(Http404):
        get_object_for_user(Organization.objects, outsider, pk=tree.union_a.pk)
    assert get_object_for_user(Organization.objects, viewer, pk=tree.union_a.pk) == tree.union_a
    with pytest.raises(PermissionDenied):
        get_object_for_user(
            Organization.objects, viewer, capability=Cap.MANAGE_ORGS, pk=tree.union_a.pk
        )
    with pytest.raises(Http404):
        get_object_for_user(Organization.objects, viewer, pk="not-a-number")
