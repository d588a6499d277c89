"""Adding and changing enterprises in the registry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unionhub.core import audit
from unionhub.core.access import Cap, require
from unionhub.core.errors import DomainError
from unionhub.core.pinyin import pinyin_key
from unionhub.enterprises.models import Enterprise, normalize_credit_code, validate_credit_code
from unionhub.orgs.models import Organization

ENTERPRISE_FIELDS = [
    "name",
    "credit_code",
    "size_class",
    "industry",
    "employees",
    "address",
    "contact_name",
    "contact_phone",
    "street",
    "station",
]


def _check(enterprise: Enterprise) -> None:
    enterprise.name = enterprise.name.strip()
    if not enterprise.name:
        raise DomainError(_("Enter the enterprise's name."), field="name", code="required")
    enterprise.name_pinyin = pinyin_key(enterprise.name)
    enterprise.credit_code = normalize_credit_code(enterprise.credit_code)
    try:
        validate_credit_code(enterprise.credit_code)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="credit_code", code=exc.code) from exc
    clash = Enterprise.objects.filter(credit_code=enterprise.credit_code).exclude(pk=enterprise.pk)
    if clash.exists():
        raise DomainError(
            _("An enterprise with this unified social credit code is already registered."),
            field="credit_code",
            code="duplicate_credit_code",
        )
    if enterprise.size_class not in Enterprise.SizeClass.values:
        raise DomainError(_("Choose a size class."), field="size_class", code="required")
    if enterprise.industry not in Enterprise.Industry.values:
        raise DomainError(_("Choose an industry."), field="industry", code="required")
    if enterprise.employees is None or enterprise.employees < 0:
        raise DomainError(_("Enter the number of employees."), field="employees", code="required")
    street = enterprise.street
    if street is None or street.kind != Organization.Kind.STREET:
        raise DomainError(_("Choose a street, town or park."), field="street", code="required")
    station = enterprise.station
    if station is not None and (
        station.kind != Organization.Kind.STATION or not station.is_within(street)
    ):
        raise DomainError(
            _("The guidance station must be one of the chosen street's stations."),
            field="station",
            code="bad_station",
        )
    union = enterprise.union
    if union is not None and not union.is_within(station or street):
        raise DomainError(
            _("The enterprise's union sits elsewhere in the tree; move the union first."),
            field="station" if station else "street",
            code="union_elsewhere",
        )


def _save(enterprise: Enterprise) -> None:
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError as exc:  # registered at the same moment by someone else
        raise DomainError(
            _("An enterprise with this unified social credit code is already registered."),
            field="credit_code",
            code="duplicate_credit_code",
        ) from exc


@transaction.atomic
def enterprise_create(*, actor, union_name: str = "", **values) -> Enterprise:
    """Register an enterprise; with ``union_name``, also set up its union under the station (or the
    street when there is no station).

    Checks: the credit code (GB 32100 check character, unique), size class, industry, employee
    count; the station lies in the street; ``actor`` may manage enterprises there.
    """
    unknown = set(values) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise TypeError(f"enterprise_create got unexpected fields {sorted(unknown)}")
    enterprise = Enterprise(**values)
    _check(enterprise)
    in_charge = enterprise.station or enterprise.street
    require(actor, Cap.MANAGE_ENTERPRISES, in_charge)
    if union_name.strip():
        from unionhub.orgs.services import enterprise_union_create

        enterprise.union = enterprise_union_create(
            actor=actor, name=union_name, parent=in_charge, address=enterprise.address
        )
    enterprise.organization = enterprise.in_charge()
    _save(enterprise)
    audit.record(
        actor=actor,
        action="enterprises.enterprise.created",
        target=enterprise,
        data={"name": enterprise.name, "credit_code": enterprise.credit_code},
    )
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, **values) -> Enterprise:
    """Change an enterprise's registry data. Checks as ``enterprise_create``, over both the old
    and the new location."""
    require(actor, Cap.MANAGE_ENTERPRISES, enterprise)
    unknown = set(values) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise TypeError(f"enterprise_update got unexpected fields {sorted(unknown)}")
    before = audit.snapshot(enterprise, ENTERPRISE_FIELDS)
    for field, value in values.items():
        setattr(enterprise, field, value)
    _check(enterprise)
    old_organization_id = enterprise.organization_id
    enterprise.organization = enterprise.in_charge()
    require(actor, Cap.MANAGE_ENTERPRISES, enterprise.organization)
    diff = audit.changes(enterprise, ENTERPRISE_FIELDS, before)
    if diff:
        _save(enterprise)
        if enterprise.organization_id != old_organization_id:
            from unionhub.workers.services import workers_follow_enterprise

            workers_follow_enterprise(actor=actor, enterprise=enterprise)
        audit.record(
            actor=actor,
            action="enterprises.enterprise.updated",
            target=enterprise,
            data={"changes": diff},
        )
    return enterprise
