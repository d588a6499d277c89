"""Payments in a worker's timeline (staff side)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from unionhub.core.money import format_yuan
from unionhub.core.timeline import TimelineItem, payment_key
from unionhub.funds.models import Disbursement


def payments(worker, user, limit: int) -> list[TimelineItem]:
    rows = (
        Disbursement.objects.visible_to(user)
        .filter(worker=worker)
        .select_related("fund", "category")
        .order_by("-requested_at")[:limit]
    )
    return [
        TimelineItem(
            at=d.paid_at or d.requested_at,
            kind=_("Payment"),
            title=f"{format_yuan(d.amount)} · {d.get_status_display()}",
            detail=f"{d.fund.name} · {d.category.label}",
            url=reverse("funds:disbursement-detail", args=[d.public_id]),
            replaces=payment_key(d.public_id),
        )
        for d in rows
    ]
