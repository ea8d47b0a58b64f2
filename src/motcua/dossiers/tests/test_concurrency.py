"""Concurrency, on PostgreSQL only (SQLite in memory gives each thread its own empty database).

Each test commits for real (``transaction=True``) and uses the reference-free ``MiniWorld``, so the
flush that ends it costs nothing more. Every thread closes its own connection before it ends.

The optimistic lock itself (a stale copy of a dossier cannot win) is tested on both databases in
``test_atomicity.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection

from motcua.accounts.models import User
from motcua.core.errors import Conflict
from motcua.core.models import OutboxMessage
from motcua.dossiers import codes, services
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent
from motcua.dossiers.tests.factories import build_mini_world, mini_submit, vn

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (concurrent connections)"
)


def run_in_threads(count: int, work: Callable[[int, threading.Barrier], object]) -> list[object]:
    """Run ``work(i, barrier)`` in ``count`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def target(i: int) -> None:
        try:
            results[i] = work(i, barrier)
        except BaseException as error:  # reported to the test, which asserts on the results
            results[i] = error
        finally:
            connection.close()  # this thread's connection, so the flush after the test is not blocked

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_next_sequence_never_repeats_under_8_threads() -> None:
    # given 8 threads ready to claim 25 numbers each for the same agency and day
    day = date(2026, 3, 2)

    def claim(_i: int, barrier: threading.Barrier) -> list[int]:
        barrier.wait()
        return [codes.next_sequence("777.77.77.Z77", day) for _ in range(25)]

    # when they run at once
    results = run_in_threads(8, claim)

    # then no thread failed and the 200 numbers are exactly 1..200, each once
    assert all(isinstance(r, list) for r in results), results
    numbers = [n for r in results if isinstance(r, list) for n in r]
    assert sorted(numbers) == list(range(1, 201))
    assert DossierCodeSequence.objects.get(agency_code="777.77.77.Z77", day=day).last_value == 200


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_codes() -> None:
    # given a commune with an online procedure and 8 citizens' sessions ready to submit
    world = build_mini_world()
    at = vn(2026, 3, 2, 9, 0)

    def submit(_i: int, barrier: threading.Barrier) -> str | None:
        citizen = User.objects.get(pk=world.citizen.pk)
        barrier.wait()
        return mini_submit(world, at, actor=citizen).code

    # when they submit at the same moment
    results = run_in_threads(8, submit)

    # then all 8 dossiers exist with the 8 numbers of the day, none twice
    assert all(isinstance(r, str) for r in results), results
    assert sorted(str(r) for r in results) == [f"001.01.01.Z99-260302-{n:04d}" for n in range(1, 9)]
    assert Dossier.objects.filter(status=Status.SUBMITTED).count() == 8
    assert all(codes.is_valid_code(str(r), strict=True) for r in results)


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_the_same_dossier_at_once_one_wins() -> None:
    # given a submitted dossier, loaded by two sessions of the receiving officer
    world = build_mini_world()
    dossier = mini_submit(world, vn(2026, 3, 2, 8, 30))

    def accept(_i: int, barrier: threading.Barrier) -> str:
        mine = Dossier.objects.get(pk=dossier.pk)
        officer = User.objects.get(pk=world.counter.pk)
        barrier.wait()
        try:
            services.accept(mine, actor=officer, at=vn(2026, 3, 2, 9, 0))
        except Conflict as conflict:
            return conflict.code
        return "accepted"

    # when both accept at the same moment
    results = run_in_threads(2, accept)

    # then exactly one succeeds and the other is told the dossier changed under it
    assert results.count("accepted") == 1, results
    (loser,) = [r for r in results if r != "accepted"]
    assert loser in {"dossier_changed", "illegal_transition"}, results
    # and the dossier was accepted once: one ACCEPT event, one version step, one outbox message for it
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (stored.status, stored.version) == (Status.ACCEPTED, 2)
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.ACCEPT).count() == 1
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("sequence", flat=True)) == [1, 2]
    assert OutboxMessage.objects.filter(key=str(dossier.pk)).count() == 2  # submit + accept
