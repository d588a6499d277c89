"""Load the Huishan district demo: organisations, staff, enterprises, workers. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from unionhub.core.demo import DEMO_PASSWORD, DemoRandom


@dataclass
class DemoContext:
    operator: object
    password: str
    stdout: object
    random: DemoRandom = field(default_factory=DemoRandom)
    orgs: dict = field(default_factory=dict)
    enterprises: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)
    worker_logins: list = field(default_factory=list)

    def report(self, line: str) -> None:
        self.stdout.write(f"  {line}")


class Command(BaseCommand):
    help = "Load realistic demo data of Huishan district (safe to run again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo although DEBUG is off (a trial deployment, never a real one).",
        )

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        from django.conf import settings

        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: this looks like a real deployment. The demo creates accounts with "
                "a published password; pass --allow-production only for a trial."
            )
        from unionhub.cases import demo as cases_demo
        from unionhub.enterprises import demo as enterprises_demo
        from unionhub.funds import demo as funds_demo
        from unionhub.orgs import demo as orgs_demo
        from unionhub.workers import demo as workers_demo

        User = get_user_model()
        operator = User.objects.filter(username="admin").first()
        if operator is None:
            operator = User.objects.create_superuser(
                username="admin", password=DEMO_PASSWORD, full_name="系统运维"
            )
        ctx = DemoContext(operator=operator, password=DEMO_PASSWORD, stdout=self.stdout)
        self.stdout.write("Seeding the Huishan demo…")
        steps = [
            ("organisations", orgs_demo.seed_tree),
            ("enterprises", enterprises_demo.seed),
            ("staff", orgs_demo.seed_staff),
            ("workers", workers_demo.seed),
            ("requests", cases_demo.seed),
            ("funds", funds_demo.seed),
        ]
        for label, step in steps:
            with transaction.atomic():
                step(ctx)
            self.stdout.write(f"  {label}: done")
        self.print_logins(ctx)

    def print_logins(self, ctx: DemoContext) -> None:
        w = self.stdout.write
        w("")
        w(f"Demo sign-ins (password for all: {ctx.password})")
        w("  Staff console: http://127.0.0.1:8000/accounts/login/")
        for role, username, org in ctx.logins:
            w(f"    {username:<14} {role} · {org}")
        w("  Worker portal (phone): http://127.0.0.1:8000/portal/login/ — sign in with the mobile")
        for name, mobile, where in ctx.worker_logins:
            w(f"    {mobile:<14} {name} · {where}")
        w("  Operator (Django admin at /admin/): admin")
        w("  API docs: http://127.0.0.1:8000/api/docs/")
