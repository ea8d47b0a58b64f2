"""Load the 2025 administrative units and build the agency skeleton from the bundled official lists.

Data: ``agencies/data/`` (copied from the MIT-licensed ``dvhcvn/20250701`` snapshot; provenance in
``agencies/data/README.md``). Loading is idempotent: a second run adds nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from motcua.agencies.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    UnitLevel,
    UnitSuccession,
)
from motcua.core.text import nfc

DATA_DIR = Path(__file__).resolve().parent / "data"
REORGANISATION_DAY = date(2025, 7, 1)
LAST_DAY_BEFORE = date(2025, 6, 30)
NATION_CODE = "000.00.00.000"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)

    def count(self, what: str, n: int) -> None:
        self.created[what] = self.created.get(what, 0) + n


def _rows(name: str) -> list[tuple[int, dict[str, str]]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return [(i, {k: nfc(v) for k, v in row.items()}) for i, row in enumerate(csv.DictReader(fh), start=2)]


def province_agency_code(province_code: str) -> str:
    """Placeholder identifier of a provincial People's Committee (shape of Decision 20/2020; UNVERIFIED)."""
    return f"000.00.00.H{province_code}"


def commune_agency_code(commune_code: str, province_code: str) -> str:
    """Placeholder identifier of a commune People's Committee (shape of Decision 20/2020; UNVERIFIED)."""
    return f"{commune_code[:3]}.{commune_code[3:5]}.30.H{province_code}"


@transaction.atomic
def load_admin_units() -> LoadReport:
    """Create the 34 provinces, 3,321 communes, the 63 old provinces, the old communes and their links."""
    report = LoadReport()
    existing = {(u.level, u.code, u.valid_from): u for u in AdministrativeUnit.objects.all()}

    def upsert(
        level: str, code: str, name: str, unit_type: str, valid_from: date | None, **extra: object
    ) -> AdministrativeUnit:
        key = (level, code, valid_from)
        unit = existing.get(key)
        if unit is None:
            unit = AdministrativeUnit.objects.create(
                level=level, code=code, name=name, unit_type=unit_type, valid_from=valid_from, **extra
            )
            existing[key] = unit
            report.count(f"{level}s", 1)
        return unit

    provinces: dict[str, AdministrativeUnit] = {}
    for line, row in _rows("provinces_2025.csv"):
        if not row["ma_tinh"].isdigit() or not row["ten_tinh"]:
            report.rejected.append(f"provinces_2025.csv:{line}: missing code or name")
            continue
        provinces[row["ma_tinh"]] = upsert(
            UnitLevel.PROVINCE, row["ma_tinh"], row["ten_tinh"], row["loai"], REORGANISATION_DAY
        )

    communes: dict[str, AdministrativeUnit] = {}
    new_communes: list[AdministrativeUnit] = []
    for line, row in _rows("communes_2025.csv"):
        province = provinces.get(row["ma_tinh"])
        if province is None or len(row["ma_xa"]) != 5 or not row["ma_xa"].isdigit():
            report.rejected.append(f"communes_2025.csv:{line}: bad commune code or unknown province")
            continue
        key = (UnitLevel.COMMUNE, row["ma_xa"], REORGANISATION_DAY)
        if key in existing:
            communes[row["ma_xa"]] = existing[key]
            continue
        unit = AdministrativeUnit(
            level=UnitLevel.COMMUNE,
            code=row["ma_xa"],
            name=row["ten_xa"],
            unit_type=row["loai"],
            province=province,
            valid_from=REORGANISATION_DAY,
        )
        new_communes.append(unit)
        communes[row["ma_xa"]] = unit
    AdministrativeUnit.objects.bulk_create(new_communes, batch_size=500)
    report.count("communes", len(new_communes))
    if new_communes:
        communes = {
            u.code: u
            for u in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_from=REORGANISATION_DAY)
        }

    old_provinces: dict[str, AdministrativeUnit] = {}
    successions: list[UnitSuccession] = []
    known = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    for line, row in _rows("mapping_old_to_new_provinces.csv"):
        successor = provinces.get(row["ma_tinh_moi"])
        if successor is None:
            report.rejected.append(f"mapping_old_to_new_provinces.csv:{line}: unknown new province")
            continue
        old = upsert(
            UnitLevel.PROVINCE, row["ma_tinh_cu"], row["ten_tinh_cu"], "", None, valid_to=LAST_DAY_BEFORE
        )
        old_provinces[row["ma_tinh_cu"]] = old
        if (old.id, successor.id) not in known:
            known.add((old.id, successor.id))
            successions.append(
                UnitSuccession(
                    predecessor=old, successor=successor, kind=row["kieu"], effective_on=REORGANISATION_DAY
                )
            )

    old_communes = {
        u.code: u for u in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_from__isnull=True)
    }
    ward_rows = _rows("mapping_old_to_new_wards.csv")
    missing = []
    for _line, row in ward_rows:
        if row["ma_xa_cu"] not in old_communes:
            unit = AdministrativeUnit(
                level=UnitLevel.COMMUNE,
                code=row["ma_xa_cu"],
                name=row["ten_xa_cu"],
                unit_type="",
                valid_to=LAST_DAY_BEFORE,
            )
            old_communes[row["ma_xa_cu"]] = unit
            missing.append(unit)
    AdministrativeUnit.objects.bulk_create(missing, batch_size=500)
    report.count("old communes", len(missing))
    if missing:
        old_communes = {
            u.code: u
            for u in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_from__isnull=True)
        }
    for line, row in ward_rows:
        successor = communes.get(row["ma_xa_moi"])
        old = old_communes[row["ma_xa_cu"]]
        if successor is None:
            report.rejected.append(
                f"mapping_old_to_new_wards.csv:{line}: unknown new commune {row['ma_xa_moi']}"
            )
            continue
        if (old.id, successor.id) in known:
            continue
        known.add((old.id, successor.id))
        successions.append(
            UnitSuccession(
                predecessor=old, successor=successor, kind=row["kieu"], effective_on=REORGANISATION_DAY
            )
        )
    UnitSuccession.objects.bulk_create(successions, batch_size=1000)
    report.count("successions", len(successions))
    return report


@transaction.atomic
def build_agency_skeleton() -> LoadReport:
    """The nation root, one People's Committee per province and per commune, in one tree."""
    report = LoadReport()
    nation, created = Agency.objects.get_or_create(
        code=NATION_CODE, defaults={"name": "Việt Nam", "kind": AgencyKind.NATION, "depth": 0}
    )
    if created or not nation.path:
        nation.path = f"/{nation.id}/"
        nation.save(update_fields=["path"])
        report.count("nation", 1)
    existing = set(Agency.objects.values_list("code", flat=True))
    provinces = list(AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True))
    new_provinces = [
        Agency(
            code=province_agency_code(p.code),
            name=f"UBND {p.name}",
            kind=AgencyKind.PROVINCE,
            parent=nation,
            admin_unit=p,
            depth=1,
        )
        for p in provinces
        if province_agency_code(p.code) not in existing
    ]
    Agency.objects.bulk_create(new_provinces)
    report.count("province agencies", len(new_provinces))
    province_agency = {
        a.admin_unit_id: a for a in Agency.objects.filter(kind=AgencyKind.PROVINCE, admin_unit__isnull=False)
    }
    new_communes = []
    for commune in AdministrativeUnit.objects.filter(
        level=UnitLevel.COMMUNE, valid_to__isnull=True
    ).select_related("province"):
        assert commune.province is not None
        code = commune_agency_code(commune.code, commune.province.code)
        if code in existing:
            continue
        new_communes.append(
            Agency(
                code=code,
                name=f"UBND {commune.name}",
                kind=AgencyKind.COMMUNE,
                parent=province_agency[commune.province.id],
                admin_unit=commune,
                depth=2,
            )
        )
    Agency.objects.bulk_create(new_communes, batch_size=500)
    report.count("commune agencies", len(new_communes))
    _repair_paths()
    return report


def _repair_paths() -> None:
    """Fill ``path`` for agencies created in bulk (ids are known only after insert), parents first."""
    by_id = {a.id: a for a in Agency.objects.all().only("id", "parent_id", "path", "depth")}
    changed: list[Agency] = []

    def path_of(agency: Agency) -> str:
        if agency.path:
            return agency.path
        parent = by_id.get(agency.parent_id) if agency.parent_id else None
        agency.path = (path_of(parent) if parent else "/") + f"{agency.id}/"
        agency.depth = agency.path.count("/") - 2
        changed.append(agency)
        return agency.path

    for agency in by_id.values():
        path_of(agency)
    Agency.objects.bulk_update(changed, ["path", "depth"], batch_size=500)
