"""Dossier codes (mã số hồ sơ): a pluggable scheme; the default is ``<agency code>-YYMMDD-XXXX``.

Circular 01/2018/TT-VPCP Art 19 gave that format; Circular 03/2025/TT-VPCP and the Ministry of Justice
now govern it and the 2025 format is UNVERIFIED (addendum §A2.4), so the scheme is a setting
(``DOSSIER_CODE_SCHEME``). The daily sequence never repeats under concurrency: it is claimed by an
atomic ``UPDATE … SET last_value = last_value + 1`` on a row per (agency, day), which serialises
writers on PostgreSQL (row lock) and SQLite (one writer). Past 9,999 dossiers a day the sequence
widens to more digits, which the relaxed input pattern accepts.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from motcua.agencies.models import Agency
from motcua.dossiers.models import DossierCodeSequence

STRICT_PATTERN = re.compile(
    r"^(?P<unit>[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2})-(?P<date>\d{6})-(?P<seq>\d{4})$"
)
RELAXED_PATTERN = re.compile(r"^(?P<unit>[0-9A-Z.]+)-(?P<date>\d{6})-(?P<seq>\d{4,7})$")


class DossierCodeScheme(Protocol):
    def issue(self, agency: Agency, received_on: date) -> str: ...


def next_sequence(agency_code: str, day: date) -> int:
    """Claim the next number of the day for ``agency_code``; safe under concurrent callers."""
    for _attempt in range(5):
        with transaction.atomic():
            updated = DossierCodeSequence.objects.filter(agency_code=agency_code, day=day).update(
                last_value=F("last_value") + 1
            )
            if updated:
                return DossierCodeSequence.objects.get(agency_code=agency_code, day=day).last_value
            try:
                with transaction.atomic():
                    DossierCodeSequence.objects.create(agency_code=agency_code, day=day, last_value=1)
                return 1
            except IntegrityError:
                continue  # another transaction created the row first: claim through the UPDATE
    raise RuntimeError("could not claim a dossier code sequence")  # pragma: no cover


class DailySequenceScheme:
    """``<receiving agency electronic code>-YYMMDD-XXXX`` (Circular 01/2018/TT-VPCP Art 19)."""

    def issue(self, agency: Agency, received_on: date) -> str:
        seq = next_sequence(agency.code, received_on)
        return f"{agency.code}-{received_on:%y%m%d}-{seq:04d}"


def scheme() -> DossierCodeScheme:
    path = getattr(settings, "DOSSIER_CODE_SCHEME", "motcua.dossiers.codes.DailySequenceScheme")
    scheme_class = import_string(path)
    instance: DossierCodeScheme = scheme_class()
    return instance


def is_valid_code(code: str, *, strict: bool = False) -> bool:
    return bool((STRICT_PATTERN if strict else RELAXED_PATTERN).match(code or ""))
