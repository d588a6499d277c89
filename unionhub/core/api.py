"""Shared API pieces: pagination and the mapping of domain errors to HTTP answers."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from unionhub.core.errors import DomainError
from unionhub.core.validators import implausible_date, validate_plausible_date


def _whole_number(value: str) -> int | None:
    """``value`` as a whole number from 1 (ASCII digits only), else ``None``."""
    if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < 1:
        return None
    return int(value)


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` (1 ≤ M ≤ 200); every answer reports ``count``.

    A page or page size that is not a whole number in range is refused with 400 naming the
    parameter (not read as page 1, nor cut down to 200, which would hide a client's mistake); a
    page past the last answers 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = _("That page does not exist.")

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param, "").strip()
        if not value:
            return 1
        if value in self.last_page_strings:
            return paginator.num_pages
        number = _whole_number(value)
        if number is None:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Give a page number: a whole number from 1.")]}
            )
        return number

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "").strip()
        if not value:
            return self.page_size
        size = _whole_number(value)
        if size is None or size > self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a page size: a whole number from 1 to %(most)d.")
                        % {"most": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "The page, from 1. Not a whole number from 1: 400. Past the last page: 404."
                ),
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Results per page, {self.page_size} by default, at most "
                    f"{self.max_page_size}: a larger or non-numeric value is refused with 400."
                ),
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                },
            },
        ]


class StrictNullBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (also ``1`` or ``0``), or nothing; any other value is refused."""

    widget = forms.TextInput  # the value as sent, for ``to_python`` to judge

    def to_python(self, value):
        text = str(value if value is not None else "").strip().lower()
        if not text:
            return None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value) -> None:
        pass


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses ``?is_active=maybe`` with 400 instead of ignoring it (and so
    answering with everything, as if the filter had been applied)."""

    field_class = StrictNullBooleanField


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
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
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
