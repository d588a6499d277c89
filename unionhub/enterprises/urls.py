from django.urls import path

from unionhub.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="enterprise-list"),
    path("new/", views.enterprise_create, name="enterprise-create"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="enterprise-edit"),
]
