from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.utils import translation
from django.utils.cache import patch_vary_headers
from rest_framework.views import APIView

from unionhub.core.request_context import client_ip, reset_current_ip, set_current_ip


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Deny by default: every page needs a login unless marked ``@login_not_required``.

    DRF views authenticate themselves (session or token) and answer 401/403: they are skipped
    here, and only they (any plain Django view, wherever it lives, needs a signed-in session).
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class LanguageMiddleware:
    """Chinese unless English was asked for.

    Pages follow the language cookie (set by the language switch and at login from the user's
    preference) and otherwise speak ``LANGUAGE_CODE``: a browser's Accept-Language does not switch
    a union office's screens to English. API clients may ask with Accept-Language.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = None
            if request.path_info.startswith("/api/"):
                header = translation.get_language_from_request(request)
                language = header if header in self.supported else None
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        translation.deactivate()
        return response


class RequestContextMiddleware:
    """Makes the client address available to ``core.audit.record`` during the request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_current_ip(token)


class VaryOnHtmxMiddleware:
    """A page answers an htmx request with a fragment and a browser's with the whole page, at the
    same address. ``Vary: HX-Request`` keeps the browser's cache from serving the fragment as the
    page (a bare table after "Back" from a filtered list)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in ("GET", "HEAD"):
            patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
        return response
