from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from unionhub.accounts import views as account_views
from unionhub.core import views as core_views
from unionhub.funds import views as funds_views

admin.site.site_header = "unionhub"

handler403 = "unionhub.core.views.permission_denied"

urlpatterns = [
    path("", account_views.root, name="root"),
    path("accounts/", include("unionhub.accounts.urls")),
    path("console/", include("unionhub.core.urls")),
    path("orgs/", include("unionhub.orgs.urls")),
    path("enterprises/", include("unionhub.enterprises.urls")),
    path("workers/", include("unionhub.workers.urls")),
    path("cases/", include("unionhub.cases.urls")),
    path("notifications/", include("unionhub.notifications.urls")),
    path("funds/", include("unionhub.funds.urls")),
    path(
        "public/disclosures/<uuid:token>/", funds_views.disclosure_public, name="disclosure-public"
    ),
    path("portal/", include("unionhub.portal.urls")),
    path("api/v1/", include(("unionhub.api", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("favicon.ico", core_views.favicon),
]
