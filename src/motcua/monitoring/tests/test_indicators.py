"""Indicator formulas over hand-made counts; expected values are worked out by hand in the comments."""

from datetime import date
from decimal import Decimal

import pytest

from motcua.agencies.models import AgencyKind
from motcua.agencies.services import add_agency
from motcua.core.errors import DomainError
from motcua.monitoring import indicators, measures
from motcua.monitoring.indicators import (
    DECREE_224_ART19,
    PUBLIC_TRANSPARENCY,
    REGISTRY,
    REPORT_DEFAULT,
    IndicatorValue,
    compute_all,
)
from motcua.monitoring.models import ScopeDayCounts
from motcua.monitoring.periods import Period
from motcua.monitoring.queries import NAMES, Counts

CONTRACT_CODES = [
    "online_service_rate",
    "full_online_service_rate",
    "partial_online_service_rate",
    "level2_procedure_rate",
    "level3_procedure_rate",
    "level4_procedure_rate",
    "services_with_online_dossiers_rate",
    "level3_services_with_online_dossiers_rate",
    "level4_services_with_online_dossiers_rate",
    "online_dossier_rate",
    "online_dossier_rate_of_online_services",
    "level3_online_dossier_rate",
    "level4_online_dossier_rate",
    "full_online_dossier_rate",
    "full_online_dossier_rate_of_eligible",
    "in_person_dossier_rate",
    "postal_dossier_rate",
    "on_time_rate",
    "early_rate",
    "late_rate",
    "on_time_rate_766",
    "on_time_rate_backlog",
    "average_processing_days",
    "online_payment_rate",
    "procedures_with_online_payment_rate",
    "input_digitization_rate",
    "output_digitization_rate",
    "reuse_rate",
    "population_data_dossier_rate",
    "population_data_procedure_rate",
    "bcci_receiving_rate",
    "bcci_returning_rate",
    "bcci_procedure_rate",
    "satisfaction_rate",
    *(f"ci_index_{n}" for n in range(1, 10)),
    "ci_total",
]


def counts(**values: int) -> Counts:
    """Every counter of ``queries.NAMES`` at 0 except those given."""
    unknown = set(values) - set(NAMES)
    assert not unknown, unknown
    return Counts({name: values.get(name, 0) for name in NAMES})


def test_every_contract_code_is_registered() -> None:
    assert set(CONTRACT_CODES) <= set(REGISTRY)
    for code, indicator in REGISTRY.items():
        assert indicator.code == code
        assert indicator.unit in {"percent", "points", "working_days"}
        assert indicator.name_vi
        assert indicator.name_en
        assert indicator.source
        assert indicator.compute.__doc__, f"{code} has no documented formula"


def test_drill_down_measures_are_dossier_counters() -> None:
    for indicator in REGISTRY.values():
        for measure in (indicator.numerator_measure, indicator.denominator_measure):
            assert measure is None or measure in measures.FLOWS, (indicator.code, measure)


def test_report_layouts_name_registered_indicators() -> None:
    for layout in (REPORT_DEFAULT, DECREE_224_ART19, PUBLIC_TRANSPARENCY):
        assert layout
        assert set(layout) <= set(REGISTRY)
        assert len(set(layout)) == len(layout)
    # Decree 224/2026 Art 19: full-online service rate, online and full-online dossiers, processing time,
    # on-time rate, satisfaction.
    assert set(DECREE_224_ART19) == {
        "full_online_service_rate",
        "online_dossier_rate",
        "full_online_dossier_rate",
        "average_processing_days",
        "on_time_rate",
        "satisfaction_rate",
    }


def test_zero_counts_give_no_value_never_zero() -> None:
    values = compute_all(counts())
    assert list(values) == list(REGISTRY)
    for code, value in values.items():
        assert value.code == code
        assert value.value is None, code


CASES = [
    # code, counts, numerator, denominator, value
    # Hà Nam (SEED-001): 904 L4 + 964 L3 + 199 L2 = 2,067; online = L3 + L4 = 1,868 → 90.3725… = 90.37
    ("online_service_rate", {"offered": 2067, "offered_online": 1868}, 1868, 2067, "90.37"),
    ("level4_procedure_rate", {"offered": 2067, "offered_level4": 904}, 904, 2067, "43.73"),
    ("level3_procedure_rate", {"offered": 2067, "offered_level3": 964}, 964, 2067, "46.64"),
    ("level2_procedure_rate", {"offered": 2067, "offered_level2": 199}, 199, 2067, "9.63"),
    # 828 / 2,000 = 41.4 %; 679 / 2,000 = 33.95 %
    ("full_online_service_rate", {"offered": 2000, "offered_full_online": 828}, 828, 2000, "41.40"),
    ("partial_online_service_rate", {"offered": 2000, "offered_partial_online": 679}, 679, 2000, "33.95"),
    # Bắc Kạn (SEED-002): 31 of 918 L3 services → 3.3769 = 3.38; 28 of 293 L4 → 9.5563 = 9.56;
    # both 59 of 1,211 → 4.8720 = 4.87
    (
        "services_with_online_dossiers_rate",
        {"offered_online": 1211, "offered_online_with_online_dossier": 59},
        59,
        1211,
        "4.87",
    ),
    (
        "level3_services_with_online_dossiers_rate",
        {"offered_level3": 918, "offered_level3_with_online_dossier": 31},
        31,
        918,
        "3.38",
    ),
    (
        "level4_services_with_online_dossiers_rate",
        {"offered_level4": 293, "offered_level4_with_online_dossier": 28},
        28,
        293,
        "9.56",
    ),
    # MIC definition, all dossiers: Hà Nam 2020 10,998 / 228,091 = 4.82
    ("online_dossier_rate", {"received": 228091, "received_online": 10998}, 10998, 228091, "4.82"),
    # Bắc Kạn E: over dossiers of the same procedures, 1,024 / 3,087 = 33.17 (not over all dossiers)
    (
        "online_dossier_rate_of_online_services",
        {"received": 9000, "received_online": 1024, "received_of_online_services": 3087},
        1024,
        3087,
        "33.17",
    ),
    (
        "level3_online_dossier_rate",
        {"received_of_level3": 3087, "received_online_of_level3": 1024},
        1024,
        3087,
        "33.17",
    ),
    (
        "level4_online_dossier_rate",
        {"received_of_level4": 2377, "received_online_of_level4": 849},
        849,
        2377,
        "35.72",
    ),
    # EMC 2024 Hà Nam: 115,665 / 168,746 = 68.54
    (
        "full_online_dossier_rate",
        {"received": 168746, "received_full_online": 115665},
        115665,
        168746,
        "68.54",
    ),
    # 45 / 60 = 75 %
    (
        "full_online_dossier_rate_of_eligible",
        {"received": 500, "received_of_full_online_eligible": 60, "received_full_online_of_eligible": 45},
        45,
        60,
        "75.00",
    ),
    # 30 / 120 = 25 %; 6 / 120 = 5 %
    ("in_person_dossier_rate", {"received": 120, "received_in_person": 30}, 30, 120, "25.00"),
    ("postal_dossier_rate", {"received": 120, "received_postal": 6}, 6, 120, "5.00"),
    ("bcci_receiving_rate", {"received": 120, "received_postal": 6}, 6, 120, "5.00"),
    # 10 early + 20 on time of 40 resolved = 75 %; early 10/40 = 25 %; late 10/40 = 25 %
    (
        "on_time_rate",
        {"resolved": 40, "resolved_early": 10, "resolved_on_time": 20, "resolved_late": 10},
        30,
        40,
        "75.00",
    ),
    (
        "early_rate",
        {"resolved": 40, "resolved_early": 10, "resolved_on_time": 20, "resolved_late": 10},
        10,
        40,
        "25.00",
    ),
    (
        "late_rate",
        {"resolved": 40, "resolved_early": 10, "resolved_on_time": 20, "resolved_late": 10},
        10,
        40,
        "25.00",
    ),
    # 766: 40 finished on time + (10 in progress − 4 late) = 46 over 50 finished + 10 in progress = 60
    # → 76.666… = 76.67
    (
        "on_time_rate_766",
        {"finished": 50, "finished_on_time_766": 40, "open_at_end": 10, "open_late_766_at_end": 4},
        46,
        60,
        "76.67",
    ),
    # Gia Lai: needing = 90 received + 10 backlog = 100; late = 3 in progress + 4 resolved = 7 → 100 − 7 = 93
    (
        "on_time_rate_backlog",
        {"received": 90, "open_at_start": 10, "open_late_at_end": 3, "resolved_late": 4},
        93,
        100,
        "93.00",
    ),
    # 1,250 hundredths of a working day over 4 dossiers = 3.125 days → 3.13
    (
        "average_processing_days",
        {"processing_centidays": 1250, "processing_measured": 4},
        1250,
        4,
        "3.13",
    ),
    # 73 / 100 = 73 %; 12 / 48 = 25 %
    ("online_payment_rate", {"received_with_fee": 100, "received_paid_online": 73}, 73, 100, "73.00"),
    (
        "procedures_with_online_payment_rate",
        {"offered_with_fee": 48, "offered_with_fee_with_paid_online": 12},
        12,
        48,
        "25.00",
    ),
    # Bình Dương 2024 shares on 10,000 dossiers: 80.7 %, 88.51 %, 36.67 %, 45.12 %
    ("input_digitization_rate", {"received": 10000, "received_with_files": 8070}, 8070, 10000, "80.70"),
    ("output_digitization_rate", {"resolved": 10000, "resolved_with_e_result": 8851}, 8851, 10000, "88.51"),
    ("reuse_rate", {"received": 10000, "received_reused": 3667}, 3667, 10000, "36.67"),
    (
        "population_data_dossier_rate",
        {"received": 10000, "received_population_data": 4512},
        4512,
        10000,
        "45.12",
    ),
    # 30 / 120 = 25 %
    (
        "population_data_procedure_rate",
        {"offered_for_citizens": 120, "procedures_with_population_data": 30},
        30,
        120,
        "25.00",
    ),
    # 3 / 40 = 7.5 %; 7 / 10 = 70 %
    ("bcci_returning_rate", {"returned": 40, "returned_postal": 3}, 3, 40, "7.50"),
    ("bcci_procedure_rate", {"procedures_with_dossiers": 10, "procedures_with_postal": 7}, 7, 10, "70.00"),
    # 45 / 50 = 90 %
    ("satisfaction_rate", {"evaluations": 50, "evaluations_satisfied": 45}, 45, 50, "90.00"),
    # index 1: 2 + 2 + 1 over 3 dossiers = 1.666… → 1.7
    ("ci_index_1", {"ci1_points": 5, "ci1_scored": 3}, 5, 3, "1.7"),
    # index 4: 3 over 2 = 1.5; index 7: 1 over 4 = 0.25 → 0.3
    ("ci_index_4", {"ci4_points": 3, "ci4_scored": 2}, 3, 2, "1.5"),
    ("ci_index_7", {"ci7_points": 1, "ci7_scored": 4}, 1, 4, "0.3"),
    # index 2: 4 / 2 = 2.0; index 3: 0 / 5 = 0.0 (scored, not missing); index 6: 7 / 5 = 1.4
    ("ci_index_2", {"ci2_points": 4, "ci2_scored": 2}, 4, 2, "2.0"),
    ("ci_index_3", {"ci3_points": 0, "ci3_scored": 5}, 0, 5, "0.0"),
    ("ci_index_6", {"ci6_points": 7, "ci6_scored": 5}, 7, 5, "1.4"),
]


@pytest.mark.parametrize(("code", "values", "numerator", "denominator", "expected"), CASES)
def test_indicator_values(
    code: str, values: dict[str, int], numerator: int, denominator: int, expected: str
) -> None:
    result = REGISTRY[code].compute(counts(**values))
    assert result == IndicatorValue(code, numerator, denominator, Decimal(expected), REGISTRY[code].unit)


def test_every_ratio_indicator_has_a_case() -> None:
    covered = {case[0] for case in CASES}
    composite = {
        "satisfaction_in_resolution_766",
        "ci_index_5",
        "ci_index_8",
        "ci_index_9",
        "ci_total",
    }
    assert set(REGISTRY) - covered <= composite


def test_late_rate_adds_to_hundred_on_a_rounding_tie() -> None:
    # 31 on time, 1 late of 32: 96.875 → 96.88 and 3.125 → 3.13 would make 100.01; late = 100 − 96.88 = 3.12.
    c = counts(resolved=32, resolved_on_time=31, resolved_late=1)
    on_time = REGISTRY["on_time_rate"].compute(c).value
    late = REGISTRY["late_rate"].compute(c).value
    assert on_time == Decimal("96.88")
    assert late == Decimal("3.12")
    assert on_time + late == Decimal("100.00")


def test_late_rate_when_some_resolved_have_no_outcome() -> None:
    # 30 on time, 1 late, 1 without an outcome of 32: on time 30/32 = 93.75, late 1/32 = 3.125 → 3.13.
    c = counts(resolved=32, resolved_on_time=30, resolved_late=1)
    assert REGISTRY["on_time_rate"].compute(c).value == Decimal("93.75")
    assert REGISTRY["late_rate"].compute(c).value == Decimal("3.13")


def test_published_on_time_and_late_add_up() -> None:
    # SEED-003: 99.74 % on time and 0.26 % late of 10,000 resolved.
    c = counts(resolved=10000, resolved_early=4000, resolved_on_time=5974, resolved_late=26)
    assert REGISTRY["on_time_rate"].compute(c).value == Decimal("99.74")
    assert REGISTRY["late_rate"].compute(c).value == Decimal("0.26")


def test_backlog_rate_is_hundred_minus_the_rounded_late_rate() -> None:
    # needing 32, late 1: late 3.125 → 3.13, on time = 100 − 3.13 = 96.87 (as Gia Lai computes it).
    c = counts(received=30, open_at_start=2, resolved_late=1)
    assert REGISTRY["on_time_rate_backlog"].compute(c).value == Decimal("96.87")


def test_on_time_766_counts_in_progress_dossiers() -> None:
    # nothing finished, 5 in progress of which 1 late → 4 / 5 = 80 %
    c = counts(open_at_end=5, open_late_766_at_end=1)
    assert REGISTRY["on_time_rate_766"].compute(c).value == Decimal("80.00")
    # the legal on-time rate has no resolved dossier: N/A
    assert REGISTRY["on_time_rate"].compute(c).value is None


def test_satisfaction_in_resolution_766() -> None:
    # base 50 finished + 10 in progress = 60; on time (40 + 6) / 60 = 76.67 → late 23.33;
    # 6 unsatisfied / 60 = 10.00 → 100 − 23.33 − 10.00 = 66.67
    c = counts(
        finished=50,
        finished_on_time_766=40,
        open_at_end=10,
        open_late_766_at_end=4,
        evaluations_not_satisfied=6,
    )
    result = REGISTRY["satisfaction_in_resolution_766"].compute(c)
    assert result.value == Decimal("66.67")
    assert result.denominator == 60
    # everything late and unsatisfied: floored at 0, never negative
    worst = counts(finished=10, finished_late_766=10, evaluations_not_satisfied=10)
    assert REGISTRY["satisfaction_in_resolution_766"].compute(worst).value == Decimal("0.00")


def test_ci_total_sums_indices_with_data() -> None:
    # index 1: 6/3 = 2.0; index 3: 3/3 = 1.0; index 7: 2/4 = 0.5; the rest have no data → 3.5
    c = counts(ci1_points=6, ci1_scored=3, ci3_points=3, ci3_scored=3, ci7_points=2, ci7_scored=4)
    assert REGISTRY["ci_total"].compute(c).value == Decimal("3.5")
    assert REGISTRY["ci_index_5"].compute(c).value is None
    assert REGISTRY["ci_index_8"].compute(c).value is None


def test_ci_index_9_is_a_unit_level_score() -> None:
    # 30 of 100 procedures online (≥ 20 %), 40 of 100 dossiers online (≥ 30 %), none late → 2 points
    c = counts(offered=100, offered_online=30, received=100, received_online=40)
    assert REGISTRY["ci_index_9"].compute(c) == IndicatorValue(
        "ci_index_9", None, None, Decimal("2.0"), "points"
    )
    # one online dossier resolved late → 0 points
    late = counts(offered=100, offered_online=30, received=100, received_online=40, resolved_late_online=1)
    assert REGISTRY["ci_index_9"].compute(late).value == Decimal("0.0")


def test_unknown_code_is_a_domain_error() -> None:
    with pytest.raises(DomainError) as caught:
        compute_all(counts(), ["no_such_rate"])
    assert caught.value.code == "unknown_indicator"


def test_compute_all_keeps_the_order_asked() -> None:
    values = compute_all(counts(received=4, received_online=1), ["reuse_rate", "online_dossier_rate"])
    assert list(values) == ["reuse_rate", "online_dossier_rate"]
    assert values["online_dossier_rate"].value == Decimal("25.00")


@pytest.mark.django_db
def test_evaluate_reads_the_aggregates_of_the_scope() -> None:
    agency = add_agency(code="TEST.H1.IND", name="Sở thử nghiệm", kind=AgencyKind.DEPARTMENT)
    ScopeDayCounts.objects.create(scope=agency, day=date(2026, 3, 10), received=8, received_online=2)
    ScopeDayCounts.objects.create(scope=agency, day=date(2026, 4, 1), received=100, received_online=100)
    values = indicators.evaluate(
        agency, Period.month(2026, 3), ["online_dossier_rate"], today=date(2026, 5, 1)
    )
    # March only: 2 / 8 = 25 %
    assert values == {
        "online_dossier_rate": IndicatorValue("online_dossier_rate", 2, 8, Decimal("25.00"), "percent")
    }
