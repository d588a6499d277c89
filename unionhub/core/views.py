"""Shared view helpers and the console's own pages (dashboard, audit log)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from unionhub.core.access import Cap, access_for, require
from unionhub.core.errors import DomainError
from unionhub.core.forms import AuditFilterForm
from unionhub.core.models import AuditEntry

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
    """One view, two templates: htmx requests get the partial the full page includes."""
    return render(request, partial if request.htmx else template, context, **kwargs)


def add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal next to its field (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the browsable API)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from unionhub.enterprises.models import Enterprise
    from unionhub.orgs.models import Organization
    from unionhub.workers.models import Worker

    user = request.user
    access = access_for(user)
    context = {
        "counts": {
            "organizations": Organization.objects.visible_to(user).count(),
            "enterprises": Enterprise.objects.visible_to(user).count(),
            "workers": Worker.objects.visible_to(user).count(),
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
    page = paginate(request, entries)
    return render_page(
        request,
        "core/auditentry_list.html",
        "core/partials/_auditentry_table.html",
        {"form": form, "page": page},
    )
