from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unionhub.core.access import Cap, access_for, get_object_for_user
from unionhub.core.errors import DomainError
from unionhub.core.views import add_domain_error, paginate, render_page, staff_required
from unionhub.orgs import services
from unionhub.orgs.forms import OrganizationFilterForm, OrganizationForm
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.models import Worker

ORG_PAGE_SIZE = 50


def _with_worker_counts(organizations) -> None:
    """Set ``worker_count`` on each organisation of a page (one query, whatever the page size)."""
    counts = dict(
        Worker.objects.filter(organization__in=organizations)
        .values("organization")
        .annotate(n=Count("id"))
        .values_list("organization", "n")
    )
    for organization in organizations:
        organization.worker_count = counts.get(organization.pk, 0)


@staff_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """The visible part of the tree, in tree order, with the workers registered at each."""
    form = OrganizationFilterForm(request.GET or None)
    organizations = Organization.objects.visible_to(request.user)
    if form.is_valid():
        organizations = form.filter(organizations)
    page = paginate(request, organizations, ORG_PAGE_SIZE)
    _with_worker_counts(page.object_list)
    return render_page(
        request,
        "orgs/organization_list.html",
        "orgs/partials/_organization_table.html",
        {"form": form, "page": page},
    )


@staff_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organization = get_object_for_user(Organization.objects, user, pk=pk)
    children = list(Organization.objects.get_children(organization)[:200])
    _with_worker_counts(children)
    can_manage = access_for(user).can(Cap.MANAGE_ORGS, organization.path)
    context = {
        "organization": organization,
        # Ancestors are shown by name only, as the breadcrumb of where this organisation sits.
        "ancestors": Organization.objects.get_ancestors(organization),
        "children": children,
        "can_manage": can_manage,
        "subtree_counts": {
            "organizations": Organization.objects.subtree_of(organization).count(),
            "workers": Worker.objects.filter(
                organization__path__startswith=organization.path
            ).count(),
        },
        "memberships": (
            Membership.objects.filter(organization=organization).select_related("user")
            if can_manage
            else None
        ),
    }
    return render(request, "orgs/organization_detail.html", context)


@staff_required
def organization_create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    parent = get_object_for_user(
        Organization.objects, request.user, capability=Cap.MANAGE_ORGS, pk=parent_pk
    )
    form = OrganizationForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = services.organization_create(
                actor=request.user,
                parent=parent,
                kind=data["kind"],
                name=data["name"],
                code=data["code"],
                address=data["address"],
                phone=data["phone"],
                opened_on=data["opened_on"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": organization})
            return redirect("orgs:organization-detail", pk=organization.pk)
    context = {"form": form, "parent": parent, "organization": None}
    return render(request, "orgs/organization_form.html", context)


@staff_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_for_user(
        Organization.objects, request.user, capability=Cap.MANAGE_ORGS, pk=pk
    )
    initial = {name: getattr(organization, name) for name in services.ORG_FIELDS}
    form = OrganizationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("orgs:organization-detail", pk=organization.pk)
    context = {"form": form, "parent": None, "organization": organization}
    return render(request, "orgs/organization_form.html", context)
