"""What every capability shares: the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row that may only be appended."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed or deleted through the ORM. On PostgreSQL a trigger
    (see ``core.migrations_ops.AppendOnlyTrigger``) refuses it at the database as well."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")


class RedactableQuerySet(AppendOnlyQuerySet):
    """Append-only rows whose typed text may be erased, and nothing else: a worker's request to
    delete their personal data (PIPL) reaches what staff wrote about them. The database trigger
    lets an UPDATE through only while a ``RedactionWindow`` row exists, which ``redact`` inserts
    and removes inside its own transaction, so no other connection ever sees one."""

    # The columns ``redact`` may change (the database trigger lets no others through).
    erasable: tuple[str, ...] = ()

    def redact(self, **values) -> int:
        unknown = set(values) - set(self.erasable)
        if unknown:
            raise AppendOnlyError(f"{self.model.__name__}: only {self.erasable} can be erased.")
        db = self._db or router.db_for_write(self.model)
        with transaction.atomic(using=db):
            window = RedactionWindow.objects.using(db).create()
            count = models.QuerySet.update(self.using(db), **values)
            window.delete()
        return count


class RedactionWindow(models.Model):
    """Exists only inside the transaction of ``RedactableQuerySet.redact`` (see there)."""

    opened_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"redaction window {self.pk}"


class AuditEntryQuerySet(RedactableQuerySet):
    # What an entry says about a person (its target's name, the values in ``data``) is erased
    # when that person's data is deleted; who did what, when and where stays.
    erasable = ("target_label", "data")

    def visible_to(self, user):
        """Entries about organisations in the user's scope, for those who may read the audit log."""
        from unionhub.core.access import Cap, access_for

        return self.filter(access_for(user).q("organization__path", Cap.READ_AUDIT))


class AuditEntry(AppendOnlyModel):
    """Who did what to which record, when and from where. ``action`` is a dotted code such as
    ``workers.worker.id_revealed``; ``data`` never holds a secret in clear (see ``core.audit``)."""

    # Stamped when written (``core.audit.record`` never passes it); only the demo's history sets
    # its own past times.
    created_at = models.DateTimeField(
        _("time"), default=timezone.now, editable=False, db_index=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["organization", "-created_at"], name="audit_org_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def description(self) -> str:
        from unionhub.core.audit import describe

        return describe(self)

    @property
    def detail_rows(self):
        from unionhub.core.audit import describe_details

        return describe_details(self)

    @property
    def change_rows(self):
        from unionhub.core.audit import describe_changes

        return describe_changes(self)


class CalendarDay(models.Model):
    """A day that breaks the Monday-to-Friday rule, as the State Council announces each year: a
    public holiday (放假) or a weekend made a working day (调休上班). Working-day windows, such as
    a public disclosure's, count by it (``core.calendar``)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("occasion"), max_length=30)

    class Meta:
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name} ({self.get_kind_display()})"

    @property
    def is_working_day(self) -> bool:
        return self.kind == self.Kind.WORKDAY
