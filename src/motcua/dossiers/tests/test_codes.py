"""Dossier codes ``<receiving agency code>-YYMMDD-NNNN``: numbered per receiving agency and Hanoi day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from motcua.catalogue.models import Channel, Procedure
from motcua.dossiers import codes, services
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import DossierCodeSequence
from motcua.dossiers.tests.factories import applicant_of, build_cast, file_online, vn


@pytest.mark.django_db
def test_codes_count_per_receiving_agency_and_restart_each_day(demo_world: DemoWorld) -> None:
    # given commune A (code 132.85.30.H37) and commune B of the demo province
    cast = build_cast(demo_world)
    a, b = cast.commune.code, cast.other_commune.code

    # when two dossiers are filed at A on Mon 2/3/2026, one at B the same day, one at A the next day
    first = file_online(cast, vn(2026, 3, 2, 8, 30))
    second = file_online(cast, vn(2026, 3, 2, 15, 45))
    at_b = services.submit(
        actor=cast.other_citizen,
        procedure=cast.procedure,
        receiving_agency=cast.other_commune,
        channel=Channel.ONLINE,
        applicant=applicant_of(cast.other_citizen),
        at=vn(2026, 3, 2, 10, 0),
    )
    next_day = file_online(cast, vn(2026, 3, 3, 8, 0))

    # then A counts 0001, 0002 on 260302; B has its own 0001; A restarts at 0001 on 260303
    assert first.code == f"{a}-260302-0001"
    assert second.code == f"{a}-260302-0002"
    assert at_b.code == f"{b}-260302-0001"
    assert next_day.code == f"{a}-260303-0001"
    assert first.code == "132.85.30.H37-260302-0001"  # the demo's first commune, spelled out once
    # and the sequences kept are the last number issued per agency and day
    assert sorted(DossierCodeSequence.objects.values_list("agency_code", "day", "last_value")) == [
        (a, date(2026, 3, 2), 2),
        (a, date(2026, 3, 3), 1),
        (b, date(2026, 3, 2), 1),
    ]


@pytest.mark.django_db
def test_the_code_day_is_the_hanoi_day(demo_world: DemoWorld) -> None:
    # given the system clock in UTC, as ``now()`` gives it
    cast = build_cast(demo_world)
    late_monday = datetime(2026, 3, 2, 16, 59, tzinfo=UTC)  # Mon 2/3 23:59 in Hanoi
    early_tuesday = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)  # Tue 3/3 00:30 in Hanoi, still 2/3 in UTC

    # when a dossier arrives just before and one just after midnight in Hanoi
    before_midnight = file_online(cast, late_monday)
    after_midnight = file_online(cast, early_tuesday)

    # then each takes the number of its Hanoi day
    assert before_midnight.code == f"{cast.commune.code}-260302-0001"
    assert after_midnight.code == f"{cast.commune.code}-260303-0001"


@pytest.mark.django_db
def test_generated_codes_match_the_strict_pattern(demo_world: DemoWorld) -> None:
    # given dossiers filed at a commune and at the provincial service centre (a passport, 1.001456,
    # for the provincial police)
    cast = build_cast(demo_world)
    at_commune = file_online(cast, vn(2026, 3, 2, 8, 30))
    at_centre = services.submit(
        actor=demo_world.officers["motcua.tinh"],
        procedure=Procedure.objects.get(national_code="1.001456"),
        receiving_agency=demo_world.centre,
        competent_agency=demo_world.departments["Bộ Công an"],
        channel=Channel.IN_PERSON,
        applicant=applicant_of(cast.citizen),
        at=vn(2026, 3, 2, 9, 0),
    )

    # then both codes are valid in the strict and the relaxed sense
    for dossier in (at_commune, at_centre):
        assert dossier.code is not None
        assert codes.is_valid_code(dossier.code, strict=True), dossier.code
        assert codes.is_valid_code(dossier.code), dossier.code
    assert at_centre.code == "000.99.00.H37-260302-0001"


@pytest.mark.parametrize(
    ("code", "strict", "relaxed"),
    [
        ("132.85.30.H37-260302-0001", True, True),
        ("000.99.00.H37-261231-9999", True, True),
        ("132.85.30.H37-260302-10000", False, True),  # past 9,999 a day the number widens
        ("132.85.30.h37-260302-0001", False, False),  # lower case
        ("132.85.30.H37-260302-001", False, False),  # three digits
        ("132.85.30.H37-2603020-0001", False, False),  # seven-digit date
        ("132.85.30.H37_260302_0001", False, False),  # wrong separators
        ("", False, False),
    ],
)
def test_is_valid_code(code: str, strict: bool, relaxed: bool) -> None:
    assert codes.is_valid_code(code, strict=True) is strict
    assert codes.is_valid_code(code) is relaxed


@pytest.mark.django_db
def test_next_sequence_counts_per_agency_and_day() -> None:
    # given no sequence yet
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)

    # when numbers are claimed
    claimed = [
        codes.next_sequence("777.77.77.Z77", monday),
        codes.next_sequence("777.77.77.Z77", monday),
        codes.next_sequence("777.77.77.Z78", monday),
        codes.next_sequence("777.77.77.Z77", tuesday),
        codes.next_sequence("777.77.77.Z77", monday),
    ]

    # then each (agency, day) counts on its own from 1
    assert claimed == [1, 2, 1, 1, 3]
