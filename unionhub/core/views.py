"""Shared view helpers and the console's own pages (dashboard, audit log)."""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unionhub.core import services
from unionhub.core.access import Cap, access_for, require
from unionhub.core.calendar import years_without_schedule
from unionhub.core.errors import DomainError
from unionhub.core.forms import UPLOAD_END, AuditFilterForm, CalendarDayForm
from unionhub.core.models import AuditEntry, CalendarDay
from unionhub.core.pagination import BoundedPaginator, bounded_count

PAGE_SIZE = 25


def staff_required(view):
    """The page is for staff (members of an organisation); workers and others get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not access_for(request.user).is_staff_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    """The requested page of ``queryset`` (a bad page number gives the last or first page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def render_page(request: HttpRequest, template: str, partial: str, context: dict, **kwargs):
    """One view, two templates: htmx requests get the partial the full page includes. When htmx
    restores a page its history no longer holds, it asks for the whole page."""
    return render(request, partial if wants_fragment(request) else template, context, **kwargs)


def wants_fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def posted_here(back):
    """For an address a form posts to, whose refusal answers with the page and its errors: the
    browser then shows that address, and a reload, a language switch or a restored tab asks for it
    by GET. That goes back to the page the form lives on (``back(request, **kwargs)`` gives its
    address) instead of a bare "405 Method Not Allowed"."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.method != "POST":
                return redirect(back(request, *args, **kwargs))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def page_left(request: HttpRequest) -> str:
    """The page a refused form was sent from (this site's own ``Referer``), to go back to; the
    start page when the browser did not say."""
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def upload_cut_short(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and request.content_type == "multipart/form-data"
        and UPLOAD_END not in request.POST
    )


def whole_upload_required(view=None, *, actions: frozenset[str] | None = None):
    """A form with files that did not arrive whole is refused (400) before anything is done, and
    the sender is asked to send it again. ``actions`` limits the check to those values of the
    view's ``action`` argument (the forms of a page that carry files)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            checked = actions is None or kwargs.get("action") in actions
            if checked and upload_cut_short(request):
                return _upload_cut_short_response(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def _upload_cut_short_response(request: HttpRequest) -> HttpResponse:
    back = page_left(request)
    message = _(
        "The connection broke while the form was being sent, so nothing was saved. "
        "Check your signal and send it again."
    )
    if request.htmx:
        # htmx does not show a 400's body: the page itself comes back with the message.
        messages.error(request, message)
        response = HttpResponse(status=400)
        response["HX-Redirect"] = back
        return response
    return render(
        request,
        "errors/upload_cut_short.html",
        {"message": message, "back": back},
        status=400,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``. A worker who opened a staff page (a link passed on, an address typed from
    a poster) is told, in a worker's words, that it is for union staff, with a way to their own
    pages; the staff's page speaks of roles and administrators, which mean nothing to them."""
    from django.views import defaults

    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and hasattr(user, "worker_profile")
        and not access_for(user).is_staff_member
    ):
        return render(request, "errors/403_worker.html", status=403)
    return defaults.permission_denied(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent from a page open too long. The page says what to do and
    has a button back to where the form was."""
    return render(request, "403_csrf.html", {"back": page_left(request)}, status=403)


def add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal next to its field (or above the form)."""
    if error.code == "idempotency_key_reused":
        # A form sent, then changed (Back) and sent again: its key says it is the same form.
        form.add_error(
            None,
            _(
                "This form was already sent, with other values, and that was recorded. To record "
                "another, open the form anew."
            ),
        )
        return
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the browsable API)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def _work(user, access) -> list[dict]:
    """What waits for the user today, each a bounded count with the page that lists it."""
    from unionhub.cases.models import Case, FollowUp
    from unionhub.funds import services as fund_services
    from unionhub.funds.models import Disbursement

    items = []

    def add(label, rows, url, tone=""):
        items.append({"label": label, "count": bounded_count(rows), "url": url, "tone": tone})

    if access.can(Cap.HANDLE_CASES):
        cases = Case.objects.visible_to(user)
        queue = reverse("cases:case-list")
        add(_("Requests past their deadline"), cases.breached(), f"{queue}?sla=breached", "danger")
        add(_("Requests due soon"), cases.due_soon(), f"{queue}?sla=due_soon", "warning")
        # Referred here by another organisation counts as new: it waits for this one to accept.
        add(_("New requests to accept"), cases.filter(status__in=Case.AWAITING_RESPONSE),
            f"{queue}?status=to_accept")  # fmt: skip
        add(_("Open requests assigned to me"), cases.open().filter(assignee=user),
            reverse("cases:case-mine"))  # fmt: skip
        followups = FollowUp.objects.visible_to(user).due()
        add(_("Follow-ups due today or overdue"), followups,
            f"{reverse('cases:followup-list')}?when=today")  # fmt: skip
    if access.can(Cap.APPROVE_FUNDS):
        waiting, to_ratify = fund_services.approval_queue(user)
        approvals = reverse("funds:approval-queue")
        add(_("Payments waiting for my approval"), waiting, approvals, "warning")
        add(_("Emergency advances for me to ratify"), to_ratify, approvals, "warning")
    if access.can(Cap.MANAGE_FUNDS):
        payments = Disbursement.objects.visible_to(user, Cap.MANAGE_FUNDS)
        listed = reverse("funds:disbursement-list")
        add(_("Approved payments to pay"), payments.filter(status=Disbursement.Status.APPROVED),
            f"{listed}?status=approved")  # fmt: skip
        add(_("Emergency advances not yet ratified"), payments.unratified_advances(),
            f"{listed}?status=unratified", "danger")  # fmt: skip
    return items


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The console's start page: what waits for the user today, then their scope at a glance."""
    from unionhub.enterprises.models import Enterprise
    from unionhub.orgs.models import Organization
    from unionhub.workers.models import Worker

    user = request.user
    access = access_for(user)
    context = {
        "work": _work(user, access),
        "count_limit": BoundedPaginator.count_limit,
        "counts": {
            "organizations": bounded_count(Organization.objects.visible_to(user)),
            "enterprises": bounded_count(Enterprise.objects.visible_to(user)),
            "workers": bounded_count(Worker.objects.visible_to(user)),
        },
        "recent": (
            AuditEntry.objects.visible_to(user).select_related("actor")[:8]
            if access.can(Cap.READ_AUDIT)
            else None
        ),
    }
    return render(request, "core/dashboard.html", context)


@staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log of the user's scope; "ID reveals" is the sensitive-data access log."""
    require(request.user, Cap.READ_AUDIT)
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.visible_to(request.user).select_related(
        "actor", "organization", "target_type"
    )
    if form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        # A filter that does not hold shows nothing rather than the whole log: the page says
        # why, beside the field (or above the table when htmx redraws only that).
        entries = entries.none()
    page = paginate(request, entries)
    return render_page(
        request,
        "core/auditentry_list.html",
        "core/partials/_auditentry_table.html",
        {"form": form, "page": page},
    )


def _calendar_ranges(days) -> list[dict]:
    """Consecutive days of the same occasion and kind, as one row each."""
    ranges: list[dict] = []
    for day in days:
        last = ranges[-1] if ranges else None
        if (
            last
            and last["name"] == day.name
            and last["kind"] == day.kind
            and (day.date - last["last"]).days == 1
        ):
            last["last"] = day.date
            last["days"] += 1
        else:
            ranges.append(
                {
                    "name": day.name,
                    "kind": day.kind,
                    "label": day.get_kind_display(),
                    "first": day.date,
                    "last": day.date,
                    "days": 1,
                }
            )
    return ranges


def _calendar_post(request: HttpRequest, form: CalendarDayForm) -> int | None:
    """Record or clear days from the calendar page; returns the year to show, or None when the
    input was refused (the form or a message says why)."""
    try:
        if request.POST.get("form") == "clear":
            first = datetime.date.fromisoformat(request.POST.get("first", ""))
            last = datetime.date.fromisoformat(request.POST.get("last", ""))
            count = services.calendar_clear(actor=request.user, first=first, last=last)
            messages.success(
                request,
                ngettext("%(days)d day removed.", "%(days)d days removed.", count)
                % {"days": count},
            )
            return first.year
        if form.is_valid():
            rows = services.calendar_set(actor=request.user, **form.cleaned_data)
            messages.success(
                request,
                ngettext("%(days)d day recorded.", "%(days)d days recorded.", len(rows))
                % {"days": len(rows)},
            )
            return form.cleaned_data["first"].year
    except ValueError:
        messages.error(request, _("That date is not valid."))
    except DomainError as error:
        add_domain_error(form, error)
    return None


@staff_required
def holiday_calendar(request: HttpRequest) -> HttpResponse:
    """The district's holiday calendar: what working-day windows (a disclosure's) count by."""
    today = timezone.localdate()
    try:
        year = min(max(int(request.GET.get("year") or today.year), 2000), 2100)
    except ValueError:
        year = today.year
    can_edit = access_for(request.user).can_district_wide(Cap.MANAGE_CATALOGUE)
    adding = request.method == "POST" and request.POST.get("form") == "add"
    form = CalendarDayForm(request.POST if adding else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        shown = _calendar_post(request, form)
        if shown is not None:
            return redirect(f"{reverse('core:calendar')}?year={shown}")
    new_year = datetime.date(year, 1, 1)
    return render(
        request,
        "core/holiday_calendar.html",
        {
            "year": year,
            "years": sorted({year, today.year, today.year + 1}),
            "ranges": _calendar_ranges(CalendarDay.objects.filter(date__year=year)),
            "unknown": bool(years_without_schedule(new_year, new_year)),
            "form": form,
            "can_edit": can_edit,
        },
        status=400 if form.errors else 200,
    )
