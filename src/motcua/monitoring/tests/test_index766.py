"""Decision 766 index as versioned data (addendum §A4.3): points, loading, no-data handling, published scores."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from motcua.agencies.models import AgencyKind
from motcua.agencies.services import add_agency
from motcua.core.errors import DomainError
from motcua.monitoring.index766 import criterion_points, load_index_versions, score
from motcua.monitoring.indicators import IndicatorValue
from motcua.monitoring.models import IndexCriterion, IndexVersion, PublishedIndexScore, ScopeDayCounts
from motcua.monitoring.periods import Period

Q1 = Period.quarter(2026, 1)


def value(code: str, rate: str | None) -> IndicatorValue:
    return IndicatorValue(code, None, None, None if rate is None else Decimal(rate), "percent")


@pytest.mark.parametrize(
    ("rate", "max_points", "threshold", "expected"),
    [
        # below the threshold: proportional to it — 6 × 40 / 50 = 4.8
        ("40", 6, 50, "4.80"),
        # at or above the threshold: the maximum
        ("50", 6, 50, "6.00"),
        ("99", 6, 50, "6.00"),
        # 5.c: 6 × 81 / 90 = 5.4
        ("81", 6, 90, "5.40"),
        # no published threshold: 100 % assumed — 20 × 76.67 / 100 = 15.334 → 15.33
        ("76.67", 20, None, "15.33"),
        # 4 × 33.33 / 80 = 1.6665 → 1.67 (half-up)
        ("33.33", 4, 80, "1.67"),
        ("0", 12, None, "0.00"),
        # inconsistent counts never give negative points
        ("-5", 12, None, "0.00"),
        # a zero-point (monitoring only) criterion
        ("70", 0, None, "0.00"),
    ],
)
def test_criterion_points(rate: str, max_points: int, threshold: int | None, expected: str) -> None:
    assert criterion_points(Decimal(rate), max_points, threshold) == Decimal(expected)


def test_criterion_points_of_no_rate_is_none_not_zero() -> None:
    assert criterion_points(None, 20, None) is None
    assert criterion_points(None, 6, 90) is None


def test_criterion_points_refuses_a_zero_threshold() -> None:
    with pytest.raises(ValueError, match="threshold"):
        criterion_points(Decimal(10), 6, 0)


@pytest.mark.django_db
def test_loading_is_idempotent() -> None:
    load_index_versions()
    versions, criteria = IndexVersion.objects.count(), IndexCriterion.objects.count()
    assert load_index_versions() == 0
    assert (IndexVersion.objects.count(), IndexCriterion.objects.count()) == (versions, criteria)
    # a value changed by hand is restored, and only that row counts as a change
    IndexCriterion.objects.filter(version__code="766-2022", code="2.1").update(max_points=Decimal(7))
    assert load_index_versions() == 1
    assert IndexCriterion.objects.get(version__code="766-2022", code="2.1").max_points == Decimal(20)
    # a criterion the file does not list is removed from a version the file owns
    version = IndexVersion.objects.get(code="DVCQG-2026")
    IndexCriterion.objects.create(version=version, code="9.9", group="x", name_vi="x", name_en="x")
    assert load_index_versions() == 1
    assert not IndexCriterion.objects.filter(version=version, code="9.9").exists()


@pytest.mark.django_db
def test_group_maxima_sum_to_hundred() -> None:
    load_index_versions()
    for code, expected_groups in {
        # addendum §A4.1 (verified): 18/20/22/22/18
        "766-2022": {"publicity": 18, "progress": 20, "online": 22, "digitisation": 22, "satisfaction": 18},
        # addendum §A4.2, I766-A: group 3 = 12 online + 10 payment
        "DVCQG-2026": {
            "publicity": 18,
            "progress": 20,
            "online": 12,
            "payment": 10,
            "digitisation": 22,
            "satisfaction": 18,
        },
    }.items():
        maxima: dict[str, set[Decimal | None]] = defaultdict(set)
        known: dict[str, Decimal] = defaultdict(Decimal)
        for criterion in IndexCriterion.objects.filter(version__code=code):
            maxima[criterion.group].add(criterion.group_max_points)
            known[criterion.group] += criterion.max_points or 0
        assert {g: m.pop() for g, m in maxima.items() if len(m) == 1} == expected_groups
        assert sum(expected_groups.values()) == 100
        # the known criterion points never exceed their group
        for group, points in known.items():
            assert points <= expected_groups[group]
    # DVCQG-2026 is fully known: its criteria add up to each group maximum, 100 in all
    criteria = IndexCriterion.objects.filter(version__code="DVCQG-2026")
    assert sum(c.max_points or 0 for c in criteria) == 100


@pytest.mark.django_db
def test_766_2022_scores_only_verified_points() -> None:
    load_index_versions()
    points = {
        c.code: c.max_points
        for c in IndexCriterion.objects.filter(version__code="766-2022")
        if c.max_points is not None
    }
    # 1.2 = 4, 2.1 = 20, 5.c = 6 verified; 2.2 = 0 derived (2.1 alone reaches the group maximum)
    assert points == {"1.2": Decimal(4), "2.1": Decimal(20), "2.2": Decimal(0), "5.c": Decimal(6)}
    thresholds = {
        c.code: c.threshold_pct
        for c in IndexCriterion.objects.filter(version__code="766-2022")
        if c.threshold_pct is not None
    }
    assert thresholds == {
        "3.1": Decimal(80),
        "3.3": Decimal(50),
        "3.5": Decimal(80),
        "4.2": Decimal(80),
        "4.3": Decimal(80),
        "5.c": Decimal(90),
    }


@pytest.mark.django_db
def test_commune_gets_full_points_where_a_criterion_does_not_apply() -> None:
    load_index_versions()
    commune = add_agency(code="TEST.H1.XA", name="UBND xã thử nghiệm", kind=AgencyKind.COMMUNE)
    result = score("DVCQG-2026", commune, Q1, values={})
    by_code = {c.code: c for c in result.criteria}
    # rows 6, 16, 17 of the DVCQG workbook (full-online 12, population data 2 + 2) do not apply to communes
    for code, points in {"3.FO": 12, "4.5b": 2, "4.5a": 2}.items():
        assert by_code[code].status == "not_applicable"
        assert by_code[code].points == Decimal(points)
    # proactive-service rows have no known maximum: not applicable, but no points invented
    assert by_code["3.P1"].status == "not_applicable"
    assert by_code["3.P1"].points is None
    # no data elsewhere: nothing else counted
    assert result.total == Decimal(16)
    assert result.max_attainable == Decimal(16)
    # the same rows for a province are "no data", not points
    province = add_agency(code="TEST.H1.TINH", name="UBND tỉnh thử nghiệm", kind=AgencyKind.PROVINCE)
    other = score("DVCQG-2026", province, Q1, values={})
    assert {c.code: c.status for c in other.criteria}["3.FO"] == "no_data"
    assert other.total == Decimal(0)
    assert other.max_attainable == Decimal(0)
    assert other.band_code is None


@pytest.mark.django_db
def test_none_never_becomes_zero() -> None:
    load_index_versions()
    agency = add_agency(code="TEST.H1.SO", name="Sở thử nghiệm", kind=AgencyKind.DEPARTMENT)
    values = {
        "on_time_rate_766": value("on_time_rate_766", "76.67"),
        "online_payment_rate": value("online_payment_rate", "73"),
        "input_digitization_rate": value("input_digitization_rate", "80.7"),
        # no dossier of a procedure eligible for full-online: N/A
        "full_online_dossier_rate_of_eligible": value("full_online_dossier_rate_of_eligible", None),
    }
    result = score("DVCQG-2026", agency, Q1, values=values)
    by_code = {c.code: c for c in result.criteria}
    # 20 × 76.67 / 100 = 15.33 (threshold assumed); 6 × 73 / 100 = 4.38; 80.7 ≥ 80 → 4
    assert by_code["2.1"].points == Decimal("15.33")
    assert by_code["2.1"].threshold_assumed
    assert by_code["3.6"].points == Decimal("4.38")
    assert by_code["4.2"].points == Decimal("4.00")
    assert not by_code["4.2"].threshold_assumed
    # N/A rate and criteria without a source: no points, not counted, never 0
    assert by_code["3.FO"].status == "no_data"
    assert by_code["3.FO"].points is None
    for code in ("1.1", "1.2", "1.3", "1.4", "4.CC", "5.2", "5.3"):
        assert by_code[code].status == "no_data"
        assert by_code[code].points is None
    assert by_code["3.1"].status == "unverified"
    # 15.33 + 4.38 + 4 = 23.71 of an attainable 20 + 6 + 4 = 30
    assert result.total == Decimal("23.71")
    assert result.max_attainable == Decimal(30)
    assert result.max_points == Decimal(100)
    # scaled: 23.71 × 100 / 30 = 79.033… → 79.03, between 50 and 90: the unverified middle band (an estimate)
    assert result.scaled_total == Decimal("79.03")
    assert result.band_code == "intermediate_unverified"
    assert result.band_is_estimate
    groups = {g.code: g for g in result.groups}
    assert groups["publicity"].points == Decimal(0)
    assert groups["publicity"].max_attainable == Decimal(0)
    assert groups["publicity"].max_points == Decimal(18)


@pytest.mark.django_db
def test_published_score_and_difference() -> None:
    load_index_versions()
    agency = add_agency(code="TEST.H1.PUB", name="Sở có điểm công bố", kind=AgencyKind.DEPARTMENT)
    version = IndexVersion.objects.get(code="DVCQG-2026")
    PublishedIndexScore.objects.create(
        version=version,
        agency=agency,
        period_start=Q1.start,
        period_end=Q1.end,
        score=Decimal("12.50"),
        source="dichvucong.gov.vn",
    )
    PublishedIndexScore.objects.create(
        version=version,
        agency=agency,
        period_start=Q1.start,
        period_end=Q1.end,
        criterion_code="2.1",
        score=Decimal("19.00"),
        source="dichvucong.gov.vn",
    )
    # another period: not picked
    PublishedIndexScore.objects.create(
        version=version,
        agency=agency,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 7, 1),
        score=Decimal("99"),
        source="dichvucong.gov.vn",
    )
    # on time 90 % → 20 × 90 / 100 = 18
    result = score("DVCQG-2026", agency, Q1, values={"on_time_rate_766": value("on_time_rate_766", "90")})
    assert result.total == Decimal("18.00")
    assert result.published_total == Decimal("12.50")
    assert result.difference == Decimal("5.50")  # 18 − 12.5
    criterion = next(c for c in result.criteria if c.code == "2.1")
    assert criterion.published == Decimal("19.00")
    assert criterion.difference == Decimal("-1.00")  # 18 − 19
    # nothing published for 766-2022: no difference
    other = score("766-2022", agency, Q1, values={"on_time_rate_766": value("on_time_rate_766", "90")})
    assert other.published_total is None
    assert other.difference is None


@pytest.mark.django_db
def test_complete_total_reads_the_band_directly() -> None:
    load_index_versions()
    # a version whose every criterion is scored: its band is read on the total itself
    version = IndexVersion.objects.create(
        code="TEST-FULL",
        name="x",
        legal_basis="x",
        bands=[
            {"min": 90, "code": "excellent", "label_vi": "Xuất sắc", "label_en": "Excellent"},
            {"min": 0, "code": "weak", "label_vi": "Yếu", "label_en": "Weak"},
        ],
    )
    IndexCriterion.objects.create(
        version=version,
        code="2.1",
        group="progress",
        group_max_points=Decimal(100),
        name_vi="x",
        name_en="x",
        indicator="on_time_rate_766",
        max_points=Decimal(100),
    )
    agency = add_agency(code="TEST.H1.FULL", name="Sở", kind=AgencyKind.DEPARTMENT)
    result = score("TEST-FULL", agency, Q1, values={"on_time_rate_766": value("on_time_rate_766", "95")})
    assert result.total == Decimal("95.00")
    assert result.band_code == "excellent"
    assert not result.band_is_estimate


@pytest.mark.django_db
def test_score_computes_indicators_when_not_given() -> None:
    load_index_versions()
    agency = add_agency(code="TEST.H1.AUTO", name="Sở", kind=AgencyKind.DEPARTMENT)
    # 9 of 10 finished on time in the 766 view, nothing in progress: 90 % → 18 points of 20
    ScopeDayCounts.objects.create(scope=agency, day=date(2026, 2, 3), finished=10, finished_on_time_766=9)
    result = score("766-2022", agency, Q1)
    criterion = next(c for c in result.criteria if c.code == "2.1")
    assert criterion.value is not None
    assert criterion.value.value == Decimal("90.00")
    assert criterion.points == Decimal("18.00")


@pytest.mark.django_db
def test_unknown_version() -> None:
    agency = add_agency(code="TEST.H1.NONE", name="Sở", kind=AgencyKind.DEPARTMENT)
    with pytest.raises(DomainError) as caught:
        score("no-such-version", agency, Q1, values={})
    assert caught.value.code == "index_version_not_found"
