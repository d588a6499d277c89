from django.contrib import admin

from unionhub.core.models import AuditEntry, CalendarDay


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["created_at", "actor", "action", "target_label", "organization", "ip_address"]
    list_filter = ["action"]
    search_fields = ["action", "target_label"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "organization"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """District administrators keep it on the holiday calendar page; this is the operator's view."""

    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "date"
