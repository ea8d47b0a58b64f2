"""The nine-index evaluation of Circular 01/2018/TT-VPCP Arts 13–15 (đánh giá việc giải quyết thủ tục hành
chính theo Bộ chỉ số, spec §2.12) — **legacy**: the scoring tool is not confirmed in Circular 03/2025/TT-VPCP
and evaluation now goes through the Ministry of Justice and the Decree 224/2026 Art 19 metrics
(addendum §A2.6, §A6). Kept to reproduce reports of 2018–2025 periods.

Each index is worth 2, 1 or 0 points (Art 13). How each is obtained here:

* indices 1, 2, 3 are scored per dossier when processing ends: the ``ciN_points`` / ``ciN_scored``
  counters of ``measures.FINISHED``;
* indices 4, 6, 7 are scored per dossier from the citizen's rating: ``ciN_points`` / ``ciN_scored`` of
  ``measures.EVALUATED``;
* ``score_index = points / scored`` rounded half-up to 1 decimal (Art 15(2)(a));
* indices 5 (full process at the One-stop Department) and 8 (handling of feedback) are unit-level facts the
  system does not record: no data, so they are **excluded** from the total ("an index without enough data is
  excluded from the total", Art 15(4)(b)) — never counted as 0;
* index 9 (online-service progress) is a unit-level index computed from the counters (see ``index9_points``).

``total`` is the sum of the index scores with data (Art 15(2)(b)); an agency's ranking label follows
Art 15(3)(b) (≥ 15 xuất sắc; 12–< 15 tốt; 9–< 12 khá; 6–< 9 trung bình; < 6 yếu), an official's rating
follows Art 15(3)(a) on indices 1, 2, 3, 4, 7 (maximum 10).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from motcua.monitoring.rates import average_score, percent

#: The nine indices of Art 13 (Vietnamese name, English name).
INDEX_NAMES: dict[int, tuple[str, str]] = {
    1: (
        "Tổng thời gian giải quyết so với thời gian quy định",
        "Total resolution time against the legal time limit",
    ),
    2: (
        "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết",
        "Each participating unit's time against its limit",
    ),
    3: (
        "Số lần phải liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ",
        "Contacts with the receiving point to complete the dossier",
    ),
    4: (
        "Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ",
        "Agencies contacted to complete the dossier",
    ),
    5: (
        "Thực hiện tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa",
        "Full process at the One-stop Department",
    ),
    6: ("Công khai thủ tục hành chính", "Publicity of procedures"),
    7: ("Thái độ của cán bộ, công chức, viên chức", "Officials' attitude"),
    8: ("Tiếp thu, giải trình ý kiến phản ánh, kiến nghị", "Handling of feedback"),
    9: ("Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến", "Online-service progress and quality"),
}

#: Indices scored per dossier from counters (``ciN_points`` / ``ciN_scored``).
COUNTED_INDICES = (1, 2, 3, 4, 6, 7)
#: Unit-level indices the system holds no data for (excluded, Art 15(4)(b)).
NO_DATA_INDICES = (5, 8)
#: The indices an official is rated on (Art 15(3)(a)), maximum 10 points.
OFFICIAL_INDICES = (1, 2, 3, 4, 7)

#: Agency/unit ranking of the total (Art 15(3)(b)): (lower bound inclusive, label vi, label en), best first.
RANKING_BANDS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal(15), "Xuất sắc", "Excellent"),
    (Decimal(12), "Tốt", "Good"),
    (Decimal(9), "Khá", "Fair"),
    (Decimal(6), "Trung bình", "Average"),
    (Decimal(0), "Yếu", "Weak"),
)

#: An official's rating on indices 1, 2, 3, 4, 7 (Art 15(3)(a)). The Vietnamese wording is our rendering
#: of the spec's translation ("100 % tasks completed", "70..< 100 %", "< 70 %").
OFFICIAL_BANDS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal(5), "Hoàn thành 100% nhiệm vụ", "100% of tasks completed"),
    (Decimal("3.5"), "Hoàn thành từ 70% đến dưới 100% nhiệm vụ", "70% to under 100% of tasks completed"),
    (Decimal(0), "Hoàn thành dưới 70% nhiệm vụ", "Under 70% of tasks completed"),
)

#: Index 9 cut-offs (Art 13, table row 9): share of procedures at level 3–4 for 2 points, online dossier
#: rate for 2 points and for 1 point.
INDEX9_LEVEL34_SHARE_FOR_2 = Decimal(20)
INDEX9_ONLINE_RATE_FOR_2 = Decimal(30)
INDEX9_ONLINE_RATE_FOR_1 = Decimal(15)


def index_score(points: int, scored: int) -> Decimal | None:
    """``points / scored`` rounded half-up to 1 decimal (Art 15(2)(a)); ``None`` when nothing was scored."""
    return average_score(points, scored)


def counted_index(counts: Mapping[str, int], number: int) -> Decimal | None:
    """Index 1, 2, 3, 4, 6 or 7 from its ``ci{number}_points`` / ``ci{number}_scored`` counters."""
    if number not in COUNTED_INDICES:
        raise ValueError(f"index {number} is not scored per dossier")
    return index_score(counts[f"ci{number}_points"], counts[f"ci{number}_scored"])


def index9_points(
    *, offered: int, offered_level34: int, received: int, received_online: int, late_online: int
) -> int | None:
    """Index 9, online-service progress and quality (Art 13, table row 9), for one unit and period.

    * 2 points: ≥ 20 % of procedures at level 3–4, online dossiers ≥ 30 %, no late online dossier;
    * 1 point: level 3–4 deployed (> 0), online dossiers ≥ 15 % (15–< 30 %), no late online dossier;
    * 0 points: none deployed, online dossiers < 15 %, or a late online dossier.

    ``offered_level34`` is the number of procedures offered at level 3 or 4 (or online, post-2022, see
    ``index9_from_counts``); the table's "eligible procedures" is read as every procedure offered (DESIGN,
    the eligibility list is not in the system). ``late_online`` counts online dossiers resolved late; online
    dossiers still unresolved past their due date are not split by channel in the counters, so they are not
    seen (limitation). ``None`` when the unit offers no procedure or received no dossier (not enough data,
    excluded, Art 15(4)(b)).
    """
    share = percent(offered_level34, offered)
    online_rate = percent(received_online, received)
    if share is None or online_rate is None:
        return None
    if offered_level34 == 0 or late_online > 0:
        return 0
    if share >= INDEX9_LEVEL34_SHARE_FOR_2 and online_rate >= INDEX9_ONLINE_RATE_FOR_2:
        return 2
    if online_rate >= INDEX9_ONLINE_RATE_FOR_1:
        return 1
    return 0


def index9_from_counts(counts: Mapping[str, int]) -> Decimal | None:
    """Index 9 from the counters: level 3–4 procedures are ``offered_level3 + offered_level4`` (Decree
    43/2011 levels) or, when larger, ``offered_online`` (partial or full online under Decree 42/2022, which
    took the place of levels 3–4; no official crosswalk, spec §1.3 — DESIGN); online dossiers are
    ``received_online / received``; late online dossiers are ``resolved_late_online``."""
    level34 = max(counts["offered_level3"] + counts["offered_level4"], counts["offered_online"])
    points = index9_points(
        offered=counts["offered"],
        offered_level34=level34,
        received=counts["received"],
        received_online=counts["received_online"],
        late_online=counts["resolved_late_online"],
    )
    return None if points is None else Decimal(points).quantize(Decimal("0.1"))


def index_value(counts: Mapping[str, int], number: int) -> Decimal | None:
    """The score of index ``number`` (1–9) for the counts of one scope and period; ``None`` = no data."""
    if number in COUNTED_INDICES:
        return counted_index(counts, number)
    if number in NO_DATA_INDICES:
        return None
    if number == 9:
        return index9_from_counts(counts)
    raise ValueError(f"Circular 01/2018 has indices 1 to 9, not {number}")


def _band(total: Decimal, bands: tuple[tuple[Decimal, str, str], ...]) -> tuple[str, str]:
    for lower, label_vi, label_en in bands:
        if total >= lower:
            return label_vi, label_en
    return bands[-1][1], bands[-1][2]


def ranking(total: Decimal) -> tuple[str, str]:
    """The ranking of an agency/unit total (Art 15(3)(b)) as (Vietnamese, English)."""
    return _band(total, RANKING_BANDS)


def official_rating(total: Decimal) -> tuple[str, str]:
    """The rating of an official's total on indices 1, 2, 3, 4, 7 (Art 15(3)(a)) as (Vietnamese, English)."""
    return _band(total, OFFICIAL_BANDS)


@dataclass(frozen=True)
class Evaluation:
    """The nine index scores of one scope and period, and what Art 15 derives from them."""

    scores: dict[int, Decimal | None]
    #: sum of the index scores with data (Art 15(2)(b)); ``None`` when no index has data
    total: Decimal | None
    #: 2 points for each index with data (the theoretical maximum of 18 minus the excluded indices)
    max_attainable: int
    #: indices excluded for lack of data (Art 15(4)(b))
    excluded: tuple[int, ...]
    ranking_vi: str | None
    ranking_en: str | None
    #: indices 1, 2, 3, 4, 7 (max 10) and the Art 15(3)(a) rating of that sum
    official_total: Decimal | None
    official_rating_vi: str | None
    official_rating_en: str | None


def total_of(scores: Mapping[int, Decimal | None], indices: tuple[int, ...] | None = None) -> Decimal | None:
    """Sum of the (already rounded) scores with data among ``indices`` (all when ``None``)."""
    values = [v for i in (indices or tuple(scores)) if (v := scores.get(i)) is not None]
    return sum(values, Decimal("0.0")) if values else None


def evaluate_counts(counts: Mapping[str, int]) -> Evaluation:
    """The Circular 01/2018 evaluation of the counts of one scope and period."""
    scores = {number: index_value(counts, number) for number in INDEX_NAMES}
    return evaluation_of(scores)


def evaluation_of(scores: Mapping[int, Decimal | None]) -> Evaluation:
    """Total, ranking and official rating of nine index scores (``None`` = no data, excluded)."""
    total = total_of(scores)
    official = total_of(scores, OFFICIAL_INDICES)
    rank = ranking(total) if total is not None else None
    rating = official_rating(official) if official is not None else None
    excluded = tuple(n for n in INDEX_NAMES if scores.get(n) is None)
    return Evaluation(
        scores=dict(scores),
        total=total,
        max_attainable=2 * (len(INDEX_NAMES) - len(excluded)),
        excluded=excluded,
        ranking_vi=rank[0] if rank else None,
        ranking_en=rank[1] if rank else None,
        official_total=official,
        official_rating_vi=rating[0] if rating else None,
        official_rating_en=rating[1] if rating else None,
    )
