from django.contrib import admin

from unionhub.orgs import services
from unionhub.orgs.models import Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Operators may correct names and contact details; the tree itself (adding, moving, deleting)
    changes only through the staff pages' services, which check the kinds and keep the audit log.
    """

    list_display = ["name", "kind", "code", "opened_on", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    fields = ["kind", "name", "code", "address", "phone", "opened_on", "is_active", "path"]
    readonly_fields = ["kind", "path"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        original = Organization.objects.get(pk=obj.pk)
        services.organization_update(actor=request.user, organization=original, **values)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles are granted and revoked through the services, so each change is audited."""

    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def save_model(self, request, obj, form, change):
        membership = services.membership_grant(
            actor=request.user, user=obj.user, organization=obj.organization, role=obj.role
        )
        obj.pk = membership.pk

    def delete_model(self, request, obj):
        services.membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_revoke(actor=request.user, membership=membership)
