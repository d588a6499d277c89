"""Compile the project's .po catalogues to .mo with Babel (pure Python: no gettext needed)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po to .mo (used by make run and make test)."

    def handle(self, *args, **options) -> None:
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as po_file:
                    try:
                        catalog = read_po(po_file, abort_invalid=True)
                    except Exception as exc:  # Babel raises several parse error types
                        raise CommandError(f"{po_path}: {exc}") from exc
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
        self.stdout.write(f"Compiled {compiled} catalogue(s).")
