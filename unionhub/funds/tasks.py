"""Background jobs of the funds (enqueued by ``manage.py run_scheduler``; idempotent)."""

from __future__ import annotations

from unionhub.core.tasks import task
from unionhub.funds import services


@task()
def escalate_unratified_advances() -> int:
    return services.escalate_unratified_advances()
