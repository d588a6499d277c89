from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from unionhub.core.api import BooleanFilter
from unionhub.enterprises.models import Enterprise
from unionhub.orgs.models import Organization


class EnterpriseSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    station_name = serializers.CharField(
        source="station.name", read_only=True, allow_null=True, default=None
    )
    union_name = serializers.CharField(
        source="union.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "size_class",
            "industry",
            "employees",
            "address",
            "street",
            "street_name",
            "station",
            "station_name",
            "union",
            "union_name",
        ]


def _visible_organizations(request):
    return Organization.objects.visible_to(request.user)


class EnterpriseFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    has_union = BooleanFilter(field_name="union", lookup_expr="isnull", exclude=True)
    # Only organisations in the caller's scope are valid choices (outside looks like unknown).
    street = django_filters.ModelChoiceFilter(queryset=_visible_organizations)
    station = django_filters.ModelChoiceFilter(queryset=_visible_organizations)

    class Meta:
        model = Enterprise
        fields = ["size_class", "industry", "street", "station"]


class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = EnterpriseFilter
    serializer_class = EnterpriseSerializer

    def get_queryset(self):
        return Enterprise.objects.visible_to(self.request.user).select_related(
            "street", "station", "union"
        )
