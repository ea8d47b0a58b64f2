"""Configurable rules whose 2025 wording is UNVERIFIED (spec §2.9, addendum §A2.2, §A7).

Each has a documented default taken from the last verified text; a deployment overrides them in the
``DOSSIER_POLICY`` setting (a dict), never in code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class DossierPolicy:
    #: "restart": the time limit restarts when the complete supplement arrives (Decree 61/2018 Art 19(4));
    #: "pause": the waiting time is added to the due date instead.
    supplement_clock: str = "restart"
    #: How many apologies with extension (Form 04) a dossier may have (Decree 61/2018 Art 19(9): once).
    max_extensions: int = 1
    #: The apology must be sent at least this many working days before the due date (Art 19(9): 1 day).
    extension_min_working_days_before_due: int = 1
    #: "reject": refusal after appraisal only within the time limit (Art 19(8)); "allow": allow, late.
    refusal_after_deadline: str = "reject"
    #: Unit assumed when the catalogue publishes a bare number (e.g. "1" for civil-status procedures).
    unspecified_time_unit: str = "working_days"
    #: Whether a pause (and waiting for payment) stops the clock (UNVERIFIED; spec §2.9 open item).
    pause_stops_clock: bool = True
    payment_wait_stops_clock: bool = False


def current() -> DossierPolicy:
    overrides: dict[str, Any] = getattr(settings, "DOSSIER_POLICY", {}) or {}
    known = {f.name for f in fields(DossierPolicy)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown DOSSIER_POLICY keys: {sorted(unknown)}")
    return DossierPolicy(**overrides)
