"""Load the monitoring reference data: Decision 766 index versions, targets, published figures (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.monitoring import index766, maintain, targets


class Command(BaseCommand):
    help = "Load the Decision 766 index versions, the target frameworks and the published figures."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = index766.load_index_versions()
        self.stdout.write(f"index versions: {loaded} criteria")
        for line in targets.load_targets().lines():
            self.stdout.write(f"targets: {line}")
        for line in targets.load_published_figures().lines():
            self.stdout.write(f"published figures: {line}")
        self.stdout.write(f"catalogue per scope: {maintain.refresh_offers()} rows")
