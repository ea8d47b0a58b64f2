"""All or nothing: a crash in the middle of a use case leaves no half-written dossier, and a stale copy
of a dossier cannot overwrite a newer state (optimistic lock on status + version)."""

from __future__ import annotations

from typing import NoReturn

import pytest

from motcua.core.errors import Conflict
from motcua.dossiers import services
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, DossierLeg
from motcua.dossiers.tests.factories import (
    MONDAY,
    Ticker,
    build_cast,
    counts,
    drive,
    file_online,
    open_leg,
    perform,
    snapshot,
)


def crash(*_args: object, **_kwargs: object) -> NoReturn:
    raise RuntimeError("simulated crash in the middle of the use case")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "crash_point",
    [
        "motcua.dossiers.workflow.enqueue",  # after the status update and the event
        "motcua.dossiers.workflow.DossierEvent.objects.create",  # after the status update
    ],
)
def test_a_crash_during_submit_leaves_no_dossier_and_consumes_no_number(
    demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch, crash_point: str
) -> None:
    # given the demo province and a crash injected late in the submission
    cast = build_cast(demo_world)
    totals = counts()
    monkeypatch.setattr(crash_point, crash)

    # when a citizen submits
    with pytest.raises(RuntimeError, match="simulated crash"):
        file_online(cast, MONDAY)

    # then no dossier, event, outbox message — and no code number (the sequence rolled back too)
    assert counts() == totals
    assert not DossierCodeSequence.objects.filter(agency_code=cast.commune.code).exists()

    # and once the fault is gone the next dossier of the day is number 0001: no number was lost
    monkeypatch.undo()
    assert file_online(cast, MONDAY).code == f"{cast.commune.code}-260302-0001"


@pytest.mark.django_db
def test_a_crash_during_accept_leaves_the_dossier_as_it_was(
    demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a submitted dossier
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, "submitted", clock)
    before = snapshot(dossier)
    monkeypatch.setattr("motcua.dossiers.workflow.enqueue", crash)

    # when the acceptance crashes after its conditional UPDATE
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.accept(dossier, actor=cast.counter, at=clock())

    # then the status, version, clock and due dates are untouched and no event was kept
    assert snapshot(dossier) == before
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (stored.status, stored.version, stored.accepted_at, stored.due_at) == (
        Status.SUBMITTED,
        1,
        None,
        None,
    )


@pytest.mark.django_db
def test_a_crash_during_transfer_leaves_no_leg_behind(
    demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a dossier in processing
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, "processing", clock)
    before = snapshot(dossier)
    monkeypatch.setattr("motcua.dossiers.workflow.enqueue", crash)

    # when the transfer crashes after its legs were written and the status changed
    with pytest.raises(RuntimeError, match="simulated crash"):
        perform(cast, dossier, Action.TRANSFER, at=clock())

    # then no leg is left and the dossier is still in processing
    assert snapshot(dossier) == before
    assert not DossierLeg.objects.filter(dossier=dossier).exists()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING


@pytest.mark.django_db
def test_a_crash_after_completing_a_leg_rolls_the_completion_back(
    demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a dossier transferred in sequence to two agencies (the second leg waits)
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, "transferred_two_legs", clock)
    first = open_leg(dossier)
    before = snapshot(dossier)
    # the crash strikes when the next leg's deadline is computed, after the transition was written
    monkeypatch.setattr("motcua.dossiers.services.load_calendar", crash)

    # when the first agency completes its leg
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.complete_leg(dossier, first, actor=cast.leg_specialist, at=clock())

    # then neither the transition, nor the completion, nor the start of the next leg was kept
    assert snapshot(dossier) == before
    legs = DossierLeg.objects.filter(dossier=dossier).order_by("position")
    assert [(leg.completed_at, leg.started_at is not None) for leg in legs] == [(None, True), (None, False)]


@pytest.mark.django_db
def test_a_stale_copy_of_the_dossier_cannot_win(demo_world: DemoWorld) -> None:
    # given a submitted dossier open in two browser tabs of the receiving officer
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, "submitted", clock)
    first_tab = Dossier.objects.get(pk=dossier.pk)
    second_tab = Dossier.objects.get(pk=dossier.pk)

    # when the first tab accepts, then the second (still showing "submitted", version 1) accepts too
    services.accept(first_tab, actor=cast.counter, at=clock())
    after_first = snapshot(dossier)
    with pytest.raises(Conflict) as conflict:
        services.accept(second_tab, actor=cast.counter, at=clock())

    # then the second is refused (409) and the dossier was accepted exactly once
    assert conflict.value.code == "dossier_changed"
    assert conflict.value.status == 409
    assert snapshot(dossier) == after_first
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.ACCEPT).count() == 1
