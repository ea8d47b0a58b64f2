"""Form schemas and answers (``catalogue.forms``), and the search that leads a citizen to a procedure.

Schemas here are built in the test, so every expectation follows from what the test wrote: the JSON path a
malformed schema is refused at, the label and bounds an error message has to name, the value kept as typed.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from motcua.accounts.validators import validate_citizen_id
from motcua.catalogue.forms import (
    FieldError,
    FormField,
    FormPage,
    SchemaError,
    generic_schema,
    parse_schema,
    shared_choice_lists,
    validate_page,
)
from motcua.catalogue.models import FormSchemaRecord, Procedure
from motcua.catalogue.selectors import (
    correct_words,
    form_schema_for,
    life_event,
    life_events,
    search_procedures,
)
from motcua.core.errors import DomainError
from motcua.core.text import fold, tokens

TODAY = date(2026, 3, 2)
DATA = Path(__file__).resolve().parents[1] / "data"
BIRTH_REGISTRATION = "1.001193"


def _field(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "label_vi": f"Nhãn {name}", "label_en": f"Label {name}", **extra}


def _schema(*pages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "procedure": "9.999999",
        "version": 1,
        "title_vi": "Tờ khai thử",
        "title_en": "Test declaration",
        "pages": [
            {"id": f"p{i}", "title_vi": f"Trang {i}", "title_en": f"Page {i}", "fields": fields}
            for i, fields in enumerate(pages)
        ],
    }


def _valid() -> dict[str, Any]:
    return _schema(
        [
            _field("full_name", "text", required=True),
            _field(
                "sex",
                "choice",
                required=True,
                choices=[
                    {"value": "nam", "label_vi": "Nam", "label_en": "Male"},
                    {"value": "nu", "label_vi": "Nữ", "label_en": "Female"},
                ],
            ),
        ],
        [_field("born_on", "date", max="today"), _field("ethnicity", "select", choices="@ethnicities")],
    )


def _refused(data: dict[str, Any]) -> SchemaError:
    with pytest.raises(SchemaError) as caught:
        parse_schema(data)
    return caught.value


# --- parse_schema ---------------------------------------------------------------------------------------


def test_a_valid_schema_parses_with_every_field_indexed_by_name() -> None:
    schema = parse_schema(_valid())
    assert [p.id for p in schema.pages] == ["p0", "p1"]
    assert set(schema.fields_by_name) == {"full_name", "sex", "born_on", "ethnicity"}
    # a shared list is resolved to the packaged file's entries
    ethnicities = json.loads((DATA / "forms" / "_ethnicities.json").read_text(encoding="utf-8"))
    assert [c.value for c in schema.fields_by_name["ethnicity"].choices] == [
        str(e["value"]) for e in ethnicities
    ]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["pages"][0]["fields"][0].pop("label_vi"), "pages[0].fields[0].label_vi"),
        (lambda d: d["pages"][1]["fields"][0].update(label_en="  "), "pages[1].fields[0].label_en"),
        (lambda d: d["pages"][1].pop("title_en"), "pages[1].title_en"),
        (lambda d: d.pop("title_vi"), "$.title_vi"),
    ],
    ids=["field-label-vi", "blank-label-en", "page-title", "schema-title"],
)
def test_missing_labels_are_refused_at_their_path(mutate: Any, path: str) -> None:
    data = _valid()
    mutate(data)
    assert _refused(data).path == path


def test_duplicate_field_names_are_refused_even_across_pages() -> None:
    data = _valid()
    data["pages"][1]["fields"].append(_field("full_name", "text"))
    error = _refused(data)
    assert error.path == "pages[1].fields[2].name"
    assert "full_name" in error.problem


def test_duplicate_page_ids_are_refused() -> None:
    data = _valid()
    data["pages"][1]["id"] = data["pages"][0]["id"]
    assert _refused(data).path == "pages[1].id"


@pytest.mark.parametrize("kind", ["string", "radio", "", None, "DATE"])
def test_unknown_field_types_are_refused(kind: Any) -> None:
    data = _valid()
    data["pages"][0]["fields"][0]["type"] = kind
    error = _refused(data)
    assert error.path == "pages[0].fields[0].type"
    assert "citizen_id" in error.problem  # the message lists the types that exist


@pytest.mark.parametrize("choices", [None, [], "not-a-list-reference"], ids=["absent", "empty", "bare-text"])
@pytest.mark.parametrize("kind", ["choice", "select"])
def test_a_choice_without_choices_is_refused(kind: str, choices: Any) -> None:
    data = _valid()
    field = _field("answer", kind)
    if choices is not None:
        field["choices"] = choices
    data["pages"][0]["fields"].append(field)
    assert _refused(data).path == "pages[0].fields[2].choices"


def test_duplicate_choice_values_are_refused() -> None:
    data = _valid()
    data["pages"][0]["fields"][1]["choices"][1]["value"] = "nam"
    assert _refused(data).path == "pages[0].fields[1].choices"


def test_an_unknown_shared_list_is_refused() -> None:
    assert "nope" not in shared_choice_lists()
    data = _valid()
    data["pages"][1]["fields"][1]["choices"] = "@nope"
    error = _refused(data)
    assert error.path == "pages[1].fields[1].choices"
    assert "@nope" in error.problem


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d, t: d["pages"][0]["fields"][0].update(label_vi=t), "pages[0].fields[0].label_vi"),
        (lambda d, t: d["pages"][0].update(title_vi=t), "pages[0].title_vi"),
        (lambda d, t: d.update(title_vi=t), "$.title_vi"),
        (
            lambda d, t: d["pages"][0]["fields"][1]["choices"][1].update(label_vi=t),
            "pages[0].fields[1].choices[1].label_vi",
        ),
    ],
    ids=["field-label", "page-title", "schema-title", "choice-label"],
)
def test_text_not_in_nfc_is_refused(mutate: Any, path: str) -> None:
    decomposed = unicodedata.normalize("NFD", "Họ và tên của người được cấp")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    data = _valid()
    mutate(data, decomposed)
    error = _refused(data)
    assert error.path == path
    assert "NFC" in error.problem


@pytest.mark.parametrize(
    ("field", "path"),
    [
        (_field("Ho Ten", "text"), "pages[0].fields[2].name"),
        (_field("born", "date", max="tomorrow"), "pages[0].fields[2].max"),
        (_field("year", "year", min="1900"), "pages[0].fields[2].min"),
        (_field("note", "text", max_length=0), "pages[0].fields[2].max_length"),
        (_field("phone", "phone", prefill="account.phone"), "pages[0].fields[2].prefill"),
    ],
    ids=["name", "date-bound", "year-bound", "max-length", "prefill"],
)
def test_other_malformed_fields_name_their_path(field: dict[str, Any], path: str) -> None:
    data = _valid()
    data["pages"][0]["fields"].append(field)
    assert _refused(data).path == path


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(version=0), "$.version"),
        (lambda d: d.update(pages=[]), "$.pages"),
        (lambda d: d["pages"][0].update(fields=[]), "pages[0].fields"),
    ],
)
def test_malformed_documents_name_their_path(mutate: Any, path: str) -> None:
    data = _valid()
    mutate(data)
    assert _refused(data).path == path


def test_every_packaged_schema_parses() -> None:
    files = sorted(p for p in (DATA / "forms").glob("*.json") if not p.name.startswith("_"))
    assert len(files) >= 25
    for path in files:
        schema = parse_schema(json.loads(path.read_text(encoding="utf-8")))
        assert schema.procedure == path.stem


# --- validate_page --------------------------------------------------------------------------------------


def _page(*fields: dict[str, Any]) -> FormPage:
    return parse_schema(_schema(list(fields))).pages[0]


def _one(field: dict[str, Any], typed: str) -> tuple[Any, FieldError | None]:
    page = _page(field)
    values, errors = validate_page(page, {field["name"]: typed}, today=TODAY)
    return values[field["name"]], errors.get(field["name"])


def _both(error: FieldError | None) -> tuple[str, str]:
    """The two messages of an error, checked to be two real, different sentences."""
    assert error is not None
    assert error.message_vi.strip()
    assert error.message_en.strip()
    assert error.message_vi != error.message_en
    with translation.override("vi"):
        assert error.message == error.message_vi
    with translation.override("en"):
        assert error.message == error.message_en
    return error.message_vi, error.message_en


@pytest.mark.parametrize("typed", ["27/03/2025", "2025-03-27", "27-03-2025", "27.03.2025", " 27/03/2025 "])
def test_dates_are_read_day_first_or_iso(typed: str) -> None:
    value, error = _one(_field("born_on", "date"), typed)
    assert error is None
    assert value == date(2025, 3, 27).isoformat()


@pytest.mark.parametrize("typed", ["31/02/2025", "2025-13-01", "hôm qua", "03/27/2025"])
def test_an_impossible_date_says_so_with_an_example_and_keeps_what_was_typed(typed: str) -> None:
    field = _field("born_on", "date")
    value, error = _one(field, typed)
    vi, en = _both(error)
    assert field["label_vi"] in vi
    assert field["label_en"] in en
    assert any(ch.isdigit() for ch in en)  # an example of a date the person can copy
    assert value == typed


def test_a_date_after_today_is_refused_when_max_is_today() -> None:
    field = _field("born_on", "date", max="today")
    value, error = _one(field, TODAY.strftime("%d/%m/%Y"))
    assert error is None
    assert value == TODAY.isoformat()
    tomorrow = (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")
    value, error = _one(field, tomorrow)
    vi, en = _both(error)
    assert "hôm nay" in vi
    assert "today" in en
    assert field["label_vi"] in vi
    assert value == tomorrow


def test_a_date_before_an_iso_minimum_names_the_minimum() -> None:
    field = _field("married_on", "date", min="2000-01-01")
    bound = date.fromisoformat(field["min"])
    typed = (bound - timedelta(days=1)).strftime("%d/%m/%Y")
    value, error = _one(field, typed)
    vi, en = _both(error)
    assert bound.strftime("%d/%m/%Y") in vi
    assert bound.strftime("%d/%m/%Y") in en
    assert value == typed
    assert _one(field, bound.strftime("%d/%m/%Y")) == (bound.isoformat(), None)


def test_years_default_to_1900_until_this_year() -> None:
    field = _field("year_of_birth", "year")
    assert _one(field, "1900") == (1900, None)
    assert _one(field, str(TODAY.year)) == (TODAY.year, None)
    for typed, bound in (("1899", "1900"), (str(TODAY.year + 1), str(TODAY.year))):
        value, error = _one(field, typed)
        vi, en = _both(error)
        assert bound in vi
        assert bound in en
        assert value == typed
    value, error = _one(field, "19a5")
    _both(error)
    assert value == "19a5"


def test_numbers_respect_their_bounds() -> None:
    field = _field("copies", "number", min=0, max=20)
    assert _one(field, "3") == (3, None)
    assert _one(field, "0") == (0, None)
    for typed in ("21", "-1"):
        value, error = _one(field, typed)
        _, en = _both(error)
        assert str(field["max"] if typed == "21" else field["min"]) in en
        assert value == typed


def test_a_citizen_id_is_checked_like_everywhere_else() -> None:
    field = _field("mother_id_number", "citizen_id")
    assert _one(field, "037 090 001 234") == ("037090001234", None)
    for typed in ("12345", "03709000123A", "0370900012345"):
        with pytest.raises(DomainError) as expected:
            validate_citizen_id(typed.replace(" ", ""))
        value, error = _one(field, typed)
        assert error == FieldError(expected.value.message_vi, expected.value.message_en)
        _both(error)
        assert value == typed


@pytest.mark.parametrize(
    ("typed", "clean"),
    [("0912345678", "0912345678"), ("+84 912 345 678", "0912345678"), ("0912.345.678", "0912345678")],
)
def test_phone_numbers_are_normalised(typed: str, clean: str) -> None:
    assert _one(_field("phone", "phone"), typed) == (clean, None)


@pytest.mark.parametrize("typed", ["12345", "an@example.vn", "số máy"])
def test_a_wrong_phone_number_is_refused_with_an_example(typed: str) -> None:
    value, error = _one(_field("phone", "phone"), typed)
    vi, en = _both(error)
    assert "09" in vi  # an example number the person can follow
    assert "09" in en
    assert value == typed


def test_e_mail_addresses_are_lower_cased_and_a_phone_is_not_an_e_mail() -> None:
    field = _field("email", "email")
    assert _one(field, "AN.Nguyen@Example.VN") == ("an.nguyen@example.vn", None)
    for typed in ("0912345678", "an@", "an nguyen@example.vn"):
        value, error = _one(field, typed)
        vi, en = _both(error)
        assert "@" in vi
        assert "@" in en
        assert value == typed


def test_a_required_checkbox_must_be_ticked() -> None:
    field = _field("declaration", "checkbox", required=True)
    assert _one(field, "on") == (True, None)
    value, error = _one(field, "")
    vi, en = _both(error)
    assert field["label_vi"] in vi
    assert field["label_en"] in en
    assert value == ""
    assert _one(_field("newsletter", "checkbox"), "") == (False, None)


def test_select_and_choice_answers_must_be_one_of_the_values() -> None:
    ethnicities = shared_choice_lists()["ethnicities"]
    select = _field("ethnicity", "select", choices="@ethnicities", required=True)
    assert _one(select, ethnicities[0].value) == (ethnicities[0].value, None)
    value, error = _one(select, "martian")
    vi, en = _both(error)
    assert select["label_vi"].lower() in vi
    assert value == "martian"
    value, error = _one(select, "")
    vi, en = _both(error)
    assert select["label_en"].lower() in en


def test_required_text_and_length_limits() -> None:
    field = _field("full_name", "text", required=True, max_length=10)
    value, error = _one(field, "   ")
    vi, en = _both(error)
    assert field["label_vi"].lower() in vi
    typed = "Nguyễn Văn Anh Tuấn"
    value, error = _one(field, typed)
    vi, en = _both(error)
    assert str(field["max_length"]) in vi
    assert str(len(typed)) in en
    assert value == typed


def test_a_page_keeps_every_answer_and_reports_only_the_wrong_ones() -> None:
    page = _page(
        _field("full_name", "text", required=True),
        _field("born_on", "date", max="today"),
        _field("phone", "phone"),
        _field("note", "textarea"),
    )
    typed = {
        "full_name": unicodedata.normalize("NFD", "Trần Thị Bình"),
        "born_on": "30/02/2020",
        "phone": "+84 912 345 678",
    }
    values, errors = validate_page(page, typed, today=TODAY)
    assert set(errors) == {"born_on"}
    assert values == {
        "full_name": unicodedata.normalize("NFC", typed["full_name"]),  # stored in NFC, as typed otherwise
        "born_on": "30/02/2020",
        "phone": "0912345678",
        "note": "",
    }


def test_display_reads_answers_back_in_the_chosen_language() -> None:
    page = _page(
        _field(
            "sex",
            "choice",
            choices=[{"value": "nam", "label_vi": "Nam", "label_en": "Male"}],
        ),
        _field("born_on", "date"),
        _field("agree", "checkbox"),
    )
    sex, born, agree = page.fields
    assert isinstance(sex, FormField)
    with translation.override("en"):
        assert sex.display("nam") == "Male"
        assert agree.display(True) == "Yes"
    with translation.override("vi"):
        assert sex.display("nam") == "Nam"
    assert born.display("2025-03-27") == "27/03/2025"


# --- Search, life events, schemas of procedures -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai snh",
        "Đăng ký khai sinh",
        "dang ky khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        unicodedata.normalize("NFD", "Đăng ký khai sinh"),
        "dang ki khai sinh",
        "đăng kí khai sinh",
    ],
    ids=["typo", "accents", "no-accents", "upper", "nfd", "ki", "ki-accents"],
)
def test_birth_registration_comes_first_however_it_is_typed(reference_data: None, query: str) -> None:
    found = search_procedures(query)
    assert found[0].national_code == BIRTH_REGISTRATION


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["dang ki ket hon", "đăng kí kết hôn", "dang ky ket hon"])
def test_dang_ki_ket_hon_finds_marriage_registration_first(reference_data: None, query: str) -> None:
    found = search_procedures(query, limit=50)
    with_phrase = {p.national_code for p in Procedure.objects.all() if "dang ky ket hon" in fold(p.name)}
    assert found[0].name.lower().endswith("đăng ký kết hôn")
    # every name holding the phrase "đăng ký kết hôn" is found, before any name that only holds its words
    assert {p.national_code for p in found[: len(with_phrase)]} == with_phrase
    assert all("đăng ký kết hôn" in p.name.lower() for p in found[: len(with_phrase)])


@pytest.mark.django_db
def test_correct_words_repairs_only_unknown_words(reference_data: None) -> None:
    assert correct_words(tokens("dang ky khai snh")) == tokens("dang ky khai sinh")
    assert correct_words(tokens("dang ki ket hon")) == tokens("dang ky ket hon")
    assert correct_words(tokens("dang ky thuong tru")) == tokens("dang ky thuong tru")
    assert correct_words(["2025"]) == ["2025"]  # numbers are never "corrected"
    assert correct_words(["qqqqzzzz"]) == ["qqqqzzzz"]  # nothing near: kept


@pytest.mark.django_db
def test_an_empty_query_is_refused(reference_data: None) -> None:
    with pytest.raises(DomainError) as caught:
        search_procedures(" ,. ")
    assert caught.value.field == "q"


@pytest.mark.django_db
def test_search_by_national_code(reference_data: None) -> None:
    assert [p.national_code for p in search_procedures(BIRTH_REGISTRATION)] == [BIRTH_REGISTRATION]


@pytest.mark.django_db
def test_every_life_event_resolves_to_real_procedures(reference_data: None) -> None:
    events = life_events()
    raw = json.loads((DATA / "life_events.json").read_text(encoding="utf-8"))
    assert [e.slug for e in events] == [e["slug"] for e in raw]
    for event in events:
        found_event, procedures = life_event(event.slug)
        assert found_event == event
        assert [p.national_code for p in procedures] == list(event.procedure_codes), event.slug


@pytest.mark.django_db
def test_a_procedure_without_its_own_schema_gets_the_generic_one(reference_data: None) -> None:
    with_schema = set(FormSchemaRecord.objects.values_list("procedure_id", flat=True))
    procedure = Procedure.objects.exclude(id__in=with_schema).order_by("national_code").first()
    assert procedure is not None
    assert form_schema_for(procedure) == generic_schema(procedure.national_code)
    page = form_schema_for(procedure).pages[0]
    assert [f.required for f in page.fields] == [True]  # the request itself must be written


@pytest.mark.django_db
def test_a_procedure_with_a_schema_gets_its_newest_version(reference_data: None) -> None:
    procedure = Procedure.objects.get(national_code=BIRTH_REGISTRATION)
    packaged = json.loads((DATA / "forms" / f"{BIRTH_REGISTRATION}.json").read_text(encoding="utf-8"))
    assert form_schema_for(procedure) == parse_schema(packaged)
    newer = copy.deepcopy(packaged)
    newer["version"] = packaged["version"] + 1
    newer["title_vi"] = "Tờ khai đăng ký khai sinh (mẫu mới)"
    FormSchemaRecord.objects.create(procedure=procedure, version=newer["version"], definition=newer)
    assert form_schema_for(procedure).title_vi == newer["title_vi"]
    # a draft started on the old version keeps reading the old questions
    assert form_schema_for(procedure, version=packaged["version"]) == parse_schema(packaged)
