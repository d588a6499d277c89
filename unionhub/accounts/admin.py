from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from unionhub.accounts.models import User
from unionhub.core import audit


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Operators manage accounts here; changes to who may do what are kept in the audit log."""

    AUDITED = ["is_active", "is_staff", "is_superuser", "username", "mobile"]

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in self.AUDITED]
        super().save_model(request, obj, form, change)
        if changed or "password" in form.changed_data or not change:
            audit.record(
                actor=request.user,
                action="accounts.user.changed_by_operator" if change else "accounts.user.created",
                target=obj,
                data={name: form.cleaned_data.get(name) for name in changed},
            )

    list_display = ["username", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "full_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "mobile", "email", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "mobile")}),
        (None, {"fields": ("password1", "password2")}),
    )
