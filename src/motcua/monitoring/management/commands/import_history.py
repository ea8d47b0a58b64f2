"""Import historical data from an old system (nhập dữ liệu lịch sử): agencies, catalogue levels, dossiers.

    manage.py import_history agencies  old_agencies.xlsx --dry-run   # check first: nothing is written
    manage.py import_history offerings levels_2021.csv
    manage.py import_history dossiers  dossiers_2020.csv --skip-invalid

Columns, accepted headers and messages: docs/monitoring-import.md. Rejected rows are listed in
``<file>.rejected.csv`` next to the file. The exit status is 1 when rows were rejected and ``--skip-invalid``
was not given (nothing was written then, except the record of the attempt).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class ProgressBar:
    """A plain text bar on a stream (stderr): ``[#####-----]  50%  114,045/228,091``.

    The import validates every row and then writes them; when the count starts again the bar starts a new
    line, labelled with the next phase."""

    WIDTH = 30

    def __init__(
        self,
        write: Callable[[str], object],
        flush: Callable[[], object] = lambda: None,
        phases: tuple[str, ...] = ("checking", "writing"),
    ) -> None:
        self.write = write
        self.flush = flush
        self.phases = phases
        self.phase = 0
        self.last_done = -1
        self.last_shown: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        if done < self.last_done:
            self.write("\n")
            self.phase = min(self.phase + 1, len(self.phases) - 1)
            self.last_shown = None
        self.last_done = done
        percent = 100 * done // total if total else 100
        shown = (percent, done == total)
        if shown == self.last_shown:
            return
        self.last_shown = shown
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.write(f"\r{self.phases[self.phase]:<9} [{bar}] {percent:3d}%  {done:,}/{total:,}")
        self.flush()

    def close(self) -> None:
        if self.last_done >= 0:
            self.write("\n")
            self.flush()


class Command(BaseCommand):
    help = "Import agencies, catalogue levels (offerings) or dossiers of an old system from CSV or .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=("agencies", "offerings", "dossiers"))
        parser.add_argument("file", help="CSV (UTF-8, comma or semicolon) or .xlsx (first sheet)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report; write nothing."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the rejected ones (default: any rejected row stops all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.core.errors import DomainError
        from motcua.monitoring.history import import_file, rejected_report_path

        bar = ProgressBar(lambda text: self.stderr.write(text, ending=""), self.stderr.flush)
        try:
            batch = import_file(
                options["file"],
                options["kind"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=bar,
            )
        except DomainError as error:
            bar.close()
            raise CommandError(f"{error.message_vi} / {error.message_en}") from error
        bar.close()
        valid = batch.rows_total - batch.rows_rejected
        self.stdout.write(
            f"{batch.kind}: {batch.rows_total:,} rows, {batch.rows_imported:,} imported, "
            f"{batch.rows_rejected:,} rejected — status {batch.status} (import #{batch.pk})"
        )
        if batch.status == "dry_run":
            self.stdout.write(f"dry run: {valid:,} rows would be imported; nothing was written")
        for rejection in batch.rejected[:20]:
            self.stderr.write(
                f"row {rejection['row']} [{rejection['column']}]: {rejection['message_vi']} / "
                f"{rejection['message_en']}"
            )
        if batch.rows_rejected:
            if len(batch.rejected) > 20:
                self.stderr.write(f"… {len(batch.rejected) - 20:,} more messages")
            self.stderr.write(f"rejected rows: {rejected_report_path(Path(options['file']))}")
        if batch.rejected and not options["skip_invalid"]:
            raise CommandError(
                "Có dòng bị từ chối: không ghi dữ liệu nào (xem tệp .rejected.csv). / "
                "Rows were rejected: nothing was written (see the .rejected.csv file)."
            )
