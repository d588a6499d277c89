"""``/api/v1/notifications/``: the caller's own in-app notifications, and marking them read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unionhub.core.permissions import IsAuthenticatedUser
from unionhub.notifications.models import Notification
from unionhub.notifications.services import notification_mark_read, notifications_mark_all_read

UNREAD_VALUES = {"true": True, "1": True, "false": False, "0": False}


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "read"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread until now.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", bool, description="`true` for unread ones only, `false` for read ones."
            )
        ]
    )
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications, newest first (staff and workers alike; each is written in
    its recipient's language when sent). Anyone else's answers 404."""

    permission_classes = [IsAuthenticatedUser]
    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built with no one signed in
            return Notification.objects.none()
        notifications = Notification.objects.for_user(self.request.user)
        if self.action == "list" and "unread" in self.request.query_params:
            value = self.request.query_params["unread"].strip().lower()
            if value not in UNREAD_VALUES:
                raise ValidationError({"unread": [_("Say true or false.")]})
            notifications = notifications.filter(read_at__isnull=UNREAD_VALUES[value])
        return notifications.order_by("-created_at", "-id")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (as tapping it in the inbox does)."""
        notification = self.get_object()
        notification_mark_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every notification of the caller read."""
        return Response({"marked": notifications_mark_all_read(actor=request.user)})
