"""``manage.py load_calendar``: import the official holiday calendar (bundled CSV by default)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.calendar.services import default_data_path, import_official_days


class Command(BaseCommand):
    help = "Import official holidays, day swaps and make-up days into the calendar (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--path", type=Path, default=None, help="CSV file (default: the bundled file).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, then roll back.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or default_data_path()
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        report = import_official_days(path, dry_run=options["dry_run"])
        prefix = "[dry run] " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{path.name}: {report.rows} rows read, {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged, {len(report.rejected)} rejected."
        )
        if report.years_marked:
            self.stdout.write(f"{prefix}Authoritative years: {', '.join(map(str, report.years_marked))}.")
        if report.years_not_marked:
            years = ", ".join(map(str, report.years_not_marked))
            self.stdout.write(f"{prefix}Not marked authoritative (rows rejected): {years}.")
        for rejected in report.rejected:
            self.stderr.write(f"  line {rejected.line}: {rejected.reason}")
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} row(s) rejected; the other rows were imported.")
