from django.urls import path

from unionhub.core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_list, name="audit-list"),
    path("calendar/", views.holiday_calendar, name="calendar"),
]
