"""Pagination that never counts a whole big table: counts stop at a bound.

``BoundedPaginator`` (pages) and ``BoundedPageNumberPagination`` (API) count at most
``count_limit`` rows (``SELECT COUNT(*) FROM (… LIMIT n)``), so a page of the request queue
costs the same with a thousand cases or a million. Past the bound the page says "1,000+" and
offers the pages up to it; narrower filters reach the rest.
"""

from __future__ import annotations

import math

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from rest_framework.response import Response

from unionhub.core.api import PageNumberPagination


class BoundedPaginator(Paginator):
    count_limit = 1000

    def __init__(self, object_list, per_page, count_limit: int | None = None, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        if count_limit is not None:
            self.count_limit = count_limit

    @cached_property
    def count(self) -> int:
        """The number of rows, or ``count_limit + 1`` when there are more."""
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()  # counting needs no sort, and then the planner may stop early
            return rows[: self.count_limit + 1].count()
        return min(len(rows), self.count_limit + 1)

    @property
    def is_capped(self) -> bool:
        return self.count > self.count_limit

    @cached_property
    def num_pages(self) -> int:
        shown = min(self.count, self.count_limit)
        if shown == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(shown / self.per_page))

    def get_page(self, number):
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        return self.page(number)


def bounded_count(rows, limit: int | None = None) -> int:
    """How many ``rows`` there are, counting at most ``limit + 1`` (more than ``limit``); the
    limit is the paginator's unless given."""
    limit = BoundedPaginator.count_limit if limit is None else limit
    return rows.order_by()[: limit + 1].count()


class BoundedPageNumberPagination(PageNumberPagination):
    """API pagination for big tables: ``count`` is exact up to ``count_limit``; above it the
    answer says ``count_is_capped: true`` and ``count`` is the bound, and the pages stop there.
    Narrow the list with its filters to reach the rest (requests: ``since``/``until``, status,
    organisation and the queue's others; payments: ``status``)."""

    django_paginator_class = BoundedPaginator
    count_limit = 1_000

    def paginate_queryset(self, queryset, request, view=None):
        self.django_paginator_class = type(
            "Paginator", (BoundedPaginator,), {"count_limit": self.count_limit}
        )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": min(paginator.count, paginator.count_limit),
                "count_is_capped": paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_capped"] = {"type": "boolean", "example": False}
        return response
