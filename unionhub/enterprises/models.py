"""The registry of enterprises that workers belong to (the reform pipeline builds on it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_credit_code(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with its check character."""
    value = normalize_credit_code(value)
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters."), code="credit_code_length"
        )
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("This unified social credit code is not valid: check its characters."),
            code="credit_code_invalid",
        ) from exc


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> EnterpriseQuerySet:
        from unionhub.core.access import Cap, access_for

        return self.filter(access_for(user).q("organization__path", capability or Cap.VIEW))


class Enterprise(models.Model):
    class SizeClass(models.TextChoices):
        MICRO = "micro", _("Micro")
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    class Industry(models.TextChoices):
        MANUFACTURING = "manufacturing", _("Manufacturing")
        CONSTRUCTION = "construction", _("Construction")
        WHOLESALE_RETAIL = "wholesale_retail", _("Wholesale and retail")
        LOGISTICS = "logistics", _("Transport, storage and post")
        HOSPITALITY = "hospitality", _("Accommodation and catering")
        IT = "it", _("Information technology and software")
        RESEARCH = "research", _("Scientific research and technical services")
        BIOMEDICINE = "biomedicine", _("Biomedicine")
        ENVIRONMENT = "environment", _("Environmental engineering")
        SERVICES = "services", _("Resident and other services")
        HEALTH = "health", _("Health and social work")
        OTHER = "other", _("Other")

    name = models.CharField(pgettext_lazy("organisation", "name"), max_length=100)
    name_pinyin = models.CharField(
        _("name in pinyin"), max_length=200, db_index=True, editable=False
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    employees = models.PositiveIntegerField(_("employees"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    street = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="street_enterprises",
        limit_choices_to={"kind": "street"},
        verbose_name=_("street, town or park"),
    )
    station = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="station_enterprises",
        limit_choices_to={"kind": "station"},
        verbose_name=_("guidance station"),
    )
    union = models.OneToOneField(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprise",
        limit_choices_to={"kind": "enterprise_union"},
        verbose_name=_("enterprise union"),
    )
    # The deepest of union, station and street: what scopes the enterprise. Set by the services.
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="scoped_enterprises",
        verbose_name=_("organisation in charge"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name_pinyin", "id"]
        indexes = [models.Index(fields=["organization", "name"], name="enterprise_org_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_path(self) -> str:
        return self.organization.path

    def in_charge(self):
        """The organisation that scopes this enterprise: its union, else station, else street."""
        return self.union or self.station or self.street
