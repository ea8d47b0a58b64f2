"""Monitoring rules whose wording is UNVERIFIED (spec §2.9, §5.3, addendum §A4): documented defaults a deployment
overrides in the ``MONITORING_POLICY`` setting (a dict), never in code."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class MonitoringPolicy:
    #: Whether the new date of an apology with extension (Form 04) replaces the original due date when on-time
    #: is measured. Default False: a dossier that needed an apology was late (Decree 61/2018 Art 19(9) asks
    #: for the apology because the deadline cannot be met); spec §2.9 lists the question as UNVERIFIED.
    reappointed_date_counts: bool = False
    #: Answers of the rating that count as satisfied (Decree 224/2026 Art 19 satisfaction).
    satisfied_values: tuple[str, ...] = ("very_satisfied", "satisfied")
    #: What a dossier of a procedure without a published time limit counts as: "on_time" (it cannot be late).
    no_time_limit_outcome: str = "on_time"
    #: A running target is "at risk" when its projection misses or lies within this many points of the threshold.
    target_risk_margin_points: int = 5


def current() -> MonitoringPolicy:
    overrides: dict[str, Any] = dict(getattr(settings, "MONITORING_POLICY", {}) or {})
    known = {f.name for f in fields(MonitoringPolicy)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown MONITORING_POLICY keys: {sorted(unknown)}")
    if "satisfied_values" in overrides:
        overrides["satisfied_values"] = tuple(overrides["satisfied_values"])
    return MonitoringPolicy(**overrides)
