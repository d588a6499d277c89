"""The workers' mobile web: a worker sees only their own record."""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from unionhub.accounts.views import password_change as account_password_change
from unionhub.cases import services
from unionhub.cases.forms import RatingForm, ReopenForm, WorkerAddForm, WorkerRequestForm
from unionhub.cases.models import Attachment, Case
from unionhub.cases.views import serve_attachment, upload_from
from unionhub.core.errors import DomainError
from unionhub.core.i18n import day_and_time
from unionhub.core.views import add_domain_error, whole_upload_required
from unionhub.notifications import views as notification_views
from unionhub.notifications.services import notifications_mark_read_at
from unionhub.orgs.models import Organization
from unionhub.portal.personal_data import personal_data, personal_data_json
from unionhub.workers.models import Worker

# A worker who is not signed in (or whose session expired) signs in on the phone page, not the
# staff one: ``LoginRequiredMiddleware`` reads the view's ``login_url``.
PORTAL_LOGIN_URL = reverse_lazy("portal:login")


def worker_required(view):
    """The page belongs to a worker: others are sent to where they belong, and anonymous
    visitors to the worker sign-in (with ``?next``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            worker = (
                Worker.objects.select_related("organization", "enterprise", "district")
                .prefetch_related("family")
                .get(user=request.user)
            )
        except Worker.DoesNotExist:
            return redirect("accounts:home")
        request.worker = worker
        return view(request, *args, **kwargs)

    wrapper.login_url = PORTAL_LOGIN_URL
    return wrapper


def _service_point(worker: Worker) -> Organization | None:
    """The nearest station (or street) above the worker's union, whose phone the worker can call."""
    org = worker.organization
    if org.kind in (Organization.Kind.STATION, Organization.Kind.STREET):
        return org
    return Organization.objects.get_parent(org)


HOME_OPEN_CASES = 3


@worker_required
def home(request: HttpRequest) -> HttpResponse:
    worker = request.worker
    still_open = (
        Case.objects.of_worker_user(request.user)
        .open()
        .select_related("category")
        .only("public_id", "reference", "summary", "status", "category__name", "category__name_en")
    )
    # One more than is shown, to know whether to lead to the rest.
    open_cases = list(still_open[: HOME_OPEN_CASES + 1])
    context = {
        "worker": worker,
        "service_point": _service_point(worker),
        "open_cases": open_cases[:HOME_OPEN_CASES],
        "more_open_cases": len(open_cases) > HOME_OPEN_CASES,
    }
    return render(request, "portal/home.html", context)


@worker_required
def profile(request: HttpRequest) -> HttpResponse:
    worker = request.worker
    return render(
        request,
        "portal/profile.html",
        {"worker": worker, "consents": worker.consents.all()},
    )


@worker_required
def my_data(request: HttpRequest) -> HttpResponse:
    """PIPL: a worker reads what is held about them (their own full numbers included), on the
    phone, and can print it or download it as a file."""
    response = render(request, "portal/my_data.html", {"data": personal_data(request.worker)})
    response["Cache-Control"] = "no-store"
    return response


@worker_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    """The same as a file (JSON), to keep or to hand to another service."""
    response = HttpResponse(
        personal_data_json(personal_data(request.worker)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-unionhub-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@worker_required
def password_change(request: HttpRequest) -> HttpResponse:
    return account_password_change(request, template="portal/password_change.html")


# ---------------------------------------------------------------------------------------------
# My requests


def _my_case(request: HttpRequest, public_id) -> Case:
    try:
        return (
            Case.objects.of_worker_user(request.user)
            .select_related("category", "organization")
            .get(public_id=public_id)
        )
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@worker_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = (
        Case.objects.of_worker_user(request.user)
        .select_related("category")
        .only(
            "public_id", "reference", "summary", "status", "submitted_at", "category__name",
            "category__name_en", "urgency",
        )
    )  # fmt: skip
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "portal/case_list.html", {"page": page})


@worker_required
@whole_upload_required
def case_create(request: HttpRequest) -> HttpResponse:
    initial = {"submission_key": uuid.uuid4()}
    form = WorkerRequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            uploads = [upload_from(f, field="attachments") for f in data["attachments"]]
            case = services.case_submit(
                actor=request.user,
                worker=request.worker,
                category=data["category"],
                channel=Case.Channel.MOBILE,
                summary=data["summary"],
                description=data["description"],
                preferred_contact_time=data["preferred_contact_time"],
                submission_key=data["submission_key"],
                attachments=uploads,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _tell_how_it_went(request, case)
            return redirect("portal:case-detail", public_id=case.public_id)
    return render(request, "portal/case_form.html", {"form": form})


def _tell_how_it_went(request: HttpRequest, case: Case) -> None:
    """After "Send": received; or, sent before, what became of the photos chosen this time."""
    sent_again = getattr(case, "sent_again", None)
    reference = {"reference": case.reference}
    if sent_again is None:
        # By when it will be taken up is said on the request's page, right below.
        messages.success(request, _("We have received your request %(reference)s.") % reference)
    elif sent_again.added:
        said = _(
            "You had already sent this request (%(reference)s): the photos you chose this time "
            "were added to it."
        )
        messages.success(request, said % reference)
    elif sent_again.refused:
        said = _(
            "You had already sent this request (%(reference)s), but the photos you chose this "
            "time could not be added to it: %(reason)s Call your union to hand them in."
        )
        messages.warning(request, said % {**reference, "reason": sent_again.refused})
    else:
        messages.info(request, _("You had already sent this request (%(reference)s).") % reference)


def _expectation(case: Case) -> list[str]:
    """What the worker may expect while the request waits to be taken up. The deadline is the
    response deadline, which runs day and night: it says when the union takes the request up,
    not when someone will phone (02:25 would be no time to call); the worker's own time to be
    called is said apart."""
    if case.status not in Case.AWAITING_RESPONSE or case.response_due_at is None:
        return []
    when = {"when": day_and_time(case.response_due_at)}
    if case.response_due_at >= timezone.now():
        said = [_("Your union will take up your request by %(when)s.") % when]
    else:
        said = [
            _(
                "Your union was to take up your request by %(when)s and has not yet: "
                "call it if you need help now."
            )
            % when
        ]
    if case.preferred_contact_time:
        said.append(
            _("Staff will contact you at a time that suits you (%(time)s).")
            % {"time": case.preferred_contact_time}
        )
    return said


def _case_context(request: HttpRequest, case: Case, **forms) -> dict:
    actions = set(services.allowed_actions(case, request.user))
    return {
        "case": case,
        # Only what was written for the worker: internal notes never have a public message.
        "events": case.worker_events(),
        "attachments": case.attachments.filter(visible_to_worker=True),
        "actions": actions,
        "awaiting_answer": case.status in Case.AWAITING_RESPONSE,
        "expectation": _expectation(case),
        # Who to call about it: the union handling it, or the nearest one above with a phone.
        "contact": case.organization.contact()
        if case.status in (Case.Status.REJECTED, *Case.AWAITING_RESPONSE)
        else None,
        "rating_form": forms.get("rate") or RatingForm(),
        "reason_form": forms.get("reason") or ReopenForm(),
        "add_form": forms.get("add") or WorkerAddForm(),
        # Withdrawing cancels the aid not yet paid: the worker is told before they confirm.
        "aid_under_way": case.disbursements.open().count() if "withdraw" in actions else 0,
    }


@worker_required
def case_detail(request: HttpRequest, public_id) -> HttpResponse:
    case = _my_case(request, public_id)
    # Opening the request reads its news, as tapping the message would.
    read = notifications_mark_read_at(
        actor=request.user, url=reverse("portal:case-detail", args=[case.public_id])
    )
    if read and getattr(request.user, "unread_notification_count", None) is not None:
        # Counted when the user was loaded, before this: the badge shows what is left.
        request.user.unread_notification_count = max(
            request.user.unread_notification_count - read, 0
        )
    return render(request, "portal/case_detail.html", _case_context(request, case))


PORTAL_ACTIONS = {"rate": "rate", "reopen": "reopen", "withdraw": "withdraw", "add": "add_info"}


@worker_required
@whole_upload_required(actions=frozenset({"add"}))
def case_act(request: HttpRequest, public_id, action: str) -> HttpResponse:
    """The worker's own actions: withdraw, reopen, rate, add to an open request.

    A refusal by the service (already rated, not resolved yet, …) changes nothing and is told
    with a message on the request's page, where the worker can read it whatever the page shows.
    A GET (a reload of the page a failed form answered, or a phone restoring the tab) goes back
    to the request's page instead of "405 Method Not Allowed"."""
    if action not in PORTAL_ACTIONS:
        raise Http404
    case = _my_case(request, public_id)
    if request.method != "POST":
        return redirect("portal:case-detail", public_id=case.public_id)
    forms = {}
    try:
        if action == "rate":
            form = forms["rate"] = RatingForm(request.POST)
            if form.is_valid():
                services.case_rate(
                    actor=request.user,
                    case=case,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Thank you for your rating."))
        elif action == "add":
            form = forms["add"] = WorkerAddForm(request.POST, request.FILES)
            if form.is_valid():
                uploads = [
                    upload_from(f, field="attachments") for f in form.cleaned_data["attachments"]
                ]
                services.case_add_info(
                    actor=request.user,
                    case=case,
                    text=form.cleaned_data["text"],
                    attachments=uploads,
                )
                messages.success(request, _("Added. Your union has been told."))
        elif action == "withdraw":
            services.case_withdraw(
                actor=request.user, case=case, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Your request has been withdrawn."))
        else:
            form = forms["reason"] = ReopenForm(request.POST)
            if form.is_valid():
                services.case_reopen(
                    actor=request.user, case=case, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Your request has been reopened."))
    except DomainError as error:
        form = next(iter(forms.values()), None)
        if form is not None and error.field in form.fields:
            add_domain_error(form, error)
        else:
            # The form is not on the page for this status (or the refusal is about the request
            # itself): a message shows wherever the worker is looking.
            messages.error(request, str(error.message))
            return redirect("portal:case-detail", public_id=case.public_id)
    if any(f.errors for f in forms.values()):
        case = _my_case(request, public_id)
        context = _case_context(request, case, **forms)
        if PORTAL_ACTIONS[action] not in context["actions"]:
            # An incomplete form for a step this request no longer offers (another tab rated
            # or reopened it meanwhile): its errors would not show, so say what happened.
            messages.error(
                request,
                _(
                    "This step is no longer possible for this request. "
                    "Its current status is shown below."
                ),
            )
            return redirect("portal:case-detail", public_id=case.public_id)
        return render(request, "portal/case_detail.html", context, status=400)
    # Done: back to the top of the request, where the message says so (not the form's anchor).
    return redirect(reverse("portal:case-detail", args=[case.public_id]) + "#main")


@worker_required
def attachment_download(request: HttpRequest, public_id, attachment_id) -> HttpResponse:
    case = _my_case(request, public_id)
    attachment = get_object_or_404(
        Attachment, case=case, public_id=attachment_id, visible_to_worker=True
    )
    return serve_attachment(attachment)


@worker_required
def aid_list(request: HttpRequest) -> HttpResponse:
    """ "Aid I received": the money paid to the worker, with its total; and, apart, what is
    still being decided or paid. Requests turned down, withdrawn or reversed are not aid
    received (the request's own page tells that story)."""
    from unionhub.core.money import MoneySum
    from unionhub.funds.models import Disbursement

    Status = Disbursement.Status
    mine = Disbursement.objects.filter(worker=request.worker).select_related(
        "category", "fund", "case"
    )
    received = mine.filter(status=Status.PAID).order_by("-paid_at", "-id")
    page = Paginator(received, 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "total": received.aggregate(total=MoneySum("amount"))["total"],
        "pending": list(
            mine.filter(status__in=[Status.REQUESTED, Status.APPROVED]).order_by("requested_at")
        ),
        "nav_section": "home",  # reached from the home page: its tab stays lit
    }
    return render(request, "portal/aid_list.html", context)


@worker_required
@never_cache
def notification_list(request: HttpRequest) -> HttpResponse:
    """The worker's inbox. Never served from a cache: after reading a message and going Back,
    the list must show it read (portal.js also reloads a page the browser restores from its
    back-forward cache)."""
    return notification_views.inbox(request, template="portal/notification_list.html")
