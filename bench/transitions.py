"""What keeping the monitoring counters in the transaction costs each dossier transition, on PostgreSQL.

End to end, by itself: create a fresh database, migrate it, load the reference data, build the demo province,
then drive dossiers through the whole route (submit, accept, assign, process, approve, resolve, return: 7
transitions each) through the real services, in alternating blocks with the monitoring listeners connected
(the product) and disconnected (the baseline, same run, same database, same connection). It prints the p50/p95
per transition of both and the ratio, checks that the counters of the connected blocks equal a recomputation,
and drops the database (unless ``--keep-db``).

    .venv/bin/python bench/transitions.py --database-url postgres://postgres@127.0.0.1:5432/motcua_bench_transitions
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta

from submit import SRC, django_env, drop_database, manage, percentile, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_transitions"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--dossiers", type=int, default=200, help="dossiers per mode (default 200)")
    parser.add_argument("--blocks", type=int, default=4, help="alternating blocks per mode")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)

    url = args.database_url
    env = django_env(url)
    recreate_database(url)
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "load_reference_data")
        os.environ.update(env)
        sys.path.insert(0, str(SRC))
        import django

        django.setup()
        return _measure(args.dossiers, args.blocks)
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(url)


def _measure(per_mode: int, blocks: int) -> int:
    from django.db.models.signals import post_save

    from motcua.dossiers.constants import Action
    from motcua.dossiers.demo import build_world
    from motcua.dossiers.models import DossierAttachment, Evaluation
    from motcua.dossiers.signals import dossier_changed
    from motcua.dossiers.tests.factories import MONDAY, build_cast, file_online, perform
    from motcua.monitoring import listeners, queries, recompute
    from motcua.monitoring.periods import Period

    cast = build_cast(build_world())
    route = [
        Action.ACCEPT,
        Action.ASSIGN,
        Action.PROCESS,
        Action.APPROVE,
        Action.RESOLVE,
        Action.RETURN_RESULT,
    ]
    timings: dict[str, list[float]] = {"with monitoring": [], "without (baseline)": []}
    moment = MONDAY

    def drive(count: int, bucket: list[float]) -> None:
        nonlocal moment
        for _ in range(count):
            started = time.perf_counter()
            moment += timedelta(minutes=1)
            dossier = file_online(cast, moment)
            bucket.append(time.perf_counter() - started)
            for action in route:
                moment += timedelta(minutes=1)
                started = time.perf_counter()
                dossier = perform(cast, dossier, action, at=moment)
                bucket.append(time.perf_counter() - started)

    def disconnect() -> None:
        dossier_changed.disconnect(dispatch_uid="monitoring.dossier_changed")
        for model in (DossierAttachment, Evaluation):
            post_save.disconnect(sender=model, dispatch_uid=f"monitoring.saved.{model.__name__}")

    drive(10, [])  # warm-up: caches, calendar, first plans
    per_block = max(1, per_mode // blocks)
    connected_dossiers = 0
    for _ in range(blocks):
        listeners.connect()
        drive(per_block, timings["with monitoring"])
        connected_dossiers += per_block
        disconnect()
        drive(per_block, timings["without (baseline)"])
    listeners.connect()

    print(f"{'':22} {'transitions':>11} {'p50 ms':>8} {'p95 ms':>8}")
    p95: dict[str, float] = {}
    for name, values in timings.items():
        values.sort()
        p95[name] = percentile(values, 0.95) * 1000
        print(f"{name:22} {len(values):>11} {percentile(values, 0.5) * 1000:>8.2f} {p95[name]:>8.2f}")
    print(f"ratio p95 with / without monitoring: {p95['with monitoring'] / p95['without (baseline)']:.2f}")

    # the connected blocks' counters (the disconnected ones were never counted) against a recomputation:
    # they can only agree if recompute is restricted to what was counted, so compare received totals
    year = Period.year(MONDAY.year)
    counted = queries.counts(cast.commune, year)["received"]
    total = recompute.counts(cast.commune, year)["received"]
    print(
        f"received counted while connected: {counted} (all received: {total}, warm-up 10 + connected {connected_dossiers})"
    )
    ok = counted == 10 + connected_dossiers
    print("counters consistent" if ok else "COUNTERS INCONSISTENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
