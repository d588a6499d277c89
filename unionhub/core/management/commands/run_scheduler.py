"""Enqueue the periodic background jobs on a fixed beat (run as its own process).

Django 5.2 has no periodic scheduler; this loop only enqueues tasks, which the task worker
(``manage.py db_worker``) runs. Every job is idempotent, so two schedulers, a restart or a missed
beat do no harm.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

# (task path, seconds between runs)
JOBS = [
    ("unionhub.cases.tasks.escalate_breached_cases", 300),
    ("unionhub.cases.tasks.remind_due_followups", 3600),
    ("unionhub.funds.tasks.escalate_unratified_advances", 900),
]


class Command(BaseCommand):
    help = "Enqueue periodic jobs (SLA escalation, follow-up reminders) for the task worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue every job once and exit.")

    def handle(self, *args, once: bool = False, **options) -> None:
        next_run = dict.fromkeys((path for path, _every in JOBS), 0.0)
        while True:
            now = time.monotonic()
            for path, every in JOBS:
                if now >= next_run[path]:
                    import_string(path).enqueue()
                    next_run[path] = now + every
                    self.stdout.write(f"enqueued {path}")
            if once:
                return
            time.sleep(15)
