"""Worker requests (诉求/求助): catalogue, case and timeline, follow-ups, attachments."""

from __future__ import annotations

import ast
import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _

from unionhub.core.models import AppendOnlyModel, RedactableQuerySet


class ServiceCategory(models.Model):
    """A kind of help the union gives, with its service-level targets (calendar hours: 24/7)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    response_sla_hours = models.PositiveIntegerField(_("respond within (hours)"))
    resolution_sla_hours = models.PositiveIntegerField(_("resolve within (hours)"))
    is_emergency = models.BooleanField(_("emergency"), default=False)
    allows_payment = models.BooleanField(_("money may be paid"), default=False)
    # The standard follow-up plan: [{"kind": "visit", "day": 1}, {"kind": "visit", "day": 30,
    # "every": 30, "until": 365}, …] — scheduled when a case of this category is accepted.
    followup_plan = models.JSONField(_("standard follow-up plan"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_sla_hours__gte=1)
                & Q(resolution_sla_hours__gte=models.F("response_sla_hours")),
                name="category_sla_hours_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language."""
        language = (get_language() or "zh-hans").lower()
        return self.name_en if language.startswith("en") and self.name_en else self.name

    @property
    def plan_text(self) -> str:
        """The standard follow-up plan in words, in the active language."""
        return describe_plan(self.followup_plan)


def describe_plan(plan) -> str:
    """A follow-up plan as people read it: "第14天电话回访；第0天探望，此后每30天一次，至第360天"
    ("call on day 14; visit on day 0, then every 30 days to day 360"). Empty for no plan; a
    value that is no plan at all is shown as it is stored."""
    if isinstance(plan, str) and plan.startswith("["):
        # How the audit log kept a plan before it kept JSON: Python's text of the list.
        try:
            plan = ast.literal_eval(plan)
        except (ValueError, SyntaxError):
            return plan
    if not plan:
        return ""
    if not isinstance(plan, list) or not all(isinstance(step, dict) for step in plan):
        return str(plan)
    steps = []
    for step in plan:
        kind = gettext("visit") if step.get("kind") == "visit" else gettext("call")
        text = gettext("%(kind)s on day %(day)s") % {"kind": kind, "day": step.get("day", "?")}
        if step.get("every"):
            text += gettext(", then every %(every)s days to day %(until)s") % {
                "every": step["every"],
                "until": step.get("until", step.get("day", "?")),
            }
        steps.append(text)
    return pgettext("list of steps", "; ").join(steps)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str | None = None) -> CaseQuerySet:
        """Cases owned by organisations in the user's subtrees (``owner_path`` is the owning
        organisation's path, kept on the case so the queue needs no join to scope)."""
        from unionhub.core.access import Cap, access_for

        return self.filter(access_for(user).q("owner_path", capability or Cap.VIEW))

    def referred_out_by(self, user) -> CaseQuerySet:
        """Requests that an organisation of the user's referred on as a whole and that are now
        owned outside the user's scope: they may follow them, read only, never act on them."""
        from unionhub.core.access import Cap, access_for

        scope = access_for(user)
        if scope.is_operator:
            return self.none()  # an operator sees every request as it is
        return self.filter(scope.q("referred_from_path", Cap.HANDLE_CASES)).exclude(
            scope.q("owner_path", Cap.VIEW)
        )

    def of_worker_user(self, user) -> CaseQuerySet:
        """A worker's own cases (the portal's only scope)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(worker__user=user)

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=Case.OPEN_STATUSES)

    def breached(self, now: datetime.datetime | None = None) -> CaseQuerySet:
        return self.open().filter(sla_due_at__lt=now or timezone.now())

    def due_soon(self, now: datetime.datetime | None = None) -> CaseQuerySet:
        now = now or timezone.now()
        return self.open().filter(sla_warn_at__lte=now, sla_due_at__gte=now)

    def on_time(self, now: datetime.datetime | None = None) -> CaseQuerySet:
        return self.open().filter(sla_warn_at__gt=now or timezone.now())


class Case(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        REFERRED = "referred", _("Referred")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone")
        MOBILE = "mobile", _("Mobile (self-service)")
        ENTERPRISE = "enterprise", _("Enterprise referral")
        VISIT = "visit", _("Home or workplace visit")
        REFERRAL = "referral", _("Referral from another organisation")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")
        EMERGENCY = "emergency", _("Emergency")

    class SlaState(models.TextChoices):
        ON_TIME = "on_time", _("On time")
        DUE_SOON = "due_soon", _("Due soon")
        BREACHED = "breached", _("Breached")

    OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REFERRED)
    # When visits and calls are made: once accepted, and on after resolution until the worker is
    # back on their feet; not while the request waits at another organisation (referred).
    CONTACT_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)
    # Until someone accepts, the clock that runs is the response clock.
    AWAITING_RESPONSE = (Status.SUBMITTED, Status.REFERRED)

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    worker = models.ForeignKey(
        "workers.Worker", on_delete=models.PROTECT, related_name="cases", verbose_name=_("worker")
    )
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    summary = models.CharField(_("summary"), max_length=100)
    description = models.TextField(_("description"))
    preferred_contact_time = models.CharField(
        _("preferred contact time"), max_length=50, blank=True
    )
    # Who told the union, when not the worker (a colleague's call at night, a relative at the
    # station), and when it happened: the request's clock still starts when the union heard.
    reporter_name = models.CharField(_("reported by"), max_length=50, blank=True)
    reporter_relation = models.CharField(_("relation to the worker"), max_length=30, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    occurred_at = models.DateTimeField(_("happened at"), null=True, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning organisation"),
    )
    owner_path = models.CharField(_("owner path"), max_length=255, editable=False)
    # The organisation that last referred the whole request on (its path), which follows it.
    referred_from_path = models.CharField(
        _("referred on by"), max_length=255, blank=True, default="", editable=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred from"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    response_due_at = models.DateTimeField(_("response due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    # The deadline that runs now (response until accepted, then resolution) and when it turns
    # "due soon"; both empty once the case is no longer open. Indexed: the queue filters on them.
    sla_due_at = models.DateTimeField(_("current deadline"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("due soon from"), null=True, blank=True)
    response_breached_at = models.DateTimeField(_("response deadline missed at"), null=True)
    resolution_breached_at = models.DateTimeField(_("resolution deadline missed at"), null=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Emergencies: when aid first reached the worker (the 24-hour clock stops then).
    money_reached_at = models.DateTimeField(_("aid reached the worker at"), null=True, blank=True)
    resolution_summary = models.TextField(_("resolution"), blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    submission_key = models.UUIDField(_("submission key"), null=True, blank=True, editable=False)
    # Kept on the case for the queue's search (no join): name, mobile tail, reference, text.
    worker_name = models.CharField(_("worker name"), max_length=50, editable=False)
    worker_mobile_tail = models.CharField(_("mobile, last four"), max_length=4, editable=False)
    search_text = models.TextField(_("search text"), editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "submission_key"], name="case_submission_once"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner_path", "-submitted_at"],
                name="case_scope_time_idx",
                opclasses=["varchar_pattern_ops", ""],
            ),
            # The open requests of a scope, the desk's default view: its bounded count reads
            # at most 1,001 entries of this index however large the table grows.
            models.Index(
                fields=["owner_path", "-submitted_at"],
                name="case_open_scope_idx",
                opclasses=["varchar_pattern_ops", ""],
                condition=Q(status__in=["submitted", "accepted", "in_progress", "referred"]),
            ),
            # The open requests of a scope by deadline (the "breached" and "due soon" filters):
            # counted from the index alone, without reading the district's whole backlog.
            models.Index(
                fields=["owner_path", "sla_due_at"],
                name="case_open_scope_due_idx",
                opclasses=["varchar_pattern_ops", ""],
                condition=Q(status__in=["submitted", "accepted", "in_progress", "referred"]),
            ),
            # What an organisation referred on (its "referred on" list), newest first.
            models.Index(
                fields=["referred_from_path", "-submitted_at"],
                name="case_referred_out_idx",
                opclasses=["varchar_pattern_ops", ""],
                condition=~Q(referred_from_path=""),
            ),
            models.Index(fields=["-submitted_at", "-id"], name="case_time_idx"),
            models.Index(fields=["status", "-submitted_at"], name="case_status_time_idx"),
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
            models.Index(
                fields=["sla_due_at"],
                name="case_open_due_idx",
                condition=Q(sla_due_at__isnull=False),
            ),
            models.Index(fields=["worker", "-submitted_at"], name="case_worker_idx"),
            models.Index(fields=["category", "-submitted_at"], name="case_category_idx"),
            # A category in one status, newest first (e.g. a station's closed legal-aid
            # requests): read in order, so a page stops after its 25 rows in scope. Without it the
            # planner walks the newest requests of the whole table, which are mostly still open.
            models.Index(
                fields=["category", "status", "-submitted_at", "-id"],
                name="case_category_status_idx",
            ),
            # A category within a scope (the queue's category filter): an exact range to count.
            models.Index(
                fields=["category", "owner_path", "-submitted_at"],
                name="case_category_scope_idx",
                opclasses=["", "varchar_pattern_ops", ""],
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def scope_path(self) -> str:
        return self.owner_path

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def worker_events(self, events=None) -> list[CaseEvent]:
        """The timeline as the worker reads it: what was written for them, without files staff
        have since kept for themselves. ``events`` may be the case's events already loaded."""
        hidden = {a.pk for a in self.attachments.all() if not a.visible_to_worker}
        if events is None:
            events = self.events.exclude(public_message="").only(
                "created_at", "public_message", "public_params", "kind", "data"
            )
        return [event for event in events if event.is_for_worker(hidden)]

    def sla_state(self, now: datetime.datetime | None = None) -> str | None:
        if not self.is_open or self.sla_due_at is None:
            return None
        now = now or timezone.now()
        if now > self.sla_due_at:
            return self.SlaState.BREACHED
        if self.sla_warn_at and now >= self.sla_warn_at:
            return self.SlaState.DUE_SOON
        return self.SlaState.ON_TIME

    def get_sla_state_display(self) -> str:
        state = self.sla_state()
        return str(self.SlaState(state).label) if state else ""


class CaseSequence(models.Model):
    """The last reference number handed out per district and year (row-locked while used)."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="case_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id}/{self.year}: {self.last_number}"


class CaseEventQuerySet(RedactableQuerySet):
    # What was typed (erased at a worker's request); what happened, when and by whom stays.
    erasable = ("body", "body_translations", "public_params")


class CaseEvent(AppendOnlyModel):
    """One line of a case's timeline. ``body`` is for staff; the worker sees ``public_message``
    only, and only when it is not empty (internal notes never have one)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STATUS = "status", _("Status change")
        ASSIGNED = "assigned", _("Assigned")
        NOTE = "note", _("Internal note")
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit")
        REFERRAL = "referral", _("Referral")
        ATTACHMENT = "attachment", _("Attachment")
        RATING = "rating", _("Rating")
        ESCALATION = "escalation", _("Escalation")
        FOLLOWUP = "followup", _("Follow-up")
        PAYMENT = "payment", _("Payment")
        AID = "aid", _("Aid request")  # asked for, approved, turned down or cancelled
        MESSAGE = "message", _("From the worker")  # what the worker added to an open request

    # Append-only, but what was typed can be erased at a worker's request (PIPL).
    objects = CaseEventQuerySet.as_manager()

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    body = models.TextField(_("details"), blank=True)
    # A line the system wrote (not typed by a person), in every language: {"zh-hans": …, "en": …}.
    body_translations = models.JSONField(_("details in each language"), default=dict, blank=True)
    public_message = models.CharField(_("message to the worker"), max_length=300, blank=True)
    public_params = models.JSONField(_("message values"), default=dict, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_time_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"

    def is_for_worker(self, hidden_files: set[int]) -> bool:
        """Written for the worker, and not the announcement of a file since kept for staff."""
        if not self.public_message:
            return False
        return not (
            self.kind == self.Kind.ATTACHMENT
            and (self.data or {}).get("attachment") in hidden_files
        )

    @property
    def body_text(self) -> str:
        """The details in the active language (typed text stays as it was typed)."""
        from unionhub.core.i18n import in_active_language

        return in_active_language(self.body_translations, self.body)

    @property
    def public_text(self) -> str:
        """The worker's message in the active language."""
        if not self.public_message:
            return ""
        text = gettext(self.public_message)
        try:
            return text % self.public_params if self.public_params else text
        except (KeyError, TypeError, ValueError):
            return text


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: nothing guessable, no personal data in the path.
    return f"cases/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        PDF = "pdf", _("PDF document")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("case")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=50)
    original_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    visible_to_worker = models.BooleanField(_("the worker may see it"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def is_added_by(self, worker) -> bool:
        """Uploaded by ``worker`` from their phone: such a file always stays theirs to see."""
        return worker.user_id is not None and self.uploaded_by_id == worker.user_id

    @property
    def scope_path(self) -> str:
        return self.case.owner_path


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user) -> FollowUpQuerySet:
        from unionhub.core.access import access_for

        return self.filter(access_for(user).q("case__owner_path"))

    def to_make(self) -> FollowUpQuerySet:
        """Scheduled contacts of requests where a visit or call may be logged now."""
        return self.filter(status=FollowUp.Status.SCHEDULED, case__status__in=Case.CONTACT_STATUSES)

    def due(self, on: datetime.date | None = None) -> FollowUpQuerySet:
        """Contacts to make today or overdue."""
        return self.to_make().filter(due_on__lte=on or timezone.localdate())


class FollowUp(models.Model):
    """One scheduled contact of a case's follow-up plan: a visit, a call, or the check-back call a
    few weeks after the case closed."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Phone call")
        CHECK_BACK = "check_back", _("Check-back call")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        MISSED = "missed", _("Not made")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        HELD = "held", _("The situation held")
        RELAPSED = "relapsed", _("The situation got worse again")
        UNREACHABLE = "unreachable", _("Could not reach the worker")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="followups", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    from_plan = models.BooleanField(_("from the standard plan"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    summary = models.TextField(_("what was done"), blank=True)
    counselling = models.TextField(_("counselling given"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="followup_due_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.due_on}"

    @property
    def scope_path(self) -> str:
        return self.case.owner_path
