"""``/api/v1/me/``: who the caller is, their roles, or their worker profile."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from unionhub.core.access import access_for
from unionhub.core.permissions import IsAuthenticatedUser
from unionhub.workers.models import Worker


class GrantSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()


class MeWorkerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked")
    mobile = serializers.CharField(source="mobile_masked")
    organization_name = serializers.CharField(source="organization.name")
    enterprise_name = serializers.CharField(source="enterprise.name", default=None, allow_null=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    language = serializers.CharField()
    is_staff_member = serializers.BooleanField()
    memberships = GrantSerializer(many=True)
    worker = MeWorkerSerializer(allow_null=True)


class MeView(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        access = access_for(user)
        worker = (
            Worker.objects.select_related("organization", "enterprise").filter(user=user).first()
        )
        data = {
            "username": user.username,
            "name": user.get_full_name(),
            "language": user.language,
            "is_staff_member": access.is_staff_member,
            "memberships": access.grants,
            "worker": worker,
        }
        return Response(MeSerializer(data).data)
