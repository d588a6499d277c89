"""One timeline per worker: every app that records something about a worker (requests, visits,
payments, registrations, benefits) registers a source; the worker's page merges them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineItem:
    at: datetime.datetime
    kind: str  # a short label, e.g. "请求" / "探望"
    title: str
    detail: str = ""
    url: str = ""
    reference: str = ""
    # The same fact told by two sources (a payment on its request's timeline and in the fund's
    # books): one item carries ``key``, the fuller telling lists it in ``replaces``.
    key: str = ""
    replaces: str = ""


# Each source: (worker, user, limit) -> list[TimelineItem], already limited to what user may see.
_SOURCES: list[Callable] = []


def register_source(source: Callable) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def payment_key(public_id) -> str:
    """The key of the timeline item about the payment ``public_id`` (empty without one)."""
    return f"payment:{public_id}" if public_id else ""


def worker_timeline(worker, user, *, limit: int = 50) -> list[TimelineItem]:
    """The newest ``limit`` items about ``worker`` from every source, newest first (one query per
    source, however long the history)."""
    items: list[TimelineItem] = []
    for source in _SOURCES:
        items.extend(source(worker, user, limit))
    told = {item.replaces for item in items if item.replaces}
    items = [item for item in items if not item.key or item.key not in told]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
