"""The project's URLs plus ``/bench/ceiling/``: the cheapest list DRF gives out of the box.

The ceiling is a bare ``ListAPIView`` over the whole case table: no authentication, no scoping,
a few columns, 25 rows a page with DRF's plain ``PageNumberPagination`` (which counts the whole
table on every page). The queue does more work per row (scope, filters, joins, a template) but
must not count the table; comparing the two shows what that work costs.
"""

from __future__ import annotations

from django.urls import path
from rest_framework import generics, pagination, permissions, serializers

from unionhub.cases.models import Case
from unionhub.urls import urlpatterns as project_urlpatterns


class CeilingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "reference", "status", "summary", "submitted_at"]


class CeilingPagination(pagination.PageNumberPagination):
    page_size = 25


class CeilingView(generics.ListAPIView):
    """25 cases, newest id first, for anyone: DRF with nothing of the project's on top."""

    queryset = Case.objects.all().order_by("-id")
    serializer_class = CeilingSerializer
    pagination_class = CeilingPagination
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    filter_backends = []


urlpatterns = [
    path("bench/ceiling/", CeilingView.as_view(), name="bench-ceiling"),
    *project_urlpatterns,
]
