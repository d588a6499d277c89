"""The request queue as an XLSX file (what the filters selected, numbers masked)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from unionhub.core.masking import mask_mobile
from unionhub.core.xlsx import xlsx_response

EXPORT_LIMIT = 50_000


def queue_xlsx_response(cases):
    """``cases`` as the queue lists them, in its order (the sort chosen there)."""
    cases = cases.select_related(
        "category", "organization", "assignee", "worker", "worker__enterprise"
    )
    headers = [
        _("Reference"),
        _("Submitted at"),
        _("Category"),
        _("Channel"),
        _("Urgency"),
        _("Status"),
        _("Deadline"),
        _("Due by"),
        _("Worker"),
        _("Mobile number"),
        _("ID number"),
        _("Enterprise"),
        _("Owning organisation"),
        _("Assignee"),
        _("Summary"),
        _("Resolved at"),
        _("Rating"),
    ]
    now = timezone.now()

    def rows():
        for case in cases[:EXPORT_LIMIT].iterator(chunk_size=2000):
            worker = case.worker
            yield [
                case.reference,
                case.submitted_at,
                case.category.label,
                case.get_channel_display(),
                case.get_urgency_display(),
                case.get_status_display(),
                case.get_sla_state_display() if case.sla_state(now) else "",
                case.sla_due_at,
                worker.name,
                mask_mobile(worker.mobile),
                worker.id_number_masked,
                worker.enterprise.name if worker.enterprise else "",
                case.organization.name,
                case.assignee.get_full_name() if case.assignee else "",
                case.summary,
                case.resolved_at,
                case.rating,
            ]

    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return xlsx_response(
        filename=f"requests-{stamp}.xlsx",
        sheet_title=_("Requests"),
        headers=headers,
        rows=rows(),
        widths=[16, 17, 12, 12, 8, 10, 10, 17, 10, 14, 22, 28, 28, 10, 36, 17, 6],
    )
