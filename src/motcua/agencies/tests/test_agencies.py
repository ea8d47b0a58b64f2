import csv
from collections import Counter

import pytest

from motcua.agencies.loaders import DATA_DIR, build_agency_skeleton, load_admin_units
from motcua.agencies.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel, UnitSuccession
from motcua.agencies.services import add_agency, move_agency
from motcua.core.errors import DomainError


@pytest.mark.django_db
def test_2025_units_and_their_counts(reference_data: None) -> None:
    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    assert current.filter(level=UnitLevel.PROVINCE).count() == 34
    communes = current.filter(level=UnitLevel.COMMUNE)
    assert communes.count() == 3321
    assert Counter(communes.values_list("unit_type", flat=True)) == {"Xã": 2621, "Phường": 687, "Đặc khu": 13}
    hanoi = current.get(level=UnitLevel.PROVINCE, code="01")
    assert hanoi.communes.count() == 126


@pytest.mark.django_db
def test_old_provinces_roll_up_to_their_successor(reference_data: None) -> None:
    ninh_binh = AdministrativeUnit.objects.get(level=UnitLevel.PROVINCE, code="37", valid_to__isnull=True)
    old = set(UnitSuccession.objects.filter(successor=ninh_binh).values_list("predecessor__name", flat=True))
    assert old == {"Tỉnh Hà Nam", "Tỉnh Nam Định", "Tỉnh Ninh Bình"}
    with (DATA_DIR / "mapping_old_to_new_wards.csv").open(encoding="utf-8") as fh:
        pairs = {(r["ma_xa_cu"], r["ma_xa_moi"]) for r in csv.DictReader(fh)}
    commune_links = UnitSuccession.objects.filter(successor__level=UnitLevel.COMMUNE).count()
    assert commune_links == len(pairs)


@pytest.mark.django_db
def test_loading_twice_adds_nothing(reference_data: None) -> None:
    before = (AdministrativeUnit.objects.count(), Agency.objects.count(), UnitSuccession.objects.count())
    assert sum(load_admin_units().created.values()) == 0
    assert sum(build_agency_skeleton().created.values()) == 0
    assert before == (
        AdministrativeUnit.objects.count(),
        Agency.objects.count(),
        UnitSuccession.objects.count(),
    )


@pytest.mark.django_db
def test_agency_tree_has_a_people_committee_per_province_and_commune(reference_data: None) -> None:
    assert Agency.objects.filter(kind=AgencyKind.PROVINCE).count() == 34
    assert Agency.objects.filter(kind=AgencyKind.COMMUNE).count() == 3321
    province = Agency.objects.get(code="000.00.00.H37")
    subtree = Agency.objects.subtree_of(province)
    with (DATA_DIR / "communes_2025.csv").open(encoding="utf-8") as fh:
        expected = sum(1 for r in csv.DictReader(fh) if r["ma_tinh"] == "37")
    assert subtree.filter(kind=AgencyKind.COMMUNE).count() == expected
    assert all(a.is_within(province) for a in subtree)


@pytest.mark.django_db
def test_subtree_is_one_prefix_query(reference_data: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    province = Agency.objects.get(code="000.00.00.H37")
    with django_assert_num_queries(1):
        list(Agency.objects.subtree_of(province).values_list("code", flat=True))


@pytest.mark.django_db
def test_move_agency_moves_its_subtree(reference_data: None) -> None:
    a = Agency.objects.get(code="000.00.00.H37")
    b = Agency.objects.get(code="000.00.00.H01")
    dept = add_agency(code="TEST.DEPT", name="Sở Thử", kind=AgencyKind.DEPARTMENT, parent=a)
    unit = add_agency(code="TEST.UNIT", name="Phòng Thử", kind=AgencyKind.OTHER, parent=dept)

    move_agency(dept, b)

    unit.refresh_from_db()
    assert unit.is_within(b)
    assert not unit.is_within(a)
    assert unit.depth == b.depth + 2
    with pytest.raises(DomainError) as err:
        move_agency(b, unit)
    assert err.value.code == "agency_cycle"


@pytest.mark.django_db
def test_agency_code_is_required() -> None:
    with pytest.raises(DomainError) as err:
        add_agency(code="  ", name="X", kind=AgencyKind.OTHER)
    assert err.value.field == "code"
