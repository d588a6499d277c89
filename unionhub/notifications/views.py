from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from unionhub.core.access import access_for
from unionhub.notifications.models import Notification
from unionhub.notifications.services import notification_mark_read, notifications_mark_all_read

STAFF_INBOX = "notifications/notification_list.html"


def inbox(request: HttpRequest, template: str = STAFF_INBOX):
    """The signed-in user's own notifications (staff console or worker portal). A worker who
    opens the console's inbox (an old link) reads them in the portal."""
    if template == STAFF_INBOX and not access_for(request.user).is_staff_member:
        return redirect("portal:notification-list")
    notifications = Notification.objects.for_user(request.user)
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, template, {"page": page})


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and follow its link (only the recipient's own; others answer 404)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = request.POST.get("next") or "/"
    return redirect(target)


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(actor=request.user)
    back = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)
