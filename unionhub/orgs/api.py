from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from unionhub.core.api import BooleanFilter
from unionhub.orgs.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "parent",
            "depth",
            "address",
            "phone",
            "opened_on",
            "is_active",
        ]


class OrganizationFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    is_active = BooleanFilter()
    within = django_filters.NumberFilter(
        method="filter_within", label=_("Only this organisation (id) and what lies below it")
    )

    class Meta:
        model = Organization
        fields = ["kind", "is_active"]

    def filter_within(self, queryset, name, value):
        ancestor = Organization.objects.visible_to(self.request.user).filter(pk=value).first()
        if ancestor is None:
            return queryset.none()
        return queryset.subtree_of(ancestor)


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations in the caller's subtrees; one outside them answers 404."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def get_queryset(self):
        return Organization.objects.visible_to(self.request.user).with_parent_id()
