from django.urls import path

from unionhub.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("mine/", views.case_list, {"mine": True}, name="case-mine"),
    path("export.xlsx", views.case_export, name="case-export"),
    path("follow-ups/", views.followup_list, name="followup-list"),
    path("referred-on/", views.referred_out_list, name="referred-out-list"),
    path("bulk-assign/", views.case_bulk_assign, name="case-bulk-assign"),
    path("new/", views.case_create, name="case-create"),
    path("new/find-worker/", views.find_worker, name="find-worker"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category-edit"),
    path("<uuid:public_id>/", views.case_detail, name="case-detail"),
    path("<uuid:public_id>/actions/<slug:action>/", views.case_action, name="case-action"),
    path(
        "<uuid:public_id>/files/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
]
