from django.urls import path

from unionhub.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="notification-list"),
    path("<int:pk>/read/", views.mark_read, name="notification-read"),
    path("read-all/", views.mark_all_read, name="notification-read-all"),
]
