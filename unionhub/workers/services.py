"""Every change to a worker's record, and every reveal of a full ID number, goes through here."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhub.core import audit
from unionhub.core.access import Cap, require
from unionhub.core.errors import DomainError
from unionhub.core.models import AuditEntry
from unionhub.core.pinyin import pinyin_key
from unionhub.core.validators import normalize_mobile, validate_mobile
from unionhub.enterprises.models import Enterprise
from unionhub.orgs.models import Organization
from unionhub.workers.models import Consent, FamilyMember, Worker, id_number_hash
from unionhub.workers.validators import (
    id_number_birth_date,
    id_number_gender,
    normalize_id_number,
    validate_id_number,
)

# Fields staff may change with worker_update (the ID number has its own checks below).
WORKER_FIELDS = [
    "name",
    "mobile",
    "enterprise",
    "organization",
    "member_number",
    "joined_on",
    "hardship_level",
    "hardship_reviewed_on",
    "hardship_review_due",
    "address",
]
FAMILY_FIELDS = ["name", "relation", "birth_date", "school", "note"]
# Without an enterprise, a worker is registered with a station or a street (not a union of an
# enterprise they do not work for, nor the district itself).
REGISTERING_KINDS = (Organization.Kind.STATION, Organization.Kind.STREET)


def _district_of(organization: Organization) -> Organization:
    return Organization.objects.get(path=organization.path[: Organization.steplen])


def _raise_field(field: str, error: ValidationError):
    raise DomainError(error.messages[0], field=field, code=error.code or "invalid") from error


def _resolve_organization(
    *, enterprise: Enterprise | None, organization: Organization | None
) -> Organization:
    """A worker of an enterprise belongs to its union (or, without one, its station or street);
    a worker without an enterprise (e.g. a delivery rider) is registered with a station."""
    if enterprise is not None:
        return enterprise.organization
    if organization is None or organization.kind not in REGISTERING_KINDS:
        raise DomainError(
            _("Choose the worker's enterprise, or the station or street that registers them."),
            field="organization",
            code="required",
        )
    return organization


def _check_hardship(level: str) -> str:
    if level not in Worker.Hardship.values:
        raise DomainError(_("Choose a hardship level."), field="hardship_level", code="invalid")
    return level


def _save(worker: Worker) -> None:
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as exc:
        # Two clerks registering the same person at once: the unique constraints decide.
        raise DomainError(
            _("A worker with this ID number or mobile number was registered just now."),
            field="id_number",
            code="duplicate",
        ) from exc


def _apply_id_number(worker: Worker, raw: str, actor=None) -> None:
    value = normalize_id_number(raw)
    try:
        validate_id_number(value)
    except ValidationError as exc:
        _raise_field("id_number", exc)
    digest = id_number_hash(value)
    others = Worker.objects.filter(id_number_hash=digest).exclude(pk=worker.pk)
    if others.exists():
        # Within the user's own scope the record is named, to be chosen instead; beyond it
        # nothing about it is said (not even its name).
        mine = others.visible_to(actor).first() if actor is not None else None
        if mine is not None:
            raise DomainError(
                _(
                    "This ID number is already registered: %(name)s (%(organization)s). "
                    "Find and choose them instead of registering them again."
                )
                % {"name": mine.name, "organization": mine.organization.name},
                field="id_number",
                code="duplicate_id_number",
            )
        raise DomainError(
            _(
                "A worker with this ID number is already registered. If they moved, ask the "
                "district union to transfer the record."
            ),
            field="id_number",
            code="duplicate_id_number",
        )
    worker.id_number = value
    worker.id_number_hash = digest
    worker.id_tail = value[-4:]
    worker.birth_date = id_number_birth_date(value)
    worker.gender = id_number_gender(value)


def _apply_mobile(worker: Worker, raw: str) -> None:
    value = normalize_mobile(raw)
    try:
        validate_mobile(value)
    except ValidationError as exc:
        _raise_field("mobile", exc)
    clash = Worker.objects.filter(district=worker.district, mobile=value).exclude(pk=worker.pk)
    if clash.exists():
        raise DomainError(
            _("Another worker in this district already uses this mobile number."),
            field="mobile",
            code="duplicate_mobile",
        )
    worker.mobile = value
    worker.mobile_tail = value[-4:]


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the worker's name."), field="name", code="required")
    return name


@transaction.atomic
def worker_create(
    *,
    actor,
    name: str,
    id_number: str,
    mobile: str,
    enterprise: Enterprise | None = None,
    organization: Organization | None = None,
    member_number: str = "",
    joined_on: datetime.date | None = None,
    hardship_level: str = Worker.Hardship.NONE,
    hardship_reviewed_on: datetime.date | None = None,
    hardship_review_due: datetime.date | None = None,
    address: str = "",
) -> Worker:
    """Register a worker.

    Checks: ``actor`` may manage workers over the worker's organisation; the ID number is valid
    (check digit, birth date) and not yet registered; the mobile number is a valid mainland mobile
    and unique in the district. Gender and birth date are taken from the ID number.
    Raises ``DomainError`` (with the field) or ``PermissionDenied``.
    """
    org = _resolve_organization(enterprise=enterprise, organization=organization)
    require(actor, Cap.MANAGE_WORKERS, org)
    worker = Worker(
        name=_check_name(name),
        name_pinyin=pinyin_key(name.strip(), person=True),
        organization=org,
        district=_district_of(org),
        enterprise=enterprise,
        member_number=member_number.strip(),
        joined_on=joined_on,
        hardship_level=_check_hardship(hardship_level),
        hardship_reviewed_on=hardship_reviewed_on,
        hardship_review_due=hardship_review_due,
        address=address.strip(),
    )
    _apply_id_number(worker, id_number, actor)
    _apply_mobile(worker, mobile)
    _save(worker)
    audit.record(
        actor=actor,
        action="workers.worker.created",
        target=worker,
        data={"name": worker.name, "id_number": worker.id_number, "mobile": worker.mobile},
    )
    return worker


@transaction.atomic
def worker_update(*, actor, worker: Worker, id_number: str | None = None, **values) -> Worker:
    """Change a worker's record; ``id_number`` only when given (an empty value keeps it).

    Checks as ``worker_create``, over both the old and the new organisation. The audit entry keeps
    each change as old → new, with numbers masked.
    """
    require(actor, Cap.MANAGE_WORKERS, worker)
    lock_unerased(worker)
    unknown = set(values) - set(WORKER_FIELDS)
    if unknown:
        raise TypeError(f"worker_update got unexpected fields {sorted(unknown)}")
    tracked = [*WORKER_FIELDS, "id_number"]
    before = audit.snapshot(worker, tracked)
    if "name" in values:
        values["name"] = _check_name(values["name"])
        worker.name_pinyin = pinyin_key(values["name"], person=True)
    if "hardship_level" in values:
        _check_hardship(values["hardship_level"])
    enterprise = values.get("enterprise", worker.enterprise)
    organization = values.get("organization", worker.organization)
    if "enterprise" in values or "organization" in values:
        organization = _resolve_organization(enterprise=enterprise, organization=organization)
        require(actor, Cap.MANAGE_WORKERS, organization)
        values["organization"] = organization
        worker.district = _district_of(organization)
    mobile = values.pop("mobile", None)
    for field, value in values.items():
        setattr(worker, field, value)
    # Re-checked even when unchanged: a move to another district may meet the same number there.
    _apply_mobile(worker, mobile if mobile is not None else worker.mobile)
    if id_number:
        _apply_id_number(worker, id_number, actor)
    diff = audit.changes(worker, tracked, before)
    if diff:
        _save(worker)
        if "mobile" in diff:
            _sync_login_mobile(worker)
        if {"name", "mobile", "id_number"} & set(diff):
            from unionhub.cases.services import cases_follow_worker

            cases_follow_worker(worker)
        audit.record(
            actor=actor,
            action="workers.worker.updated",
            target=worker,
            data={"changes": diff},
        )
    return worker


def _sync_login_mobile(worker: Worker) -> None:
    """The worker signs in with their mobile number: the account follows a change of number."""
    if worker.user_id is None:
        return
    User = get_user_model()
    if User.objects.filter(mobile=worker.mobile).exclude(pk=worker.user_id).exists():
        raise DomainError(
            _("This mobile number is already used by another sign-in account."),
            field="mobile",
            code="mobile_taken",
        )
    User.objects.filter(pk=worker.user_id).update(mobile=worker.mobile)


def refuse_erased(worker: Worker) -> None:
    """A record whose personal data was deleted (PIPL) is kept as it is: nothing is added to it."""
    if worker.erased_at:
        raise DomainError(
            _("This worker's personal data has been deleted; the record can no longer change."),
            code="erased",
        )


def lock_unerased(worker: Worker) -> Worker:
    """Lock the worker's row, read it afresh and refuse a record whose data was deleted.

    Whatever adds to a worker's record (a request, a step on one, a payment) takes this lock
    first, inside its transaction, and ``worker_erase`` takes it too: an erasure and an addition
    made at the same moment run one after the other, so the erasure either sees the addition
    (and waits for it to finish) or the addition sees the erasure and is refused."""
    locked = Worker.objects.select_for_update(no_key=True).get(pk=worker.pk)
    refuse_erased(locked)
    return locked


@transaction.atomic
def worker_reveal_id_number(*, actor, worker: Worker, reason: str) -> str:
    """Return the full ID number for a user whose role allows it, logging who, when and why.

    Raises ``PermissionDenied`` without the capability and ``DomainError`` without a reason.
    """
    require(actor, Cap.REVEAL_ID, worker)
    worker = lock_unerased(worker)  # the number as it stands, never one being deleted
    reason = (reason or "").strip()
    if len(reason) < settings.UNIONHUB["REVEAL_REASON_MIN_LENGTH"]:
        raise DomainError(
            _("Say why you need the full ID number (at least %(n)d characters).")
            % {"n": settings.UNIONHUB["REVEAL_REASON_MIN_LENGTH"]},
            field="reason",
            code="reason_required",
        )
    audit.record(
        actor=actor,
        action="workers.worker.id_revealed",
        target=worker,
        data={"reason": reason},
    )
    return worker.id_number


@transaction.atomic
def worker_enable_login(*, actor, worker: Worker, password: str):
    """Give ``worker`` a sign-in with their mobile number and ``password`` (told to them by staff).

    Raises ``DomainError`` when the worker already has one or the mobile number is taken.
    """
    require(actor, Cap.MANAGE_WORKERS, worker)
    lock_unerased(worker)
    if worker.user_id:
        raise DomainError(_("This worker can already sign in."), code="already_enabled")
    User = get_user_model()
    if User.objects.filter(mobile=worker.mobile).exists():
        raise DomainError(
            _("This mobile number is already used by another sign-in account."),
            field="mobile",
            code="mobile_taken",
        )
    user = User(username=f"w-{worker.public_id.hex[:12]}", full_name=worker.name)
    user.mobile = worker.mobile
    try:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password", code="weak_password") from exc
    user.set_password(password)
    user.save()
    worker.user = user
    worker.save(update_fields=["user", "updated_at"])
    audit.record(actor=actor, action="workers.worker.login_enabled", target=worker)
    return user


@transaction.atomic
def worker_set_password(*, actor, worker: Worker, password: str):
    """A worker who forgot their password gets a new one from staff, who tell it to them in person
    or by phone. Failed sign-ins that locked the account are cleared."""
    require(actor, Cap.MANAGE_WORKERS, worker)
    lock_unerased(worker)
    user = worker.user
    if user is None:
        raise DomainError(_("This worker cannot sign in yet: enable it first."), code="no_login")
    if user.is_staff or user.is_superuser or user.memberships.exists():
        # A colleague's own account is never reset from a worker's record.
        raise DomainError(
            _("This sign-in is also a staff account: its owner changes the password."),
            code="staff_account",
        )
    try:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password", code="weak_password") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    from axes.utils import reset
    from rest_framework.authtoken.models import Token

    reset(username=user.mobile)
    Token.objects.filter(user=user).delete()  # a lost phone's app sign-in ends too
    audit.record(actor=actor, action="workers.worker.password_set", target=worker)
    from unionhub.notifications.services import notify

    notify(
        recipients=[user],
        kind="password_set",
        title=gettext_lazy(
            "Your password was reset by %(name)s of your union. If you did not ask for it, call "
            "your union or 12351."
        ),
        params={"name": actor.get_full_name()},
        sms=True,
    )
    return user


def workers_follow_enterprise(*, actor, enterprise: Enterprise) -> int:
    """After an enterprise moved to another union, station or street, move its workers with it
    (called by ``enterprise_update`` inside its transaction). Returns how many moved."""
    organization = enterprise.organization
    district = _district_of(organization)
    moved = list(Worker.objects.filter(enterprise=enterprise).exclude(organization=organization))
    for worker in moved:
        old = worker.organization_id
        worker.organization = organization
        worker.district = district
        _apply_mobile(worker, worker.mobile)
        worker.save(update_fields=["organization", "district", "updated_at"])
        audit.record(
            actor=actor,
            action="workers.worker.moved_with_enterprise",
            target=worker,
            data={"enterprise": str(enterprise), "from": old, "to": str(organization)},
        )
    return len(moved)


def _check_family_values(values: dict) -> None:
    if "name" in values and not (values["name"] or "").strip():
        raise DomainError(_("Enter the family member's name."), field="name", code="required")
    if values.get("relation") not in (None, *FamilyMember.Relation.values):
        raise DomainError(_("Choose a relation."), field="relation", code="required")
    birth = values.get("birth_date")
    if birth and birth > timezone.localdate():
        raise DomainError(
            _("The birth date cannot be in the future."), field="birth_date", code="future"
        )


@transaction.atomic
def family_member_add(*, actor, worker: Worker, **values) -> FamilyMember:
    """Add a family member (name, relation, birth date, school, note) to ``worker``."""
    require(actor, Cap.MANAGE_WORKERS, worker)
    lock_unerased(worker)
    unknown = set(values) - set(FAMILY_FIELDS)
    if unknown:
        raise TypeError(f"family_member_add got unexpected fields {sorted(unknown)}")
    if "relation" not in values:
        values["relation"] = None
    _check_family_values({"name": values.get("name", ""), **values})
    member = FamilyMember.objects.create(worker=worker, **values)
    audit.record(
        actor=actor,
        action="workers.family.added",
        target=worker,
        data={"member": member.name, "relation": member.relation},
    )
    return member


@transaction.atomic
def family_member_update(*, actor, member: FamilyMember, **values) -> FamilyMember:
    require(actor, Cap.MANAGE_WORKERS, member)
    lock_unerased(member.worker)
    unknown = set(values) - set(FAMILY_FIELDS)
    if unknown:
        raise TypeError(f"family_member_update got unexpected fields {sorted(unknown)}")
    _check_family_values(values)
    before = audit.snapshot(member, FAMILY_FIELDS)
    for field, value in values.items():
        setattr(member, field, value)
    diff = audit.changes(member, FAMILY_FIELDS, before)
    if diff:
        member.save(update_fields=list(diff))
        audit.record(
            actor=actor,
            action="workers.family.updated",
            target=member.worker,
            data={"member": member.name, "changes": diff},
        )
    return member


@transaction.atomic
def family_member_remove(*, actor, member: FamilyMember) -> None:
    require(actor, Cap.MANAGE_WORKERS, member)
    lock_unerased(member.worker)
    audit.record(
        actor=actor,
        action="workers.family.removed",
        target=member.worker,
        data={"member": member.name, "relation": member.relation},
    )
    member.delete()


@transaction.atomic
def consent_record(*, actor, worker: Worker, purpose: str, granted_at=None) -> Consent:
    """Record that the worker agreed to ``purpose``. Idempotent while the consent stands."""
    require(actor, Cap.MANAGE_WORKERS, worker)
    lock_unerased(worker)
    if purpose not in Consent.Purpose.values:
        raise DomainError(_("Choose what the worker agreed to."), field="purpose")
    existing = worker.consents.filter(purpose=purpose, withdrawn_at__isnull=True).first()
    if existing:
        return existing
    consent = Consent.objects.create(
        worker=worker,
        purpose=purpose,
        granted_at=granted_at or timezone.now(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor, action="workers.consent.granted", target=worker, data={"purpose": purpose}
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent) -> Consent:
    require(actor, Cap.MANAGE_WORKERS, consent.worker)
    lock_unerased(consent.worker)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=actor,
            action="workers.consent.withdrawn",
            target=consent.worker,
            data={"purpose": consent.purpose},
        )
    return consent


# The least a reason for deleting a worker's personal data must say.
ERASE_REASON_MIN_LENGTH = 4


def _erase_audit(worker: Worker, user, payments) -> int:
    """The audit log keeps that each thing was done, by whom and when; what its entries said
    about the worker goes: entries about the worker or their sign-in lose every value they held
    (names, old and new addresses, reasons typed), and those about their payments the worker's
    name and the reasons typed on them (amounts stay). Entries about other records (a ledger
    entry reversed, a fund review) keep what was typed there."""
    from unionhub.cases.services import ERASED_TEXT

    def about(model, ids):
        return AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=map(str, ids)
        )

    count = audit.erase_personal(
        about(Worker, [worker.pk]), label=lambda entry: worker.name, marker=ERASED_TEXT
    )
    if user is not None:
        count += audit.erase_personal(
            about(type(user), [user.pk]), label=lambda entry: worker.name, marker=ERASED_TEXT
        )
    labels = {str(p.pk): str(p) for p in payments.select_related("fund", "worker")}
    count += audit.erase_personal(
        about(payments.model, labels),
        label=lambda entry: labels[entry.target_id],
        marker=ERASED_TEXT,
        keys=("reason", "comment"),
    )
    return count


@transaction.atomic
def worker_erase(*, actor, worker: Worker, reason: str) -> Worker:
    """Delete a worker's personal data at their request (PIPL), keeping a pseudonymous record.

    Gone: name, ID number, mobile, address, birth day (the year stays, for statistics), union
    number, hardship level, family, the sign-in account's details, and what was typed or
    uploaded on their requests (``cases.services.erase_worker_text``), and what the audit log
    said about them (``_erase_audit``; its entries stay). Kept: the record under a
    pseudonym (``已删除职工·3F2A1B``), its organisation, enterprise and gender, each request's
    category, status and times, and every payment with its amount: the ledger still balances
    and the fund reports still add up. Refused while a request or a payment of theirs is still
    open, and for a worker already erased. Only a role with ``ERASE_PERSONAL_DATA`` may do it.
    """
    from unionhub.cases.services import ERASED_TEXT, erase_worker_text
    from unionhub.funds.models import Disbursement
    from unionhub.notifications.models import Notification

    require(actor, Cap.ERASE_PERSONAL_DATA, worker)
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.erased_at:
        raise DomainError(
            _("This worker's personal data has already been deleted."), code="already_erased"
        )
    reason = (reason or "").strip()
    if len(reason) < ERASE_REASON_MIN_LENGTH:
        raise DomainError(
            _("Give the basis for deleting the data (at least %(n)d characters).")
            % {"n": ERASE_REASON_MIN_LENGTH},
            field="reason",
            code="reason_required",
        )
    open_cases = worker.cases.open().count()
    open_payments = Disbursement.objects.filter(worker=worker).open().count()
    if open_cases or open_payments:
        raise DomainError(
            _(
                "%(name)s still has requests or payments under way (requests: %(cases)d, "
                "payments: %(payments)d): finish, withdraw or cancel them first."
            )
            % {"name": worker.name, "cases": open_cases, "payments": open_payments},
            code="still_open",
        )
    pseudonym = f"已删除职工·{worker.public_id.hex[:6].upper()}"
    erased = erase_worker_text(worker=worker, pseudonym=pseudonym)
    # Payments stay with their amounts (the books); what was typed about the worker goes, and
    # so do the staff notifications that named them.
    payments = Disbursement.objects.filter(worker=worker)
    for public_id in payments.values_list("public_id", flat=True):
        Notification.objects.filter(url__contains=str(public_id)).update(
            title=f"{pseudonym}{ERASED_TEXT}", body=""
        )
    payments.exclude(reason="").update(reason=ERASED_TEXT)
    payments.exclude(closed_reason="").update(closed_reason=ERASED_TEXT)
    # A fund review's vouchers are the fund's books and stay; the names they were uploaded
    # under (typed by a reviewer: a name, an ID number) go.
    from unionhub.funds.models import AuditEvidence

    for evidence in AuditEvidence.objects.filter(item__disbursement__worker=worker):
        extension = (
            evidence.original_name.rpartition(".")[2] if "." in evidence.original_name else ""
        )
        evidence.original_name = f"{ERASED_TEXT}.{extension}" if extension else ERASED_TEXT
        evidence.save(update_fields=["original_name"])
    erased["family"] = worker.family.all().delete()[0]
    user = worker.user
    # Failed sign-ins were kept under the mobile number: they go with it.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    names = [worker.mobile] + ([user.username] if user is not None else [])
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=names).delete()
    if user is not None:
        Notification.objects.filter(recipient=user).delete()
        user.username = f"erased-{worker.public_id.hex}"
        user.full_name = ""
        user.first_name = user.last_name = user.email = ""
        user.mobile = None
        user.is_active = False
        user.set_unusable_password()
        user.save()
    worker.name = pseudonym
    worker.name_pinyin = ""
    worker.birth_date = worker.birth_date.replace(month=1, day=1)
    worker.id_number = ""
    worker.id_number_hash = id_number_hash(f"erased:{worker.public_id}")
    worker.id_tail = ""
    worker.mobile = worker.mobile_tail = ""
    worker.address = worker.member_number = ""
    worker.hardship_level = Worker.Hardship.NONE
    worker.hardship_reviewed_on = worker.hardship_review_due = None
    worker.user = None
    worker.erased_at = timezone.now()
    worker.save()
    erased["audit_entries"] = _erase_audit(worker, user, payments)
    audit.record(
        actor=actor,
        action="workers.worker.erased",
        target=worker,
        data={"reason": reason, **erased},
    )
    return worker
