"""Sign-in lockout: an account after a few failures, an address only after many.

A factory's Wi-Fi, a dormitory or a mobile carrier puts a whole workshop behind one address: one
worker mistyping must not lock everyone else out. So an account locks after
``AXES_FAILURE_LIMIT`` failures and an address after ``LOGIN_ADDRESS_FAILURE_LIMIT`` (guessing
many accounts' passwords from one place still stops there).

A successful sign-in clears that account's own failures only. Axes would clear every failure
from the address too (one row set per lockout parameter), so a colleague signing in on the
workshop's Wi-Fi would unlock an account locked a minute before, and an address guessing many
accounts would start again from nothing after each success of its own.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.utils import timezone


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountOrBusyAddressHandler(AxesDatabaseHandler):
    """Axes compares one number with one limit; the address's count is scaled so that it reaches
    that limit only at the address's own, higher limit."""

    def get_failures(self, request, credentials=None) -> int:
        attempts = self.get_user_attempts(request, credentials)
        if len(attempts) != 2:  # not the ["username", "ip_address"] configuration
            return super().get_failures(request, credentials)
        by_account, by_address = (_failures(queryset) for queryset in attempts)
        limit = settings.AXES_FAILURE_LIMIT
        return max(by_account, by_address * limit // settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in (``AXES_RESET_ON_SUCCESS``): the failures recorded under
        this account's username or its mobile number (a sign-in by mobile is counted under the
        number typed), and no one else's."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        names = {username}
        mobile = (
            get_user_model()
            ._default_manager.filter(username=username)
            .values_list("mobile", flat=True)
            .first()
        )
        if mobile:
            names.add(mobile)
        count, _deleted = AccessAttempt.objects.filter(username__in=names).delete()
        return count


def lockout_state(request, credentials=None) -> tuple[bool, int]:
    """Why a refused sign-in is refused and for how long: whether its account reached its own
    limit (if not, its address did: others' failures on a shared network), and the whole minutes
    until the failures that lock it age out (at least 1). Tries made while locked are not
    counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so the time only runs down."""
    handler = AccountOrBusyAddressHandler()
    attempts = handler.get_user_attempts(request, credentials)
    as_account = len(attempts) != 2 or _failures(attempts[0]) >= settings.AXES_FAILURE_LIMIT
    locking = attempts[0] if as_account else attempts[1]
    last = locking.aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return as_account, _whole_minutes(settings.AXES_COOLOFF_TIME.total_seconds())
    left = (last + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return as_account, _whole_minutes(left)


def _whole_minutes(seconds: float) -> int:
    return max(1, -int(-seconds // 60))
