"""Validation of identity data with messages a citizen understands (Vietnamese first, English too)."""

from __future__ import annotations

import re
from datetime import date

from motcua.core.errors import DomainError

_ID = re.compile(r"^\d{12}$")
# Century/sex digit of the personal identification number (Circular 07/2016/TT-BCA Art 7).
_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}


def validate_citizen_id(
    value: str, *, birth_date: date | None = None, field: str = "citizen_id_number"
) -> str:
    """Check a 12-digit personal identification number (số định danh cá nhân).

    Only length, digits and the consistency of the century/year digits with ``birth_date`` are checked:
    no check digit is defined, and province codes may change after 2025 (spec §7.3).
    """
    value = (value or "").strip()
    if not _ID.match(value):
        raise DomainError(
            "invalid_citizen_id",
            "Số định danh cá nhân phải gồm đúng 12 chữ số (in trên thẻ căn cước).",
            "The personal identification number must be exactly 12 digits (printed on the ID card).",
            field=field,
        )
    if birth_date is not None:
        century = _CENTURY[int(value[3])]
        year = century + int(value[4:6])
        if year != birth_date.year:
            raise DomainError(
                "citizen_id_birth_year_mismatch",
                "Số định danh không khớp với năm sinh đã khai; vui lòng kiểm tra lại.",
                "The identification number does not match the year of birth given; please check both.",
                field=field,
            )
    return value
