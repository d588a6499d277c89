from django.contrib.auth import views as auth_views
from django.urls import path

from unionhub.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("password/", views.password_change, name="password-change"),
    path("language/", views.set_language, name="set-language"),
]
