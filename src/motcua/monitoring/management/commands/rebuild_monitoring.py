"""Recompute every monitoring fact and aggregate from the dossiers and their events."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.monitoring import maintain
from motcua.monitoring.models import DossierFact


class Command(BaseCommand):
    help = "Rebuild the monitoring aggregates from the dossiers and their events (one transaction)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only when no dossier has been counted yet (a database made before monitoring existed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and DossierFact.objects.exists():
            self.stdout.write("monitoring already counted; nothing to rebuild")
            return

        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        total = maintain.rebuild(progress=progress)
        sys.stderr.write("\n")
        self.stdout.write(f"rebuilt monitoring from {total} received dossiers")
