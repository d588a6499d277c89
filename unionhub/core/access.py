"""Who may see and do what: the one place that turns memberships into scopes and capabilities.

A staff user's membership grants its role over the organisation's whole subtree. Every model's
``visible_to(user)`` queryset method filters with :meth:`Access.q`, and every write checks
:meth:`Access.can` against the record's organisation, so pages, the API and services agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from unionhub.orgs.models import Membership, Organization

Role = Membership.Role


class Cap(StrEnum):
    """Named capabilities. Views and services ask for these, never for role names."""

    VIEW = "view"  # see the records of the subtree
    MANAGE_ORGS = "manage_orgs"  # add and edit organisations and memberships
    MANAGE_WORKERS = "manage_workers"  # add and edit workers and their families
    REVEAL_ID = "reveal_id"  # see a full ID number, with a reason that is logged
    MANAGE_ENTERPRISES = "manage_enterprises"  # add and edit enterprises
    READ_AUDIT = "read_audit"  # read the audit log and the sensitive-data access log
    HANDLE_CASES = "handle_cases"  # take, work on and close worker requests
    MANAGE_CATALOGUE = "manage_catalogue"  # edit the service categories and their SLAs
    REQUEST_FUNDS = "request_funds"  # ask a fund to pay a worker
    MANAGE_FUNDS = "manage_funds"  # book donations, pay, transfer, reverse, close, publish
    APPROVE_FUNDS = "approve_funds"  # approve payments and ratify emergency advances
    AUDIT_FUNDS = "audit_funds"  # review the books (经审): samples, findings, reports
    ERASE_PERSONAL_DATA = "erase_personal_data"  # delete a worker's personal data (PIPL)


ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    # Segregation of duties: administrators run the books but neither approve nor review them.
    Role.DISTRICT_ADMIN: frozenset(Cap) - {Cap.APPROVE_FUNDS, Cap.AUDIT_FUNDS},
    Role.STATION_STAFF: frozenset(
        {
            Cap.VIEW,
            Cap.MANAGE_WORKERS,
            Cap.REVEAL_ID,
            Cap.MANAGE_ENTERPRISES,
            Cap.HANDLE_CASES,
            Cap.REQUEST_FUNDS,
        }
    ),
    Role.ENTERPRISE_CHAIR: frozenset(
        {
            Cap.VIEW,
            Cap.MANAGE_WORKERS,
            Cap.REVEAL_ID,
            Cap.HANDLE_CASES,
            Cap.REQUEST_FUNDS,
            Cap.MANAGE_FUNDS,
        }
    ),
    Role.FUND_APPROVER: frozenset({Cap.VIEW, Cap.APPROVE_FUNDS}),
    Role.FUND_AUDITOR: frozenset({Cap.VIEW, Cap.READ_AUDIT, Cap.AUDIT_FUNDS}),
}


@dataclass(frozen=True)
class Grant:
    organization_id: int
    organization_name: str
    path: str
    role: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


class Access:
    """A user's grants, loaded once (one query) and cached on the user object for the request."""

    def __init__(self, user) -> None:
        self.user = user
        self.is_authenticated = bool(user and user.is_authenticated)
        self.is_operator = self.is_authenticated and user.is_superuser
        if self.is_authenticated:
            rows = Membership.objects.filter(user=user, organization__is_active=True).values_list(
                "organization_id", "organization__name", "organization__path", "role"
            )
            self.grants = [Grant(*row) for row in rows]
        else:
            self.grants = []

    @property
    def is_staff_member(self) -> bool:
        """Staff: a member of at least one organisation (or an operator)."""
        return self.is_operator or bool(self.grants)

    def paths(self, capability: Cap = Cap.VIEW) -> list[str]:
        """The top-most organisation paths where ``capability`` is granted (nested ones dropped)."""
        paths = sorted(
            {g.path for g in self.grants if capability in ROLE_CAPABILITIES.get(g.role, ())}
        )
        tops: list[str] = []
        for path in paths:
            if not any(path.startswith(top) for top in tops):
                tops.append(path)
        return tops

    def q(self, field: str, capability: Cap = Cap.VIEW) -> Q:
        """A filter on ``field`` (a path, e.g. ``organization__path``) for the user's scope."""
        if self.is_operator:
            return Q()
        paths = self.paths(capability)
        if not paths:
            return Q(pk__in=[])
        query = Q()
        for path in paths:
            query |= Q(**{f"{field}__startswith": path})
        return query

    def can(self, capability: Cap, path: str | None = None) -> bool:
        """Whether the user holds ``capability`` anywhere, or over the organisation at ``path``."""
        if self.is_operator:
            return True
        tops = self.paths(capability)
        if path is None:
            return bool(tops)
        return any(path.startswith(top) for top in tops)

    def can_district_wide(self, capability: Cap) -> bool:
        """Whether the user holds ``capability`` at the top of the tree (the district union), for
        what is shared by the whole district: the service catalogue, the holiday calendar. A
        street's administrator holds it over the street only."""
        if self.is_operator:
            return True
        return any(len(top) == Organization.steplen for top in self.paths(capability))

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}


def access_for(user, *, refresh: bool = False) -> Access:
    """The :class:`Access` of ``user``, cached on the object (a request, a service call)."""
    cached = getattr(user, "_unionhub_access", None)
    if cached is None or refresh:
        cached = Access(user)
        if user is not None:
            user._unionhub_access = cached
    return cached


def get_object_for_user(
    queryset: QuerySet,
    user,
    *,
    capability: Cap | None = None,
    **lookup,
) -> Model:
    """The one access helper pages and the API share.

    Returns the object from ``queryset.visible_to(user)``; raises ``Http404`` when the user may not
    see it (outside their scope looks exactly like a record that does not exist), and
    ``PermissionDenied`` when they may see it but lack ``capability`` over it.
    """
    try:
        obj = queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if capability is not None:
        require(user, capability, obj)
    return obj


def require(user, capability: Cap, obj=None) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``capability`` (over ``obj`` if given)."""
    path = obj.scope_path if obj is not None else None
    if not access_for(user).can(capability, path):
        raise PermissionDenied
