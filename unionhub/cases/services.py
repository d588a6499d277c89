"""Every change to a worker request goes through here: pages, the API, the portal and the tasks call
these functions, so the state machine, the permissions and the timeline live in one place.

Each transition locks the case row, checks who may act and whether the move is allowed from the
current status, changes the case, writes one ``CaseEvent`` and tells the people concerned (after the
transaction commits). A refused move raises ``DomainError`` (``Conflict`` for a wrong status) with a
translated message; acting without the right raises ``PermissionDenied``.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from unionhub.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseSequence,
    FollowUp,
    ServiceCategory,
)
from unionhub.core import audit
from unionhub.core.access import ROLE_CAPABILITIES, Cap, access_for, require
from unionhub.core.errors import Conflict, DomainError
from unionhub.core.i18n import system_line
from unionhub.core.masking import mask_mobile
from unionhub.core.services import district_of, require_district_wide
from unionhub.core.validators import TEXT_LIMIT, implausible_date, validate_plausible_date
from unionhub.notifications.services import notifications_settled, notify
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.models import Consent, Worker

Status = Case.Status
Kind = CaseEvent.Kind
LEAD_ROLES = (
    Membership.Role.DISTRICT_ADMIN,
    Membership.Role.STATION_STAFF,
    Membership.Role.ENTERPRISE_CHAIR,
)

# The state machine: action → (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({Status.SUBMITTED, Status.REFERRED}), Status.ACCEPTED),
    "start": (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS),
    # A request waiting at the organisation it was referred to may be passed on from there, or
    # sent back to the one that referred it, without being accepted first (the worker would be
    # told it was taken on).
    "refer": (
        frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REFERRED}),
        Status.REFERRED,
    ),
    "send_back": (frozenset({Status.REFERRED}), Status.REFERRED),
    "resolve": (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.RESOLVED),
    "close": (frozenset({Status.RESOLVED}), Status.CLOSED),
    "reject": (frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.REFERRED}), Status.REJECTED),
    "withdraw": (frozenset(Case.OPEN_STATUSES), Status.WITHDRAWN),
    "reopen": (frozenset({Status.RESOLVED, Status.CLOSED}), Status.IN_PROGRESS),
}
# Actions that do not change the status, and the statuses they are allowed in.
ACTIVITIES: dict[str, frozenset[str]] = {
    "assign": frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS}),
    "note": frozenset(Status.values),
    # Calls and visits go on after resolution: the worker is visited until back on their feet.
    "call": frozenset(Case.CONTACT_STATUSES),
    "visit": frozenset(Case.CONTACT_STATUSES),
    "refer_part": frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
    "attach": frozenset(Case.OPEN_STATUSES) | {Status.RESOLVED},
    "rate": frozenset({Status.RESOLVED, Status.CLOSED}),
    "schedule_followup": frozenset(Case.CONTACT_STATUSES),
    # The worker adds a few words or photos while the request is being handled.
    "add_info": frozenset(Case.OPEN_STATUSES),
}
# Who may take each action: staff who handle cases over the owning organisation, the worker whose
# request it is, or both.
STAFF_ACTIONS = {
    "accept", "start", "refer", "send_back", "resolve", "close", "reject", "reopen", "assign",
    "note", "call", "visit", "refer_part", "attach", "schedule_followup",
}  # fmt: skip
WORKER_ACTIONS = {"withdraw", "reopen", "rate", "attach", "add_info"}

# What the worker reads on their phone. Stored untranslated (with its parameters) on the event and
# translated when shown, so each worker reads it in their own language.
PUBLIC_MESSAGES = {
    Status.SUBMITTED: gettext_noop("Your request has been received."),
    Status.ACCEPTED: gettext_noop("Your request has been accepted and is being handled."),
    Status.IN_PROGRESS: gettext_noop("Staff are working on your request."),
    Status.REFERRED: gettext_noop("Your request has been passed to %(organization)s."),
    "sent_back": gettext_noop("Your request has been passed back to %(organization)s."),
    Status.RESOLVED: gettext_noop("Your request has been resolved. Please rate our service."),
    Status.CLOSED: gettext_noop("Your request is closed."),
    Status.REJECTED: gettext_noop("Your request could not be taken on: %(reason)s"),
    Status.WITHDRAWN: gettext_noop("You withdrew your request."),
    "withdrawn_because": gettext_noop("You withdrew your request: %(reason)s"),
    "reopened": gettext_noop("Your request has been reopened."),
    "reopened_by_you": gettext_noop("You reopened your request: %(reason)s"),
    "added": gettext_noop("You added: %(text)s"),
    "visited": gettext_noop("Union staff visited you."),
    "called": gettext_noop("Union staff called you."),
    "checked_back": gettext_noop("Union staff called to check how you are doing."),
    "rated": gettext_noop("You rated the service %(rating)d out of 5."),
    "part_referred": gettext_noop("Part of your request was passed to %(organization)s."),
    "file_added": gettext_noop("A file was added: %(name)s"),
}


def allowed_actions(case: Case, user) -> list[str]:
    """The actions ``user`` may take on ``case`` now (what the page offers as buttons)."""
    actions = []
    for action in (*TRANSITIONS, *ACTIVITIES):
        try:
            _check(case, user, action)
        except (DomainError, PermissionDenied):
            continue
        actions.append(action)
    return actions


def reporter_phone_for(case: Case, user, *, phone: str | None = None) -> str:
    """The number of whoever reported ``case`` (a workmate, a relative: a third party; or
    ``phone``, the number of whoever reported the request it was referred from) as ``user`` may
    read it: in full for those who may handle the request and call back, masked for everyone else
    (read-only roles such as fund approvers and auditors)."""
    phone = case.reporter_phone if phone is None else phone
    if access_for(user).can(Cap.HANDLE_CASES, case.owner_path):
        return phone
    return mask_mobile(phone)


def _is_workers_own(case: Case, user) -> bool:
    return bool(user.is_authenticated and case.worker.user_id == user.pk)


def _check(case: Case, actor, action: str) -> None:
    """Raise unless ``actor`` may take ``action`` on ``case`` in its current status."""
    as_staff = action in STAFF_ACTIONS and access_for(actor).can(Cap.HANDLE_CASES, case.owner_path)
    as_worker = action in WORKER_ACTIONS and _is_workers_own(case, actor)
    if not (as_staff or as_worker):
        raise PermissionDenied
    if case.worker.erased_at:  # kept as it was when the worker's data was deleted
        raise Conflict(
            _("This worker's personal data has been deleted; the record can no longer change."),
            code="erased",
        )
    allowed = TRANSITIONS[action][0] if action in TRANSITIONS else ACTIVITIES[action]
    if (
        action in TRANSITIONS
        and case.status == TRANSITIONS[action][1]
        and case.status not in allowed
        and action != "reopen"
    ):
        # Sent twice (a second tap, another tab): say it is done rather than that it cannot be.
        raise Conflict(
            _("This request is %(status)s already.") % {"status": case.get_status_display()},
            code="already_done",
        )
    if case.status not in allowed:
        raise Conflict(
            _("This request is %(status)s: it cannot be %(action)s now.")
            % {"status": case.get_status_display(), "action": ACTION_LABELS[action]},
            code="invalid_transition",
        )
    if action == "reopen":
        limit = case.resolved_at + datetime.timedelta(days=settings.UNIONHUB["REOPEN_DAYS"])
        if timezone.now() > limit:
            raise Conflict(
                _("A request can only be reopened within %(days)d days of its resolution.")
                % {"days": settings.UNIONHUB["REOPEN_DAYS"]},
                code="reopen_too_late",
            )
    if action == "rate" and case.rating is not None:
        raise Conflict(_("You have already rated this request."), code="already_rated")
    if action == "send_back":
        back_to = referred_by(case)
        if back_to is None:
            raise Conflict(
                _(
                    "No other organisation referred this request here: there is none to send it "
                    "back to."
                ),
                code="nothing_to_send_back",
            )
        if any(grant.path == back_to.path for grant in access_for(actor).grants):
            # Their own organisation (a second tap after it went back, or a request their own
            # organisation referred down): they would only send it to themselves.
            raise Conflict(
                _(
                    "This request would go back to %(organization)s, your own organisation: "
                    "accept it, or refer it on."
                )
                % {"organization": back_to.name},
                code="send_back_to_own",
            )


def referred_by(case: Case) -> Organization | None:
    """The organisation that referred ``case`` as a whole to its owner (where "send back" takes
    it), while it is still active."""
    if not case.referred_from_path or case.referred_from_path == case.owner_path:
        return None
    return Organization.objects.filter(path=case.referred_from_path, is_active=True).first()


ACTION_LABELS = {
    "accept": gettext_lazy("accepted"),
    "start": gettext_lazy("started"),
    "refer": gettext_lazy("referred"),
    "send_back": gettext_lazy("sent back"),
    "resolve": gettext_lazy("resolved"),
    "close": gettext_lazy("closed"),
    "reject": gettext_lazy("rejected"),
    "withdraw": gettext_lazy("withdrawn"),
    "reopen": gettext_lazy("reopened"),
    "assign": gettext_lazy("assigned"),
    "note": gettext_lazy("noted"),
    "call": gettext_lazy("logged as called"),
    "visit": gettext_lazy("logged as visited"),
    "refer_part": gettext_lazy("partly referred"),
    "attach": gettext_lazy("given attachments"),
    "rate": gettext_lazy("rated"),
    "schedule_followup": gettext_lazy("given a follow-up"),
    "add_info": gettext_lazy("added to"),
}


# ---------------------------------------------------------------------------------------------
# Deadlines


def _hours(hours: int) -> datetime.timedelta:
    return datetime.timedelta(hours=hours)


def _warn_at(start: datetime.datetime, due: datetime.datetime) -> datetime.datetime:
    return due - (due - start) * settings.UNIONHUB["DUE_SOON_SHARE"]


def _set_clock(case: Case, *, start: datetime.datetime, due: datetime.datetime) -> None:
    """Start a new deadline: ``due`` runs from ``start``; its breach will escalate afresh."""
    case.sla_due_at = due
    case.sla_warn_at = _warn_at(start, due)
    case.escalation_level = 0
    case.escalated_at = None


def _keep_miss(case: Case, now: datetime.datetime) -> None:
    """Put a deadline that passed on record before its clock is reset, so that accepting late
    or referring the request on never wipes the miss (the escalation job may not have run yet)."""
    due = case.sla_due_at
    if due is None or now <= due:
        return
    if due == case.response_due_at:
        case.response_breached_at = case.response_breached_at or due
    elif due == case.resolution_due_at:
        case.resolution_breached_at = case.resolution_breached_at or due


def _stop_clock(case: Case) -> None:
    case.sla_due_at = None
    case.sla_warn_at = None


def money_reached_again(case: Case, reached_at: datetime.datetime | None) -> None:
    """A payment that reached the worker was reversed. ``reached_at`` is when money that still
    stands first reached them, or ``None``: then nothing has, and an open emergency's clock runs
    again, to its own deadline (escalating afresh once that is past). Call it with the fund
    locked; the request is locked here."""
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("category")
        .get(pk=case.pk)
    )
    case.money_reached_at = reached_at
    fields = ["money_reached_at", "updated_at"]
    if reached_at is None and case.urgency == Case.Urgency.EMERGENCY and case.is_open:
        # The stage's own clock, from when it started (submission, referral, acceptance or
        # reopening: each set its deadline that many hours ahead).
        if case.status in (Status.SUBMITTED, Status.REFERRED):
            due, hours = case.response_due_at, case.category.response_sla_hours
        else:
            due, hours = case.resolution_due_at, case.category.resolution_sla_hours
        _set_clock(case, start=due - _hours(hours), due=due)
        fields += ["sla_due_at", "sla_warn_at", "escalation_level", "escalated_at"]
    case.save(update_fields=fields)


# ---------------------------------------------------------------------------------------------
# Intake


def _next_reference(district: Organization, year: int) -> str:
    """``HS-2026-000123``: numbered per district and year under a row lock, so two clerks never
    get the same number."""
    try:
        sequence = CaseSequence.objects.select_for_update().get(district=district, year=year)
    except CaseSequence.DoesNotExist:
        try:
            with transaction.atomic():
                CaseSequence.objects.create(district=district, year=year)
        except IntegrityError:
            pass  # someone else created it first
        sequence = CaseSequence.objects.select_for_update().get(district=district, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{district.code or 'UH'}-{year}-{sequence.last_number:06d}"


def _search_text(reference: str, worker: Worker, summary: str, description: str) -> str:
    """The queue's one search column: the name also in pinyin and initials (``wangxiaoming wxm``),
    as staff type it without switching input method, and the last four of the mobile and of the
    ID number (what the worker reads out on the phone)."""
    parts = [reference, worker.name, worker.name_pinyin, worker.mobile_tail, worker.id_tail]
    return " ".join([*parts, summary, description]).lower()


@dataclass
class Upload:
    """A file handed to a service: its name, content type claimed by the client, and bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Reporter:
    """Who told the union about a worker's trouble, when it was not the worker."""

    name: str = ""
    relation: str = ""
    phone: str = ""


_PHONE = re.compile(r"^\+?[0-9][0-9-]{6,19}$")
# A clock a few minutes fast on the phone that took the call is not "in the future".
_CLOCK_SLACK = datetime.timedelta(minutes=10)


def _check_reporter(reporter: Reporter | None) -> Reporter:
    if reporter is None:
        return Reporter()
    name = (reporter.name or "").strip()
    relation = (reporter.relation or "").strip()
    phone = re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", reporter.phone or ""))
    if (relation or phone) and not name:
        raise DomainError(_("Say who reported it."), field="reporter_name")
    if len(name) > 50 or len(relation) > 30:
        raise DomainError(
            _("Keep the reporter's name within 50 characters and the relation within 30."),
            field="reporter_name" if len(name) > 50 else "reporter_relation",
        )
    if phone and not _PHONE.match(phone):
        raise DomainError(
            _("Enter a mobile or landline number, such as 13812345678 or 0510-83001234."),
            field="reporter_phone",
        )
    return Reporter(name=name, relation=relation, phone=phone)


def _check_occurred_at(occurred_at, now: datetime.datetime):
    if occurred_at is None:
        return None
    if occurred_at > now + _CLOCK_SLACK:
        raise DomainError(_("When it happened cannot be later than now."), field="occurred_at")
    try:
        validate_plausible_date(occurred_at)
    except ValidationError:
        raise DomainError(implausible_date().messages[0], field="occurred_at") from None
    return occurred_at


def case_submit(
    *,
    actor,
    worker: Worker,
    category: ServiceCategory,
    channel: str,
    summary: str,
    description: str,
    urgency: str = Case.Urgency.NORMAL,
    organization: Organization | None = None,
    preferred_contact_time: str = "",
    submission_key: uuid.UUID | None = None,
    attachments: list[Upload] = (),
    submitted_at: datetime.datetime | None = None,
    reporter: Reporter | None = None,
    occurred_at: datetime.datetime | None = None,
    refuse_key_reuse: bool = False,
) -> Case:
    """Open a request for ``worker``: by the worker themselves (from the phone) or by staff who
    may handle cases over the owning organisation (the worker's by default).

    The deadlines start at submission: respond within the category's response hours, resolve
    within its resolution hours (an emergency category is always an emergency). The same
    ``submission_key`` from the same person returns the case already opened (double taps and
    retries do not open a second one), and so does the same text sent again within
    ``RESUBMISSION_WINDOW``. The case answered then carries ``sent_again`` (a ``SentAgain``): the
    photos it lacked are added to it (see ``_add_files_sent_again``), or it says why they were not.
    With ``refuse_key_reuse`` (the API, whose clients choose their keys), the same
    ``submission_key`` with other content raises ``Conflict`` (``idempotency_key_reused``): the
    client reused a key for another request, and answering with the first would hide it.
    """
    from unionhub.workers.services import refuse_erased

    refuse_erased(worker)
    sent = {
        "actor": actor,
        "worker": worker,
        "category": category,
        "channel": channel,
        "summary": summary,
        "description": description,
        "urgency": urgency,
        "preferred_contact_time": preferred_contact_time,
        "reporter": reporter,
        "occurred_at": occurred_at,
    }
    existing = submitted_already(
        actor=actor,
        submission_key=submission_key,
        worker=worker,
        category=category,
        summary=summary,
        description=description,
    )
    if existing is not None:
        if refuse_key_reuse:
            _check_key_not_reused(existing, submission_key, **sent)
        existing.sent_again = _add_files_sent_again(
            actor=actor, case=existing, attachments=attachments
        )
        return existing
    try:
        with transaction.atomic():
            return _case_submit(
                actor=actor,
                worker=worker,
                category=category,
                channel=channel,
                summary=summary,
                description=description,
                urgency=urgency,
                organization=organization,
                preferred_contact_time=preferred_contact_time,
                submission_key=submission_key,
                attachments=attachments,
                submitted_at=submitted_at,
                reporter=reporter,
                occurred_at=occurred_at,
            )
    except IntegrityError:
        if submission_key is None:
            raise
        # The same submission raced us to the unique constraint: answer with the one that won
        # (it carries the same files).
        existing = Case.objects.get(created_by=actor, submission_key=submission_key)
        if refuse_key_reuse:
            _check_key_not_reused(existing, submission_key, **sent)
        existing.sent_again = SentAgain()
        return existing


def _check_key_not_reused(
    case: Case,
    submission_key,
    *,
    actor,
    worker,
    category,
    channel,
    summary,
    description,
    urgency,
    preferred_contact_time,
    reporter,
    occurred_at,
) -> None:
    """Raise ``Conflict`` when ``case`` was opened with ``submission_key`` and differs from what
    is sent now in what a request keeps as it came in: the worker, the category, the words, the
    channel and urgency, the time to call, who reported it and when it happened (as
    ``_case_submit`` would store them). A request matched by its words under another key is the
    same request, not a reused key."""
    if submission_key is None or case.submission_key != submission_key:
        return
    by_worker = worker.user_id is not None and worker.user_id == actor.pk
    if by_worker:
        channel, reporter = Case.Channel.MOBILE, Reporter()
    else:
        try:
            reporter = _check_reporter(reporter)
        except DomainError:
            reporter = None  # not what was stored, whatever it is
    if category.is_emergency:
        urgency = Case.Urgency.EMERGENCY
    same = (
        case.worker_id == worker.pk
        and case.category_id == category.pk
        and case.channel == channel
        and case.urgency == urgency
        and case.summary == (summary or "").strip()[:100]
        and case.description == (description or "").strip()
        and case.preferred_contact_time == (preferred_contact_time or "").strip()[:50]
        and reporter is not None
        and (case.reporter_name, case.reporter_relation, case.reporter_phone)
        == (reporter.name, reporter.relation, reporter.phone)
        and case.occurred_at == occurred_at
    )
    if not same:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_key_reused",
        )


# An identical request from the same person within this time is the same request sent again
# (the browser's Back and a second tap on "Submit" bring a fresh form key).
RESUBMISSION_WINDOW = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class SentAgain:
    """What became of the files of a request sent again: how many were added to the request
    already opened, or why none could be (``refused``, a sentence to show)."""

    added: int = 0
    refused: str = ""


def _add_files_sent_again(*, actor, case: Case, attachments: list[Upload]) -> SentAgain:
    """A request sent again (Back and Send, with photos chosen this time) must not lose its new
    photos: those the request already opened lacks (the same content counts once) are added to
    it, the way the worker adds to a request (or staff add a file): only while it is open, at most
    the files one sending may carry, all or none. A file that is no photo or PDF is refused as on
    a first sending (``DomainError`` on ``attachments``)."""
    held = set(case.attachments.values_list("sha256", flat=True))
    new = []
    for upload in attachments:
        digest = hashlib.sha256(upload.content).hexdigest()
        if digest not in held:
            held.add(digest)
            new.append(upload)
    if not new:
        return SentAgain()
    _check_uploads(new)
    if case.status not in Case.OPEN_STATUSES:
        return SentAgain(
            refused=_("The request is %(status)s: nothing more can be added to it.")
            % {"status": case.get_status_display()}
        )
    try:
        with transaction.atomic():
            if _is_workers_own(case, actor):
                case_add_info(actor=actor, case=case, attachments=new)
            else:
                for upload in new:
                    attachment_add(actor=actor, case=case, upload=upload, visible_to_worker=True)
    except DomainError as error:
        return SentAgain(refused=str(error.message))
    return SentAgain(added=len(new))


def submitted_already(
    *, actor, submission_key=None, worker=None, category=None, summary="", description=""
) -> Case | None:
    """The request ``actor`` already opened with this form (``submission_key``), or, given the
    request's content, an identical one they opened for the same worker a moment ago."""
    if submission_key is not None:
        existing = Case.objects.filter(created_by=actor, submission_key=submission_key).first()
        if existing is not None:
            return existing
    if worker is None or category is None:
        return None
    return (
        Case.objects.filter(
            created_by=actor,
            worker=worker,
            category=category,
            summary=(summary or "").strip()[:100],
            description=(description or "").strip(),
            submitted_at__gte=timezone.now() - RESUBMISSION_WINDOW,
        )
        .order_by("-submitted_at")
        .first()
    )


def _case_submit(
    *,
    actor,
    worker,
    category,
    channel,
    summary,
    description,
    urgency,
    organization,
    preferred_contact_time,
    submission_key,
    attachments,
    submitted_at,
    reporter,
    occurred_at,
) -> Case:
    from unionhub.workers.services import lock_unerased

    lock_unerased(worker)  # an erasure at this moment waits for the request, or refuses it
    by_worker = worker.user_id is not None and worker.user_id == actor.pk
    owner = organization or worker.organization
    if by_worker:
        owner = worker.organization
        channel = Case.Channel.MOBILE
    else:
        require(actor, Cap.HANDLE_CASES, owner)
        # A worker outside the actor's scope may be helped only by one of the actor's organisations.
        if not access_for(actor).can(Cap.VIEW, worker.organization.path):
            raise PermissionDenied
    if not category.is_active:
        raise DomainError(_("This kind of help is no longer offered."), field="category")
    if channel not in Case.Channel.values:
        raise DomainError(_("Choose how the request came in."), field="channel")
    summary = (summary or "").strip()
    description = (description or "").strip()
    if not summary:
        raise DomainError(_("Say in a few words what the request is about."), field="summary")
    if len(description) < 5:
        raise DomainError(
            _("Describe the situation in a few sentences (at least 5 characters)."),
            field="description",
        )
    description = _text(description, "description", "")
    if category.is_emergency:
        urgency = Case.Urgency.EMERGENCY
    if urgency not in Case.Urgency.values:
        raise DomainError(_("Choose an urgency."), field="urgency")
    checked = _check_uploads(attachments)
    now = submitted_at or timezone.now()
    # A worker asking for themselves is their own reporter.
    reporter = Reporter() if by_worker else _check_reporter(reporter)
    occurred_at = _check_occurred_at(occurred_at, now)
    district = Organization.objects.get(path=owner.path[: Organization.steplen])
    reference = _next_reference(district, timezone.localtime(now).year)
    case = Case(
        reference=reference,
        district=district,
        worker=worker,
        category=category,
        channel=channel,
        urgency=urgency,
        summary=summary[:100],
        description=description,
        preferred_contact_time=preferred_contact_time.strip()[:50],
        reporter_name=reporter.name,
        reporter_relation=reporter.relation,
        reporter_phone=reporter.phone,
        occurred_at=occurred_at,
        organization=owner,
        owner_path=owner.path,
        submitted_at=now,
        response_due_at=now + _hours(category.response_sla_hours),
        resolution_due_at=now + _hours(category.resolution_sla_hours),
        created_by=actor,
        submission_key=submission_key,
        worker_name=worker.name,
        worker_mobile_tail=worker.mobile_tail,
        search_text=_search_text(reference, worker, summary, description),
    )
    _set_clock(case, start=now, due=case.response_due_at)
    case.save()
    _event(
        case,
        actor,
        Kind.SUBMITTED,
        to_status=Status.SUBMITTED,
        body=lambda: _intake_note(case),
        public=PUBLIC_MESSAGES[Status.SUBMITTED],
        at=now,
    )
    for upload, (kind, content_type, digest) in zip(attachments, checked, strict=True):
        _store_attachment(case, actor, upload, kind, content_type, digest, visible=True)
    audit.record(
        actor=actor,
        action="cases.case.submitted",
        target=case,
        organization=owner,
        data={"reference": reference, "category": category.code, "urgency": urgency},
    )
    urgent = urgency == Case.Urgency.EMERGENCY
    _notify_leads(
        owner,
        kind="case_submitted",
        title=(
            gettext_lazy("Emergency request %(reference)s: %(summary)s")
            if urgent
            else gettext_lazy("New request %(reference)s: %(summary)s")
        ),
        case=case,
        sms=urgent,
        actor=actor,
    )
    return case


def _intake_note(case: Case) -> str:
    """The first line of the staff timeline: how the request came in, and from whom."""
    sentences = [_("Entered through %(channel)s.") % {"channel": case.get_channel_display()}]
    if case.reporter_name:
        who = case.reporter_name
        if case.reporter_relation:
            who = _("%(name)s (%(relation)s)") % {
                "name": who,
                "relation": case.reporter_relation,
            }
        sentences.append(_("Reported by %(who)s.") % {"who": who})
    if case.occurred_at:
        sentences.append(
            _("It happened at %(at)s.")
            % {"at": timezone.localtime(case.occurred_at).strftime("%Y-%m-%d %H:%M")}
        )
    # Chinese runs its sentences on; English puts a space between them.
    language = translation.get_language() or settings.LANGUAGE_CODE
    return ("" if language.startswith("zh") else " ").join(sentences)


# ---------------------------------------------------------------------------------------------
# Transitions


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock; every transition works on the locked copy.

    The worker's row is locked first (as ``workers.services.worker_erase`` does), so a step
    taken while the worker's data is being deleted waits, then reads that it was."""
    worker_id = case.worker_id or Case.objects.filter(pk=case.pk).values("worker_id")[:1]
    Worker.objects.select_for_update(no_key=True).filter(pk=worker_id).exists()
    # No key changes: a timeline line or a payment written for the request meanwhile (which
    # only needs the request to exist) does not wait for this lock.
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("worker", "category", "organization")
        .get(pk=case.pk)
    )


def _json_params(params) -> dict:
    """Message values as JSON keeps them: numbers stay numbers (``%(rating)d``), the rest text."""
    return {
        key: value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
        for key, value in (params or {}).items()
    }


def _event(case, actor, kind, *, body="", public="", params=None, at=None, **fields) -> CaseEvent:
    """``public`` is one of ``PUBLIC_MESSAGES`` (untranslated); empty for staff-only events.

    ``body`` is what a person typed (kept as typed), or a callable that writes the line with
    ``gettext``: it is then kept in every language, and each reader sees their own."""
    text = system_line(body) if callable(body) else {"body": body}
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        **text,
        public_message=public,
        public_params=_json_params(params) if public else {},
        created_at=at or timezone.now(),
        **fields,
    )


def _move(
    case: Case, actor, action: str, *, body="", params=None, public=None, **event_fields
) -> CaseEvent:
    """Change the status; ``public`` replaces the worker's usual line for the new status."""
    old = case.status
    case.status = TRANSITIONS[action][1]
    _settle_notices(case, old)
    event = _event(
        case,
        actor,
        Kind.STATUS,
        from_status=old,
        to_status=case.status,
        body=body,
        public=public or PUBLIC_MESSAGES[case.status],
        params=params,
        **event_fields,
    )
    audit.record(
        actor=actor,
        action=f"cases.case.{action}",
        target=case,
        organization=case.organization,
        data={"from": old, "to": case.status},
    )
    return event


# The staff notices a request's status settles: a new (or referred) request waits to be taken
# on until it leaves that status; an overdue one is no longer a to-do once it is finished.
WAITING_NOTICES = ("case_submitted", "case_referred")
OVERDUE_NOTICES = ("case_breached", "case_escalated")


def _settle_notices(case: Case, old: str) -> None:
    from django.urls import reverse

    kinds = list(WAITING_NOTICES) if old in (Status.SUBMITTED, Status.REFERRED) else []
    if case.status not in Case.OPEN_STATUSES:
        kinds += OVERDUE_NOTICES
    if kinds:
        notifications_settled(url=reverse("cases:case-detail", args=[case.public_id]), kinds=kinds)


def _tell_worker(case: Case, title, *, sms: bool = False, params=None) -> None:
    user = case.worker.user
    if user is None:
        return
    wants_sms = (
        sms
        and case.worker.consents.filter(
            purpose=Consent.Purpose.NOTIFICATIONS, withdrawn_at__isnull=True
        ).exists()
    )
    from django.urls import reverse

    notify(
        recipients=[user],
        kind="case_update",
        title=title,
        params={"reference": case.reference, **(params or {})},
        url=reverse("portal:case-detail", args=[case.public_id]),
        sms=wants_sms,
    )


def _responsible(organization: Organization) -> tuple[Organization | None, list]:
    """The people who handle requests for ``organization``: its own leads, or, when it has none
    (a small enterprise's union without a chair on the system), those of the nearest organisation
    above it. Returns that organisation and its leads."""
    User = get_user_model()
    chain = [organization, *reversed(Organization.objects.get_ancestors(organization))]
    for candidate in chain:
        users = list(
            User.objects.filter(
                memberships__organization=candidate,
                memberships__role__in=LEAD_ROLES,
                is_active=True,
            ).distinct()
        )
        if users:
            return candidate, users
    return None, []


def _leads(organization: Organization) -> list:
    return _responsible(organization)[1]


def _notify_leads(
    organization, *, kind, title, case, sms=False, email=False, body="", actor=None
) -> None:
    """Tell the organisation's leads; the one who did it (``actor``) knows already."""
    from django.urls import reverse

    notify(
        recipients=[u for u in _leads(organization) if actor is None or u.pk != actor.pk],
        kind=kind,
        title=title,
        body=body,
        params={
            "reference": case.reference,
            "summary": case.summary,
            "owner": case.organization.name,
        },
        url=reverse("cases:case-detail", args=[case.public_id]),
        sms=sms,
        email=email,
    )


@transaction.atomic
def case_accept(*, actor, case: Case) -> Case:
    """Take the request on. Stops the response clock, starts the resolution clock, and schedules
    the category's standard follow-up plan (once). A part referred from another request gets no
    plan of its own: the worker is visited under the request it came from (staff may still
    schedule visits by hand)."""
    case = _locked(case)
    _check(case, actor, "accept")
    now = timezone.now()
    if case.status == Status.REFERRED or case.assignee is None:
        case.assignee = actor  # whoever accepts holds it until it is assigned on
    _move(case, actor, "accept")
    case.accepted_at = case.accepted_at or now
    _keep_miss(case, now)
    _set_clock(case, start=now, due=case.resolution_due_at)
    case.save()
    if case.parent_id is None:
        planned = _schedule_plan(case, start=timezone.localdate(now))
        if planned:
            _event(
                case,
                actor,
                Kind.FOLLOWUP,
                body=lambda: (
                    ngettext(
                        "Follow-up plan scheduled: %(count)d contact, on %(first)s.",
                        "Follow-up plan scheduled: %(count)d contacts, the first on %(first)s and "
                        "the last on %(last)s.",
                        len(planned),
                    )
                    % {
                        "count": len(planned),
                        "first": planned[0].due_on.isoformat(),
                        "last": planned[-1].due_on.isoformat(),
                    }
                ),
            )
    _tell_worker(case, gettext_lazy("Your request %(reference)s has been accepted."), sms=True)
    _tell_referrer(
        case,
        actor,
        kind="case_part_accepted",
        title=gettext_lazy(
            "%(owner)s accepted %(reference)s, the part of %(parent)s referred to it: %(summary)s"
        ),
    )
    return case


def _tell_referrer(part: Case, actor, *, kind: str, title, body="", params=None) -> None:
    """A part referred elsewhere was taken on, resolved or turned down: whoever handles the
    request it came from hears it (its assignee, or its owner's leads with no one assigned), on
    that request's page, where the part's status shows. Not one who did it."""
    if part.parent_id is None:
        return
    from django.urls import reverse

    parent = Case.objects.select_related("assignee", "organization").get(pk=part.parent_id)
    if parent.assignee is not None and parent.assignee.is_active:
        recipients = [parent.assignee]
    else:
        recipients = _leads(parent.organization)
    notify(
        recipients=[u for u in recipients if actor is None or u.pk != actor.pk],
        kind=kind,
        title=title,
        body=body,
        params={
            "reference": part.reference,
            "summary": part.summary,
            "owner": part.organization.name,
            "parent": parent.reference,
            **(params or {}),
        },
        url=reverse("cases:case-detail", args=[parent.public_id]),
    )


def assignees_for(case: Case):
    """The people ``case_assign`` accepts for ``case``: those holding a role that handles
    requests at its owner or an organisation above it."""
    step = Organization.steplen
    above = [case.owner_path[:end] for end in range(step, len(case.owner_path) + 1, step)]
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Cap.HANDLE_CASES in caps]
    return (
        get_user_model()
        .objects.filter(
            memberships__organization__path__in=above,
            memberships__organization__is_active=True,
            memberships__role__in=roles,
            is_active=True,
        )
        .distinct()
    )


@transaction.atomic
def case_assign(*, actor, case: Case, assignee) -> Case:
    """Give the request to ``assignee``, who must handle cases over the owning organisation.
    Assigning a request nobody has accepted yet accepts it."""
    case = _locked(case)
    _check(case, actor, "assign")
    if assignee is None or not access_for(assignee).can(Cap.HANDLE_CASES, case.owner_path):
        raise DomainError(
            _("Choose a colleague who handles requests for %(organization)s.")
            % {"organization": case.organization},
            field="assignee",
            code="bad_assignee",
        )
    if case.status == Status.SUBMITTED:
        case = case_accept(actor=actor, case=case)
    previous = case.assignee
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    _event(
        case,
        actor,
        Kind.ASSIGNED,
        body=lambda: _("Assigned to %(name)s.") % {"name": assignee.get_full_name()},
        data={"assignee": assignee.pk, "previous": previous.pk if previous else None},
    )
    audit.record(
        actor=actor,
        action="cases.case.assign",
        target=case,
        organization=case.organization,
        data={
            # Names as they were then (the log reads "— → 尤国平"); ids to follow the people.
            "from": _person(previous),
            "to": _person(assignee),
            "assignee": assignee.pk,
            "previous": previous.pk if previous else None,
        },
    )
    _tell_of_assignment(case, actor=actor, assignee=assignee, previous=previous)
    return case


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _tell_of_assignment(case: Case, *, actor, assignee, previous) -> None:
    """The new assignee learns the request is theirs; the one it was taken from learns it is no
    longer theirs; and when someone from an organisation above gives it to one of their own, the
    owning organisation's leads learn their request is handled from above (a station taking
    over an enterprise union's request, one by one or in bulk). Nobody is told what they did."""
    from django.urls import reverse

    url = reverse("cases:case-detail", args=[case.public_id])
    params = {
        "reference": case.reference,
        "summary": case.summary,
        "name": assignee.get_full_name() or assignee.get_username(),
        "who": actor.get_full_name() or actor.get_username(),
        "owner": case.organization.name,
    }
    told = {actor.pk, assignee.pk}
    if assignee.pk != actor.pk:
        notify(
            recipients=[assignee],
            kind="case_assigned",
            title=gettext_lazy("Request %(reference)s was assigned to you: %(summary)s"),
            params=params,
            url=url,
        )
    if previous is not None and previous.pk not in told:
        told.add(previous.pk)
        notify(
            recipients=[previous],
            kind="case_reassigned",
            title=gettext_lazy(
                "Request %(reference)s was reassigned by %(who)s from you to %(name)s"
            ),
            params=params,
            url=url,
        )
    own = Membership.objects.filter(organization=case.organization)
    if not own.filter(user=assignee).exists() and not own.filter(user=actor).exists():
        own_leads = get_user_model().objects.filter(
            memberships__organization=case.organization,
            memberships__role__in=LEAD_ROLES,
            is_active=True,
        )
        notify(
            recipients=[u for u in own_leads.distinct() if u.pk not in told],
            kind="case_taken_over",
            title=gettext_lazy(
                "Request %(reference)s of %(owner)s is now handled by %(name)s (assigned by "
                "%(who)s)"
            ),
            params=params,
            url=url,
        )


@dataclass(frozen=True)
class AssignRefusal:
    """A request a bulk assignment left alone, and why: ``code`` is the refusal's
    (``bad_assignee``: the colleague cannot handle requests of ``organization``;
    ``not_allowed``: the actor cannot; a wrong status's ``invalid_transition``, with ``status``)
    and ``message`` what the single assignment would have said."""

    reference: str
    code: str
    message: str
    organization: str
    status: str


def cases_bulk_assign(*, actor, cases, assignee) -> tuple[int, list[AssignRefusal]]:
    """Assign several requests; each is its own transaction. Returns how many were assigned and
    those that could not be, each with why."""
    done, refused = 0, []
    for case in cases:
        try:
            case_assign(actor=actor, case=case, assignee=assignee)
        except (DomainError, PermissionDenied) as error:
            case.refresh_from_db(fields=["status", "organization"])
            refused.append(
                AssignRefusal(
                    reference=case.reference,
                    code=error.code if isinstance(error, DomainError) else "not_allowed",
                    message=str(error.message) if isinstance(error, DomainError) else "",
                    organization=case.organization.name,
                    status=case.get_status_display(),
                )
            )
        else:
            done += 1
    return done, refused


@transaction.atomic
def case_start(*, actor, case: Case) -> Case:
    case = _locked(case)
    _check(case, actor, "start")
    _move(case, actor, "start")
    if case.assignee is None:
        case.assignee = actor
    case.save()
    _tell_worker(case, gettext_lazy("Staff have started work on your request %(reference)s."))
    return case


def _text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field, code="required")
    if len(value) > TEXT_LIMIT:
        raise DomainError(
            _("Keep it within %(limit)d characters (this has %(length)d).")
            % {"limit": TEXT_LIMIT, "length": len(value)},
            field=field,
            code="too_long",
        )
    return value


@transaction.atomic
def case_note(*, actor, case: Case, text: str) -> CaseEvent:
    """An internal note: staff only, never shown to the worker."""
    case = _locked(case)
    _check(case, actor, "note")
    text = _text(text, "text", _("Write the note."))
    case.save(update_fields=["updated_at"])
    return _event(case, actor, Kind.NOTE, body=text)


@transaction.atomic
def case_log_contact(
    *,
    actor,
    case: Case,
    kind: str,
    summary: str,
    counselling: str = "",
    happened_at: datetime.datetime | None = None,
    followup: FollowUp | None = None,
) -> CaseEvent:
    """Log a phone call or a visit (who, when, what was done, counselling given). With
    ``followup``, it also marks that scheduled contact done. The worker sees that the contact
    took place, not the notes.

    Raises ``DomainError`` for a time in the future or before the request began (when the trouble
    happened, if earlier than the request was entered)."""
    case = _locked(case)
    action = "visit" if kind == Kind.VISIT else "call"
    _check(case, actor, action)
    summary = _text(summary, "summary", _("Say what was done."))
    when = happened_at or timezone.now()
    if when > timezone.now() + datetime.timedelta(minutes=5):
        raise DomainError(_("A contact cannot be logged in the future."), field="happened_at")
    # A visit may come before the request was typed in (the chair went to the hospital first),
    # never before the trouble it is about.
    began = min(case.occurred_at or case.submitted_at, case.submitted_at)
    if when < began:
        raise DomainError(
            _("A contact cannot be logged before the request began (%(time)s).")
            % {"time": formats.date_format(timezone.localtime(began), "Y-m-d H:i")},
            field="happened_at",
            code="contact_before_request",
        )
    if followup is not None:
        followup = FollowUp.objects.select_for_update().get(pk=followup.pk, case=case)
        if followup.status != FollowUp.Status.SCHEDULED:
            raise Conflict(_("This follow-up has already been recorded."), code="followup_done")
        if followup.kind == FollowUp.Kind.VISIT and action != "visit":
            # A call may stand in for nothing more than a call: the plan promised to go there.
            raise DomainError(
                _(
                    "A phone call does not complete a planned visit: log the call without it, "
                    "and the visit when it is made."
                ),
                field="followup",
                code="call_for_visit",
            )
        followup.status = FollowUp.Status.DONE
        followup.done_at = when
        followup.done_by = actor
        followup.summary = summary
        followup.counselling = (counselling or "").strip()
        followup.save()
    case.save(update_fields=["updated_at"])
    public = PUBLIC_MESSAGES["visited" if action == "visit" else "called"]
    body = summary
    if counselling:
        # The label is the system's (each reader's language); what was typed stays as typed.
        def body() -> str:
            return _("%(summary)s\nCounselling: %(counselling)s") % {
                "summary": summary,
                "counselling": counselling.strip(),
            }

    return _event(
        case,
        actor,
        Kind.VISIT if action == "visit" else Kind.CALL,
        body=body,
        public=public,
        at=when,
        data={"followup": followup.pk if followup else None},
    )


def _referral_target(case: Case, organization: Organization) -> Organization:
    if organization is None or not organization.is_active:
        raise DomainError(_("Choose the organisation to refer to."), field="organization")
    if organization.pk == case.organization_id:
        raise DomainError(
            _("The request is already with %(organization)s.") % {"organization": organization},
            field="organization",
        )
    if not referral_targets(case).filter(pk=organization.pk).exists():
        raise DomainError(
            _(
                "%(organization)s cannot take this request: refer it to the district's union, a "
                "street or station, or an enterprise union under the request's own station."
            )
            % {"organization": organization},
            field="organization",
        )
    return organization


def referral_targets(case: Case):
    """Where a request may be referred: the district's union, streets and stations, and the
    enterprise unions near the request (under its station). A district has hundreds of
    enterprise unions; a request goes to another station's union through that station."""
    district_path = case.owner_path[: Organization.steplen]
    near_path = case.owner_path[: Organization.steplen * 3]
    return (
        Organization.objects.filter(path__startswith=district_path, is_active=True)
        .filter(~Q(kind=Organization.Kind.ENTERPRISE_UNION) | Q(path__startswith=near_path))
        .exclude(pk=case.organization_id)
    )


@transaction.atomic
def case_refer(*, actor, case: Case, organization: Organization, reason: str) -> Case:
    """Hand the whole request to another organisation of the district, which then owns it and must
    accept it within the category's response time. The worker's resolution clock keeps running."""
    case = _locked(case)
    _check(case, actor, "refer")
    target = _referral_target(case, organization)
    reason = _text(reason, "reason", _("Say why the request is referred."))
    _hand_over(case, actor, "refer", target=target, reason=reason)
    _notify_leads(
        target,
        kind="case_referred",
        title=gettext_lazy("Request %(reference)s was referred to you: %(summary)s"),
        case=case,
        sms=case.urgency == Case.Urgency.EMERGENCY,
        actor=actor,
    )
    _tell_worker(
        case,
        gettext_lazy("Your request %(reference)s was passed to %(organization)s."),
        params={"organization": target.name},
    )
    return case


def _hand_over(case: Case, actor, action: str, *, target: Organization, reason: str) -> None:
    """Give the whole request to ``target``, which must accept it within the category's response
    time; the one handing it over follows it from now on (read only, once out of its scope)."""
    source = case.organization
    _move(
        case,
        actor,
        action,
        body=reason,
        params={"organization": target.name},
        public=PUBLIC_MESSAGES["sent_back"] if action == "send_back" else None,
        data={"from": source.pk, "to": target.pk, "sent_back": action == "send_back"},
    )
    now = timezone.now()
    _keep_miss(case, now)
    case.organization = target
    case.owner_path = target.path
    case.referred_from_path = source.path  # it may follow the request from now on
    case.assignee = None
    case.response_due_at = now + _hours(case.category.response_sla_hours)
    _set_clock(case, start=now, due=case.response_due_at)
    case.save()


@transaction.atomic
def case_send_back(*, actor, case: Case, reason: str) -> Case:
    """Send a request referred to the actor's organisation back to the organisation that referred
    it, without accepting it (it is not theirs to handle, or it lacks what they need). That
    organisation owns it again and must accept it within the category's response time; it is
    told why, and so is the worker that it is back there.

    Raises ``PermissionDenied`` unless the actor handles requests for the owner, ``Conflict``
    unless the request waits as referred and the organisation that referred it is still active,
    ``DomainError`` without a reason."""
    case = _locked(case)
    _check(case, actor, "send_back")
    target = referred_by(case)
    reason = _text(reason, "reason", _("Say why the request is sent back."))
    source = case.organization
    _hand_over(case, actor, "send_back", target=target, reason=reason)
    from django.urls import reverse

    notify(
        recipients=[u for u in _leads(target) if u.pk != actor.pk],
        kind="case_referred",  # waits to be taken on again, as a referral does
        title=gettext_lazy("Request %(reference)s was sent back to you by %(from)s: %(summary)s"),
        body=gettext_lazy("Reason: %(reason)s"),
        params={
            "reference": case.reference,
            "summary": case.summary,
            "from": source.name,
            "reason": reason,
        },
        url=reverse("cases:case-detail", args=[case.public_id]),
        sms=case.urgency == Case.Urgency.EMERGENCY,
    )
    _tell_worker(
        case,
        gettext_lazy("Your request %(reference)s was passed back to %(organization)s."),
        params={"organization": target.name},
    )
    return case


@transaction.atomic
def case_refer_part(
    *, actor, case: Case, organization: Organization, summary: str, reason: str
) -> Case:
    """Refer part of the request (e.g. a larger grant from the district union) as a linked request
    owned by ``organization``; this request stays open with its owner."""
    case = _locked(case)
    _check(case, actor, "refer_part")
    target = _referral_target(case, organization)
    reason = _text(reason, "reason", _("Say what the other organisation is asked to do."))
    child = _case_submit_referral(
        actor=actor, parent=case, organization=target, summary=summary, reason=reason
    )
    _event(
        case,
        actor,
        Kind.REFERRAL,
        body=lambda: (
            _("Part referred to %(organization)s as %(reference)s (%(summary)s): %(reason)s")
            % {
                "organization": target,
                "reference": child.reference,
                "summary": child.summary,
                "reason": reason,
            }
        ),
        public=PUBLIC_MESSAGES["part_referred"],
        params={"organization": target.name},
        data={"child": child.pk},
    )
    case.save(update_fields=["updated_at"])
    return child


def _case_submit_referral(*, actor, parent, organization, summary, reason) -> Case:
    """The part is the worker's own request continued elsewhere: it keeps their description
    (the worker may read it) and who reported it (a workmate the other organisation may need to
    call back); the officer's reason is for staff only, on its timeline. Its files stay on the
    request it came from, which the part's owner may open through the part."""
    now = timezone.now()
    description = parent.description
    summary = (summary or parent.summary).strip()[:100]
    reference = _next_reference(parent.district, timezone.localtime(now).year)
    child = Case(
        reference=reference,
        district=parent.district,
        worker=parent.worker,
        category=parent.category,
        channel=Case.Channel.REFERRAL,
        urgency=parent.urgency,
        summary=summary,
        description=description,
        reporter_name=parent.reporter_name,
        reporter_relation=parent.reporter_relation,
        reporter_phone=parent.reporter_phone,
        organization=organization,
        owner_path=organization.path,
        parent=parent,
        # The trouble began when the worker's own request did, not when a part was handed on.
        occurred_at=parent.occurred_at or parent.submitted_at,
        submitted_at=now,
        response_due_at=now + _hours(parent.category.response_sla_hours),
        resolution_due_at=now + _hours(parent.category.resolution_sla_hours),
        created_by=actor,
        worker_name=parent.worker_name,
        worker_mobile_tail=parent.worker_mobile_tail,
        search_text=_search_text(reference, parent.worker, summary, description),
    )
    _set_clock(child, start=now, due=child.response_due_at)
    child.save()
    _event(
        child,
        actor,
        Kind.SUBMITTED,
        to_status=Status.SUBMITTED,
        body=lambda: (
            _("Referred from %(reference)s by %(organization)s: %(reason)s")
            % {"reference": parent.reference, "organization": parent.organization, "reason": reason}
        ),
        public=PUBLIC_MESSAGES[Status.SUBMITTED],
    )
    audit.record(
        actor=actor,
        action="cases.case.submitted",
        target=child,
        organization=organization,
        data={"reference": reference, "parent": parent.reference},
    )
    _notify_leads(
        organization,
        kind="case_referred",
        title=gettext_lazy("Request %(reference)s was referred to you: %(summary)s"),
        case=child,
        sms=child.urgency == Case.Urgency.EMERGENCY,
        actor=actor,
    )
    return child


@transaction.atomic
def case_resolve(*, actor, case: Case, resolution: str) -> Case:
    """Record how the request was resolved; the worker is asked to rate the service."""
    case = _locked(case)
    _check(case, actor, "resolve")
    case.resolution_summary = _text(resolution, "resolution", _("Say how it was resolved."))
    _move(case, actor, "resolve", body=case.resolution_summary)
    case.resolved_at = timezone.now()
    if case.resolved_at > case.resolution_due_at and case.resolution_breached_at is None:
        case.resolution_breached_at = case.resolution_due_at
    _stop_clock(case)
    case.save()
    _tell_worker(
        case,
        gettext_lazy("Your request %(reference)s has been resolved. Please rate our service."),
        sms=True,
    )
    _tell_referrer(
        case,
        actor,
        kind="case_part_resolved",
        title=gettext_lazy(
            "%(owner)s resolved %(reference)s, the part of %(parent)s referred to it: %(summary)s"
        ),
        body=gettext_lazy("How it was resolved: %(resolution)s"),
        params={"resolution": case.resolution_summary},
    )
    return case


@transaction.atomic
def case_close(*, actor, case: Case, note: str = "") -> Case:
    """Close a resolved request and schedule the check-back call a few weeks later."""
    case = _locked(case)
    _check(case, actor, "close")
    _move(case, actor, "close", body=(note or "").strip())
    case.closed_at = timezone.now()
    case.save()
    due = timezone.localdate() + datetime.timedelta(days=settings.UNIONHUB["CHECK_BACK_DAYS"])
    FollowUp.objects.create(case=case, kind=FollowUp.Kind.CHECK_BACK, due_on=due, from_plan=True)
    _tell_worker(case, gettext_lazy("Your request %(reference)s is closed."))
    return case


def _end_payments(case: Case, actor, reason) -> None:
    """A request that is over takes no money: what was asked for on it and not yet paid is
    cancelled with it (``funds.services.payments_end_with_case``). ``reason`` writes the line
    with ``gettext``, in each reader's language."""
    from unionhub.funds.services import payments_end_with_case

    payments_end_with_case(actor=actor, case=case, reason=reason)


@transaction.atomic
def case_reject(*, actor, case: Case, reason: str) -> Case:
    """Decline the request, saying why (the worker reads the reason)."""
    case = _locked(case)
    _check(case, actor, "reject")
    case.reject_reason = _text(reason, "reason", _("Say why the request is rejected."))
    _move(case, actor, "reject", body=case.reject_reason, params={"reason": case.reject_reason})
    _stop_clock(case)
    case.save()
    _cancel_pending_followups(case)
    _end_payments(
        case,
        actor,
        lambda: _("The request was rejected: %(reason)s") % {"reason": case.reject_reason},
    )
    _tell_worker(
        case,
        gettext_lazy("Your request %(reference)s could not be taken on: %(reason)s"),
        params={"reason": case.reject_reason},
    )
    _tell_referrer(
        case,
        actor,
        kind="case_part_rejected",
        title=gettext_lazy(
            "%(owner)s turned down %(reference)s, the part of %(parent)s referred to it: "
            "%(summary)s"
        ),
        body=gettext_lazy("Reason: %(reason)s"),
        params={"reason": case.reject_reason},
    )
    return case


@transaction.atomic
def case_withdraw(*, actor, case: Case, reason: str = "") -> Case:
    """The worker withdraws their own open request."""
    case = _locked(case)
    _check(case, actor, "withdraw")
    reason = _text(reason, "reason", "") if (reason or "").strip() else ""  # optional
    _move(
        case, actor, "withdraw", body=reason, params={"reason": reason} if reason else None,
        public=PUBLIC_MESSAGES["withdrawn_because"] if reason else None,
    )  # fmt: skip
    _stop_clock(case)
    case.save()
    _cancel_pending_followups(case)
    _end_payments(case, actor, lambda: _("The worker withdrew the request."))
    _notify_leads(
        case.organization,
        kind="case_withdrawn",
        title=gettext_lazy("Request %(reference)s was withdrawn by the worker"),
        case=case,
    )
    return case


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Reopen a resolved or closed request within the reopening window; a new resolution clock
    starts."""
    case = _locked(case)
    _check(case, actor, "reopen")
    reason = _text(reason, "reason", _("Say why the request is reopened."))
    by_worker = _is_workers_own(case, actor)
    _move(
        case, actor, "reopen", body=reason, params={"reason": reason} if by_worker else None,
        public=PUBLIC_MESSAGES["reopened_by_you" if by_worker else "reopened"],
    )  # fmt: skip
    now = timezone.now()
    case.resolved_at = None
    case.closed_at = None
    case.resolution_summary = ""  # the old one stays on the timeline, where it was written
    case.rating = None
    case.rating_comment = ""
    case.rated_at = None
    case.resolution_due_at = now + _hours(case.category.resolution_sla_hours)
    _set_clock(case, start=now, due=case.resolution_due_at)
    case.save()
    # The check-back call belongs to the closing: a new one is scheduled when it closes again.
    case.followups.filter(kind=FollowUp.Kind.CHECK_BACK, status=FollowUp.Status.SCHEDULED).update(
        status=FollowUp.Status.CANCELLED
    )
    if by_worker:
        _notify_leads(
            case.organization,
            kind="case_reopened",
            title=gettext_lazy("Request %(reference)s was reopened by the worker"),
            case=case,
        )
    return case


@transaction.atomic
def case_rate(*, actor, case: Case, rating: int, comment: str = "") -> Case:
    """The worker rates the service (1–5) once the request is resolved."""
    case = _locked(case)
    _check(case, actor, "rate")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(_("Give between 1 and 5 stars."), field="rating", code="bad_rating")
    case.rating = rating
    case.rating_comment = (comment or "").strip()[:500]
    case.rated_at = timezone.now()
    case.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    _event(
        case,
        actor,
        Kind.RATING,
        body=case.rating_comment,
        public=PUBLIC_MESSAGES["rated"],
        params={"rating": rating},
        data={"rating": rating},
    )
    return case


@transaction.atomic
def case_add_info(*, actor, case: Case, text: str = "", attachments: list[Upload] = ()) -> Case:
    """The worker adds to their open request: a few words, photos or PDFs (a hospital bill they
    forgot, an answer to the union), or both. They read it back on their timeline; whoever
    handles the request is told (the assignee, or the owner's leads when no one is assigned)."""
    case = _locked(case)
    _check(case, actor, "add_info")
    text = (text or "").strip()
    if not text and not attachments:
        raise DomainError(
            _("Write what you want to add, or choose a photo."), field="text", code="required"
        )
    if text:
        text = _text(text, "text", "")
    if attachments and case.attachments.count() + len(attachments) > 20:
        raise DomainError(_("A request can hold at most 20 files."), field="attachments")
    checked = _check_uploads(attachments)
    if text:
        _event(case, actor, Kind.MESSAGE, body=text, public=PUBLIC_MESSAGES["added"],
               params={"text": text})  # fmt: skip
    for upload, (kind, content_type, digest) in zip(attachments, checked, strict=True):
        _store_attachment(case, actor, upload, kind, content_type, digest, visible=True)
    case.save(update_fields=["updated_at"])
    from django.urls import reverse

    notify(
        recipients=[case.assignee] if case.assignee_id else _leads(case.organization),
        kind="case_added_to",
        title=gettext_lazy("The worker added to request %(reference)s"),
        params={"reference": case.reference, "summary": case.summary},
        url=reverse("cases:case-detail", args=[case.public_id]),
    )
    return case


# ---------------------------------------------------------------------------------------------
# Follow-ups


def _plan_dates(plan: list[dict], start: datetime.date) -> list[tuple[str, datetime.date]]:
    dates = []
    for step in plan:
        kind = step.get("kind", FollowUp.Kind.VISIT)
        day = int(step.get("day", 0))
        every = int(step.get("every", 0))
        until = int(step.get("until", day))
        while day <= until:
            dates.append((kind, start + datetime.timedelta(days=day)))
            if not every:
                break
            day += every
    return sorted(dates, key=lambda item: item[1])


def validate_plan(plan) -> list[dict]:
    """The standard plan is a list of steps: kind (visit or call), day, optionally every and until
    (days), returned in day order. Raises ``DomainError`` on anything else."""
    if not isinstance(plan, list):
        raise DomainError(_("The follow-up plan must be a list of steps."), field="followup_plan")
    cleaned = []
    for step in plan:
        try:
            kind = step["kind"]
            day = int(step["day"])
            every = int(step.get("every", 0))
            until = int(step.get("until", day))
        except (KeyError, TypeError, ValueError) as exc:
            raise DomainError(
                _("Each step needs a kind and a day (and may have every and until)."),
                field="followup_plan",
            ) from exc
        if kind not in (FollowUp.Kind.VISIT, FollowUp.Kind.CALL) or not (
            0 <= day <= 730 and 0 <= every <= 365 and day <= until <= 730
        ):
            raise DomainError(
                _("A step is a visit or a call between day 0 and day 730."),
                field="followup_plan",
            )
        if every and ("until" not in step or until <= day):
            # Without a later last day a "repeating" step is one contact: say so, never guess.
            raise DomainError(
                _(
                    "A step that repeats needs the day it repeats until, later than the day it "
                    "starts (day %(day)d)."
                )
                % {"day": day},
                field="followup_plan",
                code="plan_repeat_without_end",
            )
        step_clean = {"kind": kind, "day": day}
        if every:
            step_clean.update({"every": every, "until": until})
        cleaned.append(step_clean)
    # Kept in the order the steps come: by day (a step added later for day 3 reads before 14).
    return sorted(cleaned, key=lambda step: (step["day"], step["kind"]))


def _schedule_plan(case: Case, *, start: datetime.date) -> list[FollowUp]:
    """The category's standard plan, once per request; returns what was scheduled now."""
    if case.followups.filter(from_plan=True).exists():
        return []
    return FollowUp.objects.bulk_create(
        FollowUp(case=case, kind=kind, due_on=due, from_plan=True)
        for kind, due in _plan_dates(case.category.followup_plan, start)
    )


def _cancel_pending_followups(case: Case) -> None:
    case.followups.filter(status=FollowUp.Status.SCHEDULED).update(status=FollowUp.Status.CANCELLED)


# A visit or call is scheduled at most this far ahead (a standard plan runs for a year).
FOLLOWUP_HORIZON_DAYS = 2 * 366


def _check_followup_day(due_on: datetime.date | None) -> None:
    """From today on, and not beyond the horizon (a mistyped 2099 would never come due)."""
    today = timezone.localdate()
    if due_on is None or due_on < today:
        raise DomainError(_("Choose a date from today on."), field="due_on")
    latest = today + datetime.timedelta(days=FOLLOWUP_HORIZON_DAYS)
    if due_on > latest:
        raise DomainError(
            _("Choose a date by %(date)s: visits and calls are planned at most two years ahead.")
            % {"date": latest.isoformat()},
            field="due_on",
            code="too_far",
        )


@transaction.atomic
def followup_schedule(*, actor, case: Case, kind: str, due_on: datetime.date) -> FollowUp:
    """Schedule a visit or call by hand."""
    case = _locked(case)
    _check(case, actor, "schedule_followup")
    if kind not in (FollowUp.Kind.VISIT, FollowUp.Kind.CALL):
        raise DomainError(_("Choose a visit or a call."), field="kind")
    _check_followup_day(due_on)
    followup = FollowUp.objects.create(case=case, kind=kind, due_on=due_on)
    _event(
        case,
        actor,
        Kind.FOLLOWUP,
        body=lambda: (
            _("%(kind)s scheduled for %(date)s.")
            % {"kind": followup.get_kind_display(), "date": due_on.isoformat()}
        ),
    )
    return followup


def _scheduled_followup(case: Case, followup: FollowUp | None, actor) -> FollowUp:
    """The follow-up, re-read under a lock: one of ``case``'s, still to be made."""
    _check(case, actor, "schedule_followup")
    locked = (
        FollowUp.objects.select_for_update().filter(case=case, pk=getattr(followup, "pk", None))
    ).first()
    if locked is None:
        raise DomainError(_("Choose one of this request's follow-ups."), field="followup")
    if locked.status != FollowUp.Status.SCHEDULED:
        raise Conflict(
            _("This %(kind)s is already %(status)s.")
            % {"kind": locked.get_kind_display(), "status": locked.get_status_display()},
            code="followup_settled",
        )
    return locked


@transaction.atomic
def followup_move(
    *, actor, case: Case, followup: FollowUp, due_on: datetime.date, reason: str
) -> FollowUp:
    """Move a scheduled visit or call to another day (the worker is away, asked for another
    time); the reminder comes again on the new day."""
    case = _locked(case)
    followup = _scheduled_followup(case, followup, actor)
    _check_followup_day(due_on)
    if due_on == followup.due_on:
        raise DomainError(_("Choose a day other than the one it is on."), field="due_on")
    reason = _text(reason, "reason", _("Say why it moves."))
    was = followup.due_on
    followup.due_on = due_on
    followup.reminded_at = None
    followup.save(update_fields=["due_on", "reminded_at"])
    _event(
        case,
        actor,
        Kind.FOLLOWUP,
        body=lambda: (
            _("%(kind)s of %(was)s moved to %(date)s: %(reason)s")
            % {
                "kind": followup.get_kind_display(),
                "was": was.isoformat(),
                "date": due_on.isoformat(),
                "reason": reason,
            }
        ),
        data={"followup": followup.pk, "was": was.isoformat(), "due_on": due_on.isoformat()},
    )
    return followup


@transaction.atomic
def followup_skip(*, actor, case: Case, followup: FollowUp, reason: str) -> FollowUp:
    """Record that a scheduled visit or call will not be made (the worker declined, moved away,
    is in hospital elsewhere): it leaves the due list and counts as missed in the plan."""
    case = _locked(case)
    followup = _scheduled_followup(case, followup, actor)
    reason = _text(reason, "reason", _("Say why it will not be made."))
    followup.status = FollowUp.Status.MISSED
    followup.summary = reason
    followup.done_at = timezone.now()
    followup.done_by = actor
    followup.save(update_fields=["status", "summary", "done_at", "done_by"])
    _event(
        case,
        actor,
        Kind.FOLLOWUP,
        body=lambda: (
            _("%(kind)s of %(date)s will not be made: %(reason)s")
            % {
                "kind": followup.get_kind_display(),
                "date": followup.due_on.isoformat(),
                "reason": reason,
            }
        ),
        data={"followup": followup.pk, "missed": True},
    )
    return followup


@transaction.atomic
def followup_check_back(*, actor, followup: FollowUp, outcome: str, summary: str) -> FollowUp:
    """Record the check-back call after closure: did the worker's situation hold?"""
    followup = FollowUp.objects.select_for_update().select_related("case").get(pk=followup.pk)
    case = followup.case
    require(actor, Cap.HANDLE_CASES, case)
    if followup.kind != FollowUp.Kind.CHECK_BACK or followup.status != FollowUp.Status.SCHEDULED:
        raise Conflict(_("This check-back call has already been recorded."), code="followup_done")
    if outcome not in FollowUp.Outcome.values:
        raise DomainError(_("Choose the outcome of the call."), field="outcome")
    followup.status = FollowUp.Status.DONE
    followup.outcome = outcome
    followup.summary = _text(summary, "summary", _("Say what the worker told you."))
    followup.done_at = timezone.now()
    followup.done_by = actor
    followup.save()
    _event(
        case,
        actor,
        Kind.FOLLOWUP,
        body=lambda: f"{followup.get_outcome_display()}: {followup.summary}",
        public=PUBLIC_MESSAGES["checked_back"],
        data={"followup": followup.pk, "outcome": outcome},
    )
    if outcome == FollowUp.Outcome.RELAPSED:
        _notify_leads(
            case.organization,
            kind="case_relapsed",
            title=gettext_lazy("Check-back on %(reference)s: the situation got worse again"),
            case=case,
            actor=actor,
        )
    return followup


# ---------------------------------------------------------------------------------------------
# Attachments

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


# The major brands of an HEIF file (ISO/IEC 23008-12): what an iPhone saves its photos as, set to
# "High Efficiency". Told apart from other files, so the worker can be told what to do instead.
_HEIF_BRANDS = frozenset(b"heic heix heim heis hevc hevx hevm hevs mif1 msf1".split())


def _is_heif(content: bytes) -> bool:
    return content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS


def check_upload(upload: Upload) -> tuple[str, str, str]:
    """Decide what a file is by its content, not its name: a JPEG, PNG or WebP image that really
    decodes, or a PDF. Returns (kind, content type, sha256); raises ``DomainError`` otherwise (an
    iPhone's HEIC photo with its own message: what to send instead)."""
    content = upload.content
    limit = settings.UNIONHUB["ATTACHMENT_MAX_BYTES"]
    if not content:
        raise DomainError(_("The file is empty."), field="attachments", code="empty_file")
    if len(content) > limit:
        raise DomainError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": limit // 2**20},
            field="attachments",
            code="file_too_large",
        )
    content_type = next((t for sig, t in _SIGNATURES if content.startswith(sig)), None)
    if content_type is None and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        content_type = "image/webp"
    refused = DomainError(
        _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF.") % {"name": upload.name},
        field="attachments",
        code="file_type",
    )
    if content_type is None and _is_heif(content):
        raise DomainError(
            _(
                "%(name)s is an iPhone HEIC photo, which cannot be taken yet. Take a screenshot "
                "of it and upload that, or choose “Most Compatible” under Settings › Camera › "
                "Formats and take the photo again."
            )
            % {"name": upload.name},
            field="attachments",
            code="file_type",
        )
    if content_type is None:
        raise refused
    if content_type.startswith("image/"):
        import io

        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise refused from exc
        kind = Attachment.Kind.IMAGE
    else:
        if b"%%EOF" not in content[-2048:]:
            raise refused
        kind = Attachment.Kind.PDF
    return kind, content_type, hashlib.sha256(content).hexdigest()


def _check_uploads(uploads) -> list[tuple[str, str, str]]:
    """The files sent with one submission or addition: at most the allowed number, each checked
    by its content, all before any is kept."""
    limit = settings.UNIONHUB["ATTACHMENTS_PER_SUBMISSION"]
    if len(uploads) > limit:
        raise DomainError(
            _("Attach at most %(n)d files.") % {"n": limit}, field="attachments", code="too_many"
        )
    return [check_upload(upload) for upload in uploads]


def _store_attachment(
    case, actor, upload, kind, content_type, digest, *, visible, at=None
) -> Attachment:
    """Keep a checked file under a random name and put its line on the timeline (``at`` is now,
    unless the demo replays the past)."""
    from django.core.files.base import ContentFile

    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-150:]
    attachment = Attachment(
        case=case,
        kind=kind,
        content_type=content_type,
        original_name=name,
        size=len(upload.content),
        sha256=digest,
        visible_to_worker=visible,
        uploaded_by=actor,
        uploaded_at=at or timezone.now(),
    )
    attachment.file.save(name, ContentFile(upload.content), save=False)
    attachment.save()
    _event(
        case,
        actor,
        Kind.ATTACHMENT,
        body=name,
        public=PUBLIC_MESSAGES["file_added"] if visible else "",
        params={"name": name},
        data={"attachment": attachment.pk},
        at=at,
    )
    return attachment


@transaction.atomic
def attachment_add(
    *, actor, case: Case, upload: Upload, visible_to_worker: bool = False
) -> Attachment:
    """Add a photo or PDF to the request. Files the worker adds are visible to them; staff decide
    for their own."""
    case = _locked(case)
    _check(case, actor, "attach")
    kind, content_type, digest = check_upload(upload)
    if case.attachments.count() >= 20:
        raise DomainError(_("A request can hold at most 20 files."), field="attachments")
    visible = visible_to_worker or _is_workers_own(case, actor)
    return _store_attachment(case, actor, upload, kind, content_type, digest, visible=visible)


@transaction.atomic
def attachment_share(*, actor, case: Case, attachment: Attachment, visible: bool) -> Attachment:
    """Staff show one of the request's files to the worker, or take it back to staff only. A
    file the worker added stays theirs to see."""
    case = _locked(case)
    _check(case, actor, "attach")
    if not access_for(actor).can(Cap.HANDLE_CASES, case.owner_path):
        raise PermissionDenied
    attachment = (
        Attachment.objects.select_for_update()
        .filter(case=case, pk=getattr(attachment, "pk", None))
        .first()
    )
    if attachment is None:
        raise DomainError(_("Choose one of this request's files."), field="attachment")
    if attachment.visible_to_worker == visible:
        return attachment
    if not visible and attachment.is_added_by(case.worker):
        raise Conflict(
            _("The worker added %(name)s: it stays visible to them.")
            % {"name": attachment.original_name},
            code="workers_own_file",
        )
    attachment.visible_to_worker = visible
    attachment.save(update_fields=["visible_to_worker"])
    name = attachment.original_name
    _event(
        case,
        actor,
        Kind.ATTACHMENT,
        body=lambda: (
            (
                _("%(name)s is now shown to the worker.")
                if visible
                else _("%(name)s is now for staff only.")
            )
            % {"name": name}
        ),
        public=PUBLIC_MESSAGES["file_added"] if visible else "",
        params={"name": name},
        data={"attachment": attachment.pk, "visible": visible},
    )
    return attachment


# ---------------------------------------------------------------------------------------------
# Keeping the queue's copies in step


def cases_follow_worker(worker: Worker) -> int:
    """After a worker's name, mobile or ID number changed: refresh the copies the queue
    searches."""
    cases = Case.objects.filter(worker=worker)
    return cases.update(
        worker_name=worker.name,
        worker_mobile_tail=worker.mobile_tail,
        search_text=Lower(
            Concat(
                F("reference"),
                Value(
                    f" {worker.name} {worker.name_pinyin} {worker.mobile_tail} {worker.id_tail} "
                ),
                F("summary"),
                Value(" "),
                F("description"),
                output_field=models.TextField(),
            )
        ),
    )


# ---------------------------------------------------------------------------------------------
# Escalation and reminders (run by the scheduler through the tasks in tasks.py)


def escalate_breached(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Escalate open requests whose current deadline has passed, each breach once per level:
    first the owning organisation's leads, then, when as long again (half the window, at least an
    hour) has passed, the parent organisation's. Safe to run as often as wanted."""
    now = now or timezone.now()
    counts = {"owner": 0, "parent": 0}
    candidates = Case.objects.open().filter(sla_due_at__lt=now, escalation_level__lt=2)
    for case_id in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = _locked(Case(pk=case_id))
            if not case.is_open or case.sla_due_at is None or case.sla_due_at >= now:
                continue
            counts_key = _escalate_one(case, now)
            if counts_key:
                counts[counts_key] += 1
    return counts


def _escalate_one(case: Case, now: datetime.datetime) -> str | None:
    awaiting_response = case.status in Case.AWAITING_RESPONSE
    # The deadline's whole window, recovered from when it turned "due soon".
    window = (case.sla_due_at - case.sla_warn_at) / settings.UNIONHUB["DUE_SOON_SHARE"]
    parent_after = max(window * settings.UNIONHUB["ESCALATE_PARENT_SHARE"], _hours(1))
    if case.escalation_level == 0:
        if awaiting_response:
            case.response_breached_at = case.response_breached_at or case.sla_due_at
        else:
            case.resolution_breached_at = case.resolution_breached_at or case.sla_due_at
        case.escalation_level = 1
        case.escalated_at = now
        case.save()
        alerted, _users = _responsible(case.organization)
        message = (
            gettext_lazy("The response deadline passed; %(organization)s was alerted.")
            if awaiting_response
            else gettext_lazy("The resolution deadline passed; %(organization)s was alerted.")
        )
        _event(
            case,
            None,
            Kind.ESCALATION,
            body=lambda: str(message) % {"organization": alerted or case.organization},
            data={"level": 1, "deadline": case.sla_due_at.isoformat()},
        )
        _notify_leads(
            case.organization,
            kind="case_breached",
            title=gettext_lazy("Overdue: request %(reference)s (%(summary)s)"),
            case=case,
            email=True,
        )
        return "owner"
    if case.escalation_level == 1 and now >= case.sla_due_at + parent_after:
        alerted, _users = _responsible(case.organization)
        parent = Organization.objects.get_parent(alerted or case.organization)
        case.escalation_level = 2
        case.escalated_at = now
        case.save()
        _event(
            case,
            None,
            Kind.ESCALATION,
            body=lambda: (
                _("Still overdue; %(organization)s was alerted.")
                % {"organization": parent or case.organization}
            ),
            data={"level": 2},
        )
        if parent is not None:
            _notify_leads(
                parent,
                kind="case_escalated",
                title=gettext_lazy("Escalated: request %(reference)s is overdue at %(owner)s"),
                case=case,
                email=True,
                body="",
            )
        return "parent"
    return None


def remind_due_followups(*, today: datetime.date | None = None) -> int:
    """Tell the assignee (or the owning organisation's leads) about each follow-up due today or
    overdue, once. A request waiting at another organisation (referred) is reminded of once that
    organisation has accepted it."""
    from django.urls import reverse

    today = today or timezone.localdate()
    reminded = 0
    due = (
        FollowUp.objects.due(today)
        .filter(reminded_at__isnull=True)
        .select_related("case", "case__assignee", "case__organization")
    )
    for followup in due.iterator():
        case = followup.case
        recipients = [case.assignee] if case.assignee else list(_leads(case.organization))
        notify(
            recipients=recipients,
            kind="followup_due",
            title=gettext_lazy("%(kind)s due for %(reference)s (%(name)s) on %(date)s"),
            params={
                "kind": followup.get_kind_display(),
                "reference": case.reference,
                "name": case.worker_name,
                "date": followup.due_on.isoformat(),
            },
            url=reverse("cases:case-detail", args=[case.public_id]),
        )
        FollowUp.objects.filter(pk=followup.pk).update(reminded_at=timezone.now())
        reminded += 1
    return reminded


# ---------------------------------------------------------------------------------------------
# The catalogue

CATEGORY_FIELDS = [
    "name",
    "name_en",
    "description",
    "response_sla_hours",
    "resolution_sla_hours",
    "is_emergency",
    "allows_payment",
    "followup_plan",
    "sort_order",
    "is_active",
]


@transaction.atomic
def category_update(*, actor, category: ServiceCategory, **values) -> ServiceCategory:
    """Change a service category (district union administrators). New deadlines apply to requests
    submitted from now on."""
    require_district_wide(actor)
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"category_update got unexpected fields {sorted(unknown)}")
    if "followup_plan" in values:
        values["followup_plan"] = validate_plan(values["followup_plan"])
    response = values.get("response_sla_hours", category.response_sla_hours)
    resolution = values.get("resolution_sla_hours", category.resolution_sla_hours)
    if not response or response < 1:
        raise DomainError(_("Respond within at least one hour."), field="response_sla_hours")
    if not resolution or resolution < response:
        raise DomainError(
            _("The time to resolve cannot be shorter than the time to respond."),
            field="resolution_sla_hours",
        )
    if "name" in values and not values["name"].strip():
        raise DomainError(_("Enter the category's name."), field="name")
    before = audit.snapshot(category, CATEGORY_FIELDS)
    for field, value in values.items():
        setattr(category, field, value)
    diff = audit.changes(category, CATEGORY_FIELDS, before)
    if diff:
        category.save()
        audit.record(
            actor=actor,
            action="cases.category.updated",
            target=category,
            organization=district_of(actor),
            data={"code": category.code, "changes": diff},
        )
    return category


# ---------------------------------------------------------------------------------------------
# A worker's personal data deleted at their request (PIPL)

# What stands where typed text was erased (data, in the district's language).
ERASED_TEXT = "（已删除）"
# Parameters of a worker's message that carry typed text or a name.
_TYPED_PARAMS = ("reason", "text", "name", "summary")


def erase_worker_text(*, worker: Worker, pseudonym: str) -> dict[str, int]:
    """Erase what was typed or uploaded about ``worker`` on their requests: descriptions,
    contact details, resolutions, notes, visit logs, files, and the notifications that quoted
    them. What happened, when and by whom stays (kinds, statuses, times, categories, ratings),
    so the request still counts. Run inside ``workers.services.worker_erase``'s transaction."""
    from unionhub.notifications.models import Notification

    cases = list(Case.objects.filter(worker=worker).only("pk", "public_id", "reference"))
    for case in cases:
        Case.objects.filter(pk=case.pk).update(
            summary=ERASED_TEXT, description="", preferred_contact_time="",
            reporter_name="", reporter_relation="", reporter_phone="",
            resolution_summary="", reject_reason="", rating_comment="",
            worker_name=pseudonym, worker_mobile_tail="",
            search_text=f"{case.reference} {pseudonym}".lower(),
        )  # fmt: skip
        Notification.objects.filter(url__contains=str(case.public_id)).update(
            title=f"{case.reference}{ERASED_TEXT}", body=""
        )
    events = 0
    for event in CaseEvent.objects.filter(case__worker=worker).only(
        "pk", "body", "body_translations", "public_params"
    ):
        params = {
            key: ERASED_TEXT if key in _TYPED_PARAMS else value
            for key, value in event.public_params.items()
        }
        typed = event.body or event.body_translations
        events += CaseEvent.objects.filter(pk=event.pk).redact(
            body=ERASED_TEXT if typed else "", body_translations={}, public_params=params
        )
    followups = FollowUp.objects.filter(case__worker=worker).update(summary="", counselling="")
    # Nobody is to visit or call a worker whose contact details are gone.
    FollowUp.objects.filter(case__worker=worker, status=FollowUp.Status.SCHEDULED).update(
        status=FollowUp.Status.CANCELLED
    )
    files = 0
    for attachment in Attachment.objects.filter(case__worker=worker):
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        # The file goes once the rows are gone for good (not if the erasure rolls back).
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name), robust=True)
        files += 1
    return {"requests": len(cases), "events": events, "followups": followups, "files": files}
