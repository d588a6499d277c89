from django.urls import path

from unionhub.workers import views

app_name = "workers"

urlpatterns = [
    path("", views.worker_list, name="worker-list"),
    path("new/", views.worker_create, name="worker-create"),
    path("<uuid:public_id>/", views.worker_detail, name="worker-detail"),
    path("<uuid:public_id>/edit/", views.worker_edit, name="worker-edit"),
    path("<uuid:public_id>/reveal-id/", views.worker_reveal_id, name="worker-reveal-id"),
    path("<uuid:public_id>/erase/", views.worker_erase, name="worker-erase"),
    path("<uuid:public_id>/family/", views.family_add, name="family-add"),
    path(
        "<uuid:public_id>/family/<int:member_id>/remove/",
        views.family_remove,
        name="family-remove",
    ),
    path("<uuid:public_id>/consents/", views.consent_add, name="consent-add"),
    path(
        "<uuid:public_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("<uuid:public_id>/enable-login/", views.enable_login, name="enable-login"),
]
