"""Shared API pieces: pagination and the mapping of domain errors to HTTP answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from unionhub.core.errors import DomainError
from unionhub.core.validators import implausible_date, validate_plausible_date


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` (M ≤ 200); every answer reports ``count``."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = _("That page does not exist.")


class DateTimeField(serializers.DateTimeField):
    """A date and time on a plausible date: year 1 or 9999 is refused with a message rather than
    failing when made a Shanghai time."""

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
            validate_plausible_date(moment)
        except OverflowError:
            raise serializers.ValidationError(implausible_date().messages) from None
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return moment


class DateField(serializers.DateField):
    """A date between 1900 and 2100, refused with the same message as the pages'."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        try:
            validate_plausible_date(day)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return day


def exception_handler(exc, context):
    """DRF's handler, plus:

    - a ``DomainError`` answers its status with its code and message (and field);
    - a 404 says "not found" in the caller's language, never naming the model ("No Case matches
      the given query." told what was looked for, in English);
    - a body that cannot be parsed is said so in the caller's language, not with the parser's
      own text;
    - every answer with a single ``detail`` carries its ``code`` too (``not_found``,
      ``permission_denied``, ``not_authenticated``, ``parse_error``…), the shape a
      ``DomainError`` answers with. Invalid input keeps DRF's shape, messages by field name.
    """
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, exceptions.ParseError):
        request = context.get("request")
        if "json" in (getattr(request, "content_type", "") or ""):
            exc = exceptions.ParseError(_("The request body is not valid JSON."))
        else:
            exc = exceptions.ParseError(_("The request body could not be read."))
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and isinstance(response.data, dict)
        and set(response.data) == {"detail"}
    ):
        code = getattr(exc.detail, "code", None) or exc.default_code
        response.data = {"code": code, "detail": response.data["detail"]}
    return response
