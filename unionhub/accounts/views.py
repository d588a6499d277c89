from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from unionhub.accounts.forms import (
    LanguageForm,
    LoginForm,
    StyledPasswordChangeForm,
    WorkerLoginForm,
)
from unionhub.accounts.lockout import lockout_state
from unionhub.accounts.services import user_change_password, user_set_language
from unionhub.core.access import access_for


def _lockout_message(
    *, worker: bool = False, by_address: bool = False, minutes: int | None = None
) -> str:
    if minutes is None:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if worker and by_address:  # others on the same Wi-Fi failed, not this worker
        said = ngettext(
            "Too many failed sign-ins from this network (a shared Wi-Fi, say). Please try again "
            "in %(minutes)d minute, or switch to mobile data.",
            "Too many failed sign-ins from this network (a shared Wi-Fi, say). Please try again "
            "in %(minutes)d minutes, or switch to mobile data.",
            minutes,
        )
    elif worker:  # in the words of someone on a phone at the factory gate
        said = ngettext(
            "Too many wrong passwords. Please try again in %(minutes)d minute; if you forgot "
            "your password, call your union.",
            "Too many wrong passwords. Please try again in %(minutes)d minutes; if you forgot "
            "your password, call your union.",
            minutes,
        )
    else:
        said = ngettext(
            "Too many failed sign-ins for this account or from this network. "
            "Sign-in is locked for %(minutes)d more minute; try again later or ask your union "
            "office.",
            "Too many failed sign-ins for this account or from this network. "
            "Sign-in is locked for %(minutes)d more minutes; try again later or ask your union "
            "office.",
            minutes,
        )
    return said % {"minutes": minutes}


# The session key holding a language picked before signing in.
CHOSEN_BEFORE_SIGN_IN = "language_chosen"


class LoginView(auth_views.LoginView):
    """Staff and workers share one sign-in: staff land on the console, workers on the portal."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    sends_workers_to_the_portal = True

    def get(self, request, *args, **kwargs):
        # A worker sent here for a portal page (an old link, the default LOGIN_URL) signs in on
        # the phone page, and still lands where they were going. (Signed-in users were already
        # sent on by ``redirect_authenticated_user``.)
        next_url = self.get_redirect_url()
        if self.sends_workers_to_the_portal and next_url.startswith("/portal/"):
            return redirect_to_login(next_url, reverse("portal:login"))
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        # A language picked on the sign-in page itself wins and is kept for next time; otherwise
        # speak the one the user chose last time.
        chosen = self.request.session.pop(CHOSEN_BEFORE_SIGN_IN, None)
        response = super().form_valid(form)
        user = form.get_user()
        if chosen in dict(settings.LANGUAGES):
            user_set_language(actor=user, language=chosen)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        return response


class WorkerLoginView(LoginView):
    template_name = "portal/login.html"
    authentication_form = WorkerLoginForm
    sends_workers_to_the_portal = False

    def get_default_redirect_url(self):
        return reverse("portal:home")

    def get_context_data(self, **kwargs):
        """Sent here on the way to a page (a sign-in that ran out while a form was open, an old
        link): the page says that signing in leads back to it, and, for the request form, that
        what was typed comes back (portal.js keeps it in the tab)."""
        context = super().get_context_data(**kwargs)
        going_to = urlsplit(context.get(self.redirect_field_name) or "").path
        home = reverse("portal:home")
        context["going_back"] = going_to.startswith(home) and going_to != home
        context["draft_kept"] = going_to == reverse("portal:case-create")
        return context


login = login_not_required(LoginView.as_view())
worker_login = login_not_required(WorkerLoginView.as_view())


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """django-axes calls this when a sign-in is refused because of a lockout."""
    is_portal = request.path_info.startswith("/portal/")
    as_account, minutes = lockout_state(request, credentials)
    message = _lockout_message(worker=is_portal, by_address=not as_account, minutes=minutes)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": message}, status=429)
    form_class = WorkerLoginForm if is_portal else LoginForm
    # An unbound form: validating the posted one would authenticate again and count a failure.
    form = form_class(request, initial={"username": request.POST.get("username", "")})
    template = "portal/login.html" if is_portal else "accounts/login.html"
    return render(request, template, {"form": form, "lockout_message": message}, status=429)


def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in user belongs: the console for staff, the portal for workers."""
    if access_for(request.user).is_staff_member:
        return redirect("core:dashboard")
    if hasattr(request.user, "worker_profile"):
        return redirect("portal:home")
    return render(request, "accounts/no_role.html", status=403)


@login_not_required
def root(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    return redirect("accounts:login")


def password_change(request: HttpRequest, *, template: str = "accounts/password_change.html"):
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_change_password(actor=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:home")
    return render(request, template, {"form": form})


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: remembers the choice in a cookie and on the user's account."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        if request.user.is_authenticated:
            user_set_language(actor=request.user, language=language)
        else:  # on the sign-in page: kept on the account once they sign in
            request.session[CHOSEN_BEFORE_SIGN_IN] = language
    return response
