from django.contrib import admin

from unionhub.workers.models import Worker


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    """Operators may look; changes go through the staff pages, which check and audit them."""

    list_display = [
        "name",
        "gender",
        "organization",
        "enterprise",
        "mobile_masked",
        "hardship_level",
    ]
    list_filter = ["hardship_level", "gender"]
    search_fields = ["name", "mobile_tail", "id_tail"]
    list_select_related = ["organization", "enterprise"]
    fields = [*list_display[:4], "member_number", "joined_on", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
