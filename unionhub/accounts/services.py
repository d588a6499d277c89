"""Account changes that are kept in the audit log."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from unionhub.core import audit


@transaction.atomic
def user_change_password(*, actor, new_password: str) -> None:
    """Set ``actor``'s own password (already validated by the form) and log it (never the value)."""
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    # API tokens issued under the old password stop working too.
    Token.objects.filter(user=actor).delete()
    audit.record(actor=actor, action="accounts.user.password_changed", target=actor)


def user_set_language(*, actor, language: str) -> None:
    """Remember the user's interface language for their next sign-in."""
    if actor.language != language:
        actor.language = language
        actor.save(update_fields=["language"])
