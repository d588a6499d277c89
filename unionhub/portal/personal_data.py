"""What the union holds about one worker, as the worker reads and downloads it (PIPL's right of
access).

The worker's record and family, their consents, every request with the timeline they were
shown, every aid payment asked for them with its status (paid, being decided, turned down or
cancelled), and each time staff viewed their full ID number (when, who, and why). Staff notes
stay out, as they do on the phone. ``personal_data`` keeps times, days and amounts as they are,
for the page that shows them; ``personal_data_json`` writes the file, with amounts as strings of
yuan with two decimals and times in Asia/Shanghai.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from unionhub.cases.models import Attachment, Case, CaseEvent
from unionhub.core.models import AuditEntry
from unionhub.workers.models import Worker


def _json_value(value):
    """The file's form of a value: local times and days in ISO 8601, yuan with two decimals."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    raise TypeError(f"{type(value).__name__} is not kept in the personal data file")


def personal_data_json(data: dict[str, Any]) -> str:
    """``personal_data`` as the file the worker downloads."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value)


def personal_data(worker: Worker) -> dict[str, Any]:
    return {
        "exported_at": timezone.now(),
        "worker": {
            "name": worker.name,
            "gender": worker.get_gender_display(),
            "birth_date": worker.birth_date,
            "id_number": worker.id_number,
            "mobile": worker.mobile,
            "address": worker.address,
            "enterprise": str(worker.enterprise) if worker.enterprise else None,
            "union_organisation": str(worker.organization),
            "member_number": worker.member_number,
            "joined_on": worker.joined_on,
            "hardship_level": worker.get_hardship_level_display(),
        },
        "family": [
            {
                "name": member.name,
                "relation": member.get_relation_display(),
                "birth_date": member.birth_date,
                "school": member.school,
            }
            for member in worker.family.all()
        ],
        "consents": [
            {
                "purpose": consent.get_purpose_display(),
                "agreed_at": consent.granted_at,
                "withdrawn_at": consent.withdrawn_at,
            }
            for consent in worker.consents.all()
        ],
        "requests": _requests(worker),
        "aid": _aid(worker),
        "id_number_viewed": _reveals(worker),
    }


def _requests(worker: Worker) -> list[dict[str, Any]]:
    cases = (
        Case.objects.filter(worker=worker)
        .select_related("category", "organization")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.exclude(public_message="").order_by("created_at", "id"),
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.only("pk", "case_id", "visible_to_worker"),
            ),
        )
        .order_by("submitted_at", "id")
    )
    return [
        {
            "reference": case.reference,
            "category": str(case.category.label),
            "status": case.get_status_display(),
            "handled_by": case.organization.name,
            "submitted_at": case.submitted_at,
            "summary": case.summary,
            "description": case.description,
            "preferred_contact_time": case.preferred_contact_time,
            "resolution": case.resolution_summary,
            "rating": case.rating,
            "rating_comment": case.rating_comment,
            "timeline": [
                {"at": event.created_at, "message": event.public_text}
                for event in case.worker_events(case.events.all())
            ],
        }
        for case in cases
    ]


def _aid(worker: Worker) -> list[dict[str, Any]]:
    from unionhub.funds.models import Disbursement

    payments = (
        Disbursement.objects.filter(worker=worker)
        .select_related("category", "fund")
        .order_by("requested_at", "id")
    )
    return [
        {
            "fund": payment.fund.name,
            "category": str(payment.category.label),
            "amount": payment.amount,
            "method": payment.get_method_display(),
            "status": payment.get_status_display(),
            "requested_at": payment.requested_at,
            "paid_at": payment.paid_at,
        }
        for payment in payments
    ]


def _reveals(worker: Worker) -> list[dict[str, Any]]:
    views = (
        AuditEntry.objects.filter(
            action="workers.worker.id_revealed",
            target_type__app_label="workers",
            target_type__model="worker",
            target_id=str(worker.pk),
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return [
        {
            "at": entry.created_at,
            "viewed_by": entry.actor.get_full_name() if entry.actor else None,
            "reason": (entry.data or {}).get("reason", ""),
        }
        for entry in views
    ]
