from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from unionhub.core.validators import is_mobile, normalize_mobile


class UsernameOrMobileBackend(ModelBackend):
    """Authenticates by mobile number when the identifier is one, otherwise by username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        mobile = normalize_mobile(username)
        lookup = {"mobile": mobile} if is_mobile(mobile) else {"username": username.strip()}
        try:
            user = User._default_manager.get(**lookup)
        except User.DoesNotExist:
            # Hash anyway so that a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user, with their unread notifications counted in the same query: every
        layout shows the count, so it would otherwise cost a query on every page."""
        from unionhub.notifications.models import Notification

        User = get_user_model()
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        try:
            user = User._default_manager.annotate(
                unread_notification_count=Coalesce(
                    Subquery(unread, output_field=IntegerField()), Value(0)
                )
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
