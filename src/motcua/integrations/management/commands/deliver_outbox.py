"""Deliver pending outbox messages once, or keep delivering (``--loop``) beside the web server."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.outbox import deliver_pending


class Command(BaseCommand):
    help = "Deliver pending outbox messages (notifications); --loop keeps running."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep delivering every --interval seconds.")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = deliver_pending()
            if report.delivered or report.failed or not options["loop"]:
                self.stdout.write(f"outbox: {report.delivered} delivered, {report.failed} failed")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
