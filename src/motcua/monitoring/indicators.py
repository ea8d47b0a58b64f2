"""Published indicator formulas (chỉ số, chỉ tiêu theo dõi) over the counters of one scope and period.

One small function per published formula: it reads named counts (``queries.Counts``, any
``Mapping[str, int]`` in tests) and returns an ``IndicatorValue``. The docstring of each says where the
formula comes from (spec section and marker, addendum section, legal text) and which denominator variant it
is — several authorities publish "the same" rate over different denominators (spec §10 item 8), so each
variant is its own code.

Conventions (spec §5.1): percentages half-up to 2 decimals, a zero denominator gives ``value=None`` (N/A,
never 0 %), processing time in working days to 2 decimals. Markers: VERIFIED = legal text or verified
summary; SECONDARY = third-party transcription (F766, I766-A); DESIGN = our reading; UNVERIFIED = not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from motcua.core.errors import DomainError
from motcua.monitoring import circular01
from motcua.monitoring.rates import complement, percent, quotient

if TYPE_CHECKING:
    from motcua.agencies.models import Agency
    from motcua.monitoring.periods import Period

PERCENT = "percent"
POINTS = "points"
WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class IndicatorValue:
    """The value of one indicator for one scope and period; ``value`` ``None`` = N/A (zero denominator or
    no data). ``numerator``/``denominator`` are the counts the value was computed from (``None`` when the
    value is not a plain ratio of two counts)."""

    code: str
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    unit: str


@dataclass(frozen=True)
class Indicator:
    """An indicator's identity, provenance and formula. ``numerator_measure``/``denominator_measure`` name a
    dossier counter (``measures.FLOWS``) whose dossiers make up that side, for drill-down links; ``None``
    when that side is composite or not a dossier counter (e.g. the procedure catalogue)."""

    code: str
    name_vi: str
    name_en: str
    source: str
    unit: str
    higher_is_better: bool
    numerator_measure: str | None
    denominator_measure: str | None
    compute: Callable[[Mapping[str, int]], IndicatorValue]


def _ratio(code: str, numerator: int, denominator: int) -> IndicatorValue:
    return IndicatorValue(code, numerator, denominator, percent(numerator, denominator), PERCENT)


# --- Online services offered (procedure catalogue of the scope, point in time) ---------------------------


def online_service_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures offered online (partial or full) / procedures offered in the scope × 100.

    Decision 766/QĐ-TTg criterion 3.1 [spec §4.3, F766 — SECONDARY]: a procedure offered by several agencies
    of the scope counts once, at its best mode. Denominator: every procedure offered in the scope (the
    766 "procedures under the unit's authority").
    """
    return _ratio("online_service_rate", c["offered_online"], c["offered"])


def full_online_service_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures offered full-online (toàn trình) / procedures offered × 100.

    Decree 42/2022 Art 11(1)(a) defines full-online [spec §1.2, TG]; Decree 224/2026 Art 19 lists the
    full-online service rate among the monitored metrics [addendum §A2.6, ND224 — SECONDARY]. Denominator:
    all procedures offered (not only those eligible for full-online; 766 3.1 shows that variant —
    ``offered_full_online_eligible`` is available to a future variant).
    """
    return _ratio("full_online_service_rate", c["offered_full_online"], c["offered"])


def partial_online_service_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures offered partially online (một phần) / procedures offered × 100.

    Decree 42/2022 Art 11(1)(b) [spec §1.2, TG]; Bình Dương 2024 "1,507 online = 828 full + 679 partial"
    [spec §5.6, SEED-003]. Denominator: all procedures offered.
    """
    return _ratio("partial_online_service_rate", c["offered_partial_online"], c["offered"])


def level2_procedure_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures offered at (historical) level 2 / procedures offered × 100.

    Decree 43/2011 Art 3(4) levels [spec §1.1, PD]; Hà Nam 199 / 2,067 = 9.63 % [spec §5.6, SEED-001].
    A procedure counts once, at its highest level.
    """
    return _ratio("level2_procedure_rate", c["offered_level2"], c["offered"])


def level3_procedure_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures offered at level 3 / procedures offered × 100.

    Decree 43/2011 [spec §1.1, PD]; Hà Nam 964 / 2,067 = 46.64 % [spec §5.6, SEED-001]; Bắc Kạn 1189
    indicator A [spec §5.4, SEED-002].
    """
    return _ratio("level3_procedure_rate", c["offered_level3"], c["offered"])


def level4_procedure_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures offered at level 4 / procedures offered × 100.

    Decree 43/2011 [spec §1.1, PD]; Hà Nam 904 / 2,067 = 43.73 % [spec §5.6, SEED-001]; Bắc Kạn 1189
    indicator B [spec §5.4, SEED-002]; the 30 % level-4 target of 2020 [spec §5.7, SEED-004].
    """
    return _ratio("level4_procedure_rate", c["offered_level4"], c["offered"])


# --- Online services used -------------------------------------------------------------------------------


def services_with_online_dossiers_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Online services that received ≥ 1 online dossier in the period / online services offered × 100.

    MIC "Tỷ lệ DVCTT phát sinh hồ sơ trực tuyến" [spec §5.2, SEED-000]; Decision 766 criterion 3.2
    [spec §4.3, F766 — SECONDARY]. Denominator: procedures offered online (partial or full).
    """
    return _ratio(
        "services_with_online_dossiers_rate", c["offered_online_with_online_dossier"], c["offered_online"]
    )


def level3_services_with_online_dossiers_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Level-3 services with ≥ 1 online dossier / level-3 services offered × 100.

    Bắc Kạn Decision 1189/QĐ-UBND indicator C [spec §5.4, SEED-002]; 2018 report: 31 / 918 = 3.38 %
    [spec §5.6]. Denominator: procedures offered at level 3.
    """
    return _ratio(
        "level3_services_with_online_dossiers_rate",
        c["offered_level3_with_online_dossier"],
        c["offered_level3"],
    )


def level4_services_with_online_dossiers_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Level-4 services with ≥ 1 online dossier / level-4 services offered × 100.

    Bắc Kạn Decision 1189/QĐ-UBND indicator D [spec §5.4, SEED-002]; 2018 report: 28 / 293 = 9.56 %
    [spec §5.6]. Denominator: procedures offered at level 4.
    """
    return _ratio(
        "level4_services_with_online_dossiers_rate",
        c["offered_level4_with_online_dossier"],
        c["offered_level4"],
    )


def online_dossier_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers received online / all dossiers received × 100.

    MIC "Tỷ lệ hồ sơ xử lý trực tuyến" [spec §5.2, SEED-000]: denominator ALL_PROCEDURES (every dossier of
    every procedure). Hà Nam 2020: 10,998 / 228,091 = 4.82 % [spec §5.6, SEED-001]. The 766 criterion 3.3
    variant multiplies by the DVCQG sync rate and requires an e-result [F766]; we are the source system, so
    that factor is not applied here (DESIGN).
    """
    return _ratio("online_dossier_rate", c["received_online"], c["received"])


def online_dossier_rate_of_online_services(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers received online / dossiers received for procedures offered online × 100.

    Bắc Kạn 1189 indicator E [spec §5.4, SEED-002]: denominator SAME_LEVEL_PROCEDURES (the dossiers "of the
    corresponding procedures", not all dossiers).
    """
    return _ratio(
        "online_dossier_rate_of_online_services", c["received_online"], c["received_of_online_services"]
    )


def level3_online_dossier_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Online dossiers of level-3 procedures / dossiers of level-3 procedures × 100.

    Bắc Kạn 2018 report "1024/3087 tổng số TTHC tương ứng" = 33.17 % [spec §5.4, §5.6, SEED-002];
    denominator SAME_LEVEL_PROCEDURES.
    """
    return _ratio("level3_online_dossier_rate", c["received_online_of_level3"], c["received_of_level3"])


def level4_online_dossier_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Online dossiers of level-4 procedures / dossiers of level-4 procedures × 100.

    Bắc Kạn 2018 report 849 / 2,377 = 35.72 % [spec §5.4, §5.6, SEED-002]; denominator
    SAME_LEVEL_PROCEDURES.
    """
    return _ratio("level4_online_dossier_rate", c["received_online_of_level4"], c["received_of_level4"])


def full_online_dossier_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Full-online dossiers / all dossiers received × 100.

    EMC 2024 "full-online dossier rate": Hà Nam 115,665 / 168,746 = 68.54 % [spec §5.2, §5.6, EMC];
    Decree 224/2026 Art 19 [addendum §A2.6, SECONDARY]. Denominator ALL_PROCEDURES. A full-online dossier is
    one received online for a procedure the receiving agency offers full-online.
    """
    return _ratio("full_online_dossier_rate", c["received_full_online"], c["received"])


def full_online_dossier_rate_of_eligible(c: Mapping[str, int]) -> IndicatorValue:
    """Full-online dossiers of eligible procedures / dossiers of procedures eligible for full-online × 100.

    The DVCQG-2026 scoring profile of Decision 766 (12 points) [addendum §A4.2, I766-A — SECONDARY];
    denominator: dossiers of procedures flagged "đủ điều kiện toàn trình" in the national TTHC database.
    """
    return _ratio(
        "full_online_dossier_rate_of_eligible",
        c["received_full_online_of_eligible"],
        c["received_of_full_online_eligible"],
    )


def in_person_dossier_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers received in person / all dossiers received × 100.

    Decision 766 criterion 3.3 "dossiers by submission channel", in-person share [spec §4.3, F766 —
    SECONDARY]; denominator ALL_PROCEDURES.
    """
    return _ratio("in_person_dossier_rate", c["received_in_person"], c["received"])


def postal_dossier_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers received by post (BCCI) / all dossiers received × 100.

    Decision 766 criterion 3.3, postal share [spec §4.3, F766 — SECONDARY]; the same ratio as
    ``bcci_receiving_rate`` (Bắc Kạn indicator G), kept under the 766 name.
    """
    return _ratio("postal_dossier_rate", c["received_postal"], c["received"])


# --- Progress ------------------------------------------------------------------------------------------


def on_time_rate(c: Mapping[str, int]) -> IndicatorValue:
    """(Resolved early + resolved on time) / resolved × 100 — the legal view.

    Spec §5.3, label "đúng hạn và trước hạn" [SEED-003]; "resolved" = a result issued or a refusal, late
    against the legal due date (Decree 61/2018 Art 19, now Decree 118/2025). Denominator: dossiers resolved
    in the period (UNVERIFIED for provincial reports, spec §5.3).
    """
    on_time = c["resolved_early"] + c["resolved_on_time"]
    return _ratio("on_time_rate", on_time, c["resolved"])


def early_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Resolved early / resolved × 100 (the "trước hạn" part of ``on_time_rate``; spec §5.3, SEED-003)."""
    return _ratio("early_rate", c["resolved_early"], c["resolved"])


def late_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Resolved late / resolved × 100.

    Spec §5.3 ``late_rate = 100 − on_time_rate`` (Bình Dương 2024: 99.74 % + 0.26 % = 100, SEED-003).
    When every resolved dossier is early, on time or late (the usual case) the value is computed as
    ``100 − on_time_rate`` so that the two published figures always add up to 100 even on a rounding tie
    (e.g. 1 late of 32: 3.125 → 3.12, not 3.13, beside 96.88); otherwise plainly ``resolved_late /
    resolved``. Denominator: dossiers resolved in the period.
    """
    resolved, late = c["resolved"], c["resolved_late"]
    if c["resolved_early"] + c["resolved_on_time"] + late == resolved:
        value = complement(on_time_rate(c).value)
    else:
        value = percent(late, resolved)
    return IndicatorValue("late_rate", late, resolved, value, PERCENT)


def on_time_rate_766(c: Mapping[str, int]) -> IndicatorValue:
    """(Finished on time + in progress and not late at the end) / (finished + in progress at the end) × 100.

    Decision 766 criterion 2.1 [spec §4.3, §2.9 item 6, F766 — SECONDARY]: dossiers "processed or in
    progress on time" over dossiers "received and processed" in the period; supplement time is subtracted
    and more than one supplement request makes a dossier late (the 766 view, ``*_766`` counters), an
    unfinished dossier is judged at the end of the period.
    """
    in_progress = c["open_at_end"]
    on_time = c["finished_on_time_766"] + (in_progress - c["open_late_766_at_end"])
    return _ratio("on_time_rate_766", on_time, c["finished"] + in_progress)


def on_time_rate_backlog(c: Mapping[str, int]) -> IndicatorValue:
    """100 − (late in progress at the end + resolved late) / (received + backlog at the start) × 100.

    Gia Lai one-stop statistics [addendum §A4.4, GL]: denominator RECEIVED_PLUS_BACKLOG ("needing" =
    received in the period + open at its start); the value is 100 minus the rounded late rate, as the page
    computes it; N/A when nothing needed processing. ``numerator`` is needing − late.
    """
    needing = c["received"] + c["open_at_start"]
    late = c["open_late_at_end"] + c["resolved_late"]
    return IndicatorValue(
        "on_time_rate_backlog", needing - late, needing, complement(percent(late, needing)), PERCENT
    )


def average_processing_days(c: Mapping[str, int]) -> IndicatorValue:
    """Average processing time of resolved dossiers, in working days (2 decimals, half-up).

    Decision 766 criterion 2.2 [spec §4.3, F766 — SECONDARY; shown per procedure there]; Decree 224/2026
    Art 19 "processing time" [addendum §A2.6]. Numerator: hundredths of a working day summed over the
    dossiers measured; denominator: dossiers measured. Lower is better.
    """
    centidays, measured = c["processing_centidays"], c["processing_measured"]
    return IndicatorValue(
        "average_processing_days", centidays, measured, quotient(centidays, measured * 100, 2), WORKING_DAYS
    )


# --- Online payment --------------------------------------------------------------------------------------


def online_payment_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers paid online / dossiers of procedures with a fee × 100.

    Decision 766 criterion 3.6 [spec §4.3, F766 — SECONDARY]: the denominator excludes dossiers whose fees
    are all 0 (``received_with_fee``); Bình Dương 2024 72.95 % against a 50 % target [spec §5.6, SEED-003].
    """
    return _ratio("online_payment_rate", c["received_paid_online"], c["received_with_fee"])


def procedures_with_online_payment_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures with a fee that had ≥ 1 online payment in the period / procedures offered with a fee × 100.

    Decision 766 criterion 3.4 "procedures with online payment transactions" [addendum §A4.1, 766-E
    (name); A4.2, I766-A 2 points — SECONDARY].
    """
    return _ratio(
        "procedures_with_online_payment_rate", c["offered_with_fee_with_paid_online"], c["offered_with_fee"]
    )


# --- Digitization and reuse --------------------------------------------------------------------------------


def input_digitization_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers received with ≥ 1 component file / dossiers received × 100.

    Decision 766 criterion 4.2, input side [spec §4.3, §5.3, F766 — SECONDARY]. Simplification (DESIGN):
    766 4.2 also requires an e-result where a paper result is required and divides by "dossiers under
    authority"; here only the input condition (a) is counted, over dossiers received in the period.
    """
    return _ratio("input_digitization_rate", c["received_with_files"], c["received"])


def output_digitization_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Resolved dossiers with an electronic result file / dossiers resolved × 100.

    Decision 766 criterion 4.1 [spec §4.3, F766 — SECONDARY] (766 divides by dossiers of procedures
    requiring a paper result; here: every resolved dossier — DESIGN); Bình Dương 2024 88.51 % [SEED-003].
    """
    return _ratio("output_digitization_rate", c["resolved_with_e_result"], c["resolved"])


def reuse_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers received with ≥ 1 reused component / dossiers received × 100.

    Decision 766 criterion 4.3 [spec §4.3, §3.5, F766 — SECONDARY]; Bình Dương 2024 36.67 % [SEED-003].
    """
    return _ratio("reuse_rate", c["received_reused"], c["received"])


def population_data_dossier_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers whose applicant was identified through the population database/VNeID / dossiers received
    × 100.

    Decision 766 criterion 4.5b [spec §4.3, §3.5, F766 — SECONDARY]; Bình Dương 2024 45.12 % [SEED-003].
    """
    return _ratio("population_data_dossier_rate", c["received_population_data"], c["received"])


def population_data_procedure_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures with ≥ 1 dossier using population data in the period / procedures whose applicants are
    citizens × 100.

    Decision 766 criterion 4.5a [spec §4.3, F766 — SECONDARY].
    """
    return _ratio(
        "population_data_procedure_rate", c["procedures_with_population_data"], c["offered_for_citizens"]
    )


# --- Postal service (BCCI) ---------------------------------------------------------------------------------


def bcci_receiving_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Dossiers received via BCCI (channel 3) / all dossiers received × 100.

    Spec §5.3 [IMPL, F766 3.3 — SECONDARY]; Bắc Kạn 1189 indicator G [spec §5.4, SEED-002].
    """
    return _ratio("bcci_receiving_rate", c["received_postal"], c["received"])


def bcci_returning_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Results returned via BCCI / results returned × 100.

    Spec §5.3 — DESIGN; the denominator is UNVERIFIED (Bắc Kạn indicator H is undefined, spec §5.4). Hà Nam
    H1 2021 published 3,726 BCCI returns next to 106,434 received (3.50 % derived, spec §5.6), i.e. over
    received dossiers; ours is over returned results.
    """
    return _ratio("bcci_returning_rate", c["returned_postal"], c["returned"])


def bcci_procedure_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Procedures with ≥ 1 dossier received or returned via BCCI / procedures with dossiers × 100.

    Bắc Kạn Decision 1189/QĐ-UBND indicator F [spec §5.4, SEED-002].
    """
    return _ratio("bcci_procedure_rate", c["procedures_with_postal"], c["procedures_with_dossiers"])


# --- Satisfaction --------------------------------------------------------------------------------------------


def satisfaction_rate(c: Mapping[str, int]) -> IndicatorValue:
    """Ratings counted as satisfied / ratings given in the period × 100.

    Decree 224/2026 Art 19(1)–(2) lists satisfaction among the monitored metrics [addendum §A2.6, ND224 —
    SECONDARY]; ratings per Decree 61/2018 Art 31 [spec §2.12, PD]. Which answers count as satisfied is a
    policy (``policies.MonitoringPolicy.satisfied_values``). Denominator: ratings, not dossiers.
    """
    return _ratio("satisfaction_rate", c["evaluations_satisfied"], c["evaluations"])


def satisfaction_in_resolution_766(c: Mapping[str, int]) -> IndicatorValue:
    """100 − (late dossier rate + rate of dossiers rated unsatisfied), floored at 0.

    Decision 766 criterion 5.4 / 5.c "satisfaction in receiving/resolving procedures" (up to 6 points
    [spec §4.2, 766-A]); formula from F766 [spec §4.3 — SECONDARY, the verified text is truncated]. Our
    reading (UNVERIFIED): the late rate is ``100 − on_time_rate_766``; the unsatisfied rate is
    ``evaluations_not_satisfied`` over the same base (finished + in progress at the end). N/A when that base
    is 0. ``numerator`` is ``None`` (composite).
    """
    base = c["finished"] + c["open_at_end"]
    late = complement(on_time_rate_766(c).value)
    unsatisfied = percent(c["evaluations_not_satisfied"], base)
    value = None
    if late is not None and unsatisfied is not None:
        value = max(Decimal("0.00"), Decimal(100) - late - unsatisfied)
    return IndicatorValue("satisfaction_in_resolution_766", None, base, value, PERCENT)


# --- Circular 01/2018 nine indices (legacy) ------------------------------------------------------------------


def _ci_index(number: int) -> Callable[[Mapping[str, int]], IndicatorValue]:
    def compute(c: Mapping[str, int]) -> IndicatorValue:
        value = circular01.index_value(c, number)
        if number in circular01.COUNTED_INDICES:
            return IndicatorValue(
                f"ci_index_{number}", c[f"ci{number}_points"], c[f"ci{number}_scored"], value, POINTS
            )
        return IndicatorValue(f"ci_index_{number}", None, None, value, POINTS)

    compute.__name__ = f"ci_index_{number}"
    compute.__doc__ = (
        f"Circular 01/2018/TT-VPCP index {number} ({circular01.INDEX_NAMES[number][1]}), 0–2 points, "
        "1 decimal [spec §2.12, PD; legacy per addendum §A2.6]; see ``circular01``."
    )
    return compute


def ci_total(c: Mapping[str, int]) -> IndicatorValue:
    """Sum of the Circular 01/2018 index scores with data (Art 15(2)(b)); indices without data are excluded
    (Art 15(4)(b)) [spec §2.12, PD; legacy per addendum §A2.6]."""
    return IndicatorValue("ci_total", None, None, circular01.evaluate_counts(c).total, POINTS)


# --- Registry --------------------------------------------------------------------------------------------


def _pct(
    code: str,
    name_vi: str,
    name_en: str,
    source: str,
    compute: Callable[[Mapping[str, int]], IndicatorValue],
    numerator: str | None = None,
    denominator: str | None = None,
) -> Indicator:
    return Indicator(code, name_vi, name_en, source, PERCENT, True, numerator, denominator, compute)


_INDICATORS: list[Indicator] = [
    _pct(
        "online_service_rate",
        "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến",
        "Procedures offered online",
        "QĐ 766/QĐ-TTg 3.1 (spec §4.3, SECONDARY)",
        online_service_rate,
    ),
    _pct(
        "full_online_service_rate",
        "Tỷ lệ TTHC cung cấp DVCTT toàn trình",
        "Procedures offered full-online",
        "NĐ 42/2022 Điều 11(1)(a); NĐ 224/2026 Điều 19 (SECONDARY)",
        full_online_service_rate,
    ),
    _pct(
        "partial_online_service_rate",
        "Tỷ lệ TTHC cung cấp DVCTT một phần",
        "Procedures offered partially online",
        "NĐ 42/2022 Điều 11(1)(b); SEED-003",
        partial_online_service_rate,
    ),
    _pct(
        "level2_procedure_rate",
        "Tỷ lệ TTHC mức độ 2",
        "Procedures at level 2",
        "NĐ 43/2011 Điều 3(4); SEED-001",
        level2_procedure_rate,
    ),
    _pct(
        "level3_procedure_rate",
        "Tỷ lệ TTHC mức độ 3",
        "Procedures at level 3",
        "NĐ 43/2011 Điều 3(4); SEED-001; QĐ 1189/QĐ-UBND Bắc Kạn chỉ tiêu A",
        level3_procedure_rate,
    ),
    _pct(
        "level4_procedure_rate",
        "Tỷ lệ TTHC mức độ 4",
        "Procedures at level 4",
        "NĐ 43/2011 Điều 3(4); SEED-001; QĐ 1189/QĐ-UBND Bắc Kạn chỉ tiêu B",
        level4_procedure_rate,
    ),
    _pct(
        "services_with_online_dossiers_rate",
        "Tỷ lệ DVCTT phát sinh hồ sơ trực tuyến",
        "Online services with online dossiers",
        "Bộ TT&TT (SEED-000); QĐ 766 3.2 (SECONDARY)",
        services_with_online_dossiers_rate,
    ),
    _pct(
        "level3_services_with_online_dossiers_rate",
        "Tỷ lệ DVCTT mức độ 3 phát sinh hồ sơ",
        "Level-3 services with online dossiers",
        "QĐ 1189/QĐ-UBND Bắc Kạn chỉ tiêu C (SEED-002)",
        level3_services_with_online_dossiers_rate,
    ),
    _pct(
        "level4_services_with_online_dossiers_rate",
        "Tỷ lệ DVCTT mức độ 4 phát sinh hồ sơ",
        "Level-4 services with online dossiers",
        "QĐ 1189/QĐ-UBND Bắc Kạn chỉ tiêu D (SEED-002)",
        level4_services_with_online_dossiers_rate,
    ),
    _pct(
        "online_dossier_rate",
        "Tỷ lệ hồ sơ trực tuyến (trên tổng số hồ sơ)",
        "Online dossiers (of all dossiers)",
        "Bộ TT&TT (SEED-000), mẫu số: tất cả hồ sơ",
        online_dossier_rate,
        "received_online",
        "received",
    ),
    _pct(
        "online_dossier_rate_of_online_services",
        "Tỷ lệ hồ sơ trực tuyến (trên hồ sơ của TTHC có DVCTT)",
        "Online dossiers (of dossiers of online services)",
        "QĐ 1189/QĐ-UBND Bắc Kạn chỉ tiêu E (SEED-002), mẫu số: hồ sơ của TTHC tương ứng",
        online_dossier_rate_of_online_services,
        "received_online",
        "received_of_online_services",
    ),
    _pct(
        "level3_online_dossier_rate",
        "Tỷ lệ hồ sơ trực tuyến của TTHC mức độ 3",
        "Online dossiers of level-3 procedures",
        "SEED-002 (1.024/3.087)",
        level3_online_dossier_rate,
        "received_online_of_level3",
        "received_of_level3",
    ),
    _pct(
        "level4_online_dossier_rate",
        "Tỷ lệ hồ sơ trực tuyến của TTHC mức độ 4",
        "Online dossiers of level-4 procedures",
        "SEED-002 (849/2.377)",
        level4_online_dossier_rate,
        "received_online_of_level4",
        "received_of_level4",
    ),
    _pct(
        "full_online_dossier_rate",
        "Tỷ lệ hồ sơ trực tuyến toàn trình",
        "Full-online dossiers",
        "EMC 2024; NĐ 224/2026 Điều 19 (SECONDARY)",
        full_online_dossier_rate,
        "received_full_online",
        "received",
    ),
    _pct(
        "full_online_dossier_rate_of_eligible",
        "Tỷ lệ hồ sơ toàn trình trên hồ sơ của TTHC đủ điều kiện toàn trình",
        "Full-online dossiers of procedures eligible for full-online",
        "Cổng DVCQG 2026 (I766-A, SECONDARY), phụ lục §A4.2",
        full_online_dossier_rate_of_eligible,
        "received_full_online_of_eligible",
        "received_of_full_online_eligible",
    ),
    _pct(
        "in_person_dossier_rate",
        "Tỷ lệ hồ sơ nộp trực tiếp",
        "Dossiers filed in person",
        "QĐ 766 3.3 (SECONDARY)",
        in_person_dossier_rate,
        "received_in_person",
        "received",
    ),
    _pct(
        "postal_dossier_rate",
        "Tỷ lệ hồ sơ nộp qua bưu chính công ích",
        "Dossiers filed by post (BCCI)",
        "QĐ 766 3.3 (SECONDARY)",
        postal_dossier_rate,
        "received_postal",
        "received",
    ),
    _pct(
        "on_time_rate",
        "Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn",
        "Dossiers resolved early or on time",
        "spec §5.3 (SEED-003), mẫu số: hồ sơ đã giải quyết",
        on_time_rate,
        None,
        "resolved",
    ),
    _pct(
        "early_rate",
        "Tỷ lệ hồ sơ giải quyết trước hạn",
        "Dossiers resolved early",
        "spec §5.3 (SEED-003)",
        early_rate,
        "resolved_early",
        "resolved",
    ),
    Indicator(
        "late_rate",
        "Tỷ lệ hồ sơ giải quyết quá hạn",
        "Dossiers resolved late",
        "spec §5.3 (SEED-003): 100 − tỷ lệ đúng hạn",
        PERCENT,
        False,
        "resolved_late",
        "resolved",
        late_rate,
    ),
    _pct(
        "on_time_rate_766",
        "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn (QĐ 766)",
        "Dossiers processed early or on time (Decision 766)",
        "QĐ 766 2.1 (F766, SECONDARY): gồm hồ sơ đang giải quyết",
        on_time_rate_766,
        None,
        None,
    ),
    _pct(
        "on_time_rate_backlog",
        "Tỷ lệ đúng hạn trên hồ sơ phải giải quyết (tiếp nhận + tồn)",
        "On-time rate over dossiers to handle (received + backlog)",
        "Gia Lai (phụ lục §A4.4)",
        on_time_rate_backlog,
    ),
    Indicator(
        "average_processing_days",
        "Thời gian giải quyết trung bình (ngày làm việc)",
        "Average processing time (working days)",
        "QĐ 766 2.2 (SECONDARY); NĐ 224/2026 Điều 19",
        WORKING_DAYS,
        False,
        None,
        "processing_measured",
        average_processing_days,
    ),
    _pct(
        "online_payment_rate",
        "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "Dossiers paid online",
        "QĐ 766 3.6 (F766, SECONDARY), mẫu số: hồ sơ của TTHC có phí",
        online_payment_rate,
        "received_paid_online",
        "received_with_fee",
    ),
    _pct(
        "procedures_with_online_payment_rate",
        "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến",
        "Procedures with online payment transactions",
        "QĐ 766 3.4 (766-E; I766-A, SECONDARY)",
        procedures_with_online_payment_rate,
    ),
    _pct(
        "input_digitization_rate",
        "Tỷ lệ số hóa hồ sơ đầu vào",
        "Input digitization",
        "QĐ 766 4.2, phía đầu vào (F766, SECONDARY; đơn giản hóa)",
        input_digitization_rate,
        "received_with_files",
        "received",
    ),
    _pct(
        "output_digitization_rate",
        "Tỷ lệ số hóa kết quả giải quyết",
        "Output digitization (electronic results)",
        "QĐ 766 4.1 (F766, SECONDARY)",
        output_digitization_rate,
        "resolved_with_e_result",
        "resolved",
    ),
    _pct(
        "reuse_rate",
        "Tỷ lệ hồ sơ khai thác, sử dụng lại dữ liệu số hóa",
        "Dossiers reusing digitized data",
        "QĐ 766 4.3 (F766, SECONDARY)",
        reuse_rate,
        "received_reused",
        "received",
    ),
    _pct(
        "population_data_dossier_rate",
        "Tỷ lệ hồ sơ sử dụng dữ liệu dân cư",
        "Dossiers using population data",
        "QĐ 766 4.5b (F766, SECONDARY)",
        population_data_dossier_rate,
        "received_population_data",
        "received",
    ),
    _pct(
        "population_data_procedure_rate",
        "Tỷ lệ TTHC kết nối, chia sẻ dữ liệu dân cư",
        "Procedures using population data",
        "QĐ 766 4.5a (F766, SECONDARY)",
        population_data_procedure_rate,
    ),
    _pct(
        "bcci_receiving_rate",
        "Tỷ lệ hồ sơ tiếp nhận qua dịch vụ BCCI",
        "Dossiers received via BCCI",
        "spec §5.3; QĐ 1189/QĐ-UBND Bắc Kạn chỉ tiêu G",
        bcci_receiving_rate,
        "received_postal",
        "received",
    ),
    _pct(
        "bcci_returning_rate",
        "Tỷ lệ kết quả trả qua dịch vụ BCCI",
        "Results returned via BCCI",
        "spec §5.3 (DESIGN; mẫu số UNVERIFIED)",
        bcci_returning_rate,
        "returned_postal",
        "returned",
    ),
    _pct(
        "bcci_procedure_rate",
        "Tỷ lệ TTHC có hồ sơ tiếp nhận hoặc trả kết quả qua BCCI",
        "Procedures with dossiers received or returned via BCCI",
        "QĐ 1189/QĐ-UBND Bắc Kạn chỉ tiêu F (SEED-002)",
        bcci_procedure_rate,
    ),
    _pct(
        "satisfaction_rate",
        "Tỷ lệ đánh giá hài lòng",
        "Satisfied ratings",
        "NĐ 224/2026 Điều 19 (SECONDARY); NĐ 61/2018 Điều 31",
        satisfaction_rate,
        "evaluations_satisfied",
        "evaluations",
    ),
    _pct(
        "satisfaction_in_resolution_766",
        "Mức độ hài lòng trong tiếp nhận, giải quyết TTHC (QĐ 766)",
        "Satisfaction in receiving and resolving procedures (Decision 766)",
        "QĐ 766 5.4/5.c (F766, SECONDARY; cách hiểu UNVERIFIED)",
        satisfaction_in_resolution_766,
    ),
    *(
        Indicator(
            f"ci_index_{n}",
            f"Chỉ số {n} TT 01/2018: {circular01.INDEX_NAMES[n][0]}",
            f"Circular 01/2018 index {n}: {circular01.INDEX_NAMES[n][1]}",
            "TT 01/2018/TT-VPCP Điều 13–15 (spec §2.12; legacy)",
            POINTS,
            True,
            None,
            None,
            _ci_index(n),
        )
        for n in circular01.INDEX_NAMES
    ),
    Indicator(
        "ci_total",
        "Tổng điểm đánh giá theo TT 01/2018",
        "Circular 01/2018 total score",
        "TT 01/2018/TT-VPCP Điều 15(2)(b), 15(4)(b) (legacy)",
        POINTS,
        True,
        None,
        None,
        ci_total,
    ),
]

#: Every indicator, ordered as a report shows them.
REGISTRY: dict[str, Indicator] = {indicator.code: indicator for indicator in _INDICATORS}

#: What a provincial office sends upward (DESIGN: the rates of the national reports of spec §5.2, §5.3,
#: §5.7 and the 2024 Bình Dương report, SEED-003).
REPORT_DEFAULT: tuple[str, ...] = (
    "online_service_rate",
    "full_online_service_rate",
    "partial_online_service_rate",
    "services_with_online_dossiers_rate",
    "online_dossier_rate",
    "full_online_dossier_rate",
    "full_online_dossier_rate_of_eligible",
    "postal_dossier_rate",
    "on_time_rate",
    "late_rate",
    "on_time_rate_766",
    "average_processing_days",
    "online_payment_rate",
    "input_digitization_rate",
    "output_digitization_rate",
    "reuse_rate",
    "population_data_dossier_rate",
    "satisfaction_rate",
)

#: The online-service monitoring metrics of Decree 224/2026 Art 19(1)–(2) [addendum §A2.6, ND224 —
#: SECONDARY]: full-online service rate; dossiers received/processed online and full-online; processing
#: time; on-time rate; satisfaction. "Process automation level" and the proactive-service metrics have no
#: data in the system and are not listed.
DECREE_224_ART19: tuple[str, ...] = (
    "full_online_service_rate",
    "online_dossier_rate",
    "full_online_dossier_rate",
    "average_processing_days",
    "on_time_rate",
    "satisfaction_rate",
)

#: The on-time and online rates published to the public (Decree 61/2018 Art 29(2), 30(2) — results published
#: on the portals; now Decree 118/2025, UNVERIFIED wording) — DESIGN selection.
PUBLIC_TRANSPARENCY: tuple[str, ...] = (
    "on_time_rate",
    "early_rate",
    "late_rate",
    "online_service_rate",
    "online_dossier_rate",
    "full_online_dossier_rate",
)


def _unknown(code: str) -> DomainError:
    return DomainError(
        "unknown_indicator",
        f"Không có chỉ số “{code}”.",
        f"There is no indicator “{code}”.",
        field="indicator",
    )


def get(code: str) -> Indicator:
    """The indicator ``code``; a ``DomainError`` when there is none."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise _unknown(code) from None


def compute_all(counts: Mapping[str, int], codes: Sequence[str] | None = None) -> dict[str, IndicatorValue]:
    """Every indicator of ``codes`` (all when ``None``) over the same counts, in the order asked."""
    chosen = [get(code) for code in (codes if codes is not None else REGISTRY)]
    return {indicator.code: indicator.compute(counts) for indicator in chosen}


def evaluate(
    scope: Agency,
    period: Period,
    codes: Sequence[str] | None = None,
    *,
    as_is: bool = False,
    today: date | None = None,
) -> dict[str, IndicatorValue]:
    """The indicators of ``codes`` (all when ``None``) for ``scope`` over ``period``, from one ``counts()``."""
    from motcua.monitoring import queries

    for code in codes or ():
        get(code)
    counts = queries.counts(scope, period, as_is=as_is, today_=today)
    return compute_all(counts, codes)
