"""Domain errors: a business rule that fails raises one of these from a service.

The page shows ``message`` next to ``field`` (or above the form); the API answers ``status`` with
``{"code": ..., "detail": ..., "field": ...}``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action. ``message`` is already translated (lazy or not)."""

    status = 400

    def __init__(self, message, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class Conflict(DomainError):
    """The action clashes with the record's current state (answers 409 in the API)."""

    status = 409
