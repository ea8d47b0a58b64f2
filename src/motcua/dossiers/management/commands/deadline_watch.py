"""Daily deadline watch: notify officers and leaders of the dossiers at risk (run once a day from cron).

    # every working day at 07:30 Hanoi time
    30 7 * * 1-6  cd /srv/motcua && .venv/bin/python manage.py deadline_watch

Running it twice the same day notifies nobody twice (one outbox message per officer and day).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Notify assignees and agency leaders of dossiers overdue or due within 1 working day (no apology yet)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to watch, YYYY-MM-DD (default: today in Hanoi).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List the dossiers at risk; write no notification."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.core.clock import now, to_vn
        from motcua.dossiers import watch

        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        else:
            day = to_vn(now()).date()
        if options["dry_run"]:
            rows = watch.at_risk(None, day)
            for row in rows:
                self.stdout.write(
                    f"{row.mark.value:<10} {to_vn(row.due_at):%d/%m/%Y %H:%M}  {row.dossier.code}  "
                    f"{row.dossier.competent_agency.code}"
                )
            self.stdout.write(f"{len(rows)} dossier(s) at risk on {day.isoformat()} (dry run)")
            return
        report = watch.notify_at_risk(day)
        self.stdout.write(
            f"{report.dossiers} dossier(s) at risk on {day.isoformat()}; "
            f"notified {len(report.notified)} officer(s), {len(report.already_notified)} already notified today"
        )
