"""The permission base the API shares with the pages (both ask ``core.access``)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from unionhub.core.access import Cap, access_for


class IsStaffMember(BasePermission):
    """Signed in and a member of at least one organisation. Records outside the member's subtree
    never reach the object check: querysets start from ``visible_to(user)`` and answer 404."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and (
            access_for(request.user).is_staff_member
        )


class HasCapability(IsStaffMember):
    """Reads need membership; writes (non-safe methods) need ``view.write_capability`` over the
    object's organisation."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        capability: Cap | None = getattr(view, "write_capability", None)
        if capability is None:
            return False
        return access_for(request.user).can(capability, obj.scope_path)


class IsAuthenticatedUser(BasePermission):
    """Any signed-in user, staff or worker (e.g. ``/api/v1/me/``)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)
