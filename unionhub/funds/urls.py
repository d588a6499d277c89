from django.urls import path

from unionhub.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.fund_list, name="fund-list"),
    path("approvals/", views.approval_queue, name="approval-queue"),
    path("payments/", views.disbursement_list, name="disbursement-list"),
    path("payments/<uuid:public_id>/", views.disbursement_detail, name="disbursement-detail"),
    path(
        "payments/<uuid:public_id>/<slug:action>/",
        views.disbursement_action,
        name="disbursement-action",
    ),
    path("requests/<uuid:case_id>/pay/", views.disbursement_create, name="disbursement-create"),
    path("requests/<uuid:case_id>/advance/", views.advance_create, name="advance-create"),
    path("donations/<uuid:public_id>/receipt/", views.donation_receipt, name="donation-receipt"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry-reverse"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure-detail"),
    path("objections/<int:pk>/handle/", views.objection_handle, name="objection-handle"),
    path("reviews/", views.audit_list, name="audit-list"),
    path("reviews/<int:pk>/", views.audit_detail, name="audit-detail"),
    path(
        "reviews/<int:pk>/evidence/<uuid:evidence_id>/",
        views.audit_evidence_file,
        name="audit-evidence",
    ),
    path("reviews/<int:pk>/<slug:action>/", views.audit_action, name="audit-action"),
    path("<slug:code>/", views.fund_detail, name="fund-detail"),
    path("<slug:code>/ledger/", views.fund_ledger, name="fund-ledger"),
    path("<slug:code>/export/<slug:what>.xlsx", views.fund_export, name="fund-export"),
    path(
        "<slug:code>/export/beneficiaries-full-names/",
        views.beneficiary_names,
        name="beneficiary-names",
    ),
    path("<slug:code>/donations/", views.donation_list, name="donation-list"),
    path("<slug:code>/donations/new/", views.donation_create, name="donation-create"),
    path("<slug:code>/transfer/", views.fund_transfer, name="fund-transfer"),
    path("<slug:code>/close/", views.fund_close, name="fund-close"),
    path("<slug:code>/disclosures/", views.disclosure_list, name="disclosure-list"),
]
