"""The rows of the request queue, written in Python.

The queue is the desk's busiest page; rendered through the template language its 25 rows cost
about as much as the rest of the page together. Here they are the same markup for a fraction of
that. Every value goes through ``format_html``, so it is escaped exactly as a template would."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from unionhub.cases.services import ACTIVITIES

register = template.Library()

_ROW = (
    '<tr{}>{}<td class="text-nowrap q-ref"><a href="{}">{}</a>'
    # On a narrower screen the summary sits under the reference, owner and assignee step aside
    # (and on a phone each request becomes a small card: see console.css).
    '<div class="queue-summary-under">{}</div></td>'
    # Each "q-label" names its column for screen readers when the header is hidden (phone).
    '<td class="text-nowrap q-when">{}<time datetime="{}">{}</time></td>'
    '<td class="text-nowrap q-worker">{} <span class="text-muted small">{}</span></td>'
    '<td class="text-nowrap q-cat">{}{}{}</td>'
    '<td class="queue-wide">{}</td>'
    '<td class="text-nowrap q-status">{}<span class="badge badge-status-{}">{}</span></td>'
    '<td class="text-nowrap q-due">{}{}</td>'
    '<td class="queue-wide">{}</td>'
    '<td class="text-nowrap queue-wide">{}</td></tr>'
)


def _short(value) -> str:
    """``12-04 23:22`` this year; ``2025-12-04 23:22`` before it (an old deadline must not read
    as one to come)."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return dateformat.format(local, "m-d H:i" if local.year == _this_year() else "Y-m-d H:i")


def _this_year() -> int:
    return timezone.localdate().year


def _labels() -> dict[str, SafeString]:
    columns = {
        "when": gettext("Submitted at"),
        "cat": gettext("Category"),
        "status": gettext("Status"),
        "due": gettext("Deadline"),
    }
    return {
        key: format_html('<span class="q-label">{}</span>', text) for key, text in columns.items()
    }


def _row(case, can_handle: bool, now, labels: dict[str, SafeString], ticked=()) -> SafeString:
    tick = ""
    if can_handle and case.status not in ACTIVITIES["assign"]:
        tick = mark_safe('<td class="q-tick"></td>')  # nothing to assign: closed or elsewhere
    elif can_handle:
        tick = format_html(
            '<td class="q-tick"><label class="tick-target"><input class="form-check-input"'
            ' type="checkbox" name="case" value="{}" aria-label="{}"{}></label></td>',
            case.public_id,
            gettext("Select %(ref)s") % {"ref": case.reference},
            " checked" if str(case.public_id) in ticked else "",
        )
    urgency = ""
    if case.urgency != "normal":
        urgency = format_html(
            ' <span class="badge badge-urgency-{}">{}</span>',
            case.urgency,
            case.get_urgency_display(),
        )
    state = case.sla_state(now)
    if state:
        deadline = format_html(
            '<span class="badge badge-sla-{}">{}</span>'
            ' <span class="small text-muted queue-due">{}</span>',
            state,
            case.SlaState(state).label,
            _short(case.sla_due_at),
        )
    else:
        deadline = "—"
    emergency = case.urgency == "emergency" and case.is_open
    assignee = case.assignee.get_full_name() if case.assignee_id else ""
    summary = Truncator(case.summary).chars(40)
    return format_html(
        _ROW,
        mark_safe(' class="row-emergency"') if emergency else "",
        tick,
        reverse("cases:case-detail", args=[case.public_id]),
        case.reference,
        summary,
        labels["when"],
        timezone.localtime(case.submitted_at).isoformat(),
        _short(case.submitted_at),
        case.worker_name,
        gettext("tail %(tail)s") % {"tail": case.worker_mobile_tail},
        labels["cat"],
        case.category.label,
        urgency,
        summary,
        labels["status"],
        case.status,
        case.get_status_display(),
        labels["due"],
        deadline,
        case.organization.name,
        assignee or "—",
    )


@register.simple_tag
def queue_rows(cases, can_handle: bool, ticked=()) -> SafeString:
    """``{% queue_rows page can_handle ticked %}``: one ``<tr>`` per request, as the queue shows
    it; those in ``ticked`` (public ids) come ticked."""
    now, labels = timezone.now(), _labels()
    ticked = set(ticked or ())
    rows = ((_row(case, can_handle, now, labels, ticked),) for case in cases)
    return format_html_join("\n", "{}", rows)
