"""Circular 01/2018/TT-VPCP nine-index evaluation (spec §2.12): the table of Art 13 and the bands of Art 15."""

from decimal import Decimal

import pytest

from motcua.monitoring import circular01
from motcua.monitoring.circular01 import (
    evaluate_counts,
    evaluation_of,
    index9_points,
    index_score,
    official_rating,
    ranking,
)
from motcua.monitoring.queries import NAMES, Counts


def counts(**values: int) -> Counts:
    return Counts({name: values.get(name, 0) for name in NAMES})


def test_index_score_is_the_mean_rounded_to_one_decimal() -> None:
    # Art 15(2)(a): sum of points / dossiers, 1 decimal. 2+2+1 = 5 over 3 = 1.666… → 1.7
    assert index_score(5, 3) == Decimal("1.7")
    # 2+1+1+1 = 5 over 4 = 1.25 → 1.3 (half-up)
    assert index_score(5, 4) == Decimal("1.3")
    # all dossiers shorter than the limit: 2.0; all longer: 0.0
    assert index_score(8, 4) == Decimal("2.0")
    assert index_score(0, 4) == Decimal("0.0")
    # nothing scored: excluded (Art 15(4)(b)), not 0
    assert index_score(0, 0) is None


@pytest.mark.parametrize(
    ("offered", "level34", "received", "online", "late_online", "expected"),
    [
        # 2 points: ≥ 20 % of procedures at level 3–4, online dossiers ≥ 30 %, no late online dossier
        (100, 20, 100, 30, 0, 2),
        (100, 90, 1000, 999, 0, 2),
        # 1 point: level 3–4 deployed, online dossiers 15 – < 30 %, none late
        (100, 20, 100, 29, 0, 1),
        (100, 50, 100, 15, 0, 1),
        # deployed but under 20 % of procedures, online ≥ 30 %: not the 2-point row, the 1-point row
        (100, 19, 100, 40, 0, 1),
        # 0 points: online dossiers < 15 %
        (100, 50, 100, 14, 0, 0),
        # 0 points: nothing deployed at level 3–4
        (100, 0, 100, 0, 0, 0),
        # 0 points: a late online dossier, however good the rest
        (100, 100, 100, 100, 1, 0),
        # no procedure offered or no dossier received: not enough data, excluded
        (0, 0, 100, 30, 0, None),
        (100, 20, 0, 0, 0, None),
    ],
)
def test_index9_table_row(
    offered: int, level34: int, received: int, online: int, late_online: int, expected: int | None
) -> None:
    assert (
        index9_points(
            offered=offered,
            offered_level34=level34,
            received=received,
            received_online=online,
            late_online=late_online,
        )
        == expected
    )


def test_index9_uses_online_offer_after_2022() -> None:
    # no historical level recorded, 40 of 100 procedures offered online, 35 % online dossiers → 2 points
    c = counts(offered=100, offered_online=40, received=100, received_online=35)
    assert circular01.index_value(c, 9) == Decimal("2.0")
    # historical levels 3 + 4 = 10 + 15 = 25 of 100 → 2 points too
    c = counts(offered=100, offered_level3=10, offered_level4=15, received=20, received_online=6)
    assert circular01.index_value(c, 9) == Decimal("2.0")


@pytest.mark.parametrize(
    ("total", "label"),
    [
        ("18", "Xuất sắc"),
        ("15", "Xuất sắc"),
        ("14.9", "Tốt"),
        ("12", "Tốt"),
        ("11.9", "Khá"),
        ("9", "Khá"),
        ("8.9", "Trung bình"),
        ("6", "Trung bình"),
        ("5.9", "Yếu"),
        ("0", "Yếu"),
    ],
)
def test_ranking_bands(total: str, label: str) -> None:
    # Art 15(3)(b): ≥ 15 xuất sắc; 12–< 15 tốt; 9–< 12 khá; 6–< 9 trung bình; < 6 yếu
    assert ranking(Decimal(total))[0] == label


@pytest.mark.parametrize(
    ("total", "label_en"),
    [
        ("10", "100% of tasks completed"),
        ("5", "100% of tasks completed"),
        ("4.9", "70% to under 100% of tasks completed"),
        ("3.5", "70% to under 100% of tasks completed"),
        ("3.4", "Under 70% of tasks completed"),
    ],
)
def test_official_bands(total: str, label_en: str) -> None:
    # Art 15(3)(a), indices 1, 2, 3, 4, 7 (max 10): ≥ 5; 3.5–< 5; < 3.5
    assert official_rating(Decimal(total))[1] == label_en


def test_evaluation_excludes_indices_without_data() -> None:
    # Every per-dossier index at full marks (2.0), index 9 at 2 points; 5 and 8 have no data.
    c = counts(
        **{f"ci{n}_points": 20 for n in (1, 2, 3, 4, 6, 7)},
        **{f"ci{n}_scored": 10 for n in (1, 2, 3, 4, 6, 7)},
        offered=10,
        offered_online=10,
        received=10,
        received_online=10,
    )
    result = evaluate_counts(c)
    assert result.excluded == (5, 8)
    assert result.scores[5] is None
    assert result.scores[8] is None
    # 7 indices × 2 = 14: "tốt" (12 – < 15), the maximum attainable without 5 and 8
    assert result.total == Decimal("14.0")
    assert result.max_attainable == 14
    assert result.ranking_vi == "Tốt"
    # official: indices 1, 2, 3, 4, 7 = 5 × 2.0 = 10
    assert result.official_total == Decimal("10.0")
    assert result.official_rating_en == "100% of tasks completed"


def test_total_is_the_sum_of_rounded_scores() -> None:
    # Art 15(2)(b): 1.7 + 1.3 + 0.3 = 3.3 (each already rounded per Art 15(2)(a))
    scores = {n: None for n in range(1, 10)} | {
        1: index_score(5, 3),
        2: index_score(5, 4),
        7: index_score(1, 4),
    }
    result = evaluation_of(scores)
    assert result.total == Decimal("3.3")
    assert result.ranking_en == "Weak"
    assert result.max_attainable == 6
    assert result.official_total == Decimal("3.3")
    assert result.official_rating_en == "Under 70% of tasks completed"


def test_no_data_at_all() -> None:
    result = evaluate_counts(counts())
    assert result.total is None
    assert result.ranking_vi is None
    assert result.official_total is None
    assert result.max_attainable == 0
    assert result.excluded == tuple(range(1, 10))


def test_only_counted_indices_come_from_counters() -> None:
    with pytest.raises(ValueError, match="not scored per dossier"):
        circular01.counted_index(counts(), 5)
    with pytest.raises(ValueError, match="indices 1 to 9"):
        circular01.index_value(counts(), 10)
