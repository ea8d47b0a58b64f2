"""Monitoring benchmark: indicators of any agency subtree and period over 10,000,000 dossiers on PostgreSQL,
against a primary-key lookup measured in the same run, and against a from-scratch recomputation.

End to end, by itself:

1. Recreate the bench database (``motcua_bench_monitoring``), ``migrate``, ``load_reference_data`` (the real
   34 provinces, 3,321 communes, 2,642 procedures), then add seven departments per province (one per
   issuing ministry of the province-level procedures) and the offerings: every commune offers every
   commune-level procedure, the matching department every province-level one, online modes (full /
   partial / none) and Decree 43/2011 levels mixed. ``ScopeOffer`` is filled with SQL mirroring
   ``maintain.refresh_offers()`` (which cannot load two million offerings at once: checked on a sample).
2. Generate ``--dossiers`` dossiers received between 1 January 2025 and yesterday, written the way the
   historical import (nhập dữ liệu lịch sử) writes them (``monitoring.history``: one ``Dossier`` row in its final state and ONE
   ``DossierEvent`` with action ``import`` whose payload carries the flags, the supplement count and the
   rating), with set-based SQL (``INSERT … SELECT generate_series`` in chunks of a million, no Python loop
   per dossier). Agencies and procedures are drawn with Zipf-like weights; channels follow the offering's
   online mode; some dossiers are late, some still in progress, some asked for supplements, rated, paid
   online, digitised, reused data.
3. Fill ``DossierFact`` with SQL mirroring ``facts.derive`` for imported dossiers, then ``ScopeDayCounts`` and
   ``ScopeProcedureDayCounts`` with SQL ``GROUP BY`` built from ``facts.rules()`` (flows on their day
   attribute, stock deltas as in ``facts._stock``), for every agency and each of its ancestors, and the
   per-year day bits ``ScopeProcedureYearActivity`` from those rows (``maintain.rebuild_activity``). Secondary
   indexes are dropped around the bulk load and rebuilt after it; the tables are the real, logged ones.
4. Verify that second implementation: ``maintain.refresh_dossiers`` (``facts.derive`` afresh) on 2,000 random
   dossiers must change nothing (facts identical, counters unchanged; rolled back anyway), so must
   ``maintain.refresh_offers`` on a few procedures; the nation's per-procedure and per-day totals must agree;
   and ``queries.counts`` must equal ``recompute.counts`` (every dossier derived afresh in Python) for three
   communes, a department and the smallest province over several periods. Any difference aborts (exit 2).
5. Time, in this process, through the real functions (Django ORM + psycopg, one connection):
   ``queries.counts`` for ``--queries`` random (scope, period) pairs over the nation, every province, random
   departments and communes (``as_is`` both ways), ``indicators.evaluate`` (every indicator),
   ``queries.counts_many`` over all communes of a province, ``recompute.counts`` against ``counts``; the
   baseline ``Dossier.objects.get(pk=<random>)`` before and after. Prints p50/p95 per scope level and
   p95 ÷ baseline p95, the plans of the slowest call when a level is over budget, writes the report as
   JSON to ``bench/results/`` and drops the database (unless ``--keep``).

    .venv/bin/python bench/monitoring.py                      # 10,000,000 dossiers, ≈ 32 min on 2 cores
    .venv/bin/python bench/monitoring.py --dossiers 200000    # ≈ 6 min

Options: ``--database-url``, ``--dossiers``, ``--queries`` (400), ``--budget-ms`` (100), ``--seed``, ``--keep``,
``--reuse-db`` (migrate a kept database to the current schema, then verify and time it again),
``--skip-province-recompute`` (≈ 4 min at full size).
Results and what they mean: ``docs/performance.md``, "Monitoring at 10,000,000 dossiers".

Exit status: 0 every p95 within ``--budget-ms`` (100); 1 some level over budget; 2 setup or verification
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from submit import (
    ROOT,
    SRC,
    SetupError,
    db_params,
    django_env,
    drop_database,
    manage,
    percentile,
    recreate_database,
    redact,
)

if TYPE_CHECKING:
    from motcua.agencies.models import Agency
    from motcua.monitoring.periods import Period

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_monitoring"
EXIT_OK, EXIT_OVER_BUDGET, EXIT_SETUP, EXIT_INTERRUPTED = 0, 1, 2, 130
LOCAL_TZ = "Asia/Ho_Chi_Minh"  # motcua.core.clock.VN_TZ: every monitoring day is a local date (spec §5.1)
FIRST_DAY = date(2025, 1, 1)
CHUNK = 1_000_000  # dossiers per INSERT … SELECT generate_series
MAX_SLOTS = 2_000_000  # (agency, procedure) draws the dossiers are spread over
COMMUNE_SHARE = 0.65  # of the dossiers; the rest go to the provincial departments
AGENCY_ZIPF = 0.6  # weight of the k-th agency (random order) ∝ 1 / k^s
PROCEDURE_ZIPF = 1.1  # weight of the k-th most popular procedure offered by an agency ∝ 1 / k^s
SAMPLE_REFRESH = 2000
#: One department per ministry publishing province-level procedures: (code segment, name).
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "Bộ Tư pháp": ("01", "Sở Tư pháp"),
    "Bộ Xây dựng": ("02", "Sở Xây dựng"),
    "Bộ Nông nghiệp và Môi trường": ("03", "Sở Nông nghiệp và Môi trường"),
    "Bộ Tài chính": ("04", "Sở Tài chính"),
    "Bộ Công an": ("05", "Công an tỉnh"),
    "Ngân hàng Nhà nước Việt Nam": ("06", "Ngân hàng Nhà nước chi nhánh"),
    "Tòa án nhân dân": ("07", "Tòa án nhân dân tỉnh"),
}
PARTIAL_REASON = "Phải nộp bản gốc hoặc có mặt để đối chiếu (dữ liệu mô phỏng / benchmark data)."
#: Tables whose secondary indexes are dropped during the bulk load and rebuilt after it.
BULK_TABLES = (
    "catalogue_procedureoffering",
    "monitoring_scopeoffer",
    "dossiers_dossier",
    "dossiers_dossierevent",
    "monitoring_dossierfact",
    "monitoring_scopedaycounts",
    "monitoring_scopeproceduredaycounts",
    "monitoring_scopeprocedureyearactivity",
)


def log(message: str) -> None:
    # UTC: Django sets the process time zone to Hanoi's when it starts, half-way through the run
    print(f"[bench {datetime.now(UTC):%H:%M:%S}Z] {message}", flush=True)


class VerificationError(SetupError):
    """The SQL-generated aggregates differ from what the application computes."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark monitoring indicators over generated historical dossiers on PostgreSQL."
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help=f"Bench database; it is DROPPED and recreated (default {DEFAULT_URL}).",
    )
    parser.add_argument(
        "--dossiers", type=int, default=10_000_000, help="Dossiers to generate (default 10,000,000)."
    )
    parser.add_argument(
        "--queries", type=int, default=400, help="Timed counts() calls over random scopes/periods (≥ 300)."
    )
    parser.add_argument("--budget-ms", type=float, default=100.0, help="p95 budget (default 100 ms).")
    parser.add_argument("--seed", type=int, default=2026, help="Random seed of the data and the queries.")
    parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="Time again on a kept database that already holds the dossiers (no drop, no generation).",
    )
    parser.add_argument(
        "--skip-province-recompute",
        action="store_true",
        help="Do not recompute a whole province from scratch (the slowest verification).",
    )
    args = parser.parse_args(argv)
    if args.dossiers < 1000:
        parser.error("--dossiers must be at least 1000")
    if args.queries < 50:
        parser.error("--queries must be at least 50")
    return args


def setup_django(url: str) -> None:
    os.environ.update(django_env(url))
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def existing_dossiers(url: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM monitoring_dossierfact").fetchone()
    except psycopg.Error:
        return 0
    return int(row[0]) if row else 0


def bulk_session(conn: psycopg.Connection[Any]) -> None:
    """Session settings of the generator: the data and the WAL are written as usual (logged tables)."""
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET jit = off")  # compiling these wide statements costs more than running them
    conn.execute("SET work_mem = '1GB'")
    conn.execute("SET maintenance_work_mem = '2GB'")
    conn.execute("SET max_parallel_maintenance_workers = 2")
    # Foreign keys stay declared but are not checked row by row during the load: every id the generator
    # writes is read from the table it references. (Needs a superuser; otherwise they are checked, slower.)
    try:
        conn.execute("SET session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        log("not a superuser: foreign keys are checked row by row during the load")


# --- reference data: departments, offerings, scope catalogue ---------------------------------------------
def _mix(a: int, b: int, salt: int) -> float:
    """A deterministic number in [0, 1) from two ids (so offerings and slots agree without a lookup)."""
    x = (a * 0x9E3779B1 + b * 0x85EBCA77 + salt * 0xC2B2AE3D) & 0xFFFFFFFFFFFF
    x ^= x >> 23
    x = (x * 0x2127599BF4325C37) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 47
    return (x & 0xFFFFFF) / float(1 << 24)


@dataclass
class World:
    """What the dossier generator draws from (ids), built once in Python."""

    communes: list[tuple[int, str]]
    departments: list[tuple[int, str, str]]  # id, code, issuing body
    commune_procedures: list[int]
    department_procedures: dict[str, list[int]]
    base_mode: dict[int, str]
    limit_days: dict[int, int]
    procedure_rank: dict[int, int]
    offerings: int = 0
    seed: int = 0

    def offering(self, agency_id: int, procedure_id: int) -> tuple[str, int | None]:
        """(online mode, Decree 43/2011 level) of the offering of ``procedure_id`` by ``agency_id``."""
        mode = self.base_mode[procedure_id]
        if _mix(agency_id, procedure_id, self.seed) < 0.08:  # a few agencies lag behind the others
            mode = {"full": "partial", "partial": "none", "none": "none"}[mode]
        h = _mix(procedure_id, agency_id, self.seed + 1)
        if h < 0.35:
            return mode, None  # offered under the 2025 law only: no historical level
        level = {"full": 4, "partial": 3}.get(mode, 2 if h < 0.85 else 1)
        return mode, level


def build_world(url: str, seed: int) -> World:
    from motcua.agencies.models import Agency, AgencyKind
    from motcua.agencies.services import add_agency
    from motcua.catalogue.models import Procedure

    rng = random.Random(seed)
    provinces = list(Agency.objects.filter(kind=AgencyKind.PROVINCE).order_by("code"))
    for province in provinces:
        suffix = province.code.rsplit(".", 1)[-1]
        for _body, (num, name) in DEPARTMENTS.items():
            code = f"000.{num}.00.{suffix}"
            if not Agency.objects.filter(code=code).exists():
                add_agency(
                    code=code,
                    name=f"{name} {province.name.removeprefix('UBND ')}",
                    kind=AgencyKind.DEPARTMENT,
                    parent=province,
                )
    body_of = {num: body for body, (num, _name) in DEPARTMENTS.items()}
    communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE).order_by("id").values_list("id", "code"))
    departments = [
        (pk, code, body_of[code.split(".")[1]])
        for pk, code in Agency.objects.filter(kind=AgencyKind.DEPARTMENT)
        .order_by("id")
        .values_list("id", "code")
    ]
    procedures = list(
        Procedure.objects.order_by("id").values_list("id", "implementing_levels", "issuing_body")
    )
    commune_procedures = [pk for pk, levels, _b in procedures if "commune" in (levels or [])]
    department_procedures: dict[str, list[int]] = defaultdict(list)
    for pk, levels, body in procedures:
        if "province" in (levels or []) and body in DEPARTMENTS:
            department_procedures[body].append(pk)
    ids = [pk for pk, _l, _b in procedures]
    ranked = ids[:]
    rng.shuffle(ranked)
    world = World(
        communes=list(communes),
        departments=departments,
        commune_procedures=commune_procedures,
        department_procedures=dict(department_procedures),
        base_mode={pk: rng.choices(["full", "partial", "none"], weights=[40, 30, 30])[0] for pk in ids},
        limit_days={pk: rng.randint(3, 20) for pk in ids},
        procedure_rank={pk: i for i, pk in enumerate(ranked)},
        seed=seed,
    )
    world.offerings = write_offerings(url, world)
    return world


def write_offerings(url: str, world: World) -> int:
    """Every commune offers every commune-level procedure; each department its ministry's province-level ones."""
    targets: list[tuple[int, list[int]]] = [(pk, world.commune_procedures) for pk, _c in world.communes]
    targets += [(pk, world.department_procedures.get(body, [])) for pk, _c, body in world.departments]
    count = 0
    with psycopg.connect(url, autocommit=True) as conn:
        bulk_session(conn)
        saved = drop_secondary_indexes(conn, ["catalogue_procedureoffering"])
        with conn.cursor().copy(
            "COPY catalogue_procedureoffering (agency_id, procedure_id, local_code, online_mode, level_scheme, "
            "historical_level, partial_reason, partial_legal_basis, boundary_free, boundary_free_decision) "
            "FROM STDIN"
        ) as copy:
            for agency_id, procedure_ids in targets:
                for procedure_id in procedure_ids:
                    mode, level = world.offering(agency_id, procedure_id)
                    copy.write_row(
                        (
                            agency_id,
                            procedure_id,
                            "",
                            mode,
                            "nd43_2011" if level is not None else "lcds_2025",
                            level,
                            PARTIAL_REASON if mode == "partial" else "",
                            "",
                            "none",
                            "",
                        )
                    )
                    count += 1
        restore_indexes(conn, saved)
        conn.execute("ANALYZE catalogue_procedureoffering")
    return count


# --- secondary indexes around the bulk load --------------------------------------------------------------
@dataclass(frozen=True)
class SavedIndex:
    table: str
    name: str
    definition: str  # CREATE INDEX … or the constraint definition (UNIQUE (…))
    constraint: bool


def drop_secondary_indexes(conn: psycopg.Connection[Any], tables: Iterable[str]) -> list[SavedIndex]:
    """Drop every index but the primary key (unique constraints included); return how to rebuild them."""
    saved: list[SavedIndex] = []
    for table in tables:
        rows = conn.execute(
            """
            SELECT i.relname, pg_get_indexdef(ix.indexrelid), c.conname, pg_get_constraintdef(c.oid)
            FROM pg_index ix
            JOIN pg_class i ON i.oid = ix.indexrelid
            LEFT JOIN pg_constraint c ON c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid
            WHERE ix.indrelid = %s::regclass AND NOT ix.indisprimary
            ORDER BY i.relname
            """,
            [table],
        ).fetchall()
        for index_name, index_def, constraint_name, constraint_def in rows:
            if constraint_name:
                conn.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(table), sql.Identifier(constraint_name)
                    )
                )
                saved.append(SavedIndex(table, constraint_name, constraint_def, True))
            else:
                conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index_name)))
                saved.append(SavedIndex(table, index_name, index_def, False))
    return saved


def restore_indexes(conn: psycopg.Connection[Any], saved: Sequence[SavedIndex]) -> None:
    for index in saved:
        if index.constraint:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(index.table), sql.Identifier(index.name)
                )
                + sql.SQL(index.definition)
            )
        else:
            conn.execute(sql.SQL(index.definition))


# --- helper tables and the scope catalogue -----------------------------------------------------------
def write_helpers(conn: psycopg.Connection[Any]) -> None:
    """``bench_procedure`` (what ``refresh_offers`` and the generator read of a procedure, computed with the
    application's own Python expressions) and ``bench_scope`` (every agency and each of its ancestors, from
    ``maintain.scope_ids``)."""
    from motcua.agencies.models import Agency
    from motcua.catalogue.models import Procedure, ProcedureChannel
    from motcua.monitoring.maintain import CITIZEN_WORDS, scope_ids

    with_fee = set(
        ProcedureChannel.objects.filter(fee_amount__gt=0).values_list("procedure_id", flat=True).distinct()
    )
    conn.execute("DROP TABLE IF EXISTS bench_procedure, bench_scope")
    conn.execute(
        "CREATE UNLOGGED TABLE bench_procedure (id bigint PRIMARY KEY, has_fee boolean, "
        "full_online_eligible boolean, for_citizens boolean)"
    )
    with conn.cursor().copy("COPY bench_procedure FROM STDIN") as copy:
        for pk, eligible, applicant_types in Procedure.objects.values_list(
            "id", "eligible_full_online", "applicant_types"
        ):
            citizens = any(w in applicant_types.lower() for w in CITIZEN_WORDS)
            copy.write_row((pk, pk in with_fee, bool(eligible), citizens))
    conn.execute("CREATE UNLOGGED TABLE bench_scope (agency_id bigint, scope_id bigint)")
    with conn.cursor().copy("COPY bench_scope FROM STDIN") as copy:
        for pk, path in Agency.objects.values_list("id", "path"):
            for scope in scope_ids(path):
                copy.write_row((pk, scope))
    conn.execute("ANALYZE bench_procedure")
    conn.execute("ANALYZE bench_scope")


INSERT_SCOPE_OFFERS = """
INSERT INTO monitoring_scopeoffer (
    scope_id, procedure_id, online_mode, historical_level, has_fee, full_online_eligible, for_citizens
)
SELECT s.scope_id, o.procedure_id,
       CASE MAX(CASE o.online_mode WHEN 'full' THEN 2 WHEN 'partial' THEN 1 ELSE 0 END)
            WHEN 2 THEN 'full' WHEN 1 THEN 'partial' ELSE 'none' END,
       MAX(o.historical_level), p.has_fee, p.full_online_eligible, p.for_citizens
FROM catalogue_procedureoffering o
JOIN bench_scope s ON s.agency_id = o.agency_id
JOIN bench_procedure p ON p.id = o.procedure_id
GROUP BY s.scope_id, o.procedure_id, p.has_fee, p.full_online_eligible, p.for_citizens
"""


def write_scope_offers(conn: psycopg.Connection[Any]) -> int:
    """``ScopeOffer`` as ``maintain.refresh_offers()`` computes it: per scope and procedure offered in it, the
    best online mode and the highest level. (``refresh_offers()`` itself reads every offering with its whole
    procedure row: over two million offerings that is tens of GB of objects; see ``verify_offers``.)"""
    conn.execute("DELETE FROM monitoring_scopeoffer")
    cursor = conn.execute(INSERT_SCOPE_OFFERS)
    return cursor.rowcount


# --- dossiers and their import events ---------------------------------------------------------------------
def draw_slots(world: World, n_slots: int, seed: int) -> list[tuple[int, int, str, int, str, int]]:
    """(slot, agency, agency code, procedure, online mode, time limit in days) drawn with Zipf-like weights."""
    rng = random.Random(seed + 7)

    def zipf(n: int, s: float) -> list[float]:
        total, out = 0.0, []
        for k in range(n):
            total += 1.0 / (k + 1) ** s
            out.append(total)
        return out

    def by_rank(procedure_ids: list[int]) -> tuple[list[int], list[float]]:
        ordered = sorted(procedure_ids, key=world.procedure_rank.__getitem__)
        return ordered, zipf(len(ordered), PROCEDURE_ZIPF)

    communes = world.communes[:]
    rng.shuffle(communes)
    departments = [d for d in world.departments if world.department_procedures.get(d[2])]
    rng.shuffle(departments)
    n_communes = round(n_slots * COMMUNE_SHARE)
    agency_draws: Counter[tuple[int, str, str]] = Counter()
    for pk, code in rng.choices(communes, cum_weights=zipf(len(communes), AGENCY_ZIPF), k=n_communes):
        agency_draws[(pk, code, "")] += 1
    for pk, code, body in rng.choices(
        departments, cum_weights=zipf(len(departments), AGENCY_ZIPF), k=n_slots - n_communes
    ):
        agency_draws[(pk, code, body)] += 1
    lists = {"": by_rank(world.commune_procedures)}
    for body, procedure_ids in world.department_procedures.items():
        lists[body] = by_rank(procedure_ids)
    slots: list[tuple[int, int, str, int, str, int]] = []
    for (pk, code, body), k in sorted(agency_draws.items()):
        ordered, cum = lists[body]
        for procedure_id in rng.choices(ordered, cum_weights=cum, k=k):
            mode, _level = world.offering(pk, procedure_id)
            slots.append((len(slots) + 1, pk, code, procedure_id, mode, world.limit_days[procedure_id]))
    return slots


INSERT_DOSSIERS = """
WITH g AS MATERIALIZED (
    SELECT i,
           1 + floor(random() * %(slots)s)::int AS slot,
           floor(random() * %(days)s)::int AS day_offset,
           random() AS r_time, random() AS r_out, random() AS r_dur, random() AS r_status,
           random() AS r_chan, random() AS r_deliv, random() AS r_sup, random() AS r_ret
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
), x AS MATERIALIZED (  -- computed once: an inlined CTE would repeat every expression in each reference
    SELECT g.*, s.agency_id, s.agency_code, s.procedure_id, s.mode, s.limit_days, t.received_at,
           t.received_at + s.limit_days * interval '1 day' AS due_at
    FROM g
    JOIN bench_slot s ON s.slot = g.slot
    CROSS JOIN LATERAL (
        SELECT ((%(first_day)s::date + g.day_offset) + interval '7 hours 30 minutes' + g.r_time * interval '9 hours')
               AT TIME ZONE 'Asia/Ho_Chi_Minh' AS received_at
    ) t
), y AS MATERIALIZED (
    -- when the work ended: a few never (stuck), 7 %% late, 20 %% on the due day, the rest early
    SELECT x.*,
           CASE WHEN x.r_out < 0.004 THEN NULL
                WHEN x.r_out < 0.074 THEN x.due_at + (1 + x.r_dur * 14) * interval '1 day'
                WHEN x.r_out < 0.274 THEN x.due_at - x.r_dur * interval '6 hours'
                ELSE x.received_at + (0.1 + 0.85 * x.r_dur) * (x.due_at - x.received_at) END AS done_at
    FROM x
), z AS (
    SELECT y.*,
           CASE WHEN y.done_at IS NULL OR y.done_at > %(now)s THEN
                    CASE WHEN y.r_status < 0.15 THEN 'accepted'
                         WHEN y.r_status < 0.30 THEN 'supplement_requested'
                         ELSE 'processing' END
                WHEN y.r_status < 0.02 THEN 'withdrawn'
                WHEN y.r_status < 0.03 THEN 'stopped'
                WHEN y.r_status < 0.05 THEN 'refused'
                WHEN y.r_status < 0.09 OR y.done_at + y.r_ret * interval '3 days' > %(now)s THEN 'resolved'
                ELSE 'returned' END AS status,
           CASE y.mode
                WHEN 'full' THEN CASE WHEN y.r_chan < 0.70 THEN 'online' WHEN y.r_chan < 0.95 THEN 'in_person'
                                      WHEN y.r_chan < 0.99 THEN 'postal' ELSE 'kiosk' END
                WHEN 'partial' THEN CASE WHEN y.r_chan < 0.45 THEN 'online' WHEN y.r_chan < 0.95 THEN 'in_person'
                                         ELSE 'postal' END
                ELSE CASE WHEN y.r_chan < 0.90 THEN 'in_person' WHEN y.r_chan < 0.98 THEN 'postal'
                          ELSE 'kiosk' END END AS channel
    FROM y
), w AS (
    SELECT z.*,
           CASE z.channel
                WHEN 'online' THEN CASE WHEN z.r_deliv < 0.40 THEN 'online' WHEN z.r_deliv < 0.95 THEN 'counter'
                                        ELSE 'post' END
                WHEN 'postal' THEN CASE WHEN z.r_deliv < 0.90 THEN 'post' ELSE 'counter' END
                ELSE CASE WHEN z.r_deliv < 0.90 THEN 'counter' WHEN z.r_deliv < 0.97 THEN 'post' ELSE 'online' END
           END AS delivery,
           CASE WHEN z.status = 'supplement_requested' THEN 1 + (z.r_sup < 0.1)::int
                WHEN z.r_sup < 0.85 THEN 0 WHEN z.r_sup < 0.96 THEN 1 WHEN z.r_sup < 0.99 THEN 2 ELSE 3 END
               AS supplements,
           z.done_at + z.r_ret * interval '3 days' AS handed_at
    FROM z
), ins AS (
    INSERT INTO dossiers_dossier (
        code, procedure_id, receiving_agency_id, competent_agency_id, channel, status, version, boundary_free,
        applicant_id, submitted_by_id, assignee_id, applicant_name, applicant_id_number, applicant_phone,
        applicant_email, applicant_address, form_data, delivery_method, delivery_address, created_at,
        submitted_at, system_received_at, accepted_at, competent_received_at, clock_started_at,
        original_due_at, due_at, extended_due_at, extension_count, supplement_count, paused_at, resolved_at,
        returned_at, finished_at, stop_requested_by, result_code, result_note
    )
    SELECT
        w.agency_code || '-' || to_char(w.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-'
            || lpad(w.i::text, 8, '0'),
        w.procedure_id, w.agency_id, w.agency_id, w.channel, w.status, 1, false,
        NULL, NULL, NULL, '(dữ liệu lịch sử)', '', '', '', '', '{}'::jsonb, w.delivery, '', %(now)s,
        w.received_at, w.received_at, w.received_at, NULL, w.received_at,
        w.due_at, w.due_at, NULL, 0, w.supplements, NULL,
        CASE WHEN w.status IN ('resolved', 'returned') THEN w.done_at END,
        CASE WHEN w.status = 'returned' THEN w.handed_at END,
        CASE WHEN w.status = 'returned' THEN w.handed_at
             WHEN w.status IN ('refused', 'stopped', 'withdrawn') THEN w.done_at END,
        '', '', ''
    FROM w
    ORDER BY w.i
    RETURNING id, competent_agency_id, accepted_at, status, channel, procedure_id, supplement_count
)
INSERT INTO dossiers_dossierevent (
    dossier_id, sequence, action, from_status, to_status, actor_id, actor_roles, agency_id, at, reason, payload
)
SELECT f.id, 1, 'import', '', f.status, NULL, '[]'::jsonb, f.competent_agency_id, f.accepted_at, '',
       jsonb_build_object(
           'batch', %(batch)s::bigint,
           'flags', jsonb_build_object(
               'paid_online', f.has_fee AND f.channel = 'online' AND f.u1 < 0.6,
               'fee', CASE WHEN f.has_fee AND f.u2 < 0.5 THEN '50000' ELSE '' END,
               'reused', f.channel = 'online' AND f.u3 < 0.25,
               'digitized', f.channel <> 'online' AND f.u4 < 0.5,
               'population_data', f.u5 < 0.35,
               'e_result', f.status IN ('resolved', 'returned') AND f.u6 < 0.6
           ),
           'supplement_count', f.supplement_count,
           'satisfaction', CASE WHEN f.status = 'returned' AND f.u7 < 0.15 THEN
                                    CASE WHEN f.u8 < 0.5 THEN 'very_satisfied' WHEN f.u8 < 0.9 THEN 'satisfied'
                                         ELSE 'not_satisfied' END
                                ELSE '' END
       )
FROM (
    SELECT ins.*, p.has_fee, random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5,
           random() AS u6, random() AS u7, random() AS u8
    FROM ins JOIN bench_procedure p ON p.id = ins.procedure_id
) f
"""


def generate_dossiers(
    conn: psycopg.Connection[Any], world: World, n: int, seed: int, batch_id: int, timings: dict[str, float]
) -> None:
    n_slots = min(MAX_SLOTS, max(10_000, n // 5))
    t0 = time.perf_counter()
    slots = draw_slots(world, n_slots, seed)
    conn.execute("DROP TABLE IF EXISTS bench_slot")
    conn.execute(
        "CREATE UNLOGGED TABLE bench_slot (slot int PRIMARY KEY, agency_id bigint, agency_code text, "
        "procedure_id bigint, mode text, limit_days int)"
    )
    with conn.cursor().copy("COPY bench_slot FROM STDIN") as copy:
        for row in slots:
            copy.write_row(row)
    conn.execute("ANALYZE bench_slot")
    timings["slots_s"] = round(time.perf_counter() - t0, 1)
    log(f"{len(slots):,} (agency, procedure) slots over {len({s[1] for s in slots}):,} agencies")

    conn.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0) - 0.5])
    now = datetime.now(UTC)
    yesterday = (now + timedelta(hours=7)).date()  # local today; received up to the day before
    days = (yesterday - FIRST_DAY).days
    t0 = time.perf_counter()
    for first in range(1, n + 1, CHUNK):
        last = min(n, first + CHUNK - 1)
        conn.execute(
            INSERT_DOSSIERS,
            {
                "slots": len(slots),
                "days": days,
                "first": first,
                "last": last,
                "first_day": FIRST_DAY,
                "now": now,
                "batch": batch_id,
            },
        )
        log(f"  dossiers + import events {last:,} / {n:,} ({time.perf_counter() - t0:.0f} s)")
    timings["dossiers_and_events_s"] = round(time.perf_counter() - t0, 1)


# --- facts: SQL mirror of facts.derive for imported dossiers --------------------------------------------
def _truthy(key: str) -> str:
    """Python truthiness of ``flags[key]`` (``bool(flags.get(key))``) for a JSON value."""
    v = f"a.flags -> '{key}'"
    return (
        f"COALESCE(CASE jsonb_typeof({v}) WHEN 'boolean' THEN ({v})::text = 'true' "
        f"WHEN 'string' THEN {v} <> '\"\"'::jsonb WHEN 'number' THEN ({v})::text::numeric <> 0 "
        f"WHEN 'array' THEN jsonb_array_length({v}) > 0 WHEN 'object' THEN {v} <> '{{}}'::jsonb "
        "ELSE false END, false)"
    )


def _local(moment: str) -> str:
    return f"(({moment}) AT TIME ZONE '{LOCAL_TZ}')::date"


INSERT_FACTS = f"""
WITH a AS MATERIALIZED (  -- each expression computed once (inlined, they would repeat in every reference)
    SELECT d.id, d.competent_agency_id, d.receiving_agency_id, d.procedure_id, d.channel, d.status,
           d.delivery_method, d.applicant_id, d.due_at, d.returned_at,
           {_local("d.accepted_at")} AS received_on,
           d.status IN ('resolved', 'returned', 'refused') AS decided,
           CASE WHEN d.status = 'refused' THEN d.finished_at
                WHEN d.status IN ('resolved', 'returned') THEN COALESCE(d.resolved_at, d.returned_at, d.finished_at)
                WHEN d.status IN ('stopped', 'withdrawn') THEN d.finished_at END AS finish_at,
           COALESCE(CASE WHEN e.action = 'import' THEN e.payload -> 'flags' END, '{{}}'::jsonb) AS flags,
           CASE WHEN e.action = 'import'
                THEN COALESCE(NULLIF(e.payload ->> 'supplement_count', '')::int, 0) ELSE 0 END AS requests,
           CASE WHEN e.action = 'import' THEN COALESCE(e.payload ->> 'satisfaction', '') ELSE '' END
               AS satisfaction,
           COALESCE(d.original_due_at, d.due_at) AS appointment,
           {_local("CASE WHEN d.boundary_free AND d.competent_received_at IS NOT NULL THEN d.competent_received_at ELSE d.accepted_at END")}
               AS begin_on
    FROM dossiers_dossier d
    JOIN dossiers_dossierevent e ON e.dossier_id = d.id AND e.sequence = 1
    WHERE d.accepted_at IS NOT NULL AND d.id >= %(lo)s AND d.id < %(hi)s
      AND e.dossier_id >= %(lo)s AND e.dossier_id < %(hi)s
), b AS MATERIALIZED (
    SELECT a.*,
           {_local("a.finish_at")} AS finished_on,
           a.decided AND a.finish_at IS NOT NULL AS resolved,
           CASE WHEN NOT a.decided OR a.finish_at IS NULL THEN ''
                WHEN a.due_at IS NULL THEN %(no_time_limit_outcome)s
                WHEN a.finish_at > a.due_at THEN 'late'
                WHEN {_local("a.finish_at")} < {_local("a.due_at")} THEN 'early'
                ELSE 'on_time' END AS outcome,
           CASE WHEN a.finish_at IS NULL THEN ''
                WHEN a.requests > 1 OR (a.appointment IS NOT NULL AND a.finish_at > a.appointment) THEN 'late'
                ELSE 'on_time' END AS outcome_766,
           CASE WHEN a.due_at IS NOT NULL AND a.status <> 'supplement_requested' THEN {_local("a.due_at")} END
               AS late_mark_on,
           CASE WHEN a.requests > 1 THEN a.received_on
                WHEN a.appointment IS NOT NULL THEN {_local("a.appointment")} END AS late_766_mark_on,
           CASE WHEN a.status = 'returned' THEN {_local("a.returned_at")} END AS returned_on,
           CASE WHEN a.satisfaction <> '' THEN {_local("COALESCE(a.returned_at, a.finish_at)")} END
               AS evaluated_on,
           {_truthy("fee")} AS flag_fee,
           {_truthy("paid_online")} AS flag_paid_online,
           {_truthy("digitized")} AS flag_digitized,
           {_truthy("reused")} AS flag_reused,
           {_truthy("population_data")} AS flag_population_data,
           {_truthy("e_result")} AS flag_e_result
    FROM a
)
INSERT INTO monitoring_dossierfact (
    dossier_id, agency_id, procedure_id, channel, received_on, finished_on, returned_on, evaluated_on,
    resolved, outcome, outcome_766, late_mark_on, late_766_mark_on, processing_centidays, online_mode,
    historical_level, full_online_eligible, with_fee, paid_online, with_files, digitized, reused,
    population_data, e_result, delivery, postal_any, satisfaction, ci1, ci2, ci3, ci4, ci6, ci7
)
SELECT b.id, b.competent_agency_id, b.procedure_id, b.channel,
       b.received_on, b.finished_on, b.returned_on, b.evaluated_on,
       b.resolved, b.outcome, b.outcome_766, b.late_mark_on, b.late_766_mark_on,
       CASE WHEN b.resolved THEN 100 * GREATEST(0, wf.cum - wb.cum) END,
       COALESCE(o.online_mode, 'none'), o.historical_level, COALESCE(p.eligible_full_online, false),
       b.flag_fee OR fee.procedure_id IS NOT NULL,
       b.flag_paid_online,
       b.flag_digitized OR b.flag_reused,
       b.flag_digitized,
       b.flag_reused,
       b.flag_population_data OR (b.applicant_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM accounts_externalidentity x WHERE x.user_id = b.applicant_id
       )),
       b.flag_e_result,
       b.delivery_method,
       b.channel = 'postal' OR (b.returned_on IS NOT NULL AND b.delivery_method = 'post'),
       b.satisfaction,
       CASE b.outcome WHEN 'early' THEN 2 WHEN 'on_time' THEN 1 WHEN 'late' THEN 0 END,
       NULL,
       CASE WHEN b.finish_at IS NULL THEN NULL WHEN b.requests = 0 THEN 2 WHEN b.requests = 1 THEN 1 ELSE 0 END,
       NULL, NULL, NULL
FROM b
JOIN catalogue_procedure p ON p.id = b.procedure_id
LEFT JOIN catalogue_procedureoffering o ON o.agency_id = b.receiving_agency_id AND o.procedure_id = b.procedure_id
LEFT JOIN (
    SELECT DISTINCT procedure_id, channel FROM catalogue_procedurechannel WHERE fee_amount > 0
) fee ON fee.procedure_id = b.procedure_id AND fee.channel = b.channel
LEFT JOIN bench_workday wb ON wb.day = b.begin_on
LEFT JOIN bench_workday wf ON wf.day = b.finished_on
"""


def write_workdays(conn: psycopg.Connection[Any]) -> None:
    """``bench_workday(day, cum)``: working days up to ``day``, from ``calendar.load_calendar()``, so that
    ``working_days_between(a, b)`` (working days in (a, b]) is ``cum(b) - cum(a)``."""
    from motcua.calendar.services import load_calendar

    calendar = load_calendar()
    conn.execute("DROP TABLE IF EXISTS bench_workday")
    conn.execute("CREATE UNLOGGED TABLE bench_workday (day date PRIMARY KEY, cum int)")
    day, last, cum = FIRST_DAY - timedelta(days=60), date.today() + timedelta(days=400), 0  # noqa: DTZ011
    with conn.cursor().copy("COPY bench_workday FROM STDIN") as copy:
        while day <= last:
            cum += calendar.is_working_day(day)
            copy.write_row((day, cum))
            day += timedelta(days=1)
    conn.execute("ANALYZE bench_workday")


def generate_facts(conn: psycopg.Connection[Any], timings: dict[str, float]) -> None:
    from motcua.monitoring import policies

    write_workdays(conn)
    row = conn.execute("SELECT min(id), max(id) FROM dossiers_dossier").fetchone()
    assert row is not None
    low, high = int(row[0]), int(row[1])
    t0 = time.perf_counter()
    conn.execute("SET enable_nestloop = off")  # one hash of the offerings beats a million index probes
    for lo in range(low, high + 1, CHUNK):
        conn.execute(
            INSERT_FACTS,
            {"lo": lo, "hi": lo + CHUNK, "no_time_limit_outcome": policies.current().no_time_limit_outcome},
        )
        log(f"  facts up to dossier {min(lo + CHUNK - 1, high):,} ({time.perf_counter() - t0:.0f} s)")
    conn.execute("RESET enable_nestloop")
    timings["facts_s"] = round(time.perf_counter() - t0, 1)


# --- aggregates: SQL GROUP BY built from facts.rules() (mirror of facts.contributions) --------------------
def _condition(where: dict[str, Any]) -> sql.Composable:
    """The SQL of a ``facts.Rule.where`` (Django lookups ``x``, ``x__in``, ``x__isnull``)."""
    parts: list[sql.Composable] = []
    for lookup, wanted in where.items():
        name, _, op = lookup.partition("__")
        column = sql.Identifier(name)
        if op == "in":
            values = list(wanted or ())
            if not values:
                parts.append(sql.SQL("false"))
            else:
                parts.append(
                    sql.SQL("{} IN ({})").format(column, sql.SQL(", ").join(sql.Literal(v) for v in values))
                )
        elif op == "isnull":
            parts.append(sql.SQL("{} IS NULL" if wanted else "{} IS NOT NULL").format(column))
        elif op == "":
            parts.append(sql.SQL("{} = {}").format(column, sql.Literal(wanted)))
        else:
            raise SetupError(f"rule lookup {lookup!r} has no SQL mirror in bench/monitoring.py")
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")


Group = tuple[list[str], sql.Composable]  # the measures a grouped SELECT computes, and the SELECT


def _flow_groups(measures_wanted: Sequence[str], keys: Sequence[str]) -> list[Group]:
    """One grouped SELECT per day attribute of the rules: (keys…, day, its measures), each measure the sum of
    the rule's value over the facts whose condition holds (``facts.contributions``)."""
    from motcua.monitoring import facts

    rules = facts.rules()
    by_day: dict[str, list[str]] = defaultdict(list)
    for measure in measures_wanted:
        if measure in rules:
            by_day[rules[measure].day].append(measure)
    key_sql = sql.SQL(", ").join(sql.Identifier(k) for k in keys)
    groups: list[Group] = []
    for day, names in by_day.items():
        columns: list[sql.Composable] = []
        for m in names:
            value = rules[m].value
            columns.append(
                sql.SQL("SUM(CASE WHEN {} THEN {} ELSE 0 END)::int AS {}").format(
                    _condition(dict(rules[m].where)),
                    sql.Identifier(value) if value else sql.SQL("1"),
                    sql.Identifier(m),
                )
            )
        # only facts that add something that day (``contributions`` drops what adds nothing)
        adds = sql.SQL(" OR ").join(sql.SQL("({})").format(_condition(dict(rules[m].where))) for m in names)
        select = sql.SQL(
            "SELECT {keys}, {day} AS day, {columns} FROM monitoring_dossierfact "
            "WHERE received_on IS NOT NULL AND {day} IS NOT NULL AND ({adds}) GROUP BY {keys}, {day}"
        ).format(keys=key_sql, day=sql.Identifier(day), columns=sql.SQL(", ").join(columns), adds=adds)
        groups.append((names, select))
    return groups


def _stock_group() -> Group:
    """The stock deltas: +1 on max(received, mark), −1 on the finish day when finished after it
    (``facts._stock``), summed per agency and day."""
    from motcua.monitoring import facts

    names = list(facts.STOCK_MARKS)
    parts: list[sql.Composable] = []
    for measure, mark in facts.STOCK_MARKS.items():
        start = (
            sql.SQL("received_on")
            if mark is None
            else sql.SQL("GREATEST(received_on, {})").format(sql.Identifier(mark))
        )
        has_mark = sql.SQL("true") if mark is None else sql.SQL("{} IS NOT NULL").format(sql.Identifier(mark))
        enters = (start, sql.SQL("1"), sql.SQL("(finished_on IS NULL OR finished_on > {})").format(start))
        leaves = (
            sql.SQL("finished_on"),
            sql.SQL("-1"),
            sql.SQL("finished_on IS NOT NULL AND finished_on > {}").format(start),
        )
        for day, value, finished in (enters, leaves):
            columns = [value if m == measure else sql.SQL("0") for m in names]
            parts.append(
                sql.SQL(
                    "SELECT agency_id, {day} AS day, {columns} FROM monitoring_dossierfact "
                    "WHERE received_on IS NOT NULL AND {has_mark} AND {finished}"
                ).format(day=day, columns=sql.SQL(", ").join(columns), has_mark=has_mark, finished=finished)
            )
    select = sql.SQL(
        "SELECT agency_id, day, {sums} FROM ({parts}) AS u (agency_id, day, {names}) GROUP BY agency_id, day"
    ).format(
        sums=sql.SQL(", ").join(sql.SQL("SUM({0})::int AS {0}").format(sql.Identifier(m)) for m in names),
        parts=sql.SQL(" UNION ALL ").join(parts),
        names=sql.SQL(", ").join(sql.Identifier(m) for m in names),
    )
    return names, select


def _leaf_rows(groups: Sequence[Group], keys: Sequence[str], wanted: Sequence[str]) -> sql.Composable:
    """The groups side by side: FULL JOIN on (keys…, day), a missing group's measures 0."""
    using = sql.SQL(", ").join(sql.Identifier(k) for k in (*keys, "day"))
    source: sql.Composable = sql.SQL("({}) AS g0").format(groups[0][1])
    for i, (_names, select) in enumerate(groups[1:], start=1):
        source = sql.SQL("{} FULL JOIN ({}) AS {} USING ({})").format(
            source, select, sql.Identifier(f"g{i}"), using
        )
    owner = {m: f"g{i}" for i, (names, _s) in enumerate(groups) for m in names}
    columns = [
        sql.SQL("COALESCE({}.{}, 0) AS {}").format(
            sql.Identifier(owner[m]), sql.Identifier(m), sql.Identifier(m)
        )
        if m in owner
        else sql.SQL("0 AS {}").format(sql.Identifier(m))
        for m in wanted
    ]
    return sql.SQL("SELECT {keys}, day, {columns} FROM {source}").format(
        keys=sql.SQL(", ").join(sql.Identifier(k) for k in keys),
        columns=sql.SQL(", ").join(columns),
        source=source,
    )


def generate_aggregates(conn: psycopg.Connection[Any], timings: dict[str, float]) -> dict[str, int]:
    """``ScopeDayCounts`` and ``ScopeProcedureDayCounts`` for the facts' agencies, then level by level for
    their ancestors (a scope's row is the sum of its children's rows: every fact lies on a leaf agency)."""
    from motcua.monitoring import measures

    leaf_with_children = conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT agency_id FROM monitoring_dossierfact) f "
        "WHERE EXISTS (SELECT 1 FROM agencies_agency c WHERE c.parent_id = f.agency_id)"
    ).fetchone()
    if leaf_with_children and leaf_with_children[0]:
        raise SetupError(
            "some dossiers belong to an agency with sub-agencies: the level-by-level roll-up assumes leaves"
        )
    depth_row = conn.execute("SELECT max(depth) FROM agencies_agency").fetchone()
    max_depth = int(depth_row[0]) if depth_row and depth_row[0] is not None else 0
    out: dict[str, int] = {}
    for table, keys, wanted in (
        ("monitoring_scopedaycounts", ("agency_id",), measures.ALL),
        ("monitoring_scopeproceduredaycounts", ("agency_id", "procedure_id"), measures.PER_PROCEDURE),
    ):
        t0 = time.perf_counter()
        groups = _flow_groups(wanted, keys)
        if table == "monitoring_scopedaycounts":
            groups.append(_stock_group())
        names = sql.SQL(", ").join(sql.Identifier(m) for m in wanted)
        target_keys = ["scope_id", *keys[1:]]
        conn.execute(
            sql.SQL("INSERT INTO {table} ({target}, day, {names}) {rows}").format(
                table=sql.Identifier(table),
                target=sql.SQL(", ").join(sql.Identifier(k) for k in target_keys),
                names=names,
                rows=_leaf_rows(groups, keys, wanted),
            )
        )
        leaf_s = time.perf_counter() - t0
        extra = sql.SQL("".join(f", s.{k}" for k in target_keys[1:]))
        for depth in range(max_depth - 1, -1, -1):
            conn.execute(
                sql.SQL(
                    "INSERT INTO {table} ({target}, day, {names}) "
                    "SELECT a.parent_id{extra}, s.day, {sums} FROM {table} s "
                    "JOIN agencies_agency a ON a.id = s.scope_id "
                    "WHERE a.depth = %s AND a.parent_id IS NOT NULL "
                    "GROUP BY a.parent_id{extra}, s.day"
                ).format(
                    table=sql.Identifier(table),
                    target=sql.SQL(", ").join(sql.Identifier(k) for k in target_keys),
                    names=names,
                    extra=extra,
                    sums=sql.SQL(", ").join(
                        sql.SQL("SUM(s.{})::int").format(sql.Identifier(m)) for m in wanted
                    ),
                ),
                [depth + 1],
            )
        count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
        out[table] = int(count[0]) if count else 0
        timings[f"{table.removeprefix('monitoring_')}_s"] = round(time.perf_counter() - t0, 1)
        log(
            f"  {table}: {out[table]:,} rows (leaves {leaf_s:.0f} s, ancestors "
            f"{time.perf_counter() - t0 - leaf_s:.0f} s)"
        )
    return out


def rebuild_activity() -> int:
    """The per-year day bits, by the product's own statement (``maintain.rebuild_activity``): they are a
    function of the per-day rows, which the verification checks; ``queries.counts`` = ``recompute.counts``
    then checks the bits through the seven counters read from them."""
    from django.db import transaction

    from motcua.monitoring import maintain

    with transaction.atomic():
        return maintain.rebuild_activity()


def generate(url: str, args: argparse.Namespace) -> dict[str, float]:
    """Everything from an empty, migrated database with the reference data to measured tables."""
    from motcua.core.clock import now
    from motcua.monitoring.models import HistoricalImport

    timings: dict[str, float] = {}
    start = time.perf_counter()
    t0 = time.perf_counter()
    world = build_world(url, args.seed)
    timings["departments_offerings_s"] = round(time.perf_counter() - t0, 1)
    log(
        f"{len(world.communes):,} communes, {len(world.departments):,} departments, "
        f"{world.offerings:,} offerings ({timings['departments_offerings_s']:.0f} s)"
    )
    batch = HistoricalImport.objects.create(
        kind="dossiers",
        file_name="bench/monitoring.py (generated)",
        sha256="",
        started_at=now(),
        status="running",
        rows_total=args.dossiers,
    )
    with psycopg.connect(url, autocommit=True) as conn:
        bulk_session(conn)
        saved = drop_secondary_indexes(conn, BULK_TABLES[1:])
        log(f"dropped {len(saved)} secondary indexes of {', '.join(BULK_TABLES[1:])} for the bulk load")
        t0 = time.perf_counter()
        write_helpers(conn)
        rows = write_scope_offers(conn)
        timings["scope_offers_s"] = round(time.perf_counter() - t0, 1)
        log(
            f"ScopeOffer (SQL mirror of maintain.refresh_offers): {rows:,} rows ({timings['scope_offers_s']:.0f} s)"
        )
        generate_dossiers(conn, world, args.dossiers, args.seed, batch.pk, timings)
        t0 = time.perf_counter()
        restore_indexes(conn, [s for s in saved if s.table == "dossiers_dossierevent"])
        conn.execute("ANALYZE dossiers_dossier")
        conn.execute("ANALYZE dossiers_dossierevent")
        timings["event_indexes_s"] = round(time.perf_counter() - t0, 1)
        log(f"event indexes rebuilt ({timings['event_indexes_s']:.0f} s); facts (SQL mirror of facts.derive)")
        generate_facts(conn, timings)
        conn.execute("ANALYZE monitoring_dossierfact")
        log("aggregates (SQL mirror of facts.contributions)")
        generate_aggregates(conn, timings)
        t0 = time.perf_counter()
        activity_rows = rebuild_activity()
        timings["year_activity_s"] = round(time.perf_counter() - t0, 1)
        log(
            f"  monitoring_scopeprocedureyearactivity: {activity_rows:,} rows "
            f"(maintain.rebuild_activity from the per-day rows, {timings['year_activity_s']:.0f} s)"
        )
        t0 = time.perf_counter()
        restore_indexes(conn, [s for s in saved if s.table != "dossiers_dossierevent"])
        conn.execute("DROP TABLE IF EXISTS bench_slot, bench_procedure, bench_scope, bench_workday")
        timings["indexes_s"] = round(time.perf_counter() - t0, 1)
        log(f"{len(saved)} indexes rebuilt ({timings['indexes_s']:.0f} s); VACUUM ANALYZE")
        t0 = time.perf_counter()
        for table in BULK_TABLES:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
        conn.execute("ANALYZE")
        conn.execute("CHECKPOINT")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - t0, 1)
    batch.status = "done"
    batch.rows_imported = args.dossiers
    batch.finished_at = now()
    batch.save()
    timings["total_s"] = round(time.perf_counter() - start, 1)
    log(f"generated in {timings['total_s'] / 60:.1f} min")
    return timings


def data_facts(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:

        def one(query: str) -> Any:
            row = conn.execute(query).fetchone()
            return row[0] if row else None

        status: dict[str, int] = dict(
            conn.execute(
                "SELECT status, count(*) FROM dossiers_dossier GROUP BY status ORDER BY 2 DESC"
            ).fetchall()
        )
        agencies: dict[str, int] = dict(
            conn.execute("SELECT kind, count(*) FROM agencies_agency GROUP BY kind").fetchall()
        )
        sizes = {
            table: one(f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))") for table in BULK_TABLES
        }
        local_today = (datetime.now(UTC) + timedelta(hours=7)).date()
        return {
            "dossiers": int(one("SELECT count(*) FROM dossiers_dossier")),
            "events": int(one("SELECT count(*) FROM dossiers_dossierevent")),
            "facts": int(one("SELECT count(*) FROM monitoring_dossierfact")),
            "by_status": {k: int(v) for k, v in status.items()},
            "open": int(one("SELECT count(*) FROM monitoring_dossierfact WHERE finished_on IS NULL")),
            "open_late": int(
                one(
                    "SELECT count(*) FROM monitoring_dossierfact WHERE finished_on IS NULL "
                    f"AND late_mark_on < '{local_today.isoformat()}'"
                )
            ),
            "received_first_last": [
                str(one("SELECT min(received_on) FROM monitoring_dossierfact")),
                str(one("SELECT max(received_on) FROM monitoring_dossierfact")),
            ],
            "agencies": {k: int(v) for k, v in agencies.items()},
            "agencies_with_dossiers": int(
                one("SELECT count(DISTINCT agency_id) FROM monitoring_dossierfact")
            ),
            "procedures_with_dossiers": int(
                one("SELECT count(DISTINCT procedure_id) FROM monitoring_dossierfact")
            ),
            "offerings": int(one("SELECT count(*) FROM catalogue_procedureoffering")),
            "scope_offers": int(one("SELECT count(*) FROM monitoring_scopeoffer")),
            "scope_day_rows": int(one("SELECT count(*) FROM monitoring_scopedaycounts")),
            "scope_procedure_day_rows": int(one("SELECT count(*) FROM monitoring_scopeproceduredaycounts")),
            "scope_procedure_year_activity_rows": int(
                one("SELECT count(*) FROM monitoring_scopeprocedureyearactivity")
            ),
            "sizes": sizes,
            "database_size": one("SELECT pg_size_pretty(pg_database_size(current_database()))"),
            "postgresql": one("SHOW server_version"),
            "shared_buffers": one("SHOW shared_buffers"),
        }


# --- verification ------------------------------------------------------------------------------------------
class _Rollback(Exception):
    pass


def _days_of(values: dict[str, Any]) -> set[date]:
    days = {
        values[name]
        for name in (
            "received_on",
            "finished_on",
            "returned_on",
            "evaluated_on",
            "late_mark_on",
            "late_766_mark_on",
        )
        if values.get(name) is not None
    }
    received = values.get("received_on")
    for mark in ("late_mark_on", "late_766_mark_on"):
        if received is not None and values.get(mark) is not None:
            days.add(max(received, values[mark]))
    return days


def _rows(table: str, keys: Sequence[str], wanted: Sequence[Any], columns: Sequence[str]) -> dict[Any, Any]:
    from django.db import connection

    if not wanted:
        return {}
    arrays = list(zip(*wanted, strict=True))
    types = ["bigint" if k not in ("day", "year") else "date" if k == "day" else "int" for k in keys]
    unnest = ", ".join(f"%s::{t}[]" for t in types)
    query = (
        f"SELECT {', '.join(keys)}, {', '.join(columns)} FROM {table} "
        f"WHERE ({', '.join(keys)}) IN (SELECT * FROM unnest({unnest}))"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [list(a) for a in arrays])
        return {tuple(row[: len(keys)]): tuple(row[len(keys) :]) for row in cursor.fetchall()}


def verify_refresh(seed: int) -> dict[str, Any]:
    """``maintain.refresh_dossiers`` on a random sample must find every fact identical and change no counter."""
    from django.db import transaction

    from motcua.agencies.models import Agency
    from motcua.dossiers.models import Dossier
    from motcua.monitoring import facts, maintain, measures
    from motcua.monitoring.models import DossierFact

    bounds = Dossier.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    assert low is not None
    assert high is not None
    rng = random.Random(seed + 11)
    ids = rng.sample(range(low, high + 1), min(SAMPLE_REFRESH, high - low + 1))
    before = {f.dossier_id: facts.fact_values(f) for f in DossierFact.objects.filter(dossier_id__in=ids)}
    paths = dict(Agency.objects.values_list("id", "path"))
    day_keys: set[tuple[int, date]] = set()
    procedure_keys: set[tuple[int, int, date]] = set()
    year_keys: set[tuple[int, int, int]] = set()
    for values in before.values():
        for scope in maintain.scope_ids(paths[values["agency_id"]]):
            for day in _days_of(values):
                day_keys.add((scope, day))
                procedure_keys.add((scope, values["procedure_id"], day))
                year_keys.add((scope, values["procedure_id"], day.year))
    day_columns, procedure_columns = list(measures.ALL), list(measures.PER_PROCEDURE)

    def snapshot() -> tuple[dict[Any, Any], dict[Any, Any]]:
        procedures = _rows(
            "monitoring_scopeproceduredaycounts",
            ["scope_id", "procedure_id", "day"],
            sorted(procedure_keys),
            procedure_columns,
        )
        years = _rows(
            "monitoring_scopeprocedureyearactivity",
            ["scope_id", "procedure_id", "year"],
            sorted(year_keys),
            list(measures.ACTIVITY),
        )
        procedures.update({("bits", *key): value for key, value in years.items()})
        return (
            _rows("monitoring_scopedaycounts", ["scope_id", "day"], sorted(day_keys), day_columns),
            procedures,
        )

    days_before, procedures_before = snapshot()
    single: list[float] = []
    try:
        with transaction.atomic():  # what one transition pays: refresh_dossier of one dossier
            for dossier_id in ids[:20]:
                single.append(timed(lambda d=dossier_id: maintain.refresh_dossier(d)))  # type: ignore[misc]
            raise _Rollback
    except _Rollback:
        pass
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            maintain.refresh_dossiers(ids)
            after = {
                f.dossier_id: facts.fact_values(f) for f in DossierFact.objects.filter(dossier_id__in=ids)
            }
            days_after, procedures_after = snapshot()
            raise _Rollback
    except _Rollback:
        pass  # nothing the check did stays in the database
    elapsed = time.perf_counter() - t0
    fact_diffs = []
    for dossier_id in sorted(set(before) | set(after)):
        old, new = before.get(dossier_id), after.get(dossier_id)
        if old != new:
            changed = sorted(
                k for k in set(old or {}) | set(new or {}) if (old or {}).get(k) != (new or {}).get(k)
            )
            fact_diffs.append(
                {
                    "dossier": dossier_id,
                    "fields": {k: [str((old or {}).get(k)), str((new or {}).get(k))] for k in changed},
                }
            )
    counter_diffs = [
        str(k)
        for k in sorted(set(days_before) | set(days_after), key=str)
        if days_before.get(k) != days_after.get(k)
    ]
    counter_diffs += [
        str(k)
        for k in sorted(set(procedures_before) | set(procedures_after), key=str)
        if procedures_before.get(k) != procedures_after.get(k)
    ]
    return {
        "dossiers": len(ids),
        "facts": len(before),
        "counter_rows_compared": len(days_before) + len(procedures_before),
        "fact_differences": len(fact_diffs),
        "counter_differences": len(counter_diffs),
        "examples": fact_diffs[:5] + [{"counter": c} for c in counter_diffs[:5]],
        "seconds": round(elapsed, 1),
        "refresh_dossier_one_ms": stats(single),
        "ok": not fact_diffs and not counter_diffs,
    }


def verify_offers(seed: int) -> dict[str, Any]:
    """``maintain.refresh_offers`` for a few procedures must leave their ``ScopeOffer`` rows as they are."""
    from django.db import transaction

    from motcua.catalogue.models import ProcedureOffering
    from motcua.monitoring import maintain
    from motcua.monitoring.models import ScopeOffer

    rng = random.Random(seed + 19)
    offered = sorted(set(ProcedureOffering.objects.values_list("procedure_id", flat=True).distinct()))
    ids = rng.sample(offered, min(6, len(offered)))
    fields = (
        "scope_id",
        "procedure_id",
        "online_mode",
        "historical_level",
        "has_fee",
        "full_online_eligible",
    )

    def snapshot() -> set[tuple[Any, ...]]:
        return set(ScopeOffer.objects.filter(procedure_id__in=ids).values_list(*fields, "for_citizens"))

    before = snapshot()
    offerings = ProcedureOffering.objects.filter(procedure_id__in=ids).count()
    total = ProcedureOffering.objects.count()
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            maintain.refresh_offers(ids)
            elapsed = time.perf_counter() - t0
            after = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return {
        "procedures": len(ids),
        "offerings": offerings,
        "rows": len(before),
        "differences": len(before ^ after),
        "refresh_offers_s": round(elapsed, 2),
        "refresh_offers_all_estimate_s": round(elapsed * total / offerings) if offerings else None,
        "ok": before == after,
    }


def verify_totals() -> dict[str, Any]:
    """The per-procedure table must add up to the per-day table for the nation (both from the same facts)."""
    from django.db import connection

    from motcua.agencies.models import Agency, AgencyKind

    nation = Agency.objects.get(kind=AgencyKind.NATION)
    shared = [
        "received",
        "received_online",
        "received_full_online",
        "received_paid_online",
        "received_population_data",
        "resolved",
        "processing_centidays",
        "processing_measured",
    ]
    sums = ", ".join(f"COALESCE(SUM({c}), 0)" for c in shared)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sums} FROM monitoring_scopedaycounts WHERE scope_id = %s", [nation.pk])
        days = cursor.fetchone()
        cursor.execute(
            f"SELECT {sums} FROM monitoring_scopeproceduredaycounts WHERE scope_id = %s", [nation.pk]
        )
        procedures = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM monitoring_dossierfact")
        facts_row = cursor.fetchone()
    assert days is not None
    assert procedures is not None
    assert facts_row is not None
    values = {c: [int(d), int(p)] for c, d, p in zip(shared, days, procedures, strict=True)}
    return {
        "nation": values,
        "facts": int(facts_row[0]),
        "ok": all(d == p for d, p in values.values()) and values["received"][0] == int(facts_row[0]),
    }


@dataclass
class RecomputeCase:
    level: str
    scope: str
    dossiers: int
    period: str
    as_is: bool
    recompute_s: float
    counts_ms: float
    equal: bool
    differences: dict[str, list[int]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return round(self.recompute_s * 1000 / self.counts_ms) if self.counts_ms else 0.0


def _agencies_by_size(kind: str) -> list[tuple[Agency, int]]:
    from django.db.models import Count

    from motcua.agencies.models import Agency
    from motcua.monitoring.models import DossierFact

    sizes = dict(
        DossierFact.objects.filter(agency__kind=kind).values_list("agency_id").annotate(n=Count("dossier_id"))
    )
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=sizes)}
    return sorted(((agencies[pk], int(n)) for pk, n in sizes.items()), key=lambda item: (item[1], item[0].pk))


def _province_sizes() -> list[tuple[Agency, int]]:
    from django.db.models import Count

    from motcua.agencies.models import Agency, AgencyKind
    from motcua.monitoring.models import DossierFact

    by_agency = dict(DossierFact.objects.values_list("agency_id").annotate(n=Count("dossier_id")))
    parent = dict(Agency.objects.values_list("id", "parent_id"))
    totals: Counter[int] = Counter()
    for agency_id, n in by_agency.items():
        totals[parent[agency_id]] += int(n)
    provinces = {a.pk: a for a in Agency.objects.filter(kind=AgencyKind.PROVINCE)}
    return sorted(((provinces[pk], totals[pk]) for pk in provinces), key=lambda item: (item[1], item[0].pk))


def verify_counts(args: argparse.Namespace, local_today: date) -> list[RecomputeCase]:
    """``queries.counts`` (aggregates) against ``recompute.counts`` (every dossier derived afresh)."""
    from motcua.agencies.models import AgencyKind
    from motcua.monitoring import queries, recompute
    from motcua.monitoring.periods import Period

    communes = _agencies_by_size(AgencyKind.COMMUNE)
    departments = _agencies_by_size(AgencyKind.DEPARTMENT)
    provinces = _province_sizes()
    rng = random.Random(args.seed + 13)
    first = local_today - timedelta(days=rng.randint(40, 300))
    ranged = Period.between(first, first + timedelta(days=rng.randint(5, 60)))
    # recompute derives every dossier of the scope for each period: a few periods of every kind
    periods = [
        Period.month(2025, 3),
        Period.quarter(2025, 4),
        Period.year(local_today.year),  # stocks at its end = today
        ranged,
    ]
    picks: list[tuple[str, Agency, int, list[Period], bool]] = []
    for label, fraction in (("commune (small)", 0.1), ("commune (median)", 0.5), ("commune (large)", 0.9)):
        agency, n = communes[int(fraction * (len(communes) - 1))]
        picks.append((label, agency, n, periods, False))
    agency, n = communes[len(communes) // 2]
    picks.append(("commune (median), as_is", agency, n, [Period.year(2025)], True))
    agency, n = departments[len(departments) // 2]
    picks.append(("department (median)", agency, n, periods[1:3], False))
    if not args.skip_province_recompute:
        agency, n = provinces[0]  # the smallest: every dossier is derived in Python, ≈ 5 ms each
        picks.append(("province (smallest)", agency, n, [Period.year(local_today.year)], False))
    cases: list[RecomputeCase] = []
    for level, scope, n, scope_periods, as_is in picks:
        for period in scope_periods:
            aggregate = queries.counts(scope, period, as_is=as_is, today_=local_today)
            counts_ms = []
            for _ in range(5):
                t0 = time.perf_counter()
                queries.counts(scope, period, as_is=as_is, today_=local_today)
                counts_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            fresh = recompute.counts(scope, period, as_is=as_is, today_=local_today)
            recompute_s = time.perf_counter() - t0
            differences = {
                k: [aggregate.get(k, -1), fresh.get(k, -1)]
                for k in sorted(set(aggregate) | set(fresh))
                if aggregate.get(k) != fresh.get(k)
            }
            case = RecomputeCase(
                level,
                scope.code,
                n,
                period.label_en,
                as_is,
                round(recompute_s, 2),
                round(sorted(counts_ms)[2], 2),
                not differences,
                differences,
            )
            cases.append(case)
            log(
                f"  {level} {scope.code} ({n:,} dossiers) {period.label_en}: "
                f"{'equal' if case.equal else 'DIFFERENT ' + json.dumps(differences)}; recompute {recompute_s:.2f} s, "
                f"counts {case.counts_ms:.1f} ms (×{case.ratio:,.0f})"
            )
    return cases


# --- timing ------------------------------------------------------------------------------------------------
@dataclass
class Sample:
    level: str
    scope: str
    period_kind: str
    period: str
    as_is: bool
    ms: float


def stats(values: Sequence[float]) -> dict[str, float]:
    lat = sorted(values)
    if not lat:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "n": len(lat),
        "p50": round(percentile(lat, 0.50), 2),
        "p95": round(percentile(lat, 0.95), 2),
        "p99": round(percentile(lat, 0.99), 2),
        "max": round(lat[-1], 2),
    }


def random_period(rng: random.Random, local_today: date) -> tuple[str, Period]:
    from motcua.monitoring.periods import Period

    kind = rng.choice(["month", "month", "quarter", "quarter", "year", "range"])
    if kind == "month":
        months = [(y, m) for y in (2025, 2026) for m in range(1, 13) if date(y, m, 1) <= local_today]
        return kind, Period.month(*rng.choice(months))
    if kind == "quarter":
        return kind, Period.quarter(rng.choice((2025, 2026)), rng.randint(1, 4))
    if kind == "year":
        return kind, Period.year(rng.choice((2025, 2026)))
    first = FIRST_DAY + timedelta(days=rng.randint(0, (local_today - FIRST_DAY).days - 1))
    last = min(local_today, first + timedelta(days=rng.randint(0, 400)))
    return kind, Period.between(first, last)


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def measure(args: argparse.Namespace, local_today: date) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.agencies.models import Agency, AgencyKind
    from motcua.dossiers.models import Dossier
    from motcua.monitoring import indicators, queries

    rng = random.Random(args.seed + 17)
    bounds = Dossier.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    assert low is not None
    assert high is not None

    def pk_lookup() -> None:
        Dossier.objects.get(pk=rng.randint(low, high))

    baseline: list[float] = []
    for _ in range(50):
        pk_lookup()
    baseline += [timed(pk_lookup) for _ in range(1000)]
    log(f"baseline Dossier.objects.get(pk=random): p95 {stats(baseline)['p95']:.2f} ms")

    nation = Agency.objects.get(kind=AgencyKind.NATION)
    provinces = list(Agency.objects.filter(kind=AgencyKind.PROVINCE).order_by("code"))
    departments = list(Agency.objects.filter(kind=AgencyKind.DEPARTMENT))
    communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE))
    q = args.queries
    n_nation = max(20, q // 10)
    per_province = max(1, round(q * 0.25 / len(provinces)))
    n_departments = max(20, round(q * 0.15))
    n_communes = max(20, q - n_nation - per_province * len(provinces) - n_departments)
    plan: list[tuple[str, Agency]] = [("nation", nation)] * n_nation
    plan += [("province", p) for p in provinces for _ in range(per_province)]
    plan += [("department", rng.choice(departments)) for _ in range(n_departments)]
    plan += [("commune", rng.choice(communes)) for _ in range(n_communes)]
    calls = []
    for level, scope in plan:
        kind, period = random_period(rng, local_today)
        calls.append((level, scope, kind, period, rng.random() < 0.08))
    rng.shuffle(calls)
    for _level, scope, _kind, period, as_is in calls[:30]:  # warm-up, not counted
        queries.counts(scope, period, as_is=as_is)
    log(f"timing queries.counts: {len(calls)} random (scope, period) calls")
    samples: list[Sample] = []
    for level, scope, kind, period, as_is in calls:
        baseline.append(timed(pk_lookup))  # interleaved: the baseline sees the same load as the calls
        ms = timed(lambda s=scope, p=period, a=as_is: queries.counts(s, p, as_is=a))  # type: ignore[misc]
        samples.append(Sample(level, scope.code, kind, period.label_en, as_is, round(ms, 2)))

    by_level: dict[str, dict[str, float]] = {}
    for level in ("nation", "province", "department", "commune"):
        by_level[level] = stats([s.ms for s in samples if s.level == level and not s.as_is])
    by_level["as_is=True (all levels)"] = stats([s.ms for s in samples if s.as_is])
    by_level["overall"] = stats([s.ms for s in samples])
    by_period = {
        k: stats([s.ms for s in samples if s.period_kind == k]) for k in ("month", "quarter", "year", "range")
    }

    log("timing indicators.evaluate (every indicator): 100 calls")
    evaluate_ms = []
    for _ in range(100):
        level, scope = rng.choice(plan)
        _kind, period = random_period(rng, local_today)
        evaluate_ms.append(timed(lambda s=scope, p=period: indicators.evaluate(s, p)))  # type: ignore[misc]

    log("timing queries.counts_many over all communes of a province")
    sized = _province_sizes()
    chosen = [sized[0][0], sized[len(sized) // 2][0], sized[-1][0]]
    many: list[dict[str, Any]] = []
    for province in chosen:
        children = list(Agency.objects.filter(parent=province, kind=AgencyKind.COMMUNE))
        for period in (queries_period("month", local_today), queries_period("year", local_today)):
            queries.counts_many(children, period)  # warm
            times = [timed(lambda c=children, p=period: queries.counts_many(c, p)) for _ in range(3)]  # type: ignore[misc]
            with CaptureQueriesContext(connection) as captured:
                queries.counts_many(children, period)
            many.append(
                {
                    "province": province.code,
                    "communes": len(children),
                    "period": period.label_en,
                    "ms": round(sorted(times)[1], 1),
                    "statements": len(captured.captured_queries),
                    "sql_ms": round(sum(float(c["time"]) for c in captured.captured_queries) * 1000, 1),
                }
            )

    baseline += [timed(pk_lookup) for _ in range(1000)]
    base = stats(baseline)

    # where the time goes in the slowest call of each level
    breakdown: dict[str, Any] = {}
    for level in ("nation", "province", "department", "commune"):
        level_samples = [s for s in samples if s.level == level]
        if not level_samples:
            continue
        worst = max(level_samples, key=lambda s: s.ms)
        index = samples.index(worst)
        _l, scope, _k, period, as_is = calls[index]
        with CaptureQueriesContext(connection) as captured:
            rerun_ms = timed(lambda s=scope, p=period, a=as_is: queries.counts(s, p, as_is=a))  # type: ignore[misc]
        statements = [
            {"ms": round(float(c["time"]) * 1000, 2), "sql": c["sql"][:160]}
            for c in captured.captured_queries
        ]
        entry: dict[str, Any] = {
            "scope": worst.scope,
            "period": worst.period,
            "as_is": worst.as_is,
            "ms": worst.ms,
            "rerun_ms": round(rerun_ms, 2),  # the same call again: its pages are now in the cache
            "statements": statements,
        }
        if by_level[level]["p95"] > args.budget_ms:
            plans = []
            with connection.cursor() as cursor:
                for c in sorted(captured.captured_queries, key=lambda c: -float(c["time"]))[:2]:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + c["sql"])
                    plans.append({"sql": c["sql"], "plan": [row[0] for row in cursor.fetchall()]})
            entry["plans"] = plans
        breakdown[level] = entry

    return {
        "baseline": {"what": "Dossier.objects.get(pk=random)", **base},
        "counts_by_level": {
            k: {**v, "ratio_p95": round(v["p95"] / base["p95"], 1) if base["p95"] else None}
            for k, v in by_level.items()
        },
        "counts_by_period": by_period,
        "evaluate": {**stats(evaluate_ms), "ratio_p95": round(stats(evaluate_ms)["p95"] / base["p95"], 1)},
        "counts_many": many,
        "slowest": breakdown,
        "samples": [s.__dict__ for s in samples],
    }


def queries_period(kind: str, local_today: date) -> Period:
    from motcua.monitoring.periods import Period

    if kind == "month":
        previous = local_today.replace(day=1) - timedelta(days=1)
        return Period.month(previous.year, previous.month)
    return Period.year(local_today.year - 1)


# --- report ---------------------------------------------------------------------------------------------
def print_report(r: dict[str, Any]) -> None:
    d, m, g = r["data"], r["measures"], r["generation"]
    b = m["baseline"]
    print()
    print("=" * 112)
    print(
        f"motcua monitoring benchmark   {r['timestamp']}   {r['machine']['cpus']} CPUs "
        f"(load {' '.join(map(str, r['machine']['load_average_at_end']))})   PostgreSQL {d['postgresql']} "
        f"(shared_buffers {d['shared_buffers']})"
    )
    print(
        f"  {d['dossiers']:,} dossiers ({d['open']:,} in progress, {d['open_late']:,} of them late), received "
        f"{d['received_first_last'][0]} … {d['received_first_last'][1]}; agencies {d['agencies']}, "
        f"{d['agencies_with_dossiers']:,} with dossiers; {d['procedures_with_dossiers']:,} procedures used"
    )
    print(
        f"  {d['offerings']:,} offerings, {d['scope_offers']:,} ScopeOffer, {d['scope_day_rows']:,} ScopeDayCounts, "
        f"{d['scope_procedure_day_rows']:,} ScopeProcedureDayCounts rows; database {d['database_size']}"
    )
    if g:
        print(f"  generation {g.get('total_s', 0) / 60:.1f} min: {json.dumps(g)}")
    v = r["verification"]
    print(
        f"  verification: refresh_dossiers on {v['refresh']['dossiers']:,} dossiers: "
        f"{v['refresh']['fact_differences']} fact / {v['refresh']['counter_differences']} counter differences "
        f"({v['refresh']['counter_rows_compared']:,} counter rows compared); nation per-procedure = per-day totals: "
        f"{v['totals']['ok']}; counts = recompute in {sum(c['equal'] for c in v['recompute'])}/{len(v['recompute'])} cases"
    )
    print(
        f"  baseline {b['what']}: p50 {b['p50']:.2f} / p95 {b['p95']:.2f} / p99 {b['p99']:.2f} ms ({b['n']} calls)"
    )
    print("-" * 112)
    print(
        f"  {'queries.counts by scope level':<40} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'p95÷base':>9}"
    )
    for level, s in m["counts_by_level"].items():
        print(
            f"  {level:<40} {s['n']:>5} {s['p50']:>8.1f} {s['p95']:>8.1f} {s['p99']:>8.1f} {s['max']:>8.1f} "
            f"{s['ratio_p95']:>9}"
        )
    for kind, s in m["counts_by_period"].items():
        print(
            f"  {'  period ' + kind:<40} {s['n']:>5} {s['p50']:>8.1f} {s['p95']:>8.1f} {s['p99']:>8.1f} {s['max']:>8.1f}"
        )
    e = m["evaluate"]
    print(
        f"  {'indicators.evaluate (all indicators)':<40} {e['n']:>5} {e['p50']:>8.1f} {e['p95']:>8.1f} "
        f"{e['p99']:>8.1f} {e['max']:>8.1f} {e['ratio_p95']:>9}"
    )
    print("-" * 112)
    for row in m["counts_many"]:
        print(
            f"  counts_many: {row['communes']:>4} communes of {row['province']:<14} {row['period']:<16} "
            f"{row['ms']:>8.1f} ms ({row['statements']} SQL statements, {row['sql_ms']:.0f} ms in them)"
        )
    print("-" * 112)
    for c in v["recompute"]:
        print(
            f"  recompute {c['level']:<26} {c['scope']:<14} {c['dossiers']:>9,} dossiers {c['period']:<24} "
            f"{c['recompute_s']:>8.2f} s vs counts {c['counts_ms']:>6.1f} ms = ×{c['ratio']:>9,.0f} "
            f"{'equal' if c['equal'] else 'DIFFERENT'}"
        )
    print("-" * 112)
    for level, entry in m["slowest"].items():
        parts = ", ".join(f"{s['ms']:.1f}" for s in entry["statements"])
        print(
            f"  slowest {level} call {entry['ms']:.1f} ms ({entry['scope']}, {entry['period']}); the same call "
            f"again {entry['rerun_ms']:.1f} ms, its statements {parts} ms"
        )
        for p in entry.get("plans", []):
            print(f"    plan of: {p['sql'][:300]}")
            for line in p["plan"]:
                print(f"      {line}")
    worst = r["worst_p95"]
    verdict = "within" if r["within_budget"] else "OVER"
    print(
        f"  worst p95 {worst['p95']:.1f} ms ({worst['what']}): {verdict} the {r['config']['budget_ms']:.0f} ms budget; "
        f"p95 ÷ baseline p95 = {worst['ratio_p95']}"
    )
    print("=" * 112)


def write_report(r: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"monitoring-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(r, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


# --- main -----------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url
    db_params(url)
    created = False
    try:
        timings: dict[str, float] = {}
        if args.reuse_db and existing_dossiers(url) > 0:
            log(f"reusing {redact(url)} ({existing_dossiers(url):,} facts); migrate (new migrations only)")
            t0 = time.perf_counter()
            manage(django_env(url), "migrate", "--noinput")
            timings["migrate_kept_database_s"] = round(time.perf_counter() - t0, 1)
            # as after a generation: every page all-visible, every table analysed
            with psycopg.connect(url, autocommit=True) as conn:
                for table in BULK_TABLES:
                    conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
            setup_django(url)
        else:
            log(f"recreating {redact(url)}")
            recreate_database(url)
            created = True
            env = django_env(url)
            t0 = time.perf_counter()
            manage(env, "migrate", "--noinput")
            manage(env, "load_reference_data")
            setup_django(url)
            timings = generate(url, args)
            timings["migrate_and_reference_data_s"] = round(time.perf_counter() - t0 - timings["total_s"], 1)
        local_today = (datetime.now(UTC) + timedelta(hours=7)).date()
        facts = data_facts(url)
        log(
            f"{facts['dossiers']:,} dossiers, {facts['scope_day_rows']:,} day rows, database {facts['database_size']}"
        )
        log(
            f"verification 1/4: maintain.refresh_dossiers on {SAMPLE_REFRESH:,} random dossiers (rolled back)"
        )
        refresh = verify_refresh(args.seed)
        log(f"  {json.dumps(refresh, default=str)}")
        log("verification 2/4: maintain.refresh_offers on a few procedures (rolled back)")
        offers = verify_offers(args.seed)
        log(f"  {json.dumps(offers)}")
        log("verification 3/4: nation totals of ScopeProcedureDayCounts = ScopeDayCounts = facts")
        totals = verify_totals()
        log(f"  {json.dumps(totals)}")
        log("verification 4/4: queries.counts = recompute.counts (every dossier derived afresh)")
        cases = verify_counts(args, local_today)
        verification = {
            "refresh": refresh,
            "offers": offers,
            "totals": totals,
            "recompute": [c.__dict__ | {"ratio": c.ratio} for c in cases],
        }
        failed = not refresh["ok"] or not offers["ok"] or not totals["ok"] or not all(c.equal for c in cases)
        measures_: dict[str, Any] = {}
        if failed:
            report: dict[str, Any] = {"verification": verification, "data": facts, "generation": timings}
            log(f"wrote {write_report(report).relative_to(ROOT)}")
            raise VerificationError(
                "the SQL-generated facts or aggregates differ from what the application computes "
                "(see the differences above); the timings would be meaningless"
            )
        measures_ = measure(args, local_today)
        lines = [(k, v) for k, v in measures_["counts_by_level"].items()] + [
            ("indicators.evaluate", measures_["evaluate"])
        ]
        worst_what, worst = max(lines, key=lambda item: item[1]["p95"])
        report = {
            "timestamp": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            },
            "config": {
                "database_url": redact(url),
                "dossiers": args.dossiers,
                "queries": args.queries,
                "budget_ms": args.budget_ms,
                "seed": args.seed,
            },
            "data": facts,
            "code": {  # the monitoring core changes while this is written: which version was measured
                name: datetime.fromtimestamp(
                    (SRC / "motcua" / "monitoring" / name).stat().st_mtime, UTC
                ).isoformat(timespec="seconds")
                for name in ("queries.py", "facts.py", "maintain.py", "recompute.py", "indicators.py")
            },
            "generation": timings,
            "verification": verification,
            "measures": measures_,
            "worst_p95": {"what": worst_what, "p95": worst["p95"], "ratio_p95": worst["ratio_p95"]},
            "within_budget": worst["p95"] <= args.budget_ms,
        }
        print_report(report)
        log(f"wrote {write_report(report).relative_to(ROOT)}")
        return EXIT_OK if report["within_budget"] else EXIT_OVER_BUDGET
    except SetupError as exc:
        log(f"FAIL: {exc}")
        return EXIT_SETUP
    except KeyboardInterrupt:
        log("interrupted")
        return EXIT_INTERRUPTED
    finally:
        if created and not args.keep:
            from django.db import connections

            connections.close_all()
            try:
                drop_database(url)
                log(f"dropped {redact(url)}")
            except psycopg.Error as exc:
                log(f"could not drop the bench database: {exc}")
        elif created:
            log(f"kept {redact(url)}")


if __name__ == "__main__":
    sys.exit(main())
