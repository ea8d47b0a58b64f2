"""Load the national procedure catalogue from the bundled JSON Lines snapshot.

Every text is normalised to NFC (the source mixes NFC and NFD). A malformed line is reported with its
line number and reason and skipped; nothing is guessed or silently changed. Loading is idempotent:
procedures already present (by national code) are left as they are.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.calendar.constants import TimeUnit
from motcua.catalogue.models import (
    Channel,
    Field,
    ImplementingLevel,
    Procedure,
    ProcedureChannel,
    ProcedureResult,
    RequiredDocument,
)
from motcua.core.text import fold, nfc

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "procedures.jsonl.gz"
NATIONAL_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Z.]+)?$")

CHANNELS = {"Trực tiếp": Channel.IN_PERSON, "Trực tuyến": Channel.ONLINE, "Dịch vụ bưu chính": Channel.POSTAL}
UNITS = {
    "Ngày làm việc": TimeUnit.WORKING_DAYS,
    "Ngày": TimeUnit.DAYS,
    "Giờ": TimeUnit.HOURS,
    "Tháng": TimeUnit.MONTHS,
}
LEVELS = {
    "Cấp bộ": ImplementingLevel.MINISTRY,
    "Cấp tỉnh": ImplementingLevel.PROVINCE,
    "Cấp xã": ImplementingLevel.COMMUNE,
    "Cơ quan khác": ImplementingLevel.OTHER,
}


class MalformedRecord(ValueError):
    """A catalogue line that cannot be loaded as published."""


@dataclass
class CatalogueReport:
    created: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParsedProcedure:
    procedure: Procedure
    field_name: str
    channels: list[ProcedureChannel]
    documents: list[RequiredDocument]
    results: list[ProcedureResult]
    warnings: list[str] = field(default_factory=list)


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedRecord(f"field {key!r} must be text")
    return nfc(value)


def _decimal(value: Any, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise MalformedRecord(f"{what} is not a number: {value!r}") from exc
    if number < 0:
        raise MalformedRecord(f"{what} is negative: {value!r}")
    return number


def parse_record(record: dict[str, Any]) -> ParsedProcedure:
    """Turn one catalogue record into unsaved model instances, or raise ``MalformedRecord``."""
    code = _text(record, "ma_thu_tuc")
    if not NATIONAL_CODE.match(code):
        raise MalformedRecord(f"national code {code!r} is not of the form 1.001193")
    name = _text(record, "ten_thu_tuc")
    if not name:
        raise MalformedRecord("procedure name is empty")
    levels = []
    for level in record.get("cap_thuc_hien") or []:
        if nfc(level) not in LEVELS:
            raise MalformedRecord(f"unknown implementing level {level!r}")
        levels.append(LEVELS[nfc(level)].value)
    raw = record.get("raw") or {}
    procedure = Procedure(
        national_code=code,
        name=name,
        search_text=fold(name),
        issuing_body=_text(record, "bo_nganh"),
        decision_number=_text(record, "so_quyet_dinh"),
        implementing_levels=levels,
        procedure_type=_text(record, "loai_thu_tuc"),
        applicant_types=_text(record, "doi_tuong_thuc_hien"),
        competent_agency_text=_text(record, "co_quan_co_tham_quyen"),
        implementing_agency_text=_text(record, "co_quan_thuc_hien"),
        reception_address=_text(record, "dia_chi_tiep_nhan"),
        authorised_agency_text=_text(record, "co_quan_duoc_uy_quyen"),
        coordinating_agency_text=_text(record, "co_quan_phoi_hop"),
        related_procedures=_text(record, "thu_tuc_lien_quan"),
        steps=_text(record, "trinh_tu_thuc_hien"),
        conditions=_text(record, "yeu_cau_dieu_kien"),
        legal_basis_numbers=[nfc(n) for n in record.get("can_cu_phap_ly_so_hieu") or []],
        legal_basis_text=nfc(raw.get("can_cu_phap_ly")),
        channels_text=nfc(raw.get("cach_thuc_thuc_hien")),
        documents_text=nfc(raw.get("thanh_phan_ho_so")),
        results_text=nfc(raw.get("ket_qua_xu_ly")),
        online_submission_published=bool(record.get("co_nop_truc_tuyen")),
        source_url=_text(record, "detail_url"),
    )
    channels = []
    for position, item in enumerate(record.get("kenh_nop") or []):
        form = nfc(item.get("hinh_thuc"))
        if form not in CHANNELS:
            raise MalformedRecord(f"unknown channel {form!r}")
        unit_text = nfc(item.get("don_vi_thoi_han"))
        if unit_text and unit_text not in UNITS:
            raise MalformedRecord(f"unknown time-limit unit {unit_text!r}")
        channels.append(
            ProcedureChannel(
                channel=CHANNELS[form],
                time_limit=_decimal(item.get("thoi_han"), "time limit"),
                time_unit=UNITS[unit_text].value if unit_text else "",
                fee_text=nfc(item.get("phi_le_phi"))[:500],
                fee_amount=_decimal(item.get("so_tien"), "fee amount"),
                currency=nfc(item.get("tien_te")),
                description=nfc(item.get("mo_ta")),
                position=position,
            )
        )
    documents: list[RequiredDocument] = []
    warnings = []
    for group in record.get("thanh_phan_ho_so") or []:
        for item in group.get("giay_to") or []:
            doc_name = nfc(item.get("ten_giay_to"))
            if not doc_name:
                # A split artefact of the portal's run-together table: the published text stays in
                # ``documents_text``; the unnamed item is not invented, it is left out and reported.
                warnings.append("a required-document item without a name was left out (raw text kept)")
                continue
            documents.append(
                RequiredDocument(
                    group=nfc(group.get("nhom"))[:500],
                    name=doc_name,
                    form_name=nfc(item.get("mau_don"))[:500],
                    originals=int(item.get("so_ban_chinh") or 0),
                    copies=int(item.get("so_ban_sao") or 0),
                    position=len(documents),
                )
            )
    results = [
        ProcedureResult(name=nfc(item.get("ten")), code=nfc(item.get("ma")), position=i)
        for i, item in enumerate(record.get("ket_qua") or [])
        if nfc(item.get("ten")) or nfc(item.get("ma"))
    ]
    return ParsedProcedure(procedure, _text(record, "linh_vuc"), channels, documents, results, warnings)


def load_catalogue(path: Path = CATALOGUE_FILE, *, dry_run: bool = False) -> CatalogueReport:
    """Load every well-formed procedure of ``path`` (gzip or plain JSON Lines); all or nothing."""
    report = CatalogueReport()
    opener = gzip.open if path.suffix == ".gz" else open
    existing = set(Procedure.objects.values_list("national_code", flat=True))
    parsed: list[ParsedProcedure] = []
    seen: set[str] = set()
    with opener(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise MalformedRecord("line is not a JSON object")
                item = parse_record(record)
            except (json.JSONDecodeError, MalformedRecord, TypeError, ValueError) as exc:
                report.rejected.append(f"{path.name}:{line_no}: {exc}")
                continue
            code = item.procedure.national_code
            report.warnings.extend(f"{path.name}:{line_no}: {code}: {w}" for w in item.warnings)
            if code in seen:
                report.rejected.append(f"{path.name}:{line_no}: duplicate national code {code}")
                continue
            seen.add(code)
            if code in existing:
                report.unchanged += 1
                continue
            parsed.append(item)
    if dry_run:
        report.created = len(parsed)
        return report
    with transaction.atomic():
        _save(parsed)
    report.created = len(parsed)
    return report


def _save(parsed: list[ParsedProcedure]) -> None:
    fields = {f.name: f for f in Field.objects.all()}
    for name in {p.field_name for p in parsed if p.field_name} - fields.keys():
        fields[name] = Field.objects.create(name=name)
    for item in parsed:
        item.procedure.field = fields.get(item.field_name)
    Procedure.objects.bulk_create([p.procedure for p in parsed], batch_size=500)
    ids = dict(
        Procedure.objects.filter(national_code__in=[p.procedure.national_code for p in parsed]).values_list(
            "national_code", "id"
        )
    )
    channels, documents, results = [], [], []
    for item in parsed:
        pid = ids[item.procedure.national_code]
        for channel in item.channels:
            channel.procedure_id = pid
            channels.append(channel)
        for document in item.documents:
            document.procedure_id = pid
            documents.append(document)
        for result in item.results:
            result.procedure_id = pid
            results.append(result)
    ProcedureChannel.objects.bulk_create(channels, batch_size=1000)
    RequiredDocument.objects.bulk_create(documents, batch_size=1000)
    ProcedureResult.objects.bulk_create(results, batch_size=1000)


@dataclass
class FormLoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)


def load_form_schemas(folder: Path | None = None) -> FormLoadReport:
    """Load every ``<code>.json`` form schema; a malformed file is rejected with the path of its problem."""
    from motcua.catalogue.forms import SchemaError, parse_schema
    from motcua.catalogue.models import FormSchemaRecord

    report = FormLoadReport()
    base = folder or Path(str(resources.files("motcua.catalogue") / "data" / "forms"))
    if not base.is_dir():
        return report
    procedures = {p.national_code: p for p in Procedure.objects.all()}
    for path in sorted(base.glob("*.json")):
        if path.name.startswith("_"):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            schema = parse_schema(data)
        except (ValueError, SchemaError) as error:
            report.rejected.append(f"{path.name}: {error}")
            continue
        procedure = procedures.get(schema.procedure)
        if procedure is None:
            report.rejected.append(f"{path.name}: procedure {schema.procedure} is not in the catalogue")
            continue
        record = FormSchemaRecord.objects.filter(procedure=procedure, version=schema.version).first()
        if record is None:
            FormSchemaRecord.objects.create(procedure=procedure, version=schema.version, definition=data)
            report.created += 1
        elif record.definition != data:
            record.definition = data
            record.save(update_fields=["definition", "loaded_at"])
            report.updated += 1
        else:
            report.unchanged += 1
    return report
