"""Background jobs of the request desk. The scheduler (``manage.py run_scheduler``) enqueues them;
each is idempotent, so running one twice, or late, does no harm."""

from __future__ import annotations

from unionhub.cases import services
from unionhub.core.tasks import task


@task()
def escalate_breached_cases() -> dict[str, int]:
    return services.escalate_breached()


@task()
def remind_due_followups() -> int:
    return services.remind_due_followups()
