from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from unionhub.core.access import access_for
from unionhub.core.navigation import STAFF_NAV


def shell(request) -> dict:
    """What the layouts need: the user's access, the navigation, the CSP nonce."""
    context = {"csp_nonce": getattr(request, "csp_nonce", "")}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    access = access_for(user)
    context["access"] = access

    def unread() -> int:
        from unionhub.notifications.models import Notification

        counted = getattr(user, "unread_notification_count", None)  # by the auth backend
        if counted is not None:
            return counted
        return Notification.objects.for_user(user).unread().count()

    # Counted only when a layout shows the bell.
    context["unread_notifications"] = SimpleLazyObject(unread)
    if access.is_staff_member:
        match = request.resolver_match
        named = {(item.namespace, name) for item in STAFF_NAV for name in item.url_names}
        items = []
        for item in STAFF_NAV:
            if not access.can(item.capability):
                continue
            if not match or match.namespace != item.namespace:
                active = False
            elif item.url_names:
                active = match.url_name in item.url_names
            else:
                active = (match.namespace, match.url_name) not in named
            items.append({"label": item.label, "url": reverse(item.url_name), "active": active})
        context["nav"] = items
    return context
