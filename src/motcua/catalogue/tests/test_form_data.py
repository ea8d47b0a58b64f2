"""The form schemas and life events are data the portal renders as is: check them against the rules of the
format (keys, types, names, both languages, NFC) with plain Python, so a broken file fails here and not in
front of a citizen. The last test also runs every schema through ``motcua.catalogue.forms.parse_schema``
once that parser exists.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
FORMS = DATA / "forms"
SCHEMA_FILES = sorted(p for p in FORMS.glob("*.json") if not p.name.startswith("_"))
ETHNICITIES_FILE = FORMS / "_ethnicities.json"
LIFE_EVENTS_FILE = DATA / "life_events.json"

FIELD_TYPES = {
    "text",
    "textarea",
    "date",
    "number",
    "choice",
    "select",
    "checkbox",
    "citizen_id",
    "phone",
    "email",
    "year",
}
PREFILLS = {
    "applicant.full_name",
    "applicant.id_number",
    "applicant.phone",
    "applicant.email",
    "applicant.address",
}
SCHEMA_KEYS = {"procedure", "version", "title_vi", "title_en", "source", "pages"}
PAGE_KEYS = {"id", "title_vi", "title_en", "intro_vi", "intro_en", "fields"}
FIELD_KEYS = {
    "name",
    "type",
    "label_vi",
    "label_en",
    "required",
    "hint_vi",
    "hint_en",
    "max_length",
    "min",
    "max",
    "choices",
    "prefill",
    "autocomplete",
}
CHOICE_KEYS = {"value", "label_vi", "label_en"}
# The brief's order of the home page's life events, by icon.
LIFE_EVENT_ICONS = ["baby", "rings", "house", "shop", "crane", "land", "car", "scales"]
IDENTIFIER = re.compile(r"[a-z0-9_]+\Z")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
NATIONAL_CODE = re.compile(r"\d\.\d{6}\Z")
# What the common applicant page asks; a schema may only pre-fill these, never ask them again.
APPLICANT_PAGE_NAMES = {"full_name", "name", "id_number", "citizen_id", "phone", "email", "address"}


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _catalogue_codes() -> frozenset[str]:
    with gzip.open(DATA / "procedures.jsonl.gz", "rt", encoding="utf-8") as fh:
        return frozenset(json.loads(line)["ma_thu_tuc"] for line in fh)


@cache
def _common_codes() -> tuple[str, ...]:
    return tuple(p["ma_thu_tuc"] for p in _load(DATA / "common_procedures.json"))


def _fields(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for page in schema["pages"]:
        yield from page["fields"]


def _strings(obj: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _strings(key, f"{path}.<key>")
            yield from _strings(value, f"{path}.{key}")


def _dicts(obj: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(obj, dict):
        yield path, obj
        for key, value in obj.items():
            yield from _dicts(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _dicts(item, f"{path}[{i}]")


schema_file = pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.stem for p in SCHEMA_FILES])


def test_every_common_procedure_has_a_schema_named_by_its_code() -> None:
    assert len(_common_codes()) == 25
    for code in _common_codes():
        path = FORMS / f"{code}.json"
        assert path.is_file(), f"no schema for common procedure {code}"
        assert _load(path)["procedure"] == code


@schema_file
def test_schema_is_named_by_an_existing_procedure(path: Path) -> None:
    schema = _load(path)
    assert NATIONAL_CODE.match(schema["procedure"])
    assert path.stem == schema["procedure"]
    assert schema["procedure"] in _catalogue_codes()


@schema_file
def test_schema_has_exactly_the_documented_keys(path: Path) -> None:
    schema = _load(path)
    assert set(schema) == SCHEMA_KEYS
    assert _is_int(schema["version"])
    assert schema["version"] >= 1
    for key in ("title_vi", "title_en", "source"):
        assert _is_text(schema[key]), key
    for page in schema["pages"]:
        assert set(page) <= PAGE_KEYS, page.get("id")
        assert {"id", "title_vi", "title_en", "fields"} <= set(page), page.get("id")
        for field in page["fields"]:
            assert set(field) <= FIELD_KEYS, field["name"]
            assert {"name", "type", "label_vi", "label_en"} <= set(field), field


@schema_file
def test_pages_ask_few_things_each(path: Path) -> None:
    pages = _load(path)["pages"]
    assert 2 <= len(pages) <= 6
    ids = [page["id"] for page in pages]
    assert len(set(ids)) == len(ids), "page ids must be unique"
    for page in pages:
        assert IDENTIFIER.match(page["id"]), page["id"]
        assert 1 <= len(page["fields"]) <= 8, page["id"]


@schema_file
def test_field_names_are_unique_identifiers_in_the_whole_schema(path: Path) -> None:
    names = [field["name"] for field in _fields(_load(path))]
    assert all(IDENTIFIER.match(name) for name in names), names
    duplicates = {name for name in names if names.count(name) > 1}
    assert not duplicates, f"duplicate field names: {sorted(duplicates)}"


@schema_file
def test_field_types_and_their_options(path: Path) -> None:
    for field in _fields(_load(path)):
        name, type_ = field["name"], field["type"]
        assert type_ in FIELD_TYPES, name
        assert isinstance(field.get("required", False), bool), name
        if "max_length" in field:
            assert type_ in {"text", "textarea"}, name
            assert _is_int(field["max_length"]), name
            assert field["max_length"] > 0, name
        for bound in ("min", "max"):
            if bound not in field:
                continue
            value = field[bound]
            if type_ == "date":
                assert value == "today" or ISO_DATE.match(value), (name, value)
            else:
                assert type_ in {"number", "year"}, name
                assert _is_int(value), (name, value)
        if type_ in {"number", "year"} and {"min", "max"} <= set(field):
            assert field["min"] <= field["max"], name
        if type_ == "date" and all(ISO_DATE.match(str(field.get(b, ""))) for b in ("min", "max")):
            assert field["min"] <= field["max"], name
        if "prefill" in field:
            assert field["prefill"] in PREFILLS, (name, field["prefill"])
        if "autocomplete" in field:
            assert _is_text(field["autocomplete"]), name


@schema_file
def test_choices_belong_to_choice_and_select_only(path: Path) -> None:
    for field in _fields(_load(path)):
        name, choices = field["name"], field.get("choices")
        if field["type"] not in {"choice", "select"}:
            assert choices is None, name
            continue
        assert choices is not None, f"{name} has no choices"
        if choices == "@ethnicities":
            assert field["type"] == "select", name
            continue
        assert isinstance(choices, list), name
        assert len(choices) >= 2, name
        for choice in choices:
            assert set(choice) == CHOICE_KEYS, (name, choice)
            assert IDENTIFIER.match(choice["value"]), (name, choice["value"])
        values = [choice["value"] for choice in choices]
        assert len(set(values)) == len(values), name
        if field["type"] == "choice":
            assert len(choices) <= 6, f"{name}: a radio list of more than 6 options should be a select"
        else:
            assert len(choices) > 6, f"{name}: a select of 6 options or fewer should be a choice"


@schema_file
def test_yes_no_questions_use_yes_and_no(path: Path) -> None:
    for field in _fields(_load(path)):
        choices = field.get("choices")
        if not isinstance(choices, list):
            continue
        labels = {choice["label_vi"] for choice in choices}
        values = {choice["value"] for choice in choices}
        if labels == {"Có", "Không"} or values & {"yes", "no"}:
            assert values == {"yes", "no"}, field["name"]
            assert field["type"] == "choice", field["name"]


@schema_file
def test_ethnicity_and_nationality_fields_follow_the_convention(path: Path) -> None:
    for field in _fields(_load(path)):
        name = field["name"]
        if name == "ethnicity" or name.endswith("_ethnicity"):
            assert field["type"] == "select", name
            assert field["choices"] == "@ethnicities", name
        if name == "nationality" or name.endswith("_nationality"):
            assert field["type"] == "text", name
            assert "Việt Nam" in field.get("hint_vi", ""), name
        if isinstance(field.get("choices"), str):
            assert field["choices"] == "@ethnicities", name


@schema_file
def test_the_applicant_page_is_not_asked_again(path: Path) -> None:
    for field in _fields(_load(path)):
        name = field["name"]
        assert name not in APPLICANT_PAGE_NAMES, f"{name} belongs to the applicant page"
        assert not name.startswith("applicant_") or name == "applicant_relationship", name


@schema_file
def test_every_text_has_both_languages(path: Path) -> None:
    for where, obj in _dicts(_load(path)):
        for key in obj:
            if key.endswith("_vi") or key.endswith("_en"):
                stem = key[:-3]
                for lang in ("vi", "en"):
                    assert _is_text(obj.get(f"{stem}_{lang}")), f"{where}.{stem}_{lang} missing or empty"


@pytest.mark.parametrize(
    "path",
    [*SCHEMA_FILES, ETHNICITIES_FILE, LIFE_EVENTS_FILE],
    ids=[p.name for p in [*SCHEMA_FILES, ETHNICITIES_FILE, LIFE_EVENTS_FILE]],
)
def test_all_strings_are_nfc(path: Path) -> None:
    not_nfc = [where for where, s in _strings(_load(path)) if not unicodedata.is_normalized("NFC", s)]
    assert not not_nfc, f"not NFC: {not_nfc}"


def test_ethnicity_list_has_the_54_groups_and_other() -> None:
    ethnicities = _load(ETHNICITIES_FILE)
    assert len(ethnicities) == 55
    values = [e["value"] for e in ethnicities]
    assert len(set(values)) == len(values)
    for e in ethnicities:
        assert set(e) == CHOICE_KEYS
        assert IDENTIFIER.match(e["value"])
        assert _is_text(e["label_vi"]), e["value"]
        assert _is_text(e["label_en"]), e["value"]
    by_value = {e["value"]: e["label_vi"] for e in ethnicities}
    assert by_value["kinh"] == "Kinh"
    assert by_value["khac"] == "Khác"


def test_life_events_are_the_agreed_events_in_order() -> None:
    events = _load(LIFE_EVENTS_FILE)
    assert [e["icon"] for e in events] == LIFE_EVENT_ICONS
    slugs = [e["slug"] for e in events]
    assert len(set(slugs)) == len(slugs)
    for event in events:
        assert set(event) == {
            "slug",
            "title_vi",
            "title_en",
            "summary_vi",
            "summary_en",
            "icon",
            "procedures",
        }
        assert SLUG.match(event["slug"]), event["slug"]
        for key in ("title_vi", "title_en", "summary_vi", "summary_en"):
            assert _is_text(event[key]), (event["slug"], key)


def test_life_event_procedures_exist_in_the_catalogue() -> None:
    catalogue = _catalogue_codes()
    common = set(_common_codes())
    for event in _load(LIFE_EVENTS_FILE):
        codes = event["procedures"]
        assert 3 <= len(codes) <= 12, event["slug"]
        assert len(set(codes)) == len(codes), event["slug"]
        missing = [code for code in codes if code not in catalogue]
        assert not missing, (event["slug"], missing)
        assert common & set(codes), f"{event['slug']} lists none of the common procedures"


@schema_file
def test_schema_parses_with_the_catalogue_parser(path: Path) -> None:
    forms = pytest.importorskip("motcua.catalogue.forms")
    schema = forms.parse_schema(_load(path))
    assert schema is not None
