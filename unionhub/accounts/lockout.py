"""Sign-in lockout: an account after a few failures, an address only after many.

A factory's Wi-Fi, a dormitory or a mobile carrier puts a whole workshop behind one address: one
worker mistyping must not lock everyone else out. So an account locks after
``AXES_FAILURE_LIMIT`` failures and an address after ``LOGIN_ADDRESS_FAILURE_LIMIT`` (guessing
many accounts' passwords from one place still stops there).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


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
