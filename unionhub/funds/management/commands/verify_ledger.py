"""Recompute every fund's balance from its entries; report mismatches and exit non-zero."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from unionhub.funds.models import Fund
from unionhub.funds.services import verify


class Command(BaseCommand):
    help = "Check each fund's balance against the sum of its ledger entries (exit 1 on a mismatch)."

    def handle(self, *args, **options) -> None:
        problems = []
        funds = Fund.objects.order_by("pk")
        for fund in funds:
            found = verify(fund)
            problems += found
            mark = "OK " if not found else "BAD"
            self.stdout.write(f"{mark} {fund.code:<16} {fund.balance:>16,.2f}  {fund.name}")
        if problems:
            for line in problems:
                self.stderr.write(line)
            self.stderr.write(f"{len(problems)} problem(s) in the ledger.")
            sys.exit(1)
        self.stdout.write(f"All {funds.count()} funds balance with their entries.")
