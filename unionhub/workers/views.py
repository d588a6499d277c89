from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionhub.core.access import Cap, access_for, get_object_for_user, require
from unionhub.core.errors import DomainError
from unionhub.core.models import AuditEntry
from unionhub.core.timeline import worker_timeline
from unionhub.core.views import add_domain_error, paginate, render_page, staff_required
from unionhub.workers import services
from unionhub.workers.forms import (
    ConsentForm,
    EnableLoginForm,
    EraseForm,
    FamilyMemberForm,
    RevealForm,
    WorkerForm,
    WorkerSearchForm,
)
from unionhub.workers.models import Consent, FamilyMember, Worker

LIST_RELATED = ("organization", "enterprise")


def _get_worker(request: HttpRequest, public_id, capability: Cap | None = None) -> Worker:
    return get_object_for_user(
        Worker.objects.select_related("organization", "enterprise", "district", "user"),
        request.user,
        capability=capability,
        public_id=public_id,
    )


@staff_required
def worker_list(request: HttpRequest) -> HttpResponse:
    form = WorkerSearchForm(request.GET or None)
    workers = Worker.objects.visible_to(request.user).select_related(*LIST_RELATED)
    if form.is_bound:
        workers = form.filter(workers) if form.is_valid() else workers.none()
    page = paginate(request, workers)
    return render_page(
        request,
        "workers/worker_list.html",
        "workers/partials/_worker_table.html",
        {"form": form, "page": page, "can_add": access_for(request.user).can(Cap.MANAGE_WORKERS)},
    )


def _detail_context(request: HttpRequest, worker: Worker, erase_form=None) -> dict:
    access = access_for(request.user)
    live = worker.erased_at is None  # an erased record is kept as it is, read-only
    history = AuditEntry.objects.filter(
        target_type__app_label="workers", target_type__model="worker", target_id=str(worker.pk)
    ).select_related("actor")
    if not access.can(Cap.READ_AUDIT, worker.scope_path):
        history = history.exclude(action="workers.worker.id_revealed")
    return {
        "worker": worker,
        "timeline": worker_timeline(worker, request.user),
        "family": worker.family.all(),
        "consents": worker.consents.select_related("recorded_by"),
        "history": history[:20],
        "can_edit": live and access.can(Cap.MANAGE_WORKERS, worker.scope_path),
        "can_reveal": live and access.can(Cap.REVEAL_ID, worker.scope_path),
        "can_open_case": live and access.can(Cap.HANDLE_CASES, worker.scope_path),
        "can_erase": live and access.can(Cap.ERASE_PERSONAL_DATA, worker.scope_path),
        "erase_form": erase_form or EraseForm(),
        "family_form": FamilyMemberForm(),
        "consent_form": ConsentForm(),
        "reveal_form": RevealForm(),
        "login_form": EnableLoginForm(),
    }


@staff_required
def worker_detail(request: HttpRequest, public_id) -> HttpResponse:
    worker = _get_worker(request, public_id)
    return render(request, "workers/worker_detail.html", _detail_context(request, worker))


@staff_required
def worker_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Cap.MANAGE_WORKERS)
    form = WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.worker_create(actor=request.user, **form.service_values())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": worker.name})
            return redirect("workers:worker-detail", public_id=worker.public_id)
    return render(request, "workers/worker_form.html", {"form": form, "worker": None})


@staff_required
def worker_edit(request: HttpRequest, public_id) -> HttpResponse:
    worker = _get_worker(request, public_id, Cap.MANAGE_WORKERS)
    initial = {
        name: getattr(worker, name)
        for name in services.WORKER_FIELDS
        if name not in {"organization"} or worker.enterprise_id is None
    }
    form = WorkerForm(request.POST or None, user=request.user, worker=worker, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        id_number = values.pop("id_number", "") or None
        try:
            services.worker_update(actor=request.user, worker=worker, id_number=id_number, **values)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("workers:worker-detail", public_id=worker.public_id)
    return render(request, "workers/worker_form.html", {"form": form, "worker": worker})


@staff_required
@require_POST
def worker_reveal_id(request: HttpRequest, public_id) -> HttpResponse:
    """htmx: answers the ID-number fragment, in full when a reason was given."""
    worker = _get_worker(request, public_id, Cap.REVEAL_ID)
    form = RevealForm(request.POST)
    full_number = None
    if form.is_valid():
        try:
            full_number = services.worker_reveal_id_number(
                actor=request.user, worker=worker, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
    context = {
        "worker": worker,
        "reveal_form": form,
        "full_number": full_number,
        "can_reveal": True,
    }
    response = render(request, "workers/partials/_id_number.html", context)
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def worker_erase(request: HttpRequest, public_id) -> HttpResponse:
    """Delete the worker's personal data at their request (PIPL); the record stays, under a
    pseudonym."""
    worker = _get_worker(request, public_id, Cap.ERASE_PERSONAL_DATA)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            worker = services.worker_erase(
                actor=request.user, worker=worker, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("The personal data has been deleted; the record is kept as %(name)s.")
                % {"name": worker.name},
            )
            return redirect("workers:worker-detail", public_id=worker.public_id)
    context = _detail_context(request, worker, erase_form=form)
    return render(request, "workers/worker_detail.html", context, status=400)


@staff_required
@require_POST
def family_add(request: HttpRequest, public_id) -> HttpResponse:
    worker = _get_worker(request, public_id, Cap.MANAGE_WORKERS)
    form = FamilyMemberForm(request.POST)
    if form.is_valid():
        try:
            services.family_member_add(actor=request.user, worker=worker, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = FamilyMemberForm()
    return _family_response(request, worker, form)


@staff_required
@require_POST
def family_remove(request: HttpRequest, public_id, member_id: int) -> HttpResponse:
    worker = _get_worker(request, public_id, Cap.MANAGE_WORKERS)
    member = get_object_or_404(FamilyMember, pk=member_id, worker=worker)
    services.family_member_remove(actor=request.user, member=member)
    return _family_response(request, worker, FamilyMemberForm())


def _family_response(request, worker: Worker, form) -> HttpResponse:
    context = {"worker": worker, "family": worker.family.all(), "family_form": form}
    context["can_edit"] = True
    if request.htmx:
        return render(request, "workers/partials/_family.html", context)
    if form.errors:
        messages.error(request, _("The family member was not saved: check the form."))
    return redirect("workers:worker-detail", public_id=worker.public_id)


@staff_required
@require_POST
def consent_add(request: HttpRequest, public_id) -> HttpResponse:
    worker = _get_worker(request, public_id, Cap.MANAGE_WORKERS)
    form = ConsentForm(request.POST)
    if form.is_valid():
        services.consent_record(
            actor=request.user, worker=worker, purpose=form.cleaned_data["purpose"]
        )
        messages.success(request, _("The consent has been recorded."))
    else:
        messages.error(request, _("Choose what the worker agreed to."))
    return redirect("workers:worker-detail", public_id=worker.public_id)


@staff_required
@require_POST
def consent_withdraw(request: HttpRequest, public_id, consent_id: int) -> HttpResponse:
    worker = _get_worker(request, public_id, Cap.MANAGE_WORKERS)
    consent = get_object_or_404(Consent, pk=consent_id, worker=worker)
    services.consent_withdraw(actor=request.user, consent=consent)
    messages.success(request, _("The withdrawal has been recorded."))
    return redirect("workers:worker-detail", public_id=worker.public_id)


@staff_required
@require_POST
def enable_login(request: HttpRequest, public_id) -> HttpResponse:
    worker = _get_worker(request, public_id, Cap.MANAGE_WORKERS)
    form = EnableLoginForm(request.POST)
    if form.is_valid():
        password = form.cleaned_data["password"]
        try:
            # What the officer asked for, not what the record shows now: an "enable" sent from a
            # stale page after a colleague enabled it is refused, never a silent reset.
            if request.POST.get("intent") == "reset":
                services.worker_set_password(actor=request.user, worker=worker, password=password)
                done = _("%(name)s can sign in with the new password now.")
            else:
                services.worker_enable_login(actor=request.user, worker=worker, password=password)
                done = _("%(name)s can now sign in with their mobile number.")
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, done % {"name": worker})
    else:
        messages.error(request, " ".join(form.errors.get("password", [])))
    return redirect("workers:worker-detail", public_id=worker.public_id)
