"""Shared API pieces: pagination and the mapping of domain errors to HTTP answers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from unionhub.core.errors import DomainError


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` (M ≤ 200); every answer reports ``count``."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = _("That page does not exist.")


def exception_handler(exc, context):
    """DRF's handler, plus: a ``DomainError`` answers its status with its code and message."""
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    return drf_exception_handler(exc, context)
