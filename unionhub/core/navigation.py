"""The staff console's navigation: one entry per capability that exists, shown by capability."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from unionhub.core.access import Cap


@dataclass(frozen=True)
class NavItem:
    namespace: str
    url_name: str
    label: str
    capability: Cap
    # The url names (in its namespace) that light this item; empty: every page of the namespace
    # that no other item names.
    url_names: tuple[str, ...] = ()


STAFF_NAV: list[NavItem] = [
    NavItem("core", "core:dashboard", _("Dashboard"), Cap.VIEW, ("dashboard",)),
    NavItem("orgs", "orgs:organization-list", _("Organisations"), Cap.VIEW),
    NavItem("enterprises", "enterprises:enterprise-list", _("Enterprises"), Cap.VIEW),
    NavItem("cases", "cases:case-list", _("Requests"), Cap.VIEW),
    NavItem("cases", "cases:followup-list", _("Follow-ups"), Cap.HANDLE_CASES, ("followup-list",)),
    NavItem("workers", "workers:worker-list", _("Workers"), Cap.VIEW),
    NavItem("funds", "funds:fund-list", _("Funds"), Cap.VIEW),
    NavItem("core", "core:audit-list", _("Audit log"), Cap.READ_AUDIT, ("audit-list",)),
]
