from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from unionhub.enterprises.models import Enterprise
from unionhub.orgs.models import Organization
from unionhub.workers.models import FamilyMember, Worker


class FamilyMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyMember
        fields = ["id", "name", "relation", "birth_date", "school"]


class WorkerSerializer(serializers.ModelSerializer):
    """ID and mobile numbers are masked; a full ID number is only shown, with a logged reason,
    on the staff page."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    mobile = serializers.CharField(source="mobile_masked", read_only=True)
    age = serializers.IntegerField(read_only=True)
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    enterprise = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Worker
        fields = [
            "id",
            "name",
            "gender",
            "age",
            "id_number",
            "mobile",
            "organization",
            "organization_name",
            "enterprise",
            "enterprise_name",
            "member_number",
            "joined_on",
            "hardship_level",
        ]


class WorkerDetailSerializer(WorkerSerializer):
    family = FamilyMemberSerializer(many=True, read_only=True)

    class Meta(WorkerSerializer.Meta):
        fields = [*WorkerSerializer.Meta.fields, "family"]


def _visible_organizations(request):
    return Organization.objects.visible_to(request.user)


def _visible_enterprises(request):
    return Enterprise.objects.visible_to(request.user)


class WorkerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_(
            "A name or its pinyin, the last 4–6 digits of the mobile number, or the last 4 of the "
            "ID number"
        ),
    )
    # Choices come from the caller's scope: an organisation outside it is "not a valid choice",
    # exactly like one that does not exist.
    organization = django_filters.ModelChoiceFilter(queryset=_visible_organizations)
    enterprise = django_filters.ModelChoiceFilter(queryset=_visible_enterprises)

    class Meta:
        model = Worker
        fields = ["organization", "enterprise", "hardship_level", "gender"]

    def filter_search(self, queryset, name, value):
        if sum(ch.isdigit() for ch in value) > 6:
            raise ValidationError(
                {
                    "search": [
                        _(
                            "To protect privacy, search with only the last 4–6 digits of a "
                            "mobile or ID number."
                        )
                    ]
                }
            )
        return queryset.search(value)


class WorkerViewSet(viewsets.ReadOnlyModelViewSet):
    """Workers of the caller's subtrees, looked up by their opaque id."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_class = WorkerFilter

    def get_queryset(self):
        queryset = Worker.objects.visible_to(self.request.user).select_related(
            "organization", "enterprise"
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("family")
        return queryset

    def get_serializer_class(self):
        return WorkerDetailSerializer if self.action == "retrieve" else WorkerSerializer
