"""The requests' part of a worker's timeline (staff side): every event of their requests that the
viewing user may see, newest first."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from unionhub.cases.models import Case, CaseEvent
from unionhub.core.templatetags.unionhub import colon
from unionhub.core.timeline import TimelineItem, payment_key


def case_events(worker, user, limit: int) -> list[TimelineItem]:
    visible = Case.objects.visible_to(user).filter(worker=worker).values("pk")
    events = (
        CaseEvent.objects.filter(case__in=visible)
        .select_related("case", "actor")
        .only(
            "created_at", "kind", "body", "body_translations", "public_message", "public_params",
            "to_status", "data",
            "case__reference",
            "case__public_id", "case__summary", "actor__full_name", "actor__username",
        )
        .order_by("-created_at", "-id")[:limit]
    )  # fmt: skip
    items = []
    for event in events:
        title = (
            event.case.summary
            if event.kind == CaseEvent.Kind.SUBMITTED
            else (
                event.get_kind_display()
                if not event.to_status
                else Case.Status(event.to_status).label
            )
        )
        detail = event.body_text if event.kind != CaseEvent.Kind.SUBMITTED else ""
        if event.kind == CaseEvent.Kind.RATING:
            rating = (event.public_params or {}).get("rating")
            score = _("%(rating)s out of 5") % {"rating": rating} if rating else ""
            detail = " · ".join(part for part in (score, detail) if part)
        by = event.actor.get_full_name() if event.actor else ""
        items.append(
            TimelineItem(
                at=event.created_at,
                kind=str(event.get_kind_display()),
                title=str(title),
                detail=f"{by}{colon()}{detail}" if by and detail else detail or by,
                url=reverse("cases:case-detail", args=[event.case.public_id]),
                reference=event.case.reference,
                key=payment_key(event.data.get("disbursement")),
            )
        )
    return items
