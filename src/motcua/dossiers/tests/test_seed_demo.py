"""``manage.py seed_demo``: dossiers in every status, each with an event log that replays to its status."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.dossiers import workflow
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent


@pytest.mark.django_db
def test_seed_demo_covers_every_status_and_every_log_replays(reference_data: None) -> None:
    # given the reference data and no dossier
    assert not Dossier.objects.exists()

    # when the demo is seeded with 40 dossiers
    out = StringIO()
    call_command("seed_demo", dossiers=40, stdout=out)

    # then the 19 statuses, draft included, are all present (40 routes + 1 draft, 40 // 50 → at least 1)
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    assert Dossier.objects.count() == 41
    assert "draft: 1" in out.getvalue()

    # and every dossier's event log replays to its current status through legal transitions
    events_by_dossier: dict[int, list[DossierEvent]] = {}
    for event in DossierEvent.objects.order_by("dossier_id", "sequence"):
        events_by_dossier.setdefault(event.dossier_id, []).append(event)
    for dossier in Dossier.objects.all():
        events = events_by_dossier.get(dossier.pk, [])
        if dossier.status == Status.DRAFT:
            assert events == [], dossier.pk
            assert (dossier.version, dossier.code) == (0, None)
            continue
        assert [e.sequence for e in events] == list(range(1, len(events) + 1)), dossier.code
        assert dossier.version == len(events), dossier.code
        replayed = Status.DRAFT.value
        for event in events:
            assert event.from_status == replayed, (dossier.code, event.sequence)
            assert event.to_status in workflow.TRANSITIONS[(Status(replayed), Action(event.action))]
            replayed = event.to_status
        assert replayed == events[-1].to_status == dossier.status, dossier.code


@pytest.mark.django_db
def test_seed_demo_if_empty_does_nothing_when_dossiers_exist(reference_data: None) -> None:
    # given a seeded demo
    call_command("seed_demo", dossiers=3, stdout=StringIO())
    before = Dossier.objects.count()

    # when it is asked again "if empty"
    out = StringIO()
    call_command("seed_demo", dossiers=3, if_empty=True, stdout=out)

    # then nothing is added
    assert Dossier.objects.count() == before
    assert "nothing to do" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_a_negative_count() -> None:
    with pytest.raises(CommandError, match="between 0 and 100000"):
        call_command("seed_demo", dossiers=-1, stdout=StringIO())
