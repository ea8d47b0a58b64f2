"""Keeping the aggregates equal to the sum of every dossier's contribution.

When a dossier changes (a transition, a file, a rating), ``refresh_dossier`` runs in the same transaction:
it derives the dossier's new fact, subtracts the old fact's contributions and adds the new ones, for the
competent agency and each of its ancestors (so a subtree is one row per day). A crash rolls the change and
its counters back together. ``rebuild`` recomputes everything from the dossiers and their events
(``manage.py rebuild_monitoring``); ``refresh_offers`` keeps the per-scope catalogue (``ScopeOffer``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connection, transaction

from motcua.agencies.models import Agency
from motcua.catalogue.models import OnlineMode, Procedure, ProcedureChannel, ProcedureOffering
from motcua.dossiers.models import Dossier
from motcua.monitoring import facts, measures
from motcua.monitoring.models import (
    DossierFact,
    ScopeDayCounts,
    ScopeOffer,
    ScopeProcedureDayCounts,
    ScopeProcedureYearActivity,
)
from motcua.monitoring.models.aggregates import DAYS_IN_BITS

Delta = dict[tuple[int, date], dict[str, int]]
ProcedureDelta = dict[tuple[int, int, date], dict[str, int]]


def scope_ids(path: str) -> list[int]:
    """The agency and its ancestors, from its materialised path ("/1/5/20/")."""
    return [int(part) for part in path.strip("/").split("/") if part]


def _paths(agency_ids: Iterable[int]) -> dict[int, str]:
    return dict(Agency.objects.filter(id__in=set(agency_ids)).values_list("id", "path"))


def keeps_activity() -> bool:
    """Whether this database keeps ``ScopeProcedureYearActivity`` (PostgreSQL: bit strings)."""
    return connection.vendor == "postgresql"


class _Accumulator:
    def __init__(self, *, activity: bool | None = None) -> None:
        self.days: Delta = defaultdict(lambda: defaultdict(int))
        self.procedures: ProcedureDelta = defaultdict(lambda: defaultdict(int))
        self.rules = facts.rules()
        #: keep the activity bits as counters cross zero (off while ``rebuild`` recomputes them at the end)
        self.activity = keeps_activity() if activity is None else activity

    def add(self, fact: DossierFact | None, sign: int, paths: dict[int, str]) -> None:
        if fact is None or fact.received_on is None:
            return
        scopes = scope_ids(paths[fact.agency_id])
        for (measure, day), value in facts.contributions(fact, self.rules).items():
            for scope in scopes:
                self.days[(scope, day)][measure] += sign * value
        for (measure, day), value in facts.procedure_contributions(fact, self.rules).items():
            for scope in scopes:
                self.procedures[(scope, fact.procedure_id, day)][measure] += sign * value

    def flush(self) -> None:
        _upsert(ScopeDayCounts._meta.db_table, ("scope_id", "day"), measures.ALL, self.days)
        after = _upsert(
            ScopeProcedureDayCounts._meta.db_table,
            ("scope_id", "procedure_id", "day"),
            measures.PER_PROCEDURE,
            self.procedures,
            returning=measures.ACTIVITY if self.activity else (),
        )
        if self.activity:
            _apply_crossings(_crossings(self.procedures, after))
        self.days.clear()
        self.procedures.clear()


def _upsert(
    table: str,
    keys: tuple[str, ...],
    columns: Sequence[str],
    deltas: Mapping[Any, Mapping[str, int]],
    *,
    returning: Sequence[str] = (),
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Add ``deltas`` to the rows of ``table`` (created when missing), in key order to avoid deadlocks.

    Returns, for each row changed, the values of the ``returning`` columns after the change (PostgreSQL).
    Many rows at once (a historical import) go through ``COPY`` on PostgreSQL (``_upsert_by_copy``)."""
    rows = [(key, values) for key, values in sorted(deltas.items()) if any(values.values())]
    after: dict[tuple[Any, ...], tuple[int, ...]] = {}
    if not rows:
        return after
    if len(rows) >= COPY_THRESHOLD and connection.vendor == "postgresql" and connection.in_atomic_block:
        return _upsert_by_copy(table, keys, columns, rows, returning)
    qn = connection.ops.quote_name
    all_columns = (*keys, *columns)
    per_row = len(all_columns)
    limit = 900 if connection.vendor == "sqlite" else 20000
    chunk = max(1, limit // per_row)
    assignments = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in columns)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        placeholders = ", ".join("(" + ", ".join(["%s"] * per_row) + ")" for _ in part)
        params: list[Any] = []
        for key, values in part:
            params.extend(key)
            params.extend(values.get(c, 0) for c in columns)
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in all_columns)}) VALUES {placeholders} "
            f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {assignments}"
        )
        if returning:
            sql += f" RETURNING {', '.join(qn(c) for c in (*keys, *returning))}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                for row in cursor.fetchall():
                    after[tuple(row[: len(keys)])] = tuple(row[len(keys) :])
    return after


#: From this many rows, an upsert goes through ``COPY`` (PostgreSQL): sending and parsing one big ``VALUES``
#: list per 1,600 rows costs more than the upsert itself (historical imports, rebuilds).
COPY_THRESHOLD = 2000


def _upsert_by_copy(
    table: str,
    keys: tuple[str, ...],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, Mapping[str, int]]],
    returning: Sequence[str],
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """``_upsert`` of many rows: ``COPY`` into a temporary table dropped at commit, then one ``INSERT …
    SELECT … ORDER BY <keys> ON CONFLICT`` (the key order of the small upserts, so no deadlock between them)."""
    qn = connection.ops.quote_name
    staging = qn(f"staging_{table}")
    names = ", ".join(qn(c) for c in (*keys, *columns))
    assignments = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in columns)
    sql = (
        f"INSERT INTO {qn(table)} ({names}) SELECT {names} FROM {staging} "
        f"ORDER BY {', '.join(qn(k) for k in keys)} "
        f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {assignments}"
    )
    if returning:
        sql += f" RETURNING {', '.join(qn(c) for c in (*keys, *returning))}"
    after: dict[tuple[Any, ...], tuple[int, ...]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
            f"SELECT {names} FROM {qn(table)} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for key, values in rows:
                copy.write_row((*key, *(values.get(c, 0) for c in columns)))
        cursor.execute(sql)
        if returning:
            for row in cursor.fetchall():
                after[tuple(row[: len(keys)])] = tuple(row[len(keys) :])
    return after


# -- days with activity, as bits per year (PostgreSQL) --------------------------------------------------

#: (scope, procedure, year) -> activity measure -> (days to set, days to clear), as day-of-year numbers
Crossings = dict[tuple[int, int, int], dict[str, tuple[set[int], set[int]]]]


def day_of_year(day: date) -> int:
    return day.toordinal() - date(day.year, 1, 1).toordinal()


def _crossings(deltas: ProcedureDelta, after: Mapping[tuple[Any, ...], tuple[int, ...]]) -> Crossings:
    """The activity bits to change: a per-day counter that went from zero to more, or back to zero."""
    out: Crossings = {}
    for (scope, procedure, day), now_values in after.items():
        delta = deltas[(scope, procedure, day)]
        for measure, value in zip(measures.ACTIVITY, now_values, strict=True):
            before = value - delta.get(measure, 0)
            if (before > 0) == (value > 0):
                continue
            key = (scope, procedure, day.year)
            to_set, to_clear = out.setdefault(key, {}).setdefault(measure, (set(), set()))
            (to_set if value > 0 else to_clear).add(day_of_year(day))
    return out


def _mask(days: set[int]) -> str:
    bits = ["0"] * DAYS_IN_BITS
    for d in days:
        bits[d] = "1"
    return "".join(bits)


def _apply_crossings(crossings: Crossings) -> None:
    """Set and clear the crossed bits: an upsert OR-ing the bits set, an update AND-ing out the bits
    cleared (a row whose bits are all clear is deleted). In key order, as every other write here."""
    if not crossings:
        return
    qn = connection.ops.quote_name
    table = qn(ScopeProcedureYearActivity._meta.db_table)
    columns = [qn(m) for m in measures.ACTIVITY]
    zero = _mask(set())
    sets: list[Any] = []
    clears: list[Any] = []
    for key in sorted(crossings):
        changes = crossings[key]
        set_masks = [_mask(changes[m][0]) if m in changes else zero for m in measures.ACTIVITY]
        clear_masks = [_mask(changes[m][1]) if m in changes else zero for m in measures.ACTIVITY]
        if any(m != zero for m in set_masks):
            sets.append((*key, *set_masks))
        if any(m != zero for m in clear_masks):
            clears.append((*key, *clear_masks))
    bits = f"::bit({DAYS_IN_BITS})"
    per_row = 3 + len(columns)
    with connection.cursor() as cursor:
        for start in range(0, len(sets), 2000):
            part = sets[start : start + 2000]
            values = ", ".join("(%s, %s, %s, " + ", ".join(f"%s{bits}" for _ in columns) + ")" for _ in part)
            assignments = ", ".join(f"{c} = {table}.{c} | excluded.{c}" for c in columns)
            cursor.execute(
                f"INSERT INTO {table} (scope_id, procedure_id, year, {', '.join(columns)}) VALUES {values} "
                f"ON CONFLICT (scope_id, year, procedure_id) DO UPDATE SET {assignments}",
                [value for row in part for value in row],
            )
        for start in range(0, len(clears), 2000):
            part = clears[start : start + 2000]
            values = ", ".join("(" + ", ".join(["%s"] * per_row) + ")" for _ in part)
            names = ", ".join(f"m_{m}" for m in measures.ACTIVITY)
            assignments = ", ".join(f"{qn(m)} = a.{qn(m)} & ~(c.m_{m}{bits})" for m in measures.ACTIVITY)
            cursor.execute(
                f"UPDATE {table} AS a SET {assignments} "
                f"FROM (VALUES {values}) AS c(scope_id, procedure_id, year, {names}) "
                "WHERE a.scope_id = c.scope_id AND a.procedure_id = c.procedure_id AND a.year = c.year",
                [value for row in part for value in row],
            )
            keys = ", ".join("(%s, %s, %s)" for _ in part)
            cursor.execute(
                f"DELETE FROM {table} WHERE (scope_id, procedure_id, year) IN ({keys}) "
                f"AND {qn('received')} = %s{bits}",
                [value for row in part for value in row[:3]] + [zero],
            )


def rebuild_activity() -> int:
    """Recompute ``ScopeProcedureYearActivity`` from the per-day rows in one statement (PostgreSQL); returns
    the rows written. Bit *d* of year *y* is set when that counter of day *d* of *y* is above zero."""
    if not keeps_activity():
        return 0
    qn = connection.ops.quote_name
    table = qn(ScopeProcedureYearActivity._meta.db_table)
    cells = qn(ScopeProcedureDayCounts._meta.db_table)
    bits = f"bit({DAYS_IN_BITS})"
    year = "EXTRACT(YEAR FROM day)::int"
    shift = f"(day - make_date({year}, 1, 1))"
    columns = ", ".join(qn(m) for m in measures.ACTIVITY)
    aggregates = ", ".join(
        f"COALESCE(bit_or(CASE WHEN {qn(m)} > 0 THEN B'1'::{bits} >> {shift} END), B'0'::{bits})"
        for m in measures.ACTIVITY
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (scope_id, procedure_id, year, {columns}) "
            f"SELECT scope_id, procedure_id, {year}, {aggregates} FROM {cells} "
            f"GROUP BY scope_id, procedure_id, {year} HAVING bool_or({qn('received')} > 0)"
        )
        return int(cursor.rowcount)


def refresh_dossier(dossier_id: int) -> DossierFact | None:
    """Bring the fact and the aggregates of one dossier up to date (call inside the change's transaction)."""
    return refresh_dossiers([dossier_id]).get(dossier_id)


def refresh_dossiers(ids: Iterable[int], *, chunk: int = 2000) -> dict[int, DossierFact | None]:
    """Bring the facts and aggregates of many dossiers up to date, in one transaction, in bulk."""
    wanted = sorted(set(ids))
    result: dict[int, DossierFact | None] = {}
    with transaction.atomic():
        for start in range(0, len(wanted), chunk):
            result.update(_refresh_chunk(wanted[start : start + chunk]))
    return result


def _refresh_chunk(ids: list[int], *, activity: bool | None = None) -> dict[int, DossierFact | None]:
    dossiers = list(
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    old = {f.dossier_id: f for f in DossierFact.objects.filter(dossier_id__in=ids)}
    related = facts.load_related(dossiers)
    new = {d.pk: facts.derive(d, related) for d in dossiers}
    for missing in set(ids) - set(new):
        new[missing] = None
    agencies = {f.agency_id for f in old.values()} | {f.agency_id for f in new.values() if f is not None}
    paths = _paths(agencies)
    acc = _Accumulator(activity=activity)
    changed_facts: list[DossierFact] = []
    gone: list[int] = []
    for dossier_id, fact in new.items():
        previous = old.get(dossier_id)
        if (
            previous is not None
            and fact is not None
            and facts.fact_values(previous) == facts.fact_values(fact)
        ):
            continue
        acc.add(previous, -1, paths)
        acc.add(fact, +1, paths)
        if fact is None:
            if previous is not None:
                gone.append(dossier_id)
        else:
            changed_facts.append(fact)
    acc.flush()
    if gone:
        DossierFact.objects.filter(dossier_id__in=gone).delete()
    if changed_facts:
        fields = [f.name for f in DossierFact._meta.concrete_fields if not f.primary_key]
        DossierFact.objects.bulk_create(
            changed_facts, update_conflicts=True, unique_fields=["dossier"], update_fields=fields
        )
    return new


def rebuild(*, chunk: int = 5000, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every fact and aggregate from the dossiers and their events. Returns the dossiers read."""
    with transaction.atomic():
        ScopeDayCounts.objects.all().delete()
        ScopeProcedureDayCounts.objects.all().delete()
        ScopeProcedureYearActivity.objects.all().delete()
        DossierFact.objects.all().delete()
        refresh_offers()
        ids = list(
            Dossier.objects.exclude(accepted_at__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), chunk):
            _refresh_chunk(ids[start : start + chunk], activity=False)
            if progress is not None:
                progress(min(start + chunk, len(ids)), len(ids))
        rebuild_activity()
    return len(ids)


# -- the catalogue per scope ---------------------------------------------------------------------------

_MODE_RANK = {OnlineMode.NONE.value: 0, OnlineMode.PARTIAL.value: 1, OnlineMode.FULL.value: 2}
CITIZEN_WORDS = ("công dân", "cá nhân", "người dân")


def refresh_offers(procedure_ids: Iterable[int] | None = None, *, chunk: int = 100) -> int:
    """Recompute ``ScopeOffer`` (all of it, or for some procedures): for each scope and procedure offered in
    it, the best online mode and the highest historical level (a procedure counts once, 766 criterion 3.1).

    Reads only the columns it needs, ``chunk`` procedures at a time (two million offerings fit in memory that
    way), in one transaction. Returns the rows written."""
    if procedure_ids is None:
        wanted = sorted(ProcedureOffering.objects.values_list("procedure_id", flat=True).distinct())
    else:
        wanted = sorted(set(procedure_ids))
    paths = dict(Agency.objects.values_list("id", "path"))
    written = 0
    with transaction.atomic():
        if procedure_ids is None:
            ScopeOffer.objects.all().delete()
        for start in range(0, len(wanted), chunk):
            part = wanted[start : start + chunk]
            rows = _scope_offers(part, paths)
            if procedure_ids is not None:
                ScopeOffer.objects.filter(procedure_id__in=part).delete()
            ScopeOffer.objects.bulk_create(rows, batch_size=2000)
            written += len(rows)
    return written


def _scope_offers(procedure_ids: list[int], paths: Mapping[int, str]) -> list[ScopeOffer]:
    details = {
        pk: (bool(eligible), any(w in applicants.lower() for w in CITIZEN_WORDS))
        for pk, eligible, applicants in Procedure.objects.filter(pk__in=procedure_ids).values_list(
            "pk", "eligible_full_online", "applicant_types"
        )
    }
    with_fee = set(
        ProcedureChannel.objects.filter(procedure_id__in=procedure_ids, fee_amount__gt=0).values_list(
            "procedure_id", flat=True
        )
    )
    best: dict[tuple[int, int], ScopeOffer] = {}
    offerings = ProcedureOffering.objects.filter(procedure_id__in=procedure_ids).values_list(
        "agency_id", "procedure_id", "online_mode", "historical_level"
    )
    for agency_id, procedure_id, mode, level in offerings.order_by("pk"):
        for scope in scope_ids(paths[agency_id]):
            key = (scope, procedure_id)
            row = best.get(key)
            if row is None:
                eligible, citizens = details[procedure_id]
                best[key] = ScopeOffer(
                    scope_id=scope,
                    procedure_id=procedure_id,
                    online_mode=mode,
                    historical_level=level,
                    has_fee=procedure_id in with_fee,
                    full_online_eligible=eligible,
                    for_citizens=citizens,
                )
                continue
            if _MODE_RANK.get(mode, 0) > _MODE_RANK.get(row.online_mode, 0):
                row.online_mode = mode
            if level and (row.historical_level or 0) < level:
                row.historical_level = level
    return list(best.values())
