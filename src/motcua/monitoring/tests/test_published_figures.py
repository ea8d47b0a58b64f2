"""Done means: every reproducible figure of spec §5.6 comes back out of data loaded through the historical
import (monitoring.history) and read through the indicators (monitoring.indicators.evaluate).

The input files are generated here from the published counts only: the old provinces as an agencies file,
the catalogue levels as an offerings file of real procedure codes, the dossiers as a dossiers file. Expected
values are the published figures (spec §5.6), never numbers the code produced. The three full-size files
(228,091, 106,434 and 168,746 dossiers) run in the suite on both databases (35 to 100 s each,
docs/performance.md "Historical import").
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.catalogue.models import Procedure
from motcua.monitoring import queries
from motcua.monitoring.history import import_file
from motcua.monitoring.indicators import evaluate
from motcua.monitoring.models import HistoricalImport, PublishedFigure
from motcua.monitoring.periods import Period

NATION = "000.00.00.000"
HA_NAM = "000.00.00.H35"  # the old Hà Nam province (GSO code 35), merged into Ninh Bình on 1/7/2025
BAC_KAN = "000.00.00.H06"  # the old Bắc Kạn province (GSO code 06), merged into Thái Nguyên
BAC_KAN_JUSTICE = "H06.STP"
BAC_KAN_PLANNING = "H06.SKHDT"

DOSSIER_HEADER = (
    "code",
    "procedure_code",
    "competent_agency_code",
    "channel",
    "received_at",
    "due_at",
    "resolved_at",
    "returned_at",
    "status",
    "delivery",
)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterator[Sequence[Any]] | Sequence[Sequence[Any]]
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def imported(path: Path, kind: str) -> HistoricalImport:
    batch = import_file(path, kind)
    assert batch.status == "done", batch.rejected[:5]
    return batch


def real_procedure_codes(n: int) -> list[str]:
    """``n`` national codes of the real catalogue (the reference data holds 2,642)."""
    codes = list(Procedure.objects.order_by("national_code").values_list("national_code", flat=True)[:n])
    assert len(codes) == n
    return codes


def spread(count: int, total: int, i: int) -> bool:
    """True for exactly ``count`` of the indices 0..total-1, evenly spread (so each period and day gets some)."""
    return (i + 1) * count // total != i * count // total


def returned_row(code: str, procedure: str, agency: str, day: date, channel: str, delivery: str) -> list[str]:
    """A dossier received at 08:00 on ``day``, due 10 days later, resolved after 3 and returned after 4."""
    return [
        code,
        procedure,
        agency,
        channel,
        f"{day:%d/%m/%Y} 08:00",
        f"{day + timedelta(days=10):%d/%m/%Y}",
        f"{day + timedelta(days=3):%d/%m/%Y} 15:00",
        f"{day + timedelta(days=4):%d/%m/%Y} 09:00",
        "returned",
        delivery,
    ]


def import_old_provinces(tmp_path: Path, rows: Sequence[Sequence[str]]) -> None:
    header = ("code", "name", "kind", "parent_code", "valid_from", "valid_to", "admin_unit_code")
    imported(write_csv(tmp_path / "agencies.csv", header, rows), "agencies")


def import_ha_nam_catalogue(tmp_path: Path) -> dict[int, list[str]]:
    """Hà Nam and its 2,067 procedures: 904 at level 4, 964 at level 3, 199 at level 2 (SEED-001)."""
    import_old_provinces(
        tmp_path,
        [[HA_NAM, "UBND tỉnh Hà Nam", "province", NATION, "1997-01-01", "2025-06-30", "35"]],
    )
    codes = real_procedure_codes(2067)
    levels = {4: codes[:904], 3: codes[904:1868], 2: codes[1868:]}
    rows = [[HA_NAM, code, str(level)] for level, group in levels.items() for code in group]
    imported(
        write_csv(tmp_path / "levels.csv", ("agency_code", "procedure_code", "level"), rows), "offerings"
    )
    return levels


def assert_value(values: dict[str, Any], code: str, numerator: int, denominator: int, published: str) -> None:
    value = values[code]
    assert (value.numerator, value.denominator) == (numerator, denominator), code
    assert value.value == Decimal(published), code


# -- SEED-001 Hà Nam ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ha_nam_procedure_levels(reference_data: None, tmp_path: Path) -> None:
    # given Hà Nam's catalogue imported level by level
    import_ha_nam_catalogue(tmp_path)
    ha_nam = Agency.objects.get(code=HA_NAM)

    # when the level rates are read for the first half of 2021
    values = evaluate(
        ha_nam,
        Period.half(2021, 1),
        ["level4_procedure_rate", "level3_procedure_rate", "level2_procedure_rate"],
    )

    # then they are the published 43.73 %, 46.64 % (half-up; truncation gives 46.63) and 9.63 % of 2,067
    assert_value(values, "level4_procedure_rate", 904, 2067, "43.73")
    assert_value(values, "level3_procedure_rate", 964, 2067, "46.64")
    assert_value(values, "level2_procedure_rate", 199, 2067, "9.63")
    assert 904 + 964 + 199 == 2067


def ha_nam_dossiers(
    prefix: str,
    levels: dict[int, list[str]],
    days: list[date],
    total: int,
    online: int,
    *,
    postal_returns: int = 0,
    partial_online: int = 0,
) -> Iterator[list[str]]:
    """``total`` dossiers over ``days``: ``online`` of them filed online for level-4 (full-online)
    procedures, ``partial_online`` more filed online for level-3 procedures, the rest in person; the
    results of ``postal_returns`` in-person dossiers go back by post (BCCI)."""
    online_procedures = levels[4] + levels[3]
    every_procedure = online_procedures + levels[2]
    in_person_seen, partial_left = 0, partial_online
    for i in range(total):
        day = days[i % len(days)]
        if spread(online, total, i):
            procedure, channel, delivery = levels[4][i % len(levels[4])], "online", "online"
        elif partial_left and i % 3 == 0:
            partial_left -= 1
            procedure, channel, delivery = levels[3][i % len(levels[3])], "online", "counter"
        else:
            in_person_seen += 1
            procedure, channel = every_procedure[i % len(every_procedure)], "in_person"
            delivery = "post" if in_person_seen <= postal_returns else "counter"
        yield returned_row(f"{prefix}-{i:06d}", procedure, HA_NAM, day, channel, delivery)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.django_db
def test_ha_nam_2020_online_dossier_rate_from_228091_dossiers(reference_data: None, tmp_path: Path) -> None:
    # given Hà Nam's 228,091 dossiers of 2020, 10,998 of them online (SEED-001)
    levels = import_ha_nam_catalogue(tmp_path)
    path = write_csv(
        tmp_path / "dossiers_2020.csv",
        DOSSIER_HEADER,
        ha_nam_dossiers("HN20", levels, days_between(date(2020, 1, 1), date(2020, 12, 31)), 228091, 10998),
    )

    # when they are imported (speed is measured by the benchmarks, not here)
    batch = import_file(path, "dossiers")

    # then all went in and the online rate of 2020 is the published 4.82 %
    assert batch.status == "done", batch.rejected[:5]
    assert batch.rows_imported == 228091
    values = evaluate(Agency.objects.get(code=HA_NAM), Period.year(2020), ["online_dossier_rate"])
    assert_value(values, "online_dossier_rate", 10998, 228091, "4.82")


@pytest.mark.django_db
def test_ha_nam_first_half_2021_online_rate_and_postal_returns(reference_data: None, tmp_path: Path) -> None:
    # given 106,434 dossiers of H1 2021, 13,680 online, 3,726 returned by post (SEED-001), all returned by June
    levels = import_ha_nam_catalogue(tmp_path)
    path = write_csv(
        tmp_path / "dossiers_2021h1.csv",
        DOSSIER_HEADER,
        ha_nam_dossiers(
            "HN21",
            levels,
            days_between(date(2021, 1, 1), date(2021, 6, 20)),
            106434,
            13680,
            postal_returns=3726,
        ),
    )
    imported(path, "dossiers")
    ha_nam = Agency.objects.get(code=HA_NAM)
    half = Period.half(2021, 1)

    # then the online rate is the published 12.85 %
    assert_value(
        evaluate(ha_nam, half, ["online_dossier_rate"]), "online_dossier_rate", 13680, 106434, "12.85"
    )
    # and the BCCI returns are counted (3.50 % "of received" is derived, not an indicator: the counter only)
    counts = queries.counts(ha_nam, half)
    assert (counts["received"], counts["returned_postal"]) == (106434, 3726)


@pytest.mark.django_db
def test_ha_nam_2024_full_online_dossier_rate(reference_data: None, tmp_path: Path) -> None:
    # given 168,746 dossiers of 2024: 115,665 filed online for full-online (level-4) procedures (EMC 2024),
    # some more filed online for partially online (level-3) ones, which are online but not full-online
    levels = import_ha_nam_catalogue(tmp_path)
    path = write_csv(
        tmp_path / "dossiers_2024.csv",
        DOSSIER_HEADER,
        ha_nam_dossiers(
            "HN24",
            levels,
            days_between(date(2024, 1, 1), date(2024, 12, 31)),
            168746,
            115665,
            partial_online=10000,
        ),
    )
    imported(path, "dossiers")

    values = evaluate(
        Agency.objects.get(code=HA_NAM),
        Period.year(2024),
        ["full_online_dossier_rate", "online_dossier_rate"],
    )

    assert_value(values, "full_online_dossier_rate", 115665, 168746, "68.54")
    # the 10,000 level-3 online dossiers count as online, not as full-online
    assert values["online_dossier_rate"].numerator == 115665 + 10000


# -- SEED-002 Bắc Kạn 2018 --------------------------------------------------------------------------------


def bac_kan_files(tmp_path: Path) -> None:
    """Bắc Kạn 2018: 918 level-3 and 293 level-4 services offered by two departments (20 level-4 services
    also offered at level 3 by the other department: a service counts once, at its highest level); online
    dossiers for 31 level-3 services (1,024 of the 3,087 dossiers of level-3 procedures) and 28 level-4
    services (849 of 2,377); of the other dossiers 1,420 were received and returned by post and 1,825
    returned by post only (SEED-002 BCCI counts)."""
    import_old_provinces(
        tmp_path,
        [
            [BAC_KAN_JUSTICE, "Sở Tư pháp tỉnh Bắc Kạn", "sở", BAC_KAN, "", "2025-06-30", ""],
            [BAC_KAN_PLANNING, "Sở Kế hoạch và Đầu tư tỉnh Bắc Kạn", "sở", BAC_KAN, "", "2025-06-30", ""],
            [BAC_KAN, "UBND tỉnh Bắc Kạn", "tỉnh", NATION, "1997-01-01", "2025-06-30", "06"],
        ],
    )
    codes = real_procedure_codes(1211)
    level3, level4 = codes[:918], codes[918:]
    both = level4[:20]
    offerings = (
        [[BAC_KAN_JUSTICE, code, "3"] for code in level3[:500] + both]
        + [[BAC_KAN_PLANNING, code, "3"] for code in level3[500:]]
        + [[BAC_KAN_PLANNING, code, "4"] for code in level4]
    )
    imported(
        write_csv(tmp_path / "levels.csv", ("agency_code", "procedure_code", "level"), offerings), "offerings"
    )

    def department(code: str) -> str:
        return BAC_KAN_JUSTICE if code in level3[:500] else BAC_KAN_PLANNING

    days = days_between(date(2018, 1, 2), date(2018, 12, 15))
    plan = [
        # (procedures of the level, dossiers, online, services with online dossiers)
        (level3, 3087, 1024, 31),
        (level4[20:], 2377, 849, 28),  # not the services offered at both levels
    ]
    rows: list[list[str]] = []
    postal_in, postal_out = 1420, 1825
    for procedures, total, online, services in plan:
        online_services = procedures[:services]
        for i in range(total):
            day = days[(i * 7) % len(days)]
            code = f"BK18-{len(rows):05d}"
            if i < online:
                procedure = online_services[i % services]
                rows.append(returned_row(code, procedure, department(procedure), day, "online", "online"))
                continue
            procedure = procedures[i % len(procedures)]
            channel, delivery = "in_person", "counter"
            if postal_in:
                channel, delivery, postal_in = "postal", "post", postal_in - 1
            elif postal_out:
                delivery, postal_out = "post", postal_out - 1
            rows.append(returned_row(code, procedure, department(procedure), day, channel, delivery))
    imported(write_csv(tmp_path / "dossiers_2018.csv", DOSSIER_HEADER, rows), "dossiers")


@pytest.mark.django_db
def test_bac_kan_2018_services_and_online_dossiers(reference_data: None, tmp_path: Path) -> None:
    # given Bắc Kạn's 2018 data imported
    bac_kan_files(tmp_path)
    province = Agency.objects.get(code=BAC_KAN)
    year = Period.year(2018)

    # when the province's indicators are read for 2018
    values = evaluate(
        province,
        year,
        [
            "level3_services_with_online_dossiers_rate",
            "level4_services_with_online_dossiers_rate",
            "level3_online_dossier_rate",
            "level4_online_dossier_rate",
        ],
    )

    # then 1,211 services = 918 + 293, with online dossiers 31/918 (3.38 %, derived) and 28/293 (9.56 %)
    assert_value(values, "level3_services_with_online_dossiers_rate", 31, 918, "3.38")
    assert_value(values, "level4_services_with_online_dossiers_rate", 28, 293, "9.56")
    assert 918 + 293 == 1211
    # and online dossiers 1,024/3,087 = 33.17 (published "33 %") and 849/2,377 = 35.72 (published "36 %")
    assert_value(values, "level3_online_dossier_rate", 1024, 3087, "33.17")
    assert_value(values, "level4_online_dossier_rate", 849, 2377, "35.72")
    for code, published in (("level3_online_dossier_rate", "33"), ("level4_online_dossier_rate", "36")):
        value = values[code].value
        assert value is not None
        assert value.quantize(Decimal("1"), rounding=ROUND_HALF_UP) == Decimal(published)
    # and the BCCI counts: 1,420 received by post; 1,420 + 1,825 results returned by post
    counts = queries.counts(province, year)
    assert (counts["received_postal"], counts["returned_postal"]) == (1420, 1420 + 1825)


@pytest.mark.django_db
def test_bac_kan_figures_of_the_published_file_are_reproduced(reference_data: None, tmp_path: Path) -> None:
    """The published-figures file (helper "targets") names the old Bắc Kạn province by its pre-2025 unit;
    once the agency is imported the figures link to it, and each one with counts equals ours."""
    from motcua.monitoring.targets import load_published_figures

    bac_kan_files(tmp_path)
    province = Agency.objects.get(code=BAC_KAN)
    load_published_figures()
    figures = PublishedFigure.objects.filter(agency=province, period_start=date(2018, 1, 1)).exclude(
        indicator=""
    )
    with_counts = [f for f in figures if f.numerator is not None and f.denominator is not None]
    assert {f.indicator for f in with_counts} >= {"level3_online_dossier_rate", "level4_online_dossier_rate"}
    values = evaluate(province, Period.year(2018), sorted({f.indicator for f in with_counts}))
    for figure in with_counts:
        ours = values[figure.indicator]
        assert (ours.numerator, ours.denominator) == (figure.numerator, figure.denominator), figure.indicator


# -- figures that no data can reproduce --------------------------------------------------------------------


@pytest.mark.django_db
def test_non_reproducible_published_values_are_kept_verbatim_and_flagged(
    reference_data: None, tmp_path: Path
) -> None:
    """Bình Dương's "80.06 %" (1,507 of no integer denominator) and Nam Định's "31.81 %" (533 of none)."""
    from motcua.monitoring.targets import figure_check, load_published_figures

    # given the old provinces imported (before 1/7/2025: Bình Dương 74 → Hồ Chí Minh City, Nam Định 36 →
    # Ninh Bình)
    import_old_provinces(
        tmp_path,
        [
            ["000.00.00.H74", "UBND tỉnh Bình Dương", "province", NATION, "1997-01-01", "2025-06-30", "74"],
            ["000.00.00.H36", "UBND tỉnh Nam Định", "province", NATION, "1997-01-01", "2025-06-30", "36"],
        ],
    )

    # when the published figures are loaded
    load_published_figures()

    # then both are kept as printed, flagged not reproducible, and linked to the imported agencies
    binh_duong = PublishedFigure.objects.get(published_value="80.06 %")
    nam_dinh = PublishedFigure.objects.get(published_value="31.81 %")
    assert (binh_duong.agency_label, binh_duong.numerator, binh_duong.reproducible) == (
        "Tỉnh Bình Dương",
        1507,
        False,
    )
    assert (nam_dinh.agency_label, nam_dinh.numerator, nam_dinh.reproducible) == ("Tỉnh Nam Định", 533, False)
    assert binh_duong.agency == Agency.objects.get(code="000.00.00.H74")
    assert nam_dinh.agency == Agency.objects.get(code="000.00.00.H36")
    # and no integer denominator reproduces them (1,507/1,882 = 80.07, 1,507/1,883 = 80.03; 533/1,675 = 31.82,
    # 533/1,676 = 31.80)
    assert figure_check(binh_duong).status == "irreproducible"
    assert figure_check(nam_dinh).status == "irreproducible"
