"""Form schemas: the questions of a procedure's online declaration, as data (one JSON per procedure).

A schema has pages (one question or group per page, the GOV.UK "one thing per page" pattern) and fields of
a few types. The portal and the counter render the same schema; ``validate_page`` turns what a person typed
into clean JSON values or into messages that say what is wrong and how to fix it, in Vietnamese and
English. Schemas are stored in ``FormSchema`` rows (editable in the admin), loaded from
``catalogue/data/forms/*.json`` by ``load_reference_data``; a procedure without a schema gets
``generic_schema`` (one free-text page), so every procedure offered online can be filed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from django.utils import translation

from motcua.accounts.identifiers import parse_login
from motcua.core.errors import DomainError

FIELD_TYPES = (
    "text",
    "textarea",
    "date",
    "number",
    "year",
    "choice",
    "select",
    "checkbox",
    "citizen_id",
    "phone",
    "email",
)
PREFILLS = (
    "applicant.full_name",
    "applicant.id_number",
    "applicant.phone",
    "applicant.email",
    "applicant.address",
)
_NAME = re.compile(r"^[a-z0-9_]+$")
_DEFAULT_MAX = {"text": 200, "textarea": 2000}


class SchemaError(ValueError):
    """A schema file is malformed; ``path`` says where (e.g. ``pages[1].fields[0].type``)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def _lang() -> str:
    return "en" if (translation.get_language() or "vi").startswith("en") else "vi"


@dataclass(frozen=True)
class Choice:
    value: str
    label_vi: str
    label_en: str

    @property
    def label(self) -> str:
        return self.label_en if _lang() == "en" else self.label_vi


@dataclass(frozen=True)
class FormField:
    name: str
    type: str
    label_vi: str
    label_en: str
    required: bool = False
    hint_vi: str = ""
    hint_en: str = ""
    max_length: int | None = None
    min: str | int | None = None
    max: str | int | None = None
    choices: tuple[Choice, ...] = ()
    prefill: str = ""
    autocomplete: str = ""

    @property
    def label(self) -> str:
        return self.label_en if _lang() == "en" else self.label_vi

    @property
    def hint(self) -> str:
        return self.hint_en if _lang() == "en" else self.hint_vi

    def display(self, value: Any) -> str:
        """How an answer reads on the "check your answers" page and in the officer's view."""
        if value in (None, ""):
            return ""
        if self.type in ("choice", "select"):
            return next((c.label for c in self.choices if c.value == value), str(value))
        if self.type == "checkbox":
            yes = "Yes" if _lang() == "en" else "Có"
            no = "No" if _lang() == "en" else "Không"
            return yes if value else no
        if self.type == "date":
            try:
                return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
            except ValueError:
                return str(value)
        return str(value)


@dataclass(frozen=True)
class FormPage:
    id: str
    title_vi: str
    title_en: str
    fields: tuple[FormField, ...]
    intro_vi: str = ""
    intro_en: str = ""

    @property
    def title(self) -> str:
        return self.title_en if _lang() == "en" else self.title_vi

    @property
    def intro(self) -> str:
        return self.intro_en if _lang() == "en" else self.intro_vi


@dataclass(frozen=True)
class FormSchema:
    procedure: str
    version: int
    title_vi: str
    title_en: str
    pages: tuple[FormPage, ...]
    source: str = ""
    fields_by_name: dict[str, FormField] = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:
        return self.title_en if _lang() == "en" else self.title_vi

    def page(self, page_id: str) -> FormPage | None:
        return next((p for p in self.pages if p.id == page_id), None)


@lru_cache(maxsize=1)
def shared_choice_lists() -> dict[str, tuple[Choice, ...]]:
    """Choice lists referenced as ``"@name"`` (files ``data/forms/_<name>.json``)."""
    lists: dict[str, tuple[Choice, ...]] = {}
    folder = resources.files("motcua.catalogue") / "data" / "forms"
    if not folder.is_dir():
        return lists
    for entry in folder.iterdir():
        if entry.name.startswith("_") and entry.name.endswith(".json"):
            items = json.loads(entry.read_text(encoding="utf-8"))
            lists[entry.name[1:-5]] = tuple(
                Choice(str(i["value"]), str(i["label_vi"]), str(i["label_en"])) for i in items
            )
    return lists


def _text(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise SchemaError(f"{path}.{key}", "must be a non-empty string" if required else "must be a string")
    if not unicodedata.is_normalized("NFC", value):
        raise SchemaError(f"{path}.{key}", "must be Unicode NFC")
    return value.strip()


def _parse_field(data: Mapping[str, Any], path: str) -> FormField:
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SchemaError(f"{path}.name", "must match [a-z0-9_]+")
    kind = data.get("type")
    if kind not in FIELD_TYPES:
        raise SchemaError(f"{path}.type", f"must be one of {', '.join(FIELD_TYPES)}")
    choices: tuple[Choice, ...] = ()
    raw_choices = data.get("choices")
    if kind in ("choice", "select"):
        if isinstance(raw_choices, str) and raw_choices.startswith("@"):
            shared = shared_choice_lists().get(raw_choices[1:])
            if shared is None:
                raise SchemaError(f"{path}.choices", f"unknown shared list {raw_choices}")
            choices = shared
        elif isinstance(raw_choices, list) and raw_choices:
            choices = tuple(
                Choice(
                    _text(c, "value", f"{path}.choices[{i}]"),
                    _text(c, "label_vi", f"{path}.choices[{i}]"),
                    _text(c, "label_en", f"{path}.choices[{i}]"),
                )
                for i, c in enumerate(raw_choices)
            )
        else:
            raise SchemaError(f"{path}.choices", "a choice or select field needs choices")
        if len({c.value for c in choices}) != len(choices):
            raise SchemaError(f"{path}.choices", "values must be unique")
    prefill = data.get("prefill", "")
    if prefill and prefill not in PREFILLS:
        raise SchemaError(f"{path}.prefill", f"must be one of {', '.join(PREFILLS)}")
    max_length = data.get("max_length")
    if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
        raise SchemaError(f"{path}.max_length", "must be a positive integer")
    for bound in ("min", "max"):
        value = data.get(bound)
        if value is None:
            continue
        if kind == "date" and value != "today":
            try:
                date.fromisoformat(str(value))
            except ValueError as exc:
                raise SchemaError(f"{path}.{bound}", "must be an ISO date or 'today'") from exc
        elif kind in ("number", "year") and not isinstance(value, int):
            raise SchemaError(f"{path}.{bound}", "must be an integer")
    return FormField(
        name=name,
        type=str(kind),
        label_vi=_text(data, "label_vi", path),
        label_en=_text(data, "label_en", path),
        required=bool(data.get("required", False)),
        hint_vi=_text(data, "hint_vi", path, required=False),
        hint_en=_text(data, "hint_en", path, required=False),
        max_length=max_length or _DEFAULT_MAX.get(str(kind)),
        min=data.get("min"),
        max=data.get("max"),
        choices=choices,
        prefill=str(prefill),
        autocomplete=str(data.get("autocomplete", "")),
    )


def parse_schema(data: Mapping[str, Any]) -> FormSchema:
    """Check and parse a schema document; raise ``SchemaError`` naming the first problem's path."""
    if not isinstance(data, Mapping):
        raise SchemaError("$", "must be an object")
    procedure = _text(data, "procedure", "$")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise SchemaError("$.version", "must be a positive integer")
    raw_pages = data.get("pages")
    if not isinstance(raw_pages, list) or not raw_pages:
        raise SchemaError("$.pages", "must be a non-empty list")
    pages: list[FormPage] = []
    by_name: dict[str, FormField] = {}
    page_ids: set[str] = set()
    for p_index, raw_page in enumerate(raw_pages):
        path = f"pages[{p_index}]"
        page_id = raw_page.get("id") if isinstance(raw_page, Mapping) else None
        if not isinstance(page_id, str) or not _NAME.match(page_id) or page_id in page_ids:
            raise SchemaError(f"{path}.id", "must be a unique [a-z0-9_]+")
        page_ids.add(page_id)
        raw_fields = raw_page.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            raise SchemaError(f"{path}.fields", "must be a non-empty list")
        fields = []
        for f_index, raw_field in enumerate(raw_fields):
            parsed = _parse_field(raw_field, f"{path}.fields[{f_index}]")
            if parsed.name in by_name:
                raise SchemaError(f"{path}.fields[{f_index}].name", f"duplicate field name {parsed.name}")
            by_name[parsed.name] = parsed
            fields.append(parsed)
        pages.append(
            FormPage(
                id=page_id,
                title_vi=_text(raw_page, "title_vi", path),
                title_en=_text(raw_page, "title_en", path),
                intro_vi=_text(raw_page, "intro_vi", path, required=False),
                intro_en=_text(raw_page, "intro_en", path, required=False),
                fields=tuple(fields),
            )
        )
    return FormSchema(
        procedure=procedure,
        version=version,
        title_vi=_text(data, "title_vi", "$"),
        title_en=_text(data, "title_en", "$"),
        source=_text(data, "source", "$", required=False),
        pages=tuple(pages),
        fields_by_name=by_name,
    )


def generic_schema(procedure_code: str) -> FormSchema:
    """For a procedure without its own schema: the request in the applicant's words."""
    return parse_schema(
        {
            "procedure": procedure_code,
            "version": 1,
            "title_vi": "Nội dung đề nghị",
            "title_en": "Your request",
            "pages": [
                {
                    "id": "request",
                    "title_vi": "Nội dung đề nghị",
                    "title_en": "What you are asking for",
                    "fields": [
                        {
                            "name": "request_details",
                            "type": "textarea",
                            "label_vi": "Nội dung đề nghị giải quyết",
                            "label_en": "What you ask the agency to do",
                            "hint_vi": "Ghi rõ yêu cầu, ví dụ: đề nghị cấp bản sao trích lục khai sinh cho con tôi.",
                            "hint_en": "Say what you need, e.g. a copy of my child's birth certificate extract.",
                            "required": True,
                        }
                    ],
                }
            ],
        }
    )


# --- Validation of answers -------------------------------------------------------------------------------

_PHONE = re.compile(r"^0\d{9,10}$")
_TRUE = {"on", "true", "1", "yes"}


@dataclass(frozen=True)
class FieldError:
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        return self.message_en if _lang() == "en" else self.message_vi


def _date_bound(bound: str | int | None, today: date) -> date | None:
    if bound is None:
        return None
    return today if bound == "today" else date.fromisoformat(str(bound))


def _parse_date(raw: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return None


_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")


def _parse_number(raw: str, *, allow_decimal: bool) -> Decimal | None:
    """Vietnamese style first: "." groups thousands, "," marks decimals ("1.250,5"); "85.5" also accepted."""
    text = raw.replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(".", "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text) or (not allow_decimal and "." in text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def clean_value(form_field: FormField, raw: str, *, today: date) -> Any:
    """Return the clean JSON value of one answer or raise ``FieldError`` via ``ValueError`` args."""
    raw = unicodedata.normalize("NFC", raw or "").strip()
    label_vi, label_en = form_field.label_vi, form_field.label_en
    if form_field.type == "checkbox":
        checked = raw.lower() in _TRUE
        if form_field.required and not checked:
            raise _Invalid(
                f"Vui lòng đánh dấu ô “{label_vi}” để tiếp tục.", f"Tick “{label_en}” to continue."
            )
        return checked
    if not raw:
        if form_field.required:
            if form_field.type in ("choice", "select"):
                raise _Invalid(f"Vui lòng chọn {label_vi.lower()}.", f"Choose {label_en.lower()}.")
            raise _Invalid(f"Vui lòng nhập {label_vi.lower()}.", f"Enter {label_en.lower()}.")
        return ""
    if form_field.type in ("text", "textarea"):
        limit = form_field.max_length or _DEFAULT_MAX[form_field.type]
        if len(raw) > limit:
            raise _Invalid(
                f"{label_vi} dài tối đa {limit} ký tự (hiện có {len(raw)}).",
                f"{label_en} must be at most {limit} characters (now {len(raw)}).",
            )
        return raw
    if form_field.type == "date":
        parsed = _parse_date(raw)
        if parsed is None:
            raise _Invalid(
                f"{label_vi} phải là một ngày có thật, ví dụ 27/03/2026.",
                f"{label_en} must be a real date, e.g. 27/03/2026.",
            )
        low, high = _date_bound(form_field.min, today), _date_bound(form_field.max, today)
        if high is not None and parsed > high:
            when = "hôm nay" if form_field.max == "today" else high.strftime("%d/%m/%Y")
            when_en = "today" if form_field.max == "today" else high.strftime("%d/%m/%Y")
            raise _Invalid(f"{label_vi} không được sau {when}.", f"{label_en} cannot be after {when_en}.")
        if low is not None and parsed < low:
            raise _Invalid(
                f"{label_vi} không được trước {low.strftime('%d/%m/%Y')}.",
                f"{label_en} cannot be before {low.strftime('%d/%m/%Y')}.",
            )
        return parsed.isoformat()
    if form_field.type in ("number", "year"):
        number = _parse_number(raw, allow_decimal=form_field.type == "number")
        if number is None:
            example = "1985" if form_field.type == "year" else "85,5"
            raise _Invalid(
                f"{label_vi} phải là một số, ví dụ {example}.",
                f"{label_en} must be a number, e.g. {example}.",
            )
        least = form_field.min if isinstance(form_field.min, int) else None
        most = form_field.max if isinstance(form_field.max, int) else None
        if form_field.type == "year":
            least = 1900 if least is None else least
            most = today.year if most is None else most
        if least is not None and number < least:
            raise _Invalid(f"{label_vi} phải từ {least} trở lên.", f"{label_en} must be {least} or more.")
        if most is not None and number > most:
            raise _Invalid(
                f"{label_vi} không được lớn hơn {most}.", f"{label_en} cannot be more than {most}."
            )
        return int(number) if number == number.to_integral_value() else str(number)
    if form_field.type in ("choice", "select"):
        if raw not in {c.value for c in form_field.choices}:
            raise _Invalid(
                f"Vui lòng chọn {label_vi.lower()} trong danh sách.",
                f"Choose {label_en.lower()} from the list.",
            )
        return raw
    if form_field.type == "citizen_id":
        from motcua.accounts.validators import validate_citizen_id

        try:
            return validate_citizen_id(raw.replace(" ", ""), field=form_field.name)
        except DomainError as error:
            raise _Invalid(error.message_vi, error.message_en) from error
    if form_field.type in ("phone", "email"):
        try:
            kind, value = parse_login(raw, field=form_field.name)
        except DomainError as error:
            raise _Invalid(error.message_vi, error.message_en) from error
        if kind != form_field.type:
            if form_field.type == "phone":
                raise _Invalid(
                    "Số điện thoại không hợp lệ: nhập 10 chữ số, ví dụ 0912345678.",
                    "Enter a 10-digit phone number, e.g. 0912345678.",
                )
            raise _Invalid(
                "Địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.vn).",
                "Enter an e-mail address such as name@example.vn.",
            )
        return value
    raise _Invalid(
        "Câu trả lời không hợp lệ.", "The answer is not valid."
    )  # pragma: no cover - types are closed


class _Invalid(ValueError):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.error = FieldError(message_vi, message_en)


def validate_page(
    page: FormPage, raw: Mapping[str, str], *, today: date
) -> tuple[dict[str, Any], dict[str, FieldError]]:
    """Clean the answers to one page. Returns ``(values, errors)``; ``values`` keeps every answer, even a
    wrong one as typed, so that nothing the person typed is lost when the page is shown again."""
    values: dict[str, Any] = {}
    errors: dict[str, FieldError] = {}
    for form_field in page.fields:
        typed = raw.get(form_field.name, "")
        try:
            values[form_field.name] = clean_value(form_field, typed, today=today)
        except _Invalid as invalid:
            errors[form_field.name] = invalid.error
            values[form_field.name] = unicodedata.normalize("NFC", typed or "").strip()
    return values, errors


def validate_all(
    schema: FormSchema, answers: Mapping[str, Any], *, today: date
) -> dict[str, tuple[str, FieldError]]:
    """Every error of a complete set of answers, keyed by field name with the page it sits on."""
    problems: dict[str, tuple[str, FieldError]] = {}
    for page in schema.pages:
        raw = {f.name: as_raw(answers.get(f.name)) for f in page.fields}
        _, errors = validate_page(page, raw, today=today)
        for name, error in errors.items():
            problems[name] = (page.id, error)
    return problems


def as_raw(value: Any) -> str:
    """A stored answer as the text a form field would post."""
    if value is True:
        return "on"
    if value in (None, False):
        return ""
    return str(value)
