"""Changes to the organisation tree and to who holds which role (all audited)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from unionhub.core import audit
from unionhub.core.access import Cap, access_for, require
from unionhub.core.errors import DomainError
from unionhub.orgs.models import Membership, Organization

ORG_FIELDS = ["name", "code", "address", "phone", "opened_on", "is_active"]


@transaction.atomic
def organization_create(
    *,
    actor,
    kind: str,
    name: str,
    parent: Organization | None = None,
    code: str = "",
    address: str = "",
    phone: str = "",
    opened_on: datetime.date | None = None,
) -> Organization:
    """Add an organisation under ``parent``.

    Checks: ``actor`` may manage organisations over ``parent`` (a new district needs an
    operator); ``kind`` may sit under the parent's kind; the name is not blank.
    Raises ``PermissionDenied`` or ``DomainError``.
    """
    if parent is None:
        if not access_for(actor).is_operator:
            raise DomainError(_("Only an operator can add a new district."), code="forbidden")
    else:
        require(actor, Cap.MANAGE_ORGS, parent)
    return _add(
        actor=actor,
        kind=kind,
        name=name,
        parent=parent,
        code=code,
        address=address,
        phone=phone,
        opened_on=opened_on,
    )


@transaction.atomic
def enterprise_union_create(
    *, actor, name: str, parent: Organization, address: str = ""
) -> Organization:
    """Set up an enterprise's union under its station or street. Staff who may manage the
    enterprises there may do this (founding unions, 建会, is their daily work); the tree rules
    of ``organization_create`` apply."""
    require(actor, Cap.MANAGE_ENTERPRISES, parent)
    return _add(
        actor=actor,
        kind=Organization.Kind.ENTERPRISE_UNION,
        name=name,
        parent=parent,
        address=address,
    )


def _add(
    *, actor, kind, name, parent, code="", address="", phone="", opened_on=None
) -> Organization:
    name = name.strip()
    if not name:
        raise DomainError(_("Enter the organisation's name."), field="name", code="required")
    if parent is None:
        if kind != Organization.Kind.DISTRICT:
            raise DomainError(_("Only a district can be at the top of the tree."), field="kind")
    else:
        if parent.kind not in Organization.ALLOWED_PARENT_KINDS[Organization.Kind(kind)]:
            raise DomainError(
                _("This kind of organisation (%(kind)s) cannot be placed under %(parent)s.")
                % {
                    "kind": Organization.Kind(kind).label,
                    "parent": Organization.Kind(parent.kind).label,
                },
                field="kind",
                code="bad_parent",
            )
    fields = {
        "kind": kind,
        "name": name,
        "code": (code or "").strip().upper(),
        "address": address,
        "phone": phone,
        "opened_on": opened_on,
    }
    if parent is None:
        organization = Organization.objects.add_root(create_kwargs=fields)
    else:
        # treebeard locks the parent row and reads its current children before adding.
        organization = Organization.objects.add_child(parent, create_kwargs=fields)
    audit.record(
        actor=actor,
        action="orgs.organization.created",
        target=organization,
        data={"kind": kind, "name": name, "parent": str(parent) if parent else None},
    )
    return organization


@transaction.atomic
def organization_update(*, actor, organization: Organization, **values) -> Organization:
    """Change the name, address, phone, opening date or active flag of ``organization``."""
    require(actor, Cap.MANAGE_ORGS, organization)
    unknown = set(values) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"organization_update got unexpected fields {sorted(unknown)}")
    if "name" in values and not values["name"].strip():
        raise DomainError(_("Enter the organisation's name."), field="name", code="required")
    before = audit.snapshot(organization, ORG_FIELDS)
    for field, value in values.items():
        setattr(organization, field, value)
    diff = audit.changes(organization, ORG_FIELDS, before)
    if diff:
        organization.save(update_fields=list(diff))
        audit.record(
            actor=actor,
            action="orgs.organization.updated",
            target=organization,
            data={"changes": diff},
        )
    return organization


@transaction.atomic
def membership_grant(*, actor, user, organization: Organization, role: str) -> Membership:
    """Give ``user`` ``role`` over ``organization``'s subtree. Idempotent."""
    require(actor, Cap.MANAGE_ORGS, organization)
    if role not in Membership.Role.values:
        raise DomainError(_("Choose a valid role."), field="role", code="bad_role")
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role
    )
    if created:
        audit.record(
            actor=actor,
            action="orgs.membership.granted",
            target=membership,
            organization=organization,
            data={"user": str(user), "role": role},
        )
    access_for(user, refresh=True)
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: Membership) -> None:
    """Take a role away. The audit entry keeps who had it."""
    require(actor, Cap.MANAGE_ORGS, membership.organization)
    audit.record(
        actor=actor,
        action="orgs.membership.revoked",
        target=membership,
        organization=membership.organization,
        data={"user": str(membership.user), "role": membership.role},
    )
    membership.delete()
    access_for(membership.user, refresh=True)
