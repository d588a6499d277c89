"""Workers (职工/会员), their families and consents. ID numbers are encrypted and shown masked."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhub.core.fields import EncryptedTextField, lookup_hash
from unionhub.core.masking import mask_id_number, mask_mobile
from unionhub.core.pinyin import compact_pinyin, is_pinyin_query


def id_number_hash(id_number: str) -> str:
    return lookup_hash(id_number, purpose="workers.id_number")


def is_number_tail(term: str) -> bool:
    """4–6 digits (the last may be X): the tail of a mobile or ID number."""
    return 4 <= len(term) <= 6 and term[:-1].isdigit() and (term[-1].isdigit() or term[-1] == "X")


class WorkerQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> WorkerQuerySet:
        """Workers of the organisations in the user's subtrees."""
        from unionhub.core.access import Cap, access_for

        return self.filter(access_for(user).q("organization__path", capability or Cap.VIEW))

    def search(self, term: str) -> WorkerQuerySet:
        """By name (substring), or by the last 4–6 digits of the mobile or ID number. Longer
        numbers are refused by the search form: they would travel in the URL."""
        term = (term or "").strip().upper()
        if not term:
            return self
        if (joined := compact_pinyin(term)) != term:
            # Words: a name as typed ("Maria Santos"), or pinyin written apart ("Wang Xiaoming").
            return self.filter(Q(name__icontains=term) | Q(name_pinyin__contains=joined))
        if is_number_tail(term):
            if len(term) == 4:
                by_tail = Q(id_tail=term)
                if term.isdigit():
                    by_tail |= Q(mobile_tail=term)
                return self.filter(by_tail)
            # Only the last four characters of the encrypted ID number are stored in clear.
            if not term.isdigit():
                return self.none()
            return self.filter(mobile_tail=term[-4:], mobile__endswith=term)
        if is_pinyin_query(term):
            return self.filter(Q(name_pinyin__contains=term.lower()) | Q(name__icontains=term))
        return self.filter(name__icontains=term)


class Worker(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Hardship(models.TextChoices):
        NONE = "none", _("None")
        HARDSHIP = "hardship", _("Hardship")
        DEEP = "deep", _("Deep hardship")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(
        _("name in pinyin"), max_length=200, db_index=True, editable=False
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedTextField(_("ID number"))
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, unique=True)
    id_tail = models.CharField(_("ID number, last four"), max_length=4, db_index=True)
    mobile = models.CharField(_("mobile number"), max_length=11)
    mobile_tail = models.CharField(_("mobile number, last four"), max_length=4, db_index=True)
    district = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="workers",
        verbose_name=_("union organisation"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("enterprise"),
    )
    member_number = models.CharField(_("union member number"), max_length=30, blank=True)
    joined_on = models.DateField(_("joined the union on"), null=True, blank=True)
    hardship_level = models.CharField(
        _("hardship level"), max_length=10, choices=Hardship.choices, default=Hardship.NONE
    )
    hardship_reviewed_on = models.DateField(_("hardship last reviewed"), null=True, blank=True)
    hardship_review_due = models.DateField(_("hardship review due"), null=True, blank=True)
    address = models.CharField(_("home address"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker_profile",
        verbose_name=_("sign-in account"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set when the worker's personal data was deleted at their request (PIPL): the record stays,
    # under a pseudonym, so that requests and payments still count and the ledger still balances.
    erased_at = models.DateTimeField(_("personal data deleted at"), null=True, blank=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "mobile"],
                condition=~models.Q(mobile=""),  # erased workers have none
                name="worker_mobile_unique_per_district",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "name_pinyin"], name="worker_org_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_path(self) -> str:
        return self.organization.path

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def age(self) -> int:
        """Shown instead of the birth date: the masked ID number hides exactly the birth date, so
        showing both would give the full number away without a logged reveal."""
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class FamilyMember(models.Model):
    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Sibling")
        OTHER = "other", _("Other")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="family", verbose_name=_("worker")
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["worker", "relation", "birth_date", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"

    @property
    def scope_path(self) -> str:
        return self.worker.organization.path


class Consent(models.Model):
    """What the worker agreed to and when (PIPL); a withdrawal is recorded, never deleted."""

    class Purpose(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("Processing of personal information")
        SENSITIVE_DATA = (
            "sensitive_data",
            _("Processing of sensitive information (health, hardship)"),
        )
        NOTIFICATIONS = "notifications", _("SMS and in-app notifications")
        PUBLICITY = "publicity", _("Photos and stories in union publicity")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="consents", verbose_name=_("worker")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    granted_at = models.DateTimeField(_("agreed at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["worker", "purpose", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
