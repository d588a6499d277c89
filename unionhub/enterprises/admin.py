from django.contrib import admin

from unionhub.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Read-only here; the staff pages change enterprises through the services."""

    list_display = ["name", "credit_code", "size_class", "industry", "employees", "street"]
    list_filter = ["size_class", "industry"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["street"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
