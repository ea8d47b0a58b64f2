"""Create the demo province, officers, citizens, offerings and dossiers in every status."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Seed the demo province with officers, citizens, online offerings and dossiers in every status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dossiers", type=int, default=300, help="How many dossiers to create (default 300)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same demo).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when dossiers already exist.")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.dossiers.demo import seed_demo
        from motcua.dossiers.models import Dossier

        if options["dossiers"] < 0 or options["dossiers"] > 100_000:
            raise CommandError("--dossiers must be between 0 and 100000")
        if options["if_empty"] and Dossier.objects.exists():
            self.stdout.write("demo data already present; nothing to do")
            return
        report = seed_demo(options["dossiers"], seed=options["seed"])
        self.stdout.write(f"officers: {', '.join(report.officers)}")
        self.stdout.write(f"citizens: {', '.join(report.citizens)}")
        self.stdout.write(f"offerings: {report.offerings}")
        for status, count in sorted(report.dossiers_by_status.items()):
            self.stdout.write(f"  {status}: {count}")
