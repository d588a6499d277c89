"""One router for every app's API under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from unionhub.accounts.api import ObtainTokenView
from unionhub.cases.api import CaseViewSet, ServiceCategoryViewSet
from unionhub.core.api_views import MeView
from unionhub.enterprises.api import EnterpriseViewSet
from unionhub.funds.api import DisbursementViewSet, DonationViewSet, FundViewSet
from unionhub.notifications.api import NotificationViewSet
from unionhub.orgs.api import OrganizationViewSet
from unionhub.workers.api import WorkerViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("workers", WorkerViewSet, basename="worker")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("service-categories", ServiceCategoryViewSet, basename="service-category")
router.register("cases", CaseViewSet, basename="case")
router.register("funds", FundViewSet, basename="fund")
router.register("donations", DonationViewSet, basename="donation")
router.register("disbursements", DisbursementViewSet, basename="disbursement")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]
