"""Operators set funds up here (name, owner, categories, approval tiers, advance cap and officers,
disclosure window). Everything that holds money or its trail is read-only: balances, entries,
donations, payments and approvals change only through ``funds/services.py``."""

from django.contrib import admin

from unionhub.funds.models import (
    Approval,
    Disbursement,
    Disclosure,
    Donation,
    Fund,
    FundAudit,
    LedgerEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: no add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organization", "balance", "closed_through", "is_active"]
    list_select_related = ["organization"]
    search_fields = ["code", "name"]
    readonly_fields = ["balance", "closed_through", "created_at"]
    filter_horizontal = ["allowed_categories", "advance_officers"]
    raw_id_fields = ["organization"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["posted_at", "fund", "kind", "amount", "balance_after", "memo", "created_by"]
    list_filter = ["kind", "fund"]
    list_select_related = ["fund", "created_by"]
    date_hierarchy = "posted_at"


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["receipt_number", "received_on", "fund", "donor_kind", "amount"]
    list_filter = ["fund", "donor_kind"]
    list_select_related = ["fund"]
    search_fields = ["receipt_number"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "fund", "worker", "amount", "status", "is_advance"]
    list_filter = ["status", "fund"]
    list_select_related = ["fund", "worker"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["decided_at", "disbursement", "approver", "decision", "is_ratification"]
    list_select_related = ["approver", "disbursement"]


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ["fund", "period_start", "period_end", "published_at", "window_ends_at"]
    list_select_related = ["fund"]


@admin.register(FundAudit)
class FundAuditAdmin(ReadOnlyAdmin):
    list_display = ["fund", "period_start", "period_end", "status"]
    list_select_related = ["fund"]
