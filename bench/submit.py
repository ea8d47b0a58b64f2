"""Submission benchmark: POST /api/v1/dossiers over HTTP against gunicorn + PostgreSQL, with pgbench as
the baseline of the same machine and database.

End to end, by itself: create a fresh bench database, migrate it, load the reference data and the demo
world (no demo dossiers), start gunicorn, log in as the demo citizen, submit dossiers with N concurrent
clients, run pgbench (TPC-B-like) on the same database, print a report and write it as JSON to
``bench/results/``, then stop gunicorn and drop the database (unless ``--keep-db``).

The recorded figure is ``submissions/s ÷ pgbench tps``: both run on the same hardware and database, so
the ratio says how much of what PostgreSQL can do the application turns into submissions, and compares
across machines far better than submissions/s alone. See ``bench/README.md``.

    make bench
    .venv/bin/python bench/submit.py --database-url postgres://postgres@127.0.0.1:5432/motcua_bench

Exit status: 0 success; 1 more than 1 % of the submissions failed or the dossier codes are not unique;
2 the setup failed or the server never came up.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
RESULTS = Path(__file__).resolve().parent / "results"
COMMON_PROCEDURES = SRC / "motcua" / "catalogue" / "data" / "common_procedures.json"

# motcua.dossiers.demo.DEMO_PASSWORD: that module imports Django models, so it cannot be imported here.
DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - documented demo credential, created only by seed_demo
CITIZEN = "an.nguyen@example.vn"  # demo citizen created by seed_demo (motcua.dossiers.demo.build_world)
READY_PATH = "/api/v1/agencies/000.00.00.H37"  # the demo province, present once load_reference_data ran
READY_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 60.0
MAX_ERROR_RATE = 0.01
PGBENCH_SCALE = 10
SHOWN_ERRORS = 5
EXIT_OK, EXIT_ERRORS, EXIT_SETUP, EXIT_INTERRUPTED = 0, 1, 2, 130


class SetupError(RuntimeError):
    """The bench could not be set up (database, management command, server)."""


# --- arguments ------------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark dossier submission over HTTP (gunicorn + PostgreSQL) against pgbench."
    )
    parser.add_argument(
        "--database-url",
        required=True,
        help="postgres://user@host:port/name of the bench database; it is DROPPED and recreated.",
    )
    parser.add_argument("--clients", type=int, default=8, help="Concurrent HTTP clients (default 8).")
    parser.add_argument(
        "--requests", type=int, default=2000, help="Measured submissions in total (default 2000)."
    )
    parser.add_argument(
        "--warmup", type=int, default=50, help="Unmeasured submissions before the run (default 50)."
    )
    parser.add_argument("--port", type=int, default=None, help="gunicorn port (default: a free port).")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4).")
    parser.add_argument(
        "--pgbench-seconds", type=int, default=15, help="Duration of the pgbench run (default 15)."
    )
    parser.add_argument(
        "--pgbench-clients", type=int, default=None, help="pgbench clients (default: --clients)."
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=300.0,
        help="Hard limit in seconds for the measured submissions; the run stops and reports (default 300).",
    )
    parser.add_argument("--keep-db", action="store_true", help="Keep the bench database afterwards.")
    args = parser.parse_args(argv)
    if args.pgbench_clients is None:
        args.pgbench_clients = args.clients
    for name in ("clients", "requests", "workers", "pgbench_seconds", "pgbench_clients"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    if args.time_limit <= 0:
        parser.error("--time-limit must be positive")
    return args


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database -------------------------------------------------------------------------------------------
def db_params(url: str) -> dict[str, Any]:
    params = conninfo_to_dict(url)
    if not params.get("dbname"):
        raise SetupError(f"the database URL names no database: {redact(url)}")
    return params


def redact(url: str) -> str:
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)


def recreate_database(url: str) -> None:
    name = db_params(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    name = db_params(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def django_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="motcua.conf.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONPATH=os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(env: dict[str, str], *command: str) -> None:
    log(f"manage.py {' '.join(command)}")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        print(f"    {line}")
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        raise SetupError(f"manage.py {' '.join(command)} exited with {done.returncode}")


@dataclass
class CodeCheck:
    dossiers_with_code: int
    distinct_codes: int
    codes_returned: int
    distinct_codes_returned: int

    @property
    def unique(self) -> bool:
        return (
            self.dossiers_with_code == self.distinct_codes
            and self.codes_returned == self.distinct_codes_returned
        )


def check_codes(url: str, returned: Sequence[str]) -> CodeCheck:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT code) FROM dossiers_dossier WHERE code IS NOT NULL"
        ).fetchone()
    assert row is not None
    return CodeCheck(int(row[0]), int(row[1]), len(returned), len(set(returned)))


# --- server ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[Server]:
    """Run gunicorn for the duration of the block; always stop it (terminate, then kill)."""
    fd, name = tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")
    log_path = Path(name)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "motcua.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
    ]
    log(f"gunicorn on 127.0.0.1:{port} with {workers} workers (log {log_path})")
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fd, stderr=subprocess.STDOUT)
    finally:
        os.close(fd)
    try:
        yield Server(proc, log_path)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        log(f"gunicorn stopped (exit {proc.returncode})")
        log_path.unlink(missing_ok=True)


def wait_until_ready(server: Server, port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    url = f"http://127.0.0.1:{port}{READY_PATH}"
    last = "no answer"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SetupError(
                f"gunicorn exited with {server.proc.returncode} before answering\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.25)
    raise SetupError(
        f"the server did not answer GET {READY_PATH} within {READY_TIMEOUT_S:.0f} s ({last})\n"
        f"{server.log_tail()}"
    )


# --- HTTP client ----------------------------------------------------------------------------------------
def call(port: int, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers(token))
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode(errors="replace")
    finally:
        conn.close()


def headers(token: str | None) -> dict[str, str]:
    h = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": "en"}
    if token:
        h["Authorization"] = f"Bearer {token}"
    return h


def login(port: int) -> str:
    status, body = call(port, "POST", "/api/v1/auth/token", {"username": CITIZEN, "password": DEMO_PASSWORD})
    if status != 200 or not isinstance(body, dict) or "token" not in body:
        raise SetupError(f"login as {CITIZEN} failed: HTTP {status} {body}")
    token: str = body["token"]
    return token


def online_offerings(port: int) -> list[tuple[str, str]]:
    """(procedure code, agency code) of every online (full/partial) offering of the 25 common procedures."""
    codes = [r["ma_thu_tuc"] for r in json.loads(COMMON_PROCEDURES.read_text(encoding="utf-8"))]
    found: list[tuple[str, str]] = []
    for code in codes:
        status, body = call(port, "GET", f"/api/v1/procedures/{code}")
        if status != 200 or not isinstance(body, dict):
            log(f"procedure {code}: HTTP {status}, skipped")
            continue
        found.extend(
            (code, o["agency_code"])
            for o in body.get("offerings", [])
            if o.get("online_mode") in ("full", "partial")
        )
    if not found:
        raise SetupError("no procedure is offered online in the demo; did seed_demo run?")
    return found


def submission(i: int, offering: tuple[str, str]) -> dict[str, Any]:
    procedure_code, agency_code = offering
    return {
        "procedure_code": procedure_code,
        "receiving_agency_code": agency_code,
        "competent_agency_code": agency_code,
        "channel": "online",
        "delivery_method": "online",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "id_number": "037090001234",
            "phone": "0912345678",
            "email": CITIZEN,
            "address": "Phường Hoa Lư, tỉnh Ninh Bình",
        },
        "form_data": {"bench": True, "n": i},
    }


@dataclass
class Phase:
    planned: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    timed_out: bool = False

    @property
    def attempted(self) -> int:
        return len(self.latencies_ms)

    @property
    def ok(self) -> int:
        return self.attempted - self.errors


def run_phase(
    port: int, token: str, offerings: Sequence[tuple[str, str]], total: int, clients: int, time_limit: float
) -> Phase:
    """Submit ``total`` dossiers with ``clients`` threads, each on its own keep-alive connection."""
    phase = Phase(planned=total)
    lock = threading.Lock()
    counter = itertools.count()
    deadline = time.monotonic() + time_limit
    auth = headers(token)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        try:
            while True:
                with lock:
                    i = next(counter)
                if i >= total:
                    return
                if time.monotonic() >= deadline:
                    with lock:
                        phase.timed_out = True
                    return
                payload = json.dumps(submission(i, offerings[i % len(offerings)])).encode()
                status, text = 0, ""
                t0 = time.perf_counter()
                try:
                    conn.request("POST", "/api/v1/dossiers", body=payload, headers=auth)
                    response = conn.getresponse()
                    raw = response.read()
                    status, text = response.status, raw.decode(errors="replace")
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()  # reopened by the next request
                    text = f"{type(exc).__name__}: {exc}"
                elapsed_ms = (time.perf_counter() - t0) * 1000
                code = None
                if status == 201:
                    try:
                        code = json.loads(text)["code"]
                    except (ValueError, KeyError, TypeError):
                        status, text = -1, f"201 without a dossier code: {text[:300]}"
                with lock:
                    phase.latencies_ms.append(elapsed_ms)
                    if code:
                        phase.codes.append(code)
                    else:
                        phase.errors += 1
                        if len(phase.error_samples) < SHOWN_ERRORS:
                            phase.error_samples.append(f"#{i} HTTP {status}: {text[:500]}")
        finally:
            conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="client") as pool:
        futures = [pool.submit(client) for _ in range(clients)]
        for future in futures:
            future.result()
    phase.wall_s = time.perf_counter() - started
    return phase


# --- pgbench --------------------------------------------------------------------------------------------
def pgbench_base(url: str) -> tuple[list[str], dict[str, str]]:
    binary = shutil.which("pgbench") or "/usr/bin/pgbench"
    params = db_params(url)
    cmd = [binary]
    for key, flag in (("host", "-h"), ("port", "-p"), ("user", "-U")):
        if params.get(key):
            cmd += [flag, str(params[key])]
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return cmd, env


def run_pgbench(url: str, clients: int, seconds: int) -> tuple[float, str]:
    cmd, env = pgbench_base(url)
    dbname = str(db_params(url)["dbname"])
    log(f"pgbench -i -s {PGBENCH_SCALE}")
    init = subprocess.run(
        [*cmd, "-i", "-s", str(PGBENCH_SCALE), "-q", dbname],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        raise SetupError(f"pgbench -i failed ({init.returncode}):\n{init.stderr}")
    threads = min(2, clients)
    log(f"pgbench -c {clients} -j {threads} -T {seconds} -n")
    done = subprocess.run(
        [*cmd, "-c", str(clients), "-j", str(threads), "-T", str(seconds), "-n", dbname],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    if done.returncode != 0 or match is None:
        raise SetupError(f"pgbench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return float(match.group(1)), done.stdout


# --- report ---------------------------------------------------------------------------------------------
def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return float("nan")
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def build_report(
    args: argparse.Namespace,
    offerings: Sequence[tuple[str, str]],
    warmup: Phase,
    run: Phase,
    codes: CodeCheck,
    tps: float,
) -> dict[str, Any]:
    lat = sorted(run.latencies_ms)
    rate = run.ok / run.wall_s if run.wall_s else 0.0
    return {
        "timestamp": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "config": {
            "database_url": redact(args.database_url),
            "clients": args.clients,
            "requests": args.requests,
            "warmup": args.warmup,
            "workers": args.workers,
            "time_limit_s": args.time_limit,
            "pgbench_clients": args.pgbench_clients,
            "pgbench_seconds": args.pgbench_seconds,
            "pgbench_scale": PGBENCH_SCALE,
        },
        "offerings": len(offerings),
        "warmup": {"attempted": warmup.attempted, "errors": warmup.errors},
        "submissions": run.attempted,
        "succeeded": run.ok,
        "errors": run.errors,
        "error_rate": run.errors / run.attempted if run.attempted else 0.0,
        "error_samples": run.error_samples + warmup.error_samples,
        "timed_out": run.timed_out,
        "wall_s": round(run.wall_s, 3),
        "submissions_per_s": round(rate, 2),
        "latency_ms": {
            "p50": round(percentile(lat, 0.50), 2),
            "p95": round(percentile(lat, 0.95), 2),
            "p99": round(percentile(lat, 0.99), 2),
            "mean": round(sum(lat) / len(lat), 2) if lat else None,
            "max": round(lat[-1], 2) if lat else None,
        },
        "pgbench_tps": round(tps, 2),
        "ratio": round(rate / tps, 5) if tps else None,
        "codes": {**asdict(codes), "unique": codes.unique},
    }


def print_report(r: dict[str, Any]) -> None:
    c, lat = r["config"], r["latency_ms"]
    print()
    print("=" * 72)
    print(f"motcua submission benchmark   {r['timestamp']}   {r['machine']['cpus']} CPUs")
    print(
        f"  gunicorn workers {c['workers']}, HTTP clients {c['clients']}, online offerings {r['offerings']}"
    )
    print("-" * 72)
    print(f"  submissions        {r['submissions']} (of {c['requests']}; warm-up {r['warmup']['attempted']})")
    print(
        f"  errors             {r['errors']} ({r['error_rate']:.2%})"
        + ("   TIMED OUT" if r["timed_out"] else "")
    )
    print(f"  wall time          {r['wall_s']:.2f} s")
    print(f"  submissions/s      {r['submissions_per_s']:.2f}  (201 responses per second)")
    print(
        f"  latency p50/p95/p99 {lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} ms (max {lat['max']} ms)"
    )
    codes = r["codes"]
    print(
        f"  dossier codes      {codes['distinct_codes']} distinct of {codes['dossiers_with_code']} in the DB, "
        f"{codes['distinct_codes_returned']} distinct of {codes['codes_returned']} returned: "
        + ("unique" if codes["unique"] else "DUPLICATES")
    )
    print(
        f"  pgbench tps        {r['pgbench_tps']:.2f}  (TPC-B-like, scale {c['pgbench_scale']}, {c['pgbench_clients']} clients, {c['pgbench_seconds']} s)"
    )
    print("-" * 72)
    print(f"  RATIO submissions/s ÷ pgbench tps = {r['ratio']}")
    print("=" * 72)
    if r["error_samples"]:
        print("First errors:")
        for sample in r["error_samples"]:
            print(f"  {sample}")


def write_report(r: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"submit-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --- main -----------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url
    port = args.port or free_port()
    created = False
    try:
        log(f"recreating {redact(url)}")
        recreate_database(url)
        created = True
        env = django_env(url)
        manage(env, "migrate", "--noinput")
        manage(env, "load_reference_data")
        manage(env, "seed_demo", "--dossiers", "0")

        with gunicorn(env, port, args.workers) as server:
            wait_until_ready(server, port)
            token = login(port)
            offerings = online_offerings(port)
            log(f"{len(offerings)} online offerings of {len({p for p, _ in offerings})} procedures")
            log(f"warm-up: {args.warmup} submissions")
            warmup = run_phase(port, token, offerings, args.warmup, args.clients, args.time_limit)
            log(f"run: {args.requests} submissions with {args.clients} clients")
            run = run_phase(port, token, offerings, args.requests, args.clients, args.time_limit)
            if warmup.errors or run.errors:
                print(f"--- last lines of the gunicorn log ---\n{server.log_tail(60)}\n---", flush=True)
        codes = check_codes(url, warmup.codes + run.codes)
        tps, _ = run_pgbench(url, args.pgbench_clients, args.pgbench_seconds)

        report = build_report(args, offerings, warmup, run, codes, tps)
        print_report(report)
        log(f"wrote {write_report(report).relative_to(ROOT)}")
        if report["error_rate"] > MAX_ERROR_RATE:
            log(f"FAIL: error rate {report['error_rate']:.2%} is above {MAX_ERROR_RATE:.0%}")
            return EXIT_ERRORS
        if not codes.unique:
            log("FAIL: dossier codes are not unique")
            return EXIT_ERRORS
        return EXIT_OK
    except SetupError as exc:
        log(f"FAIL: {exc}")
        return EXIT_SETUP
    except KeyboardInterrupt:
        log("interrupted")
        return EXIT_INTERRUPTED
    finally:
        if created and not args.keep_db:
            try:
                drop_database(url)
                log(f"dropped {redact(url)}")
            except psycopg.Error as exc:
                log(f"could not drop the bench database: {exc}")
        elif created:
            log(f"kept {redact(url)}")


if __name__ == "__main__":
    sys.exit(main())
