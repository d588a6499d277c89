from django.urls import path

from unionhub.accounts import views as account_views
from unionhub.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", account_views.worker_login, name="login"),
    path("me/", views.profile, name="profile"),
    path("me/data/", views.my_data, name="my-data"),
    path("me/data/download/", views.my_data_download, name="my-data-download"),
    path("me/password/", views.password_change, name="password-change"),
    path("aid/", views.aid_list, name="aid-list"),
    path("requests/", views.case_list, name="case-list"),
    path("requests/new/", views.case_create, name="case-create"),
    path("requests/<uuid:public_id>/", views.case_detail, name="case-detail"),
    path("requests/<uuid:public_id>/<slug:action>/", views.case_act, name="case-act"),
    path(
        "requests/<uuid:public_id>/files/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("messages/", views.notification_list, name="notification-list"),
]
