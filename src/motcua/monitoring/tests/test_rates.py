"""Rounding of rates and scores against the reproducible published figures of spec §5.6."""

from decimal import ROUND_DOWN, Decimal

import pytest

from motcua.monitoring.rates import average_score, complement, percent, quotient, round_score


@pytest.mark.parametrize(
    ("numerator", "denominator", "published"),
    [
        (904, 2067, "43.73"),  # SEED-001 Hà Nam level 4
        (964, 2067, "46.64"),  # SEED-001 level 3 (46.6376…)
        (199, 2067, "9.63"),  # SEED-001 level 2
        (10998, 228091, "4.82"),  # SEED-001 online dossiers 2020
        (13680, 106434, "12.85"),  # SEED-001 online dossiers H1 2021
        (115665, 168746, "68.54"),  # EMC 2024 Hà Nam full-online
        (1024, 3087, "33.17"),  # SEED-002 Bắc Kạn online dossiers (published "33")
        (849, 2377, "35.72"),  # SEED-002 Bắc Kạn (published "36")
    ],
)
def test_percent_reproduces_the_published_figures(numerator: int, denominator: int, published: str) -> None:
    assert percent(numerator, denominator) == Decimal(published)


def test_hundred_percent_reproduced_and_levels_add_up() -> None:
    # SEED-001: 904 + 964 + 199 = 2,067 procedures.
    assert 904 + 964 + 199 == 2067
    assert percent(2067, 2067) == Decimal("100.00")


def test_half_up_not_truncation() -> None:
    exact = Decimal(964 * 100) / Decimal(2067)
    assert exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN) == Decimal("46.63")
    assert percent(964, 2067) == Decimal("46.64")


def test_exact_tie_rounds_up() -> None:
    # 1/8 = 12.5 %, 1/32 = 3.125 % (an exact tie at the third decimal), 1/3 = 33.333…
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 32) == Decimal("3.13")
    assert percent(31, 32) == Decimal("96.88")
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2, 3) == Decimal("66.67")


def test_on_time_plus_late_is_hundred() -> None:
    # SEED-003 Bình Dương 2024: 99.74 % + 0.26 % = 100.
    assert Decimal("99.74") + Decimal("0.26") == Decimal("100.00")
    assert complement(Decimal("99.74")) == Decimal("0.26")
    assert percent(9974, 10000) == Decimal("99.74")
    assert percent(26, 10000) == Decimal("0.26")


def test_zero_denominator_is_none_never_zero() -> None:
    assert percent(0, 0) is None
    assert percent(5, 0) is None
    assert quotient(3, 0, 1) is None
    assert average_score(0, 0) is None
    assert complement(None) is None


def test_negative_denominator_is_a_bug() -> None:
    with pytest.raises(ValueError, match="negative denominator"):
        percent(1, -2)


def test_decimal_inputs() -> None:
    assert percent(Decimal("1.5"), 3) == Decimal("50.00")
    assert percent(Decimal("0.125"), Decimal(1)) == Decimal("12.50")
    assert percent(Decimal(1), Decimal(0)) is None


def test_round_score_one_decimal_half_up() -> None:
    # Circular 01/2018 Art 15(2)(a): index scores to one decimal.
    assert round_score(Decimal("1.25")) == Decimal("1.3")
    assert round_score(Decimal("1.24")) == Decimal("1.2")
    assert round_score(Decimal("1.95")) == Decimal("2.0")
    assert round_score(Decimal("0.05")) == Decimal("0.1")


def test_average_score() -> None:
    # 3 dossiers scored 2, 2, 1 → 5/3 = 1.666… → 1.7; 2 dossiers 2 and 1 → 1.5.
    assert average_score(5, 3) == Decimal("1.7")
    assert average_score(3, 2) == Decimal("1.5")
    assert average_score(1, 4) == Decimal("0.3")  # 0.25 → half-up 0.3
