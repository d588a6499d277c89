"""The current request's client address, for the audit log, without passing requests around."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("unionhub_client_ip", default=None)


def set_current_ip(ip: str | None):
    return _ip.set(ip)


def reset_current_ip(token) -> None:
    _ip.reset(token)


def current_ip() -> str | None:
    return _ip.get()


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies the entry
    they appended to ``X-Forwarded-For`` (entries further left are client-controlled)."""
    from django.conf import settings

    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
