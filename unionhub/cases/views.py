"""The staff request desk: queue, intake, the case page with its actions, attachments, catalogue."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from unionhub.cases import services
from unionhub.cases.export import queue_xlsx_response
from unionhub.cases.forms import (
    AssignForm,
    AttachmentForm,
    CategoryForm,
    CheckBackForm,
    CloseForm,
    ContactForm,
    FileShareForm,
    FollowUpChangeForm,
    FollowUpFilterForm,
    IntakeForm,
    IntakeWorkerSearchForm,
    NoteForm,
    PlanFormSet,
    QueueFilterForm,
    ReasonForm,
    ReferForm,
    ReferPartForm,
    RejectForm,
    ResolveForm,
    ScheduleForm,
    SendBackForm,
    plan_from_formset,
)
from unionhub.cases.models import Attachment, Case, CaseEvent, FollowUp, ServiceCategory
from unionhub.core.access import Cap, access_for, get_object_for_user, require
from unionhub.core.errors import DomainError
from unionhub.core.i18n import duration_text
from unionhub.core.money import format_yuan
from unionhub.core.pagination import BoundedPaginator
from unionhub.core.views import (
    add_domain_error,
    posted_here,
    render_page,
    staff_required,
    whole_upload_required,
)
from unionhub.enterprises.models import Enterprise
from unionhub.workers.models import Worker

QUEUE_PAGE_SIZE = 25
# The queue's filters a phone shows only on asking (search and status are always there).
MORE_FILTERS = ("sla", "category", "urgency", "organization", "assignee", "since", "until")
QUEUE_FIELDS = (
    "public_id", "reference", "summary", "status", "urgency", "channel", "submitted_at",
    "sla_due_at", "sla_warn_at", "worker_name", "worker_mobile_tail", "updated_at",
    "category__name", "category__name_en", "organization__name", "assignee__full_name",
    "assignee__username",
)  # fmt: skip


def queue_queryset(request: HttpRequest, form: QueueFilterForm):
    cases = Case.objects.visible_to(request.user)
    cases = form.filter(cases) if form.is_valid() else cases.none()
    return cases


@staff_required
def case_list(request: HttpRequest, *, mine: bool = False) -> HttpResponse:
    """The queue: open requests of the user's scope, filtered, searched, sorted, 25 a page. The
    count stops at 1,000 so a page costs the same at a million requests."""
    data = request.GET.copy()
    if mine and not access_for(request.user).can(Cap.HANDLE_CASES):
        return redirect("cases:case-list")  # never assigned anything: the whole queue instead
    if mine and "assignee" not in data:
        data["assignee"] = "me"
    form = QueueFilterForm(data, user=request.user)
    cases = (
        queue_queryset(request, form)
        .select_related("category", "organization", "assignee")
        .only(*QUEUE_FIELDS)
    )
    page = BoundedPaginator(cases, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "mine": mine,
        "can_handle": access_for(request.user).can(Cap.HANDLE_CASES),
        # The bulk-assign choices, under each colleague's organisation: loaded by the form.
        "colleague_groups": form.colleague_groups,
        "ticked": request.session.pop("queue_ticked", []),  # kept by a refused bulk assign
        # On a phone the filters beyond search and status fold away, unless one of them is set.
        "more_filters_set": any(request.GET.get(name) for name in MORE_FILTERS)
        or request.GET.get("sort", "newest") != "newest",
        # The export takes what this page lists: on "assigned to me" the address bar does not
        # say so, the filters do.
        "query": _export_query(data),
    }
    return render_page(request, "cases/case_list.html", "cases/partials/_case_table.html", context)


def _export_query(data) -> str:
    """The query string of the export of a queue page filtered by ``data`` (no page number)."""
    data = data.copy()
    data.pop("page", None)
    return data.urlencode()


@staff_required
def referred_out_list(request: HttpRequest) -> HttpResponse:
    """The requests the user's organisations referred on as a whole and no longer own: where each
    stands now, newest first, each opening read only."""
    cases = (
        Case.objects.referred_out_by(request.user)
        .select_related("category", "organization", "assignee")
        .only(*QUEUE_FIELDS)
        .order_by("-submitted_at", "-id")
    )
    page = BoundedPaginator(cases, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/referred_out_list.html", {"page": page, "query": ""})


def _referred_out_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A request the user's organisation referred on: where it stands and what the worker has
    been told, without the new owner's notes or files, and nothing to act on. Any other request
    outside the user's scope answers 404 as before."""
    case = (
        Case.objects.referred_out_by(request.user)
        .select_related("category", "organization", "assignee")
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise Http404
    referral = (
        case.events.filter(kind=CaseEvent.Kind.STATUS, to_status=Case.Status.REFERRED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    events = case.events.exclude(public_message="").order_by("created_at", "id")
    return render(
        request,
        "cases/case_referred_out.html",
        {"case": case, "referral": referral, "events": case.worker_events(events)},
    )


@staff_required
def followup_list(request: HttpRequest) -> HttpResponse:
    """Visits and calls still to make across the user's requests, soonest first (overdue at the
    top): the week's round of follow-ups. Each row opens the request's visit log."""
    require(request.user, Cap.HANDLE_CASES)
    form = FollowUpFilterForm(request.GET)
    today = timezone.localdate()
    followups = (
        FollowUp.objects.visible_to(request.user)
        .to_make()
        .select_related("case", "case__category", "case__organization", "case__assignee")
        .only(
            "kind", "due_on", "from_plan", "case__public_id", "case__reference",
            "case__summary", "case__worker_name", "case__status", "case__category__name",
            "case__category__name_en", "case__organization__name", "case__assignee__full_name",
            "case__assignee__username",
        )
        .order_by("due_on", "id")
    )  # fmt: skip
    if form.is_valid():
        followups = form.filter(followups, user=request.user, today=today)
    else:
        followups = followups.none()
    page = BoundedPaginator(followups, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for followup in page:
        followup.overdue_days = (today - followup.due_on).days
    return render(
        request,
        "cases/followup_list.html",
        {"form": form, "page": page, "today": today, "query": request.GET.urlencode()},
    )


@staff_required
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered queue as XLSX, numbers masked. Filters that do not hold (a date no one means,
    an organisation not the user's) send the officer back to the queue to see why, rather than
    handing over an empty file."""
    form = QueueFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(f"{reverse('cases:case-list')}?{request.GET.urlencode()}")
    return queue_xlsx_response(queue_queryset(request, form))


def _bulk_assign_refusals(done: int, refused: list, assignee) -> str:
    """One sentence for what a bulk assignment left alone, grouped by why: "已指派 3 件；2 件
    未指派：尤国平不能办理钱桥街道舜何社区产改指导站的诉求（HS-2026-001846、HS-2026-001850）。"."""
    name = assignee.get_full_name() or assignee.get_username()
    groups: dict[str, list[str]] = {}
    for refusal in refused:
        if refusal.code == "bad_assignee":
            reason = _("%(name)s cannot handle requests of %(organization)s") % {
                "name": name,
                "organization": refusal.organization,
            }
        elif refusal.code == "not_allowed":
            reason = _("you do not handle requests of %(organization)s") % {
                "organization": refusal.organization
            }
        elif refusal.code == "invalid_transition":
            reason = _("a request that is %(status)s cannot be assigned") % {
                "status": refusal.status
            }
        else:
            reason = refusal.message
        groups.setdefault(reason, []).append(refusal.reference)
    reasons = pgettext("list of reasons", "; ").join(
        _("%(reason)s (%(references)s)")
        % {"reason": reason, "references": pgettext("list separator", ", ").join(references)}
        for reason, references in sorted(
            ((reason, sorted(references)) for reason, references in groups.items()),
            key=lambda group: group[1][0],
        )
    )
    if not done:
        return ngettext(
            "%(count)d request not assigned: %(reasons)s.",
            "%(count)d requests not assigned: %(reasons)s.",
            len(refused),
        ) % {"count": len(refused), "reasons": reasons}
    return ngettext(
        "%(done)d assigned; %(count)d request not assigned: %(reasons)s.",
        "%(done)d assigned; %(count)d requests not assigned: %(reasons)s.",
        len(refused),
    ) % {"done": done, "count": len(refused), "reasons": reasons}


@staff_required
@require_POST
def case_bulk_assign(request: HttpRequest) -> HttpResponse:
    require(request.user, Cap.HANDLE_CASES)
    form = AssignForm(request.POST, user=request.user)
    ids = []
    for value in request.POST.getlist("case"):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    cases = list(Case.objects.visible_to(request.user).filter(public_id__in=ids))
    if not cases:
        messages.error(request, _("Tick the requests to assign first."))
    elif not form.is_valid():
        messages.error(request, _("Choose whom to assign them to."))
        # Back on the queue, the requests ticked stay ticked.
        request.session["queue_ticked"] = [str(case.public_id) for case in cases]
    else:
        new = [case.pk for case in cases if case.status == Case.Status.SUBMITTED]
        done, refused = services.cases_bulk_assign(
            actor=request.user, cases=cases, assignee=form.cleaned_data["assignee"]
        )
        if refused:
            # One message for the lot, saying why each group was left alone.
            messages.warning(
                request,
                _bulk_assign_refusals(done, refused, form.cleaned_data["assignee"]),
            )
        elif done:
            messages.success(
                request,
                _("%(count)d requests assigned to %(name)s.")
                % {"count": done, "name": form.cleaned_data["assignee"].get_full_name()},
            )
        accepted = Case.objects.filter(pk__in=new).exclude(status=Case.Status.SUBMITTED).count()
        if accepted:
            # Assigning a new request takes it on: say so, the worker has been told.
            messages.info(
                request,
                ngettext(
                    "%(count)d of them was new and is now accepted; its follow-up plan is set.",
                    "%(count)d of them were new and are now accepted; their follow-up plans "
                    "are set.",
                    accepted,
                )
                % {"count": accepted},
            )
    back = request.POST.get("next") or reverse("cases:case-list")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("cases:case-list")
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# The case page


def _get_case(request: HttpRequest, public_id) -> Case:
    return get_object_for_user(
        Case.objects.select_related(
            "worker", "worker__organization", "worker__enterprise", "category", "organization",
            "assignee", "parent", "created_by",
        ),
        request.user,
        public_id=public_id,
    )  # fmt: skip


# Forms whose choice lists are long (colleagues, organisations): built when their action is
# opened (htmx fetches the page with ``?open=<action>``), not on every view of the request.
LAZY_FORMS = frozenset({"assign", "refer", "refer_part"})
# Actions taken by a button beside what they act on, without a form of their own on the page.
INLINE_ACTIONS = frozenset({"share_file"})


def _followup_initial(request: HttpRequest, followups: list) -> dict:
    """Opened from the follow-up list (``?followup=<id>``): the form is for that visit or call."""
    wanted = request.GET.get("followup", "")
    for followup in followups:
        if str(followup.pk) == wanted and followup.status == FollowUp.Status.SCHEDULED:
            return {"followup": followup.pk, "kind": followup.kind}
    return {}


def _check_back_initial(followups: list) -> dict:
    """The check-back form is for the call still to make (one at a time: the earliest)."""
    due = [
        f
        for f in followups
        if f.kind == FollowUp.Kind.CHECK_BACK and f.status == FollowUp.Status.SCHEDULED
    ]
    return {"followup": min(due, key=lambda f: f.due_on).pk} if due else {}


def _open_parts_warning(referrals: list) -> str:
    """Said beside "Resolve" while a part referred elsewhere is still being handled."""
    open_parts = [part for part in referrals if part.is_open]
    if not open_parts:
        return ""
    return ngettext(
        "%(parts)s, referred elsewhere, is still open. Resolve this request only when what "
        "it asks of you is done: the worker then sees it as resolved.",
        "%(parts)s, referred elsewhere, are still open. Resolve this request only when what "
        "it asks of you is done: the worker then sees it as resolved.",
        len(open_parts),
    ) % {
        "parts": pgettext("list separator", ", ").join(
            _("%(reference)s (%(organization)s)")
            % {"reference": part.reference, "organization": part.organization.name}
            for part in open_parts
        )
    }


def _unpaid_warning(disbursements: list) -> str:
    """Said beside "Resolve" while money asked for on the request is not yet paid."""
    from unionhub.funds.models import Disbursement

    unpaid = [d for d in disbursements if d.status in Disbursement.OPEN_STATUSES]
    if not unpaid:
        return ""
    return ngettext(
        "%(count)d payment asked for on this request is not paid yet (%(amount)s). The worker "
        "reads a resolved request as done: resolve it once the money is decided.",
        "%(count)d payments asked for on this request are not paid yet (%(amount)s). The worker "
        "reads a resolved request as done: resolve it once the money is decided.",
        len(unpaid),
    ) % {"count": len(unpaid), "amount": format_yuan(sum(d.amount for d in unpaid))}


def _detail_context(
    request: HttpRequest, case: Case, forms: dict | None = None, open_action: str = ""
) -> dict:
    user = request.user
    actions = set(services.allowed_actions(case, user))
    events = case.events.select_related("actor")
    followups = list(case.followups.select_related("done_by"))
    plan = [f for f in followups if f.kind != FollowUp.Kind.CHECK_BACK]
    done = sum(1 for f in plan if f.status == FollowUp.Status.DONE)
    upcoming = next((f for f in plan if f.status == FollowUp.Status.SCHEDULED), None)
    forms = forms or {}
    referrals = list(
        case.referrals.only("public_id", "reference", "status", "organization__name")
        .select_related("organization")
        # A part handed up is linked for those who may open it (the district sees both ends).
        .annotate(openable=Exists(Case.objects.visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("submitted_at")
    )
    from unionhub.funds.models import Disbursement
    from unionhub.funds.services import case_takes_aid, with_parts

    money_took = money_waiting = None
    day = datetime.timedelta(hours=24)
    if case.money_reached_at:
        took = case.money_reached_at - case.submitted_at
        money_took = {
            "minutes": max(1, int(took.total_seconds() // 60)),
            "text": duration_text(took),
            "over": took > day,
        }
    elif case.is_open:
        # The emergency's clock runs until money reaches the worker, while the request is open:
        # the time left (or past) to the minute, never rounded in the clock's favour.
        due, now = case.submitted_at + day, timezone.now()
        money_waiting = {
            "over": now > due,
            "left": duration_text(due - now) if now <= due else "",
            "overdue": duration_text(now - due) if now > due else "",
        }
    attachments = list(case.attachments.all())
    for attachment in attachments:  # what the worker added stays theirs to see
        attachment.workers_own = attachment.is_added_by(case.worker)
    # A part referred here: the files stay on the request it came from; they are read here, and
    # opened through this request (``attachment_download``).
    parent_attachments = list(case.parent.attachments.all()) if case.parent_id else []
    reporter_of = case.parent if case.parent_id and not case.reporter_name else case
    disbursements = list(
        # Its own and its parts' (a grant the district paid on the part referred to it).
        Disbursement.objects.filter(case_id__in=with_parts(case) if referrals else [case.pk])
        .select_related("fund", "case")
        .order_by("requested_at", "id")
        .annotate(openable=Exists(Disbursement.objects.visible_to(user).filter(pk=OuterRef("pk"))))
    )
    context = {
        "case": case,
        # Every payment on the request is listed (so nobody asks twice); those of funds outside
        # the user's scope are shown without a link.
        "disbursements": disbursements,
        "can_request_aid": access_for(user).can(Cap.REQUEST_FUNDS, case.owner_path)
        and case_takes_aid(case)
        and case.category.allows_payment,
        "money_took": money_took,
        "money_waiting": money_waiting,
        "events": events,
        "attachments": attachments,
        "parent_attachments": parent_attachments,
        "followups": followups,
        "plan_progress": {
            "done": done,
            "missed": sum(1 for f in plan if f.status == FollowUp.Status.MISSED),
            "total": len(plan),
            "next": upcoming,
        },
        "has_scheduled": any(f.status == FollowUp.Status.SCHEDULED for f in followups),
        "check_backs": [f for f in followups if f.kind == FollowUp.Kind.CHECK_BACK],
        "check_back_due": any(
            f.kind == FollowUp.Kind.CHECK_BACK and f.status == FollowUp.Status.SCHEDULED
            for f in followups
        ),
        "referrals": referrals,
        "resolve_warning": " ".join(
            filter(None, [_open_parts_warning(referrals), _unpaid_warning(disbursements)])
        ),
        "actions": actions,
        # Who reported it; for a part referred before parts carried it, the request it came from
        # says (the part itself is never changed by being read).
        "reporter_of": reporter_of,
        "reporter_phone": services.reporter_phone_for(case, user, phone=reporter_of.reporter_phone),
        # Where "send back" takes the request: the organisation that referred it here.
        "send_back_to": services.referred_by(case) if "send_back" in actions else None,
        # The request a part came from is linked only for those who may open it.
        "parent_visible": case.parent_id is not None
        and Case.objects.visible_to(user).filter(pk=case.parent_id).exists(),
    }
    blank = {
        "assign": lambda: AssignForm(user=user, case=case),
        "note": NoteForm,
        "contact": lambda: ContactForm(
            case=case, followups=followups, initial=_followup_initial(request, followups)
        ),
        "refer": lambda: ReferForm(case=case),
        "send_back": SendBackForm,
        "refer_part": lambda: ReferPartForm(case=case),
        "resolve": ResolveForm,
        "reject": RejectForm,
        "reopen": ReasonForm,
        "close": CloseForm,
        "attach": AttachmentForm,
        "schedule_followup": ScheduleForm,
        "change_followup": lambda: FollowUpChangeForm(
            case=case, followups=followups, initial=_followup_initial(request, followups)
        ),
        "check_back": lambda: CheckBackForm(case=case, initial=_check_back_initial(followups)),
    }
    for name, make in blank.items():
        if name in forms:
            form = forms[name]
        elif name in LAZY_FORMS and name != open_action:
            form = None
        else:
            form = make()
        if form is not None:
            form.auto_id = f"id_{name}_%s"  # many forms on one page: each field's id is unique
            if form.is_bound:
                # Errors found before the ids changed: the field's aria-describedby names the
                # list by the new id, so the list must carry it.
                for field_name, errors in form.errors.items():
                    if field_name in form.fields:
                        errors.field_id = form[field_name].auto_id
        context[f"{name}_form"] = form
    context["open_action"] = open_action
    return context


@staff_required
def case_detail(request: HttpRequest, public_id) -> HttpResponse:
    try:
        case = _get_case(request, public_id)
    except Http404:
        return _referred_out_detail(request, public_id)
    open_action = request.GET.get("open", "")
    context = _detail_context(request, case, open_action=open_action)
    return render(request, "cases/case_detail.html", context)


def _act(action: str, case: Case, request: HttpRequest):
    """Run ``action`` from the posted form. Returns (form or None, result); the form carries the
    errors when the input or the rule refused."""
    user, post = request.user, request.POST
    simple = {
        "accept": services.case_accept,
        "start": services.case_start,
    }
    if action in simple:
        return None, simple[action](actor=user, case=case)
    specs = {
        "assign": (
            lambda: AssignForm(post, user=user, case=case),
            lambda d: services.case_assign(actor=user, case=case, assignee=d["assignee"]),
        ),
        "note": (
            lambda: NoteForm(post),
            lambda d: services.case_note(actor=user, case=case, text=d["text"]),
        ),
        "contact": (
            lambda: ContactForm(post, case=case),
            lambda d: services.case_log_contact(
                actor=user,
                case=case,
                kind=d["kind"],
                summary=d["summary"],
                counselling=d["counselling"],
                happened_at=d["happened_at"],
                followup=d["followup"],
            ),
        ),
        "refer": (
            lambda: ReferForm(post, case=case),
            lambda d: services.case_refer(
                actor=user, case=case, organization=d["organization"], reason=d["reason"]
            ),
        ),
        "refer_part": (
            lambda: ReferPartForm(post, case=case),
            lambda d: services.case_refer_part(
                actor=user,
                case=case,
                organization=d["organization"],
                summary=d["summary"],
                reason=d["reason"],
            ),
        ),
        "send_back": (
            lambda: SendBackForm(post),
            lambda d: services.case_send_back(actor=user, case=case, reason=d["reason"]),
        ),
        "resolve": (
            lambda: ResolveForm(post),
            lambda d: services.case_resolve(actor=user, case=case, resolution=d["resolution"]),
        ),
        "close": (
            lambda: CloseForm(post),
            lambda d: services.case_close(actor=user, case=case, note=d["note"]),
        ),
        "reject": (
            lambda: RejectForm(post),
            lambda d: services.case_reject(actor=user, case=case, reason=d["reason"]),
        ),
        "reopen": (
            lambda: ReasonForm(post),
            lambda d: services.case_reopen(actor=user, case=case, reason=d["reason"]),
        ),
        "schedule_followup": (
            lambda: ScheduleForm(post),
            lambda d: services.followup_schedule(
                actor=user, case=case, kind=d["kind"], due_on=d["due_on"]
            ),
        ),
        "change_followup": (
            lambda: FollowUpChangeForm(post, case=case),
            lambda d: (
                services.followup_skip(
                    actor=user, case=case, followup=d["followup"], reason=d["reason"]
                )
                if d["change"] == FollowUpChangeForm.SKIP
                else services.followup_move(
                    actor=user,
                    case=case,
                    followup=d["followup"],
                    due_on=d["due_on"],
                    reason=d["reason"],
                )
            ),
        ),
        "check_back": (
            lambda: CheckBackForm(post, case=case),
            lambda d: services.followup_check_back(
                actor=user, followup=d["followup"], outcome=d["outcome"], summary=d["summary"]
            ),
        ),
        "attach": (
            lambda: AttachmentForm(post, request.FILES),
            lambda d: services.attachment_add(
                actor=user,
                case=case,
                upload=upload_from(d["file"]),
                visible_to_worker=d["visible_to_worker"],
            ),
        ),
        "share_file": (
            lambda: FileShareForm(post, case=case),
            lambda d: services.attachment_share(
                actor=user, case=case, attachment=d["attachment"], visible=d["visible"]
            ),
        ),
    }
    if action not in specs:
        raise Http404
    make_form, run = specs[action]
    form = make_form()
    if not form.is_valid():
        return form, None
    try:
        return form, run(form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error)
        return form, None


def upload_from(uploaded, *, field: str = "file") -> services.Upload:
    """Read an uploaded file, refusing more than the limit without reading it all; a refusal
    names ``field``, the form's file input."""
    limit = settings.UNIONHUB["ATTACHMENT_MAX_BYTES"]
    if uploaded.size > limit:
        raise DomainError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": uploaded.name, "mb": limit // 2**20},
            field=field,
            code="file_too_large",
        )
    return services.Upload(name=uploaded.name, content=uploaded.read(limit + 1))


# What the officer is told after each action.
DONE_MESSAGES = {
    "note": gettext_lazy("The note is on the timeline; the worker does not see it."),
    "accept": gettext_lazy("Accepted: the worker has been told."),
    "start": gettext_lazy("Marked as in progress."),
    "assign": gettext_lazy("Assigned."),
    "contact": gettext_lazy("The call or visit is logged."),
    "resolve": gettext_lazy("Resolved: the worker has been asked to rate the service."),
    "close": gettext_lazy("Closed."),
    "reject": gettext_lazy("Rejected: the worker has been told why."),
    "reopen": gettext_lazy("Reopened."),
    "schedule_followup": gettext_lazy("Scheduled: it is on the follow-up list."),
    "change_followup": gettext_lazy("The follow-up plan is updated."),
    "check_back": gettext_lazy("The check-back call is recorded."),
    "attach": gettext_lazy("The files have been added."),
    "share_file": gettext_lazy("Who may see the file is updated."),
}
# The same, for a worker without a portal account (nobody has told them anything).
UNTOLD_MESSAGES = {
    "accept": gettext_lazy("Accepted. %(worker)s has no portal account: let them know by phone."),
    "resolve": gettext_lazy(
        "Resolved. %(worker)s has no portal account: tell them by phone and ask how it went."
    ),
    "reject": gettext_lazy("Rejected. %(worker)s has no portal account: tell them why by phone."),
}


@staff_required
@posted_here(lambda request, public_id, action: reverse("cases:case-detail", args=[public_id]))
@whole_upload_required(actions=frozenset({"attach"}))
def case_action(request: HttpRequest, public_id, action: str) -> HttpResponse:
    """Every action on the case page posts here; htmx gets the updated page body back."""
    case = _get_case(request, public_id)
    refused = False
    try:
        form, result = _act(action, case, request)
    except DomainError as error:  # a transition without a form (accept, start)
        messages.error(request, str(error.message))
        form, result, refused = None, None, True
    failed = form is not None and form.errors
    if failed and action in INLINE_ACTIONS:  # a button, not a form: say why as a message
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        form, failed, refused = None, False, True
    if not failed and not refused:
        handed_over = (
            _("The request was sent back to %(org)s.")
            if action == "send_back"
            else _("The request was referred to %(org)s.")
        )
        if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
            # Referred out of the user's scope: from now on they follow it, read only.
            messages.success(request, handed_over % {"org": result.organization})
            follow = reverse("cases:case-detail", args=[case.public_id])
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = follow
                return response
            return redirect(follow)
        if action in ("refer", "send_back"):  # to an organisation in the user's own scope
            messages.success(request, handed_over % {"org": result.organization})
        elif action == "refer_part":
            messages.success(
                request,
                _("Part referred to %(org)s as %(reference)s.")
                % {"org": result.organization, "reference": result.reference},
            )
        elif action in UNTOLD_MESSAGES and case.worker.user_id is None:
            # No portal account, so no notification reached the worker: say so.
            messages.warning(request, UNTOLD_MESSAGES[action] % {"worker": case.worker.name})
        elif action in DONE_MESSAGES:
            messages.success(request, DONE_MESSAGES[action])
        if action == "accept" and request.POST.get("then") == "money" and not request.htmx:
            # Accepted from the money form, which waited for it: back there to ask.
            return redirect("funds:disbursement-create", case_id=case.public_id)
    case = _get_case(request, public_id)
    context = _detail_context(
        request, case, {action: form} if failed else None, open_action=action if failed else ""
    )
    if request.htmx:
        return render(request, "cases/partials/_case_main.html", context)
    if failed:
        return render(request, "cases/case_detail.html", context, status=400)
    return redirect("cases:case-detail", public_id=case.public_id)


@staff_required
def attachment_download(request: HttpRequest, public_id, attachment_id) -> HttpResponse:
    """A file of a request the user may see; for a part referred to their organisation, also a
    file of the request it was referred from (the photos, the bills), and no other request's."""
    case = _get_case(request, public_id)
    cases = [case.pk] if case.parent_id is None else [case.pk, case.parent_id]
    attachment = get_object_or_404(Attachment, case_id__in=cases, public_id=attachment_id)
    return serve_attachment(attachment)


def serve_attachment(attachment: Attachment) -> FileResponse:
    """Stream an attachment that the caller has been allowed to see; never from a public URL."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.kind == Attachment.Kind.PDF,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# ---------------------------------------------------------------------------------------------
# Intake


WORKER_MATCHES = 10


@sensitive_post_parameters("q")  # a whole number posted never reaches an error report either
@staff_required
def find_worker(request: HttpRequest) -> HttpResponse:
    """htmx: workers of the user's scope matching a name, pinyin, a number's tail, or (posted,
    so that it is in no address or log) a whole mobile or ID number as the caller reads it out."""
    chosen = request.GET.get("choose")
    if chosen and request.method == "GET":
        try:
            worker = (
                Worker.objects.visible_to(request.user)
                .select_related("enterprise", "organization")
                .get(public_id=uuid.UUID(chosen))
            )
        except (ValueError, Worker.DoesNotExist) as exc:
            raise Http404 from exc
        return render(
            request, "cases/partials/_chosen_worker.html", {"worker": worker, "oob": True}
        )
    posted = request.method == "POST"
    form = IntakeWorkerSearchForm(request.POST if posted else request.GET, whole_numbers=posted)
    workers, more, searched = [], False, False
    found = form.search(Worker.objects.visible_to(request.user)) if form.is_valid() else None
    if found is not None:
        found = found.select_related("enterprise", "organization")
        workers = list(found[: WORKER_MATCHES + 1])  # one more says whether there are more
        more = len(workers) > WORKER_MATCHES
        workers, searched = workers[:WORKER_MATCHES], True
    return render(
        request,
        "cases/partials/_worker_matches.html",
        {"form": form, "workers": workers, "more": more, "searched": searched},
    )


@staff_required
@whole_upload_required
def case_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Cap.HANDLE_CASES)
    user = request.user
    initial = {"submission_key": uuid.uuid4(), "urgency": Case.Urgency.NORMAL}
    chosen = None
    worker_param = request.GET.get("worker")
    if worker_param:
        try:
            chosen = Worker.objects.visible_to(user).get(public_id=uuid.UUID(worker_param))
            initial["worker"] = chosen.public_id
        except (ValueError, Worker.DoesNotExist):
            chosen = None
    form = IntakeForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = timezone.now()
        try:
            case = _intake(user, data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            sent_again = getattr(case, "sent_again", None)
            reference = {"reference": case.reference}
            if case.submitted_at >= started and sent_again is None:
                messages.success(request, _("Request %(reference)s opened.") % reference)
            elif sent_again is not None and sent_again.added:
                told = _(
                    "This request was already opened as %(reference)s: the new files were added "
                    "to it."
                )
                messages.success(request, told % reference)
            elif sent_again is not None and sent_again.refused:
                told = _(
                    "This request was already opened as %(reference)s; its new files could not "
                    "be added: %(reason)s"
                )
                messages.warning(request, told % {**reference, "reason": sent_again.refused})
            else:
                told = _("This request was already opened as %(reference)s: nothing new was added.")
                messages.success(request, told % reference)
            return redirect("cases:case-detail", public_id=case.public_id)
    if form.is_bound and form.cleaned_data.get("worker"):
        chosen = (
            Worker.objects.visible_to(user).filter(public_id=form.cleaned_data["worker"]).first()
        )
    return render(request, "cases/case_form.html", {"form": form, "chosen": chosen})


@transaction.atomic
def _intake(user, data) -> Case:
    from unionhub.workers.services import worker_create

    if data.get("worker"):
        worker = Worker.objects.visible_to(user).filter(public_id=data["worker"]).first()
        if worker is None:
            raise DomainError(_("Find the worker again: that record is not available."))
    elif (
        already := services.submitted_already(actor=user, submission_key=data["submission_key"])
    ) is not None:
        # The same form sent twice: the worker was registered then, and ``case_submit`` answers
        # with the request opened then (adding the photos it lacks).
        worker = already.worker
    else:
        organization = data.get("organization")
        if organization is None:
            raise DomainError(
                _("Choose the owning organisation for a newly registered worker."),
                field="organization",
            )
        # Chosen an enterprise's union: the worker is that enterprise's employee.
        enterprise = Enterprise.objects.filter(union=organization).first()
        try:
            worker = worker_create(
                actor=user,
                name=data["new_name"],
                id_number=data["new_id_number"],
                mobile=data["new_mobile"],
                enterprise=enterprise,
                organization=None if enterprise else organization,
            )
        except DomainError as error:
            error.field = {"name": "new_name", "id_number": "new_id_number"}.get(
                error.field, "new_mobile" if error.field == "mobile" else error.field
            )
            raise
    uploads = [upload_from(f, field="attachments") for f in data.get("attachments") or []]
    return services.case_submit(
        actor=user,
        worker=worker,
        category=data["category"],
        channel=data["channel"],
        urgency=data["urgency"],
        summary=data["summary"],
        description=data["description"],
        preferred_contact_time=data.get("preferred_contact_time", ""),
        organization=data.get("organization"),
        submission_key=data["submission_key"],
        attachments=uploads,
        reporter=services.Reporter(
            name=data.get("reporter_name", ""),
            relation=data.get("reporter_relation", ""),
            phone=data.get("reporter_phone", ""),
        ),
        occurred_at=data.get("occurred_at"),
    )


# ---------------------------------------------------------------------------------------------
# The catalogue


@staff_required
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/servicecategory_list.html",
        {
            "categories": ServiceCategory.objects.all(),
            "can_edit": access_for(request.user).can_district_wide(Cap.MANAGE_CATALOGUE),
        },
    )


@staff_required
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not access_for(request.user).can_district_wide(Cap.MANAGE_CATALOGUE):
        raise PermissionDenied
    category = get_object_or_404(ServiceCategory, pk=pk)
    initial = {name: getattr(category, name) for name in services.CATEGORY_FIELDS}
    form = CategoryForm(request.POST or None, initial=initial)
    plan = PlanFormSet(request.POST or None, initial=category.followup_plan, prefix="plan")
    # Both checked whatever either says: every mistake on the page is shown at once.
    valid = [form.is_valid(), plan.is_valid()]
    if request.method == "POST" and all(valid):
        try:
            services.category_update(
                actor=request.user,
                category=category,
                followup_plan=plan_from_formset(plan),
                **form.cleaned_data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The category has been saved."))
            return redirect("cases:category-list")
    return render(
        request,
        "cases/servicecategory_form.html",
        {"form": form, "plan": plan, "category": category},
    )
