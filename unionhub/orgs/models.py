"""The organisation tree (district → street/park → station → enterprise union) and its staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class OrganizationQuerySet(MP_NodeQuerySet):
    def visible_to(self, user, capability: str | None = None) -> OrganizationQuerySet:
        """The organisations ``user`` may see: the subtrees of their memberships (one query)."""
        from unionhub.core.access import Cap, access_for

        return self.filter(access_for(user).q("path", capability or Cap.VIEW))

    def with_parent_id(self) -> OrganizationQuerySet:
        """Annotate ``parent_id`` (the node whose path is this one's minus its last step)."""
        parents = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
        ).values("id")[:1]
        return self.annotate(parent_id=Subquery(parents))

    def subtree_of(self, organization: Organization) -> OrganizationQuerySet:
        """``organization`` and everything below it, by materialised-path prefix."""
        return self.filter(path__startswith=organization.path)


class OrganizationManager(MP_NodeManager):
    def get_queryset(self) -> OrganizationQuerySet:
        # treebeard's manager hard-codes its own queryset class; keep its ordering, add ours.
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user, capability: str | None = None) -> OrganizationQuerySet:
        return self.get_queryset().visible_to(user, capability)

    def subtree_of(self, organization: Organization) -> OrganizationQuerySet:
        return self.get_queryset().subtree_of(organization)

    def with_parent_id(self) -> OrganizationQuerySet:
        return self.get_queryset().with_parent_id()


class Organization(MP_Node):
    """A node of the union's tree. ``path`` is treebeard's materialised path (4 chars a level), so a
    subtree is one indexed ``path LIKE 'prefix%'`` query on SQLite and PostgreSQL alike."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District union")
        STREET = "street", _("Street, town or park")
        STATION = "station", _("Guidance station")
        ENTERPRISE_UNION = "enterprise_union", _("Enterprise union")

    # Which kinds may sit directly under which. A district is a root.
    ALLOWED_PARENT_KINDS = {
        Kind.DISTRICT: set(),
        Kind.STREET: {Kind.DISTRICT},
        Kind.STATION: {Kind.STREET},
        Kind.ENTERPRISE_UNION: {Kind.STREET, Kind.STATION},
    }

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(pgettext_lazy("organisation", "name"), max_length=100)
    code = models.CharField(
        _("short code"),
        max_length=10,
        blank=True,
        help_text=_("Letters that start the district's case references, e.g. HS."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=30, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [
            # Subtree queries are `path LIKE 'prefix%'`; on PostgreSQL that needs pattern_ops
            # unless the database collation is C. Other databases ignore the opclass.
            models.Index(
                fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="org_kind_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def contact(self) -> Organization | None:
        """Who the public can phone about this organisation: itself, or the nearest one above it
        with a service phone (an enterprise union without one is reached through its station)."""
        if self.phone:
            return self
        ancestors = Organization.objects.get_ancestors(self) if self.depth > 1 else []
        return next((o for o in reversed(list(ancestors)) if o.phone), None)

    @property
    def scope_path(self) -> str:
        return self.path

    def is_within(self, other: Organization) -> bool:
        return self.path.startswith(other.path)


class Membership(models.Model):
    """A staff user's role in one organisation; it grants that role over the whole subtree."""

    class Role(models.TextChoices):
        DISTRICT_ADMIN = "district_admin", _("Union administrator")
        STATION_STAFF = "station_staff", _("Station staff")
        ENTERPRISE_CHAIR = "enterprise_chair", _("Enterprise union chair")
        FUND_APPROVER = "fund_approver", _("Fund approver")
        FUND_AUDITOR = "fund_auditor", _("Fund auditor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"
