"""Exact rates and the two rounding rules of monitoring.

* Percentages are rounded **half-up to 2 decimals**: ``Decimal(...).quantize(Decimal("0.01"), ROUND_HALF_UP)``
  reproduces every reproducible published figure of spec §5.6 (e.g. 964 / 2,067 → 46.64, where truncation
  gives 46.63); 766 displays use 2 decimals [spec §5.1, F766 — SECONDARY].
* Evaluation scores of Circular 01/2018/TT-VPCP (Thông tư 01/2018/TT-VPCP) are rounded **half-up to
  1 decimal** [PD Circular 01/2018 Art 15(2)(a) — the only rounding rule found in a legal text].
* A rate over a zero denominator is ``None`` ("N/A"), never 0 % [spec §5.1, F766].

Integer inputs are divided exactly (integer arithmetic, no binary floating point and no precision-limited
decimal division), so a value that lies exactly on a half is always recognised as such.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")

Number = int | Decimal


def quotient(numerator: Number, denominator: Number, places: int) -> Decimal | None:
    """``numerator / denominator`` rounded half-up (away from zero on a tie) to ``places`` decimals.

    ``None`` when the denominator is 0. A negative denominator is a programming error (counts are never
    negative) and raises ``ValueError``.
    """
    if denominator == 0:
        return None
    if denominator < 0:
        raise ValueError(f"negative denominator {denominator}")
    exponent = Decimal(1).scaleb(-places)
    if isinstance(numerator, int) and isinstance(denominator, int) and numerator >= 0:
        scale = 10**places
        whole, remainder = divmod(numerator * scale, denominator)
        if 2 * remainder >= denominator:
            whole += 1
        return Decimal(whole).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(numerator) / Decimal(denominator)
        return exact.quantize(exponent, rounding=ROUND_HALF_UP)


def percent(numerator: Number, denominator: Number) -> Decimal | None:
    """``numerator / denominator × 100``, half-up to 2 decimals; ``None`` when the denominator is 0.

    E.g. ``percent(964, 2067) == Decimal("46.64")`` (46.6376… — spec §5.6, SEED-001 Hà Nam level 3).
    """
    if isinstance(numerator, int) and isinstance(denominator, int):
        return quotient(numerator * 100, denominator, 2)
    if denominator == 0:
        return None
    return quotient(Decimal(numerator) * HUNDRED, denominator, 2)


def complement(rate: Decimal | None) -> Decimal | None:
    """``100 − rate`` (2 decimals), ``None`` stays ``None``: e.g. a late rate from an on-time rate
    (spec §5.3 ``late_rate = 100 − on_time_rate``; SEED-003 99.74 % + 0.26 % = 100)."""
    if rate is None:
        return None
    return (HUNDRED - rate).quantize(_CENT)


def round_rate(value: Decimal) -> Decimal:
    """A percentage already computed, rounded half-up to 2 decimals (spec §5.1)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def round_score(value: Decimal) -> Decimal:
    """An evaluation score rounded half-up to 1 decimal [PD Circular 01/2018/TT-VPCP Art 15(2)(a)]."""
    return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def average_score(points: int, scored: int) -> Decimal | None:
    """Mean points per scored dossier, 1 decimal half-up (Circular 01/2018 Art 15(2)(a)); ``None`` when no
    dossier was scored (the index lacks data and is excluded from the total, Art 15(4)(b))."""
    return quotient(points, scored, 1)
