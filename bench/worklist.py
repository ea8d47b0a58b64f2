"""Worklist benchmark: officers' worklists and their counts over 1,000,000 dossiers on PostgreSQL, against a
primary-key lookup measured in the same run on the same database and connection.

End to end, by itself: create a fresh bench database, migrate it, load the reference data, build the demo
province (``dossiers.demo.build_world``: agencies, officers, offerings), give every commune of the province
the communes' offerings and a few specialists, generate the dossiers with one ``INSERT … SELECT
generate_series`` (spread over the province's communes, its service centre and departments, over statuses,
channels, dates, due dates and assignees), ``VACUUM ANALYZE``, then time in this process, through the real
``dossiers.worklists`` functions (Django ORM + psycopg, as a page would call them):

- every worklist of several officers (commune receiving officer, commune chairman, provincial centre
  officer, department specialist, provincial leader), first page, ``--calls`` times each;
- ``counts`` of each officer, ``--calls`` times;
- variants on the provincial leader's largest list (due-window and channel filters, page 20, keyset page,
  with the total);
- the baseline: ``Dossier.objects.get(pk=…)`` on random ids, before and after.

It prints p50/p95/p99 per line and the ratio p95 ÷ baseline p95, writes the report as JSON to
``bench/results/``, prints the query plan of the slowest line, then drops the database (unless
``--keep-db``). See ``bench/README.md``.

    .venv/bin/python bench/worklist.py --database-url postgres://postgres@127.0.0.1:5432/motcua_bench_worklist

Exit status: 0 every p95 within ``--budget-ms`` (100); 1 some line over budget; 2 the setup failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

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

RESULTS = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    # UTC: Django sets the process time zone to Hanoi's when it starts, half-way through the run
    print(f"[bench {datetime.now(UTC):%H:%M:%S}Z] {message}", flush=True)


DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_worklist"
OFFICERS = {
    "motcua.xa": "commune receiving officer",
    "chutich.xa": "commune chairman",
    "motcua.tinh": "provincial centre receiving officer",
    "chuyenvien.congan": "department specialist (provincial police)",
    "lanhdao.tinh": "provincial leader",
}
EXIT_OK, EXIT_OVER_BUDGET, EXIT_SETUP, EXIT_INTERRUPTED = 0, 1, 2, 130

# Per mille of the dossiers in each status: two years of a province, most of them closed long ago.
STATUS_WEIGHTS: dict[str, int] = {
    "returned": 810,
    "rejected": 30,
    "withdrawn": 18,
    "refused": 12,
    "stopped": 10,
    "submitted": 15,
    "supplement_requested": 10,
    "supplement_received": 3,
    "accepted": 10,
    "processing": 35,
    "consulting": 4,
    "transferred": 4,
    "paused": 3,
    "awaiting_payment": 4,
    "extension_requested": 2,
    "pending_approval": 12,
    "approved": 6,
    "resolved": 12,
}
CLOSED = {"returned", "rejected", "withdrawn", "refused", "stopped"}
BEFORE_ACCEPTANCE = {"submitted", "supplement_requested", "supplement_received", "rejected", "withdrawn"}
ASSIGNED = {
    "processing",
    "consulting",
    "transferred",
    "paused",
    "awaiting_payment",
    "extension_requested",
    "pending_approval",
    "approved",
    "resolved",
    "returned",
    "refused",
    "stopped",
}
SLOTS = 20_000  # (receiving, competent, procedure, channel) combinations the rows are drawn from
COMMUNE_SHARE = 0.70  # dossiers of the communes; the rest are received at the centre for a department
BOUNDARY_FREE_SHARE = 0.05  # commune dossiers filed at another commune of the province
SPECIALISTS_PER_COMMUNE = 3
SPECIALISTS_PER_DEPARTMENT = 6


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark worklists over generated dossiers on PostgreSQL.")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help=f"Bench database; it is DROPPED and recreated (default {DEFAULT_URL}).",
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="Dossiers to generate (default 1e6).")
    parser.add_argument("--calls", type=int, default=200, help="Timed calls per line (default 200).")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed calls before each line (default 20).")
    parser.add_argument("--budget-ms", type=float, default=100.0, help="p95 budget per line (default 100).")
    parser.add_argument("--seed", type=int, default=2026, help="Random seed of the generated data.")
    parser.add_argument("--keep-db", action="store_true", help="Keep the bench database afterwards.")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="Use the database as it is if it already holds the dossiers (no drop, no generation).",
    )
    args = parser.parse_args(argv)
    for name in ("dossiers", "calls"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


# --- data -----------------------------------------------------------------------------------------------
def existing_dossiers(url: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
    except psycopg.Error:
        return 0
    return int(row[0]) if row else 0


def setup_django(url: str) -> None:
    os.environ.update(django_env(url))
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def staff_and_offerings(seed: int) -> dict[str, Any]:
    """The demo world, plus the communes' offerings and a few specialists for every commune and department
    of the province. Returns what the generator needs (ids)."""
    from django.db import transaction

    from motcua.accounts.models import Membership, Role, User, UserKind
    from motcua.agencies.models import Agency, AgencyKind
    from motcua.catalogue.models import ProcedureOffering
    from motcua.dossiers.demo import build_world

    world = build_world()
    communes = list(Agency.objects.filter(parent=world.province, kind=AgencyKind.COMMUNE).order_by("code"))
    commune_offerings = list(ProcedureOffering.objects.filter(agency=world.communes[0]))
    with transaction.atomic():
        ProcedureOffering.objects.bulk_create(
            [
                ProcedureOffering(
                    agency=commune,
                    procedure_id=o.procedure_id,
                    local_code=o.local_code,
                    online_mode=o.online_mode,
                    partial_reason=o.partial_reason,
                    partial_legal_basis=o.partial_legal_basis,
                    boundary_free=o.boundary_free,
                )
                for commune in communes
                for o in commune_offerings
            ],
            ignore_conflicts=True,
        )
        extra: list[tuple[User, Agency]] = []
        for agency, n in [(c, SPECIALISTS_PER_COMMUNE) for c in communes] + [
            (d, SPECIALISTS_PER_DEPARTMENT) for d in world.departments.values()
        ]:
            have = Membership.objects.filter(agency=agency, role=Role.SPECIALIST).count()
            for k in range(have, n):
                user = User(username=f"bench.cv.{agency.code}.{k}", kind=UserKind.OFFICER)
                user.set_unusable_password()
                extra.append((user, agency))
        User.objects.bulk_create([u for u, _ in extra])
        Membership.objects.bulk_create([Membership(user=u, agency=a, role=Role.SPECIALIST) for u, a in extra])
    specialists: dict[int, list[int]] = {}
    for agency_id, user_id in Membership.objects.filter(role=Role.SPECIALIST).values_list(
        "agency_id", "user_id"
    ):
        specialists.setdefault(agency_id, []).append(user_id)
    offerings: dict[int, list[int]] = {}
    for agency_id, procedure_id in ProcedureOffering.objects.values_list("agency_id", "procedure_id"):
        offerings.setdefault(agency_id, []).append(procedure_id)
    rng = random.Random(seed)
    slots: list[tuple[Any, ...]] = []
    departments = [d for d in world.departments.values() if offerings.get(d.id)]
    for slot in range(1, SLOTS + 1):
        if rng.random() < COMMUNE_SHARE:
            competent = rng.choice(communes)
            receiving = competent
            if rng.random() < BOUNDARY_FREE_SHARE:
                receiving = rng.choice(communes)
        else:
            competent = rng.choice(departments)
            receiving = world.centre
        channel = rng.choices(["online", "in_person", "postal"], weights=[60, 35, 5])[0]
        delivery = {"online": "online", "in_person": "counter", "postal": "post"}[channel]
        slots.append(
            (
                slot,
                receiving.id,
                receiving.code,
                competent.id,
                rng.choice(offerings[competent.id]),
                channel,
                delivery,
                receiving.id != competent.id and receiving != world.centre,
                specialists[competent.id],
            )
        )
    return {
        "slots": slots,
        "departments": [d.id for d in world.departments.values()],
        "communes": len(communes),
        "agencies": len({s[3] for s in slots}),
    }


INSERT_DOSSIERS = """
WITH g AS MATERIALIZED (
    SELECT i,
           1 + floor(random() * %(slots)s)::int AS slot,
           1 + floor(random() * 1000)::int AS sslot,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4
    FROM generate_series(1, %(n)s) AS i
)
INSERT INTO dossiers_dossier (
    code, procedure_id, receiving_agency_id, competent_agency_id, channel, status, version, boundary_free,
    applicant_id, submitted_by_id, assignee_id, applicant_name, applicant_id_number, applicant_phone,
    applicant_email, applicant_address, form_data, delivery_method, delivery_address, created_at,
    submitted_at, system_received_at, accepted_at, competent_received_at, clock_started_at, original_due_at,
    due_at, extended_due_at, extension_count, supplement_count, paused_at, resolved_at, returned_at,
    finished_at, stop_requested_by, result_code, result_note
)
SELECT
    s.receiving_code || '-' || to_char(t.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-'
        || lpad(g.i::text, 7, '0'),
    s.procedure_id, s.receiving_id, s.competent_id, s.channel, st.status, 3, s.boundary_free,
    NULL, NULL,
    CASE WHEN st.assigned THEN s.specialists[1 + floor(g.r3 * array_length(s.specialists, 1))::int] END,
    'Người nộp ' || g.i, lpad(g.i::text, 12, '0'), '0912345678', '', 'Ninh Bình', '{}'::jsonb,
    s.delivery, '', t.submitted_at, t.submitted_at, t.submitted_at,
    a.accepted_at,
    CASE WHEN s.boundary_free AND c.clock IS NOT NULL THEN c.clock END,
    c.clock, d.due, d.due,
    CASE WHEN st.status = 'extension_requested' THEN d.due + interval '5 days' END,
    CASE WHEN st.status = 'extension_requested' OR (c.clock IS NOT NULL AND g.r4 < 0.03) THEN 1 ELSE 0 END,
    CASE WHEN st.status LIKE 'supplement%%' THEN 1 ELSE 0 END,
    CASE WHEN st.status IN ('paused', 'supplement_requested') THEN t.submitted_at + interval '1 day' END,
    CASE WHEN st.status IN ('resolved', 'returned') THEN d.due - g.r4 * interval '2 days' END,
    CASE WHEN st.status = 'returned' THEN d.due - g.r4 * interval '2 days' + interval '1 day' END,
    CASE WHEN st.status = 'returned' THEN d.due - g.r4 * interval '2 days' + interval '1 day'
         WHEN st.closed THEN t.submitted_at + interval '1 day' END,
    CASE WHEN st.status = 'stopped' THEN 'applicant' ELSE '' END,
    '', ''
FROM g
JOIN bench_slot s ON s.slot = g.slot
JOIN bench_status st ON st.slot = g.sslot
CROSS JOIN LATERAL (
    SELECT now() - (CASE WHEN st.closed THEN 25 + g.r1 * 705 ELSE g.r1 * 12 END) * interval '1 day'
        AS submitted_at
) t
CROSS JOIN LATERAL (
    SELECT CASE WHEN st.before_acceptance THEN NULL ELSE t.submitted_at + interval '2 hours' END AS accepted_at
) a
CROSS JOIN LATERAL (
    SELECT CASE WHEN a.accepted_at IS NULL OR (st.status = 'accepted' AND s.boundary_free AND g.r4 < 0.5)
                THEN NULL ELSE a.accepted_at END AS clock
) c
CROSS JOIN LATERAL (SELECT c.clock + (5 + floor(g.r2 * 16)) * interval '1 day' AS due) d
"""

INSERT_LEGS = """
INSERT INTO dossiers_dossierleg (
    dossier_id, agency_id, mode, position, task, time_limit_working_days, started_at, due_at, completed_at
)
SELECT d.id, l.agency_id, 'sequential', 0, 'Phối hợp giải quyết', 3,
       d.accepted_at + interval '1 day', d.accepted_at + interval '4 days',
       CASE WHEN d.status = 'transferred' THEN NULL ELSE d.accepted_at + interval '3 days' END
FROM dossiers_dossier d
CROSS JOIN LATERAL (
    SELECT CASE WHEN picked = d.competent_agency_id THEN %(fallback)s ELSE picked END AS agency_id
    FROM (SELECT (%(departments)s::bigint[])[1 + (d.id %% %(n_departments)s)::int] AS picked) p
) l
WHERE d.status = 'transferred' OR (d.status = 'returned' AND d.id %% 50 = 0)
"""


def generate(url: str, n: int, seed: int, plan: dict[str, Any]) -> dict[str, float]:
    """Insert ``n`` dossiers (and their transfer legs) in one statement each; VACUUM ANALYZE."""
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0) - 0.5])
        conn.execute(
            "CREATE TEMP TABLE bench_slot (slot int PRIMARY KEY, receiving_id bigint, receiving_code text, "
            "competent_id bigint, procedure_id bigint, channel text, delivery text, boundary_free boolean, "
            "specialists bigint[])"
        )
        with conn.cursor().copy("COPY bench_slot FROM STDIN") as copy:
            for row in plan["slots"]:
                copy.write_row(row)
        conn.execute(
            "CREATE TEMP TABLE bench_status (slot int PRIMARY KEY, status text, closed boolean, "
            "before_acceptance boolean, assigned boolean)"
        )
        statuses = [status for status, weight in STATUS_WEIGHTS.items() for _ in range(weight)]
        assert len(statuses) == 1000, "STATUS_WEIGHTS must sum to 1000"
        with conn.cursor().copy("COPY bench_status FROM STDIN") as copy:
            for i, status in enumerate(statuses, start=1):
                copy.write_row((i, status, status in CLOSED, status in BEFORE_ACCEPTANCE, status in ASSIGNED))
        conn.execute("ANALYZE bench_slot")
        conn.execute("ANALYZE bench_status")
        log(f"INSERT … SELECT generate_series(1, {n:,}) into dossiers_dossier")
        t0 = time.perf_counter()
        conn.execute(INSERT_DOSSIERS, {"slots": SLOTS, "n": n})
        timings["insert_dossiers_s"] = round(time.perf_counter() - t0, 1)
        log(f"  {timings['insert_dossiers_s']} s")
        t0 = time.perf_counter()
        departments = plan["departments"]
        conn.execute(
            INSERT_LEGS,
            {"departments": departments, "n_departments": len(departments), "fallback": departments[-1]},
        )
        timings["insert_legs_s"] = round(time.perf_counter() - t0, 1)
        log("VACUUM ANALYZE")
        t0 = time.perf_counter()
        conn.execute("VACUUM ANALYZE dossiers_dossier")
        conn.execute("VACUUM ANALYZE dossiers_dossierleg")
        conn.execute("ANALYZE")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - t0, 1)
    return timings


def table_facts(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        total, open_ = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status NOT IN "
            "('draft', 'returned', 'rejected', 'withdrawn', 'refused', 'stopped')) FROM dossiers_dossier"
        ).fetchone() or (0, 0)
        legs = conn.execute("SELECT count(*) FROM dossiers_dossierleg").fetchone()
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('dossiers_dossier'))").fetchone()
        server = conn.execute("SHOW server_version").fetchone()
    return {
        "dossiers": int(total),
        "open_dossiers": int(open_),
        "legs": int(legs[0]) if legs else 0,
        "dossier_table_with_indexes": size[0] if size else "?",
        "postgresql": server[0] if server else "?",
    }


# --- timing ---------------------------------------------------------------------------------------------
@dataclass
class Line:
    officer: str
    what: str
    rows: int | None
    latencies_ms: list[float] = field(default_factory=list)

    def stats(self) -> dict[str, float]:
        lat = sorted(self.latencies_ms)
        return {
            "p50": round(percentile(lat, 0.50), 2),
            "p95": round(percentile(lat, 0.95), 2),
            "p99": round(percentile(lat, 0.99), 2),
            "max": round(lat[-1], 2),
        }


def timed(calls: int, warmup: int, fn: Callable[[], object]) -> list[float]:
    for _ in range(warmup):
        fn()
    out: list[float] = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def measure(args: argparse.Namespace) -> tuple[list[Line], Line, dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.accounts.models import User
    from motcua.accounts.selectors import scope_paths
    from motcua.core.clock import now, to_vn
    from motcua.dossiers import watch, worklists
    from motcua.dossiers.models import Dossier

    today = to_vn(now()).date()

    bounds = Dossier.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    assert low is not None
    assert high is not None
    rng = random.Random(args.seed)

    def pk_lookup() -> None:
        Dossier.objects.get(pk=rng.randint(low, high))

    baseline = Line("—", "baseline: Dossier.objects.get(pk=random)", 1)
    log(f"baseline: {args.calls * 5} primary-key lookups")
    baseline.latencies_ms += timed(args.calls * 5, args.warmup, pk_lookup)

    def fresh(username: str) -> User:
        return User.objects.get(username=username)  # memberships are read again, as in a request

    lines: list[Line] = []
    slowest: tuple[float, str, list[str]] = (0.0, "", [])
    for username, role in OFFICERS.items():
        officer = fresh(username)
        sizes = worklists.counts(officer)
        log(f"{username} ({role}): {sizes}")
        for definition in worklists.available(officer):
            key = definition.key

            def call(key: str = key, username: str = username) -> None:
                worklists.worklist(fresh(username), key)

            line = Line(username, f"worklist {key}", sizes[key], timed(args.calls, args.warmup, call))
            lines.append(line)
            if line.stats()["p95"] > slowest[0]:
                with CaptureQueriesContext(connection) as captured:
                    call()
                slowest = (
                    line.stats()["p95"],
                    f"{username} {key}",
                    [q["sql"] for q in captured.captured_queries],
                )

        def count_all(username: str = username) -> None:
            worklists.counts(fresh(username))

        lines.append(
            Line(
                username, "counts (all lists)", sum(sizes.values()), timed(args.calls, args.warmup, count_all)
            )
        )

    leader = "lanhdao.tinh"
    sizes = worklists.counts(fresh(leader))
    biggest = max(sizes, key=lambda k: sizes[k])
    first = worklists.worklist(fresh(leader), biggest)
    procedure = first.items[0].procedure.national_code if first.items else ""
    variants: list[tuple[str, dict[str, Any]]] = [
        ("due=overdue", {"filters": {"due": "overdue"}}),
        ("due=due_soon", {"filters": {"due": "due_soon"}}),
        ("channel=online", {"filters": {"channel": "online"}}),
        (f"procedure={procedure}", {"filters": {"procedure": procedure}}),
        ("assignee=none", {"filters": {"assignee": "none"}}),
        ("sort=-due", {"sort": "-due"}),
        ("page 20 (offset)", {"page": 20}),
        ("page 2 (keyset cursor)", {"cursor": first.next_cursor}),
        ("with_total", {"with_total": True}),
    ]
    for label, kwargs in variants:

        def variant(kwargs: dict[str, Any] = kwargs) -> None:
            worklists.worklist(fresh(leader), biggest, **kwargs)

        lines.append(
            Line(leader, f"worklist {biggest} {label}", None, timed(args.calls, args.warmup, variant))
        )

    for username in ("giamdoc.trungtam", "chutich.xa", "lanhdao.tinh"):
        at_risk = len(watch.at_risk(scope_paths(fresh(username)), today))

        def watch_page(username: str = username) -> None:
            watch.at_risk(scope_paths(fresh(username)), today, limit=worklists.DEFAULT_PAGE_SIZE)

        timings = timed(args.calls, args.warmup, watch_page)
        lines.append(Line(username, "deadline watch at_risk (first 50)", at_risk, timings))

    log(f"baseline again: {args.calls * 5} primary-key lookups")
    baseline.latencies_ms += timed(args.calls * 5, args.warmup, pk_lookup)
    plan: dict[str, Any] = {"line": slowest[1], "plans": []}
    with connection.cursor() as cursor:
        for query in slowest[2]:
            if "dossiers_dossier" in query and "ORDER BY" in query:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
                plan["plans"].append({"sql": query, "plan": [row[0] for row in cursor.fetchall()]})
    return lines, baseline, plan


# --- report ---------------------------------------------------------------------------------------------
def build_report(
    args: argparse.Namespace,
    facts: dict[str, Any],
    timings: dict[str, float],
    lines: list[Line],
    baseline: Line,
    plan: dict[str, Any],
) -> dict[str, Any]:
    base = baseline.stats()
    rows = []
    for line in lines:
        s = line.stats()
        rows.append(
            {
                "officer": line.officer,
                "what": line.what,
                "rows": line.rows,
                **s,
                "ratio_p95": round(s["p95"] / base["p95"], 1) if base["p95"] else None,
            }
        )
    worst = max(rows, key=lambda r: r["p95"])
    return {
        "timestamp": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "config": {
            "database_url": redact(args.database_url),
            "dossiers": args.dossiers,
            "calls": args.calls,
            "warmup": args.warmup,
            "budget_ms": args.budget_ms,
            "seed": args.seed,
        },
        "data": facts,
        "generation": timings,
        "baseline": {"what": baseline.what, **base, "calls": len(baseline.latencies_ms)},
        "lines": rows,
        "worst": worst,
        "within_budget": worst["p95"] <= args.budget_ms,
        "slowest_plan": plan,
    }


def print_report(r: dict[str, Any]) -> None:
    b = r["baseline"]
    print()
    print("=" * 110)
    print(
        f"motcua worklist benchmark   {r['timestamp']}   {r['machine']['cpus']} CPUs "
        f"(load {' '.join(map(str, r['machine']['load_average_at_end']))})   PostgreSQL {r['data']['postgresql']}"
    )
    d = r["data"]
    print(
        f"  {d['dossiers']:,} dossiers ({d['open_dossiers']:,} open), {d['legs']:,} transfer legs, "
        f"table + indexes {d['dossier_table_with_indexes']}; {r['config']['calls']} timed calls per line"
    )
    print(f"  baseline {b['what']}: p50 {b['p50']:.2f} / p95 {b['p95']:.2f} / p99 {b['p99']:.2f} ms")
    print("-" * 110)
    print(
        f"  {'officer':<18} {'what':<46} {'rows':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'p95÷base':>9}"
    )
    for row in r["lines"]:
        rows = "" if row["rows"] is None else f"{row['rows']:,}"
        print(
            f"  {row['officer']:<18} {row['what'][:46]:<46} {rows:>7} {row['p50']:>7.1f} {row['p95']:>7.1f} "
            f"{row['p99']:>7.1f} {row['max']:>7.1f} {row['ratio_p95']:>9}"
        )
    print("-" * 110)
    w = r["worst"]
    verdict = "within" if r["within_budget"] else "OVER"
    print(
        f"  worst p95 {w['p95']:.1f} ms ({w['officer']}, {w['what']}): {verdict} the {r['config']['budget_ms']:.0f} ms "
        f"budget; RATIO worst p95 ÷ baseline p95 = {w['ratio_p95']}"
    )
    print("=" * 110)
    plan = r["slowest_plan"]
    if plan["plans"]:
        print(f"Plan of the slowest worklist ({plan['line']}):")
        for p in plan["plans"]:
            for line in p["plan"]:
                print(f"  {line}")


def write_report(r: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"worklist-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --- main -----------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url
    db_params(url)
    created = False
    try:
        reuse = args.reuse_db and existing_dossiers(url) >= args.dossiers
        timings: dict[str, float] = {}
        if reuse:
            log(f"reusing {redact(url)} ({existing_dossiers(url):,} dossiers)")
            setup_django(url)
        else:
            log(f"recreating {redact(url)}")
            recreate_database(url)
            created = True
            env = django_env(url)
            manage(env, "migrate", "--noinput")
            manage(env, "load_reference_data")
            setup_django(url)
            log("demo world, communes' offerings and specialists")
            plan = staff_and_offerings(args.seed)
            log(f"{plan['communes']} communes; {plan['agencies']} competent agencies in {SLOTS} slots")
            timings = generate(url, args.dossiers, args.seed, plan)
        facts = table_facts(url)
        lines, baseline, slowest = measure(args)
        report = build_report(args, facts, timings, lines, baseline, slowest)
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
        if created and not args.keep_db:
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
