"""Recompute every monitoring fact and aggregate from the dossiers and their events."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from motcua.monitoring import maintain


class Command(BaseCommand):
    help = "Rebuild the monitoring aggregates from the dossiers and their events (one transaction)."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        total = maintain.rebuild(progress=progress)
        sys.stderr.write("\n")
        self.stdout.write(f"rebuilt monitoring from {total} received dossiers")
