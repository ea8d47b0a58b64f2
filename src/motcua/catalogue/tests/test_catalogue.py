import gzip
import json
import unicodedata
from pathlib import Path

import pytest
from django.db import connection

from motcua.calendar.constants import TimeUnit
from motcua.catalogue.loaders import CATALOGUE_FILE, load_catalogue
from motcua.catalogue.models import Channel, ImplementingLevel, Procedure, ProcedureOffering
from motcua.catalogue.selectors import search_procedures
from motcua.core.errors import DomainError


def _source_records() -> list[dict]:
    with gzip.open(CATALOGUE_FILE, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.mark.django_db
def test_all_2642_procedures_are_loaded_in_nfc(reference_data: None) -> None:
    records = _source_records()
    assert Procedure.objects.count() == len(records) == 2642
    nfd_names = [
        r["ten_thu_tuc"]
        for r in records
        if unicodedata.normalize("NFC", r["ten_thu_tuc"]) != r["ten_thu_tuc"]
    ]
    # the source really mixes forms, and everything stored is NFC
    assert nfd_names
    for name in Procedure.objects.values_list("name", flat=True):
        assert unicodedata.is_normalized("NFC", name)


@pytest.mark.django_db
def test_birth_registration_keeps_every_published_field(reference_data: None) -> None:
    source = next(r for r in _source_records() if r["ma_thu_tuc"] == "1.001193")
    p = Procedure.objects.get(national_code="1.001193")
    assert p.name == "Thủ tục đăng ký khai sinh"
    assert p.field is not None
    assert p.field.name == unicodedata.normalize("NFC", source["linh_vuc"])
    assert p.implementing_levels == [ImplementingLevel.COMMUNE]
    assert sorted(p.channels.values_list("channel", flat=True)) == sorted(
        {"Trực tuyến": Channel.ONLINE, "Trực tiếp": Channel.IN_PERSON, "Dịch vụ bưu chính": Channel.POSTAL}[
            k["hinh_thuc"]
        ]
        for k in source["kenh_nop"]
    )
    assert [(r.name, r.code) for r in p.results.all()] == [
        (unicodedata.normalize("NFC", k["ten"]), k["ma"]) for k in source["ket_qua"]
    ]
    expected_docs = sum(len(g["giay_to"]) for g in source["thanh_phan_ho_so"])
    assert p.documents.count() == expected_docs
    assert p.legal_basis_numbers == source["can_cu_phap_ly_so_hieu"]


@pytest.mark.django_db
def test_time_limit_units_are_kept(reference_data: None) -> None:
    residence = Procedure.objects.get(national_code="1.004222")  # 7 working days per the national record
    units = set(residence.channels.values_list("time_unit", flat=True))
    assert TimeUnit.WORKING_DAYS in units
    all_units = set(Procedure.objects.values_list("channels__time_unit", flat=True))
    assert {TimeUnit.WORKING_DAYS, TimeUnit.DAYS, TimeUnit.HOURS, TimeUnit.MONTHS, ""} <= all_units


@pytest.mark.django_db
def test_loading_twice_adds_nothing(reference_data: None) -> None:
    report = load_catalogue()
    assert report.created == 0
    assert report.unchanged == 2642
    assert Procedure.objects.count() == 2642


@pytest.mark.django_db
def test_malformed_lines_are_reported_with_their_line_and_skipped(tmp_path: Path) -> None:
    good = next(r for r in _source_records() if r["ma_thu_tuc"] == "1.001193")
    bad_code = {**good, "ma_thu_tuc": "ABC"}
    negative = {**good, "ma_thu_tuc": "9.999999", "kenh_nop": [{**good["kenh_nop"][0], "thoi_han": -3}]}
    bad_unit = {
        **good,
        "ma_thu_tuc": "9.999998",
        "kenh_nop": [{**good["kenh_nop"][0], "don_vi_thoi_han": "Tuần"}],
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps(bad_code),
        json.dumps(negative),
        json.dumps(bad_unit),
        "[1, 2]",
    ]
    path = tmp_path / "catalogue.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    Procedure.objects.all().delete()

    report = load_catalogue(path)

    assert report.created == 1
    assert [r.split(":")[1] for r in report.rejected] == ["2", "3", "4", "5", "6"]
    assert "not of the form" in report.rejected[1]
    assert "negative" in report.rejected[2]
    assert "unknown time-limit unit" in report.rejected[3]
    assert list(Procedure.objects.values_list("national_code", flat=True)) == ["1.001193"]


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    Procedure.objects.all().delete()
    report = load_catalogue(dry_run=True)
    assert report.created == 2642
    assert Procedure.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "DANG KY KHAI SINH",
        "Đăng ký khai sinh",
        unicodedata.normalize("NFD", "đăng ký khai sinh"),
        "  đăng   ký khai sinh ",
        "thủ tục đăng ký khai sinh",
    ],
)
def test_search_forgives_diacritics_case_and_normal_form(reference_data: None, query: str) -> None:
    results = search_procedures(query)
    assert results[0].national_code == "1.001193"
    # every result contains every folded word of the query
    assert all(all(w in p.search_text.split() for w in ("dang", "ky", "khai", "sinh")) for p in results)


@pytest.mark.django_db
def test_search_by_national_code(reference_data: None) -> None:
    assert [p.name for p in search_procedures("1.004222")] == ["Đăng ký thường trú"]


@pytest.mark.django_db
def test_blank_query_is_a_clear_error(reference_data: None) -> None:
    with pytest.raises(DomainError) as err:
        search_procedures("  ?! ")
    assert err.value.code == "search_query_empty"
    assert err.value.field == "q"


@pytest.mark.django_db
def test_typo_tolerance_on_postgresql(reference_data: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity is the PostgreSQL path; SQLite matches every word exactly")
    # "khia" for "khai": no name contains every word, the trigram fallback still finds birth registration
    results = search_procedures("dang ky khia sinh")
    assert "1.001193" in [p.national_code for p in results[:5]]


@pytest.mark.django_db
def test_python_folding_agrees_with_postgresql_unaccent(reference_data: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("unaccent is a PostgreSQL extension")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM catalogue_procedure "
            "WHERE trim(regexp_replace(lower(unaccent(name)), '[^a-z0-9]+', ' ', 'g')) "
            "<> trim(regexp_replace(search_text, '[^a-z0-9]+', ' ', 'g'))"
        )
        (mismatches,) = cursor.fetchone()
    assert mismatches == 0


@pytest.mark.django_db
def test_partial_online_offering_needs_a_published_reason(demo_world) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    offering = demo_world.offerings[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureOffering.objects.filter(pk=offering.pk).update(online_mode="partial", partial_reason="")


@pytest.mark.django_db
def test_demo_province_offers_the_25_common_procedures_online(demo_world) -> None:  # type: ignore[no-untyped-def]
    codes = {o.procedure.national_code for o in demo_world.offerings if o.is_online}
    common = json.loads((CATALOGUE_FILE.parent / "common_procedures.json").read_text(encoding="utf-8"))
    assert codes == {r["ma_thu_tuc"] for r in common}
    assert len(codes) == 25
