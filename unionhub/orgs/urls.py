from django.urls import path

from unionhub.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("<int:pk>/", views.organization_detail, name="organization-detail"),
    path("<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("<int:parent_pk>/new/", views.organization_create, name="organization-create"),
]
