from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unionhub.core.access import Cap, access_for, get_object_for_user, require
from unionhub.core.errors import DomainError
from unionhub.core.views import add_domain_error, paginate, render_page, staff_required
from unionhub.enterprises import services
from unionhub.enterprises.forms import EnterpriseFilterForm, EnterpriseForm
from unionhub.enterprises.models import Enterprise
from unionhub.workers.models import Worker


@staff_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    form = EnterpriseFilterForm(request.GET or None)
    enterprises = (
        Enterprise.objects.visible_to(request.user)
        .select_related("street", "station", "union")
        .annotate(worker_count=Count("workers"))
        .order_by("name_pinyin", "id")  # aggregation drops Meta.ordering
    )
    if form.is_valid():
        enterprises = form.filter(enterprises)
    page = paginate(request, enterprises)
    return render_page(
        request,
        "enterprises/enterprise_list.html",
        "enterprises/partials/_enterprise_table.html",
        {
            "form": form,
            "page": page,
            "can_add": access_for(request.user).can(Cap.MANAGE_ENTERPRISES),
        },
    )


@staff_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_for_user(
        Enterprise.objects.select_related("street", "station", "union", "organization"),
        request.user,
        pk=pk,
    )
    workers = Worker.objects.visible_to(request.user).filter(enterprise=enterprise)
    access = access_for(request.user)
    context = {
        "enterprise": enterprise,
        # The station and union are linked for those who may open them (a chair sees the union,
        # not the station above it).
        "station_openable": enterprise.station is not None
        and access.can(Cap.VIEW, enterprise.station.path),
        "union_openable": enterprise.union is not None
        and access.can(Cap.VIEW, enterprise.union.path),
        "workers": workers.select_related("organization")[:20],
        "worker_count": workers.count(),
        "can_edit": access.can(Cap.MANAGE_ENTERPRISES, enterprise.scope_path),
    }
    return render(request, "enterprises/enterprise_detail.html", context)


@staff_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Cap.MANAGE_ENTERPRISES)
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(actor=request.user, **form.service_values())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": enterprise})
            return redirect("enterprises:enterprise-detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "enterprise": None})


@staff_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_for_user(
        Enterprise.objects.select_related("organization", "street", "station", "union"),
        request.user,
        capability=Cap.MANAGE_ENTERPRISES,
        pk=pk,
    )
    initial = {name: getattr(enterprise, name) for name in services.ENTERPRISE_FIELDS}
    form = EnterpriseForm(
        request.POST or None, user=request.user, enterprise=enterprise, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_update(
                actor=request.user, enterprise=enterprise, **form.service_values()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("enterprises:enterprise-detail", pk=enterprise.pk)
    return render(
        request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )
