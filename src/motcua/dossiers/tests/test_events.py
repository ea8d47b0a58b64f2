"""The event log is append-only, and each status maps to the national portal's status code (1–10)."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from motcua.catalogue.models import Channel, Procedure
from motcua.dossiers import services
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import MONDAY, Ticker, applicant_of, build_cast, drive, vn

S = Status


@pytest.mark.django_db
def test_an_event_cannot_be_updated(demo_world: DemoWorld) -> None:
    # given the SUBMIT event of a dossier
    dossier = drive(build_cast(demo_world), "submitted")
    event = DossierEvent.objects.get(dossier=dossier)

    # when someone rewrites history through the model
    event.reason = "sửa lại lịch sử"
    event.to_status = S.ACCEPTED
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()

    # then the stored event is unchanged
    stored = DossierEvent.objects.get(pk=event.pk)
    assert (stored.reason, stored.to_status) == ("", S.SUBMITTED)


@pytest.mark.django_db
def test_an_event_cannot_be_deleted(demo_world: DemoWorld) -> None:
    # given the SUBMIT event of a dossier
    dossier = drive(build_cast(demo_world), "submitted")
    event = DossierEvent.objects.get(dossier=dossier)

    # when someone deletes it through the model
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()

    # then it is still there
    assert DossierEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_a_dossier_with_events_cannot_be_deleted(demo_world: DemoWorld) -> None:
    # given a dossier with its event log
    dossier = drive(build_cast(demo_world), "processing")

    # when it is deleted, then the protected events forbid it
    with pytest.raises(ProtectedError):
        dossier.delete()
    assert DossierEvent.objects.filter(dossier=dossier).count() == 3


@pytest.mark.django_db
def test_events_cannot_be_rewritten_in_bulk(demo_world: DemoWorld) -> None:
    # given a dossier's events
    dossier = drive(build_cast(demo_world), "accepted")

    # when they are rewritten with a queryset update, then it should be refused like save()
    with pytest.raises(RuntimeError):
        DossierEvent.objects.filter(dossier=dossier).update(reason="sửa hàng loạt")


@pytest.mark.django_db
def test_events_cannot_be_deleted_in_bulk(demo_world: DemoWorld) -> None:
    # given a dossier's events
    dossier = drive(build_cast(demo_world), "accepted")

    # when they are deleted with a queryset delete, then it should be refused like delete()
    with pytest.raises(RuntimeError):
        DossierEvent.objects.filter(dossier=dossier).delete()


# The national portal's status codes (DVCQG ``TrangThai``, spec §2.8): 1 newly registered, 2 accepted,
# 3 not accepted, 4 being processed, 5 supplement requested, 6 awaiting financial obligations,
# 7 withdrawn at the citizen's request, 8 processing stopped, 9 processed, 10 result returned.
NATIONAL: dict[Status, int | None] = {
    S.DRAFT: None,  # never sent to the portal
    S.SUBMITTED: 1,
    S.ACCEPTED: 2,
    S.REJECTED: 3,
    S.PROCESSING: 4,
    S.CONSULTING: 4,
    S.TRANSFERRED: 4,
    S.PAUSED: 4,
    S.EXTENSION_REQUESTED: 4,
    S.PENDING_APPROVAL: 4,
    S.APPROVED: 4,  # approved but the result is not issued yet: still being processed
    S.SUPPLEMENT_REQUESTED: 5,
    S.AWAITING_PAYMENT: 6,
    S.WITHDRAWN: 7,
    S.REFUSED: 8,
    S.STOPPED: 8,
    S.RESOLVED: 9,
    S.RETURNED: 10,
    S.SUPPLEMENT_RECEIVED: 1,  # before acceptance: back to "newly registered" (4 after, see below)
}


def test_every_status_has_an_expected_national_code() -> None:
    assert set(NATIONAL) == set(Status)


@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
def test_national_status_code(status: Status) -> None:
    # given a dossier in ``status`` that was never accepted
    dossier = Dossier(status=status, accepted_at=None)

    # then its national code is the one of the portal's list
    assert dossier.national_status_code == NATIONAL[status]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "expected"),
    [
        pytest.param("supplement_received", 1, id="before-acceptance-newly-registered"),
        pytest.param("supplement_received_after_acceptance", 4, id="after-acceptance-processing"),
        pytest.param("supplement_requested_after_acceptance", 5, id="requested-after-acceptance"),
    ],
)
def test_national_code_of_a_supplement_depends_on_acceptance(
    demo_world: DemoWorld, route: str, expected: int
) -> None:
    # given a dossier brought through the services to a supplement status
    dossier = drive(build_cast(demo_world), route, Ticker(MONDAY))

    # then its national code depends on whether it had been accepted
    assert dossier.national_status_code == expected


def _passport_in_processing(world: DemoWorld) -> Dossier:
    """A passport dossier received by the provincial service centre for the provincial police, accepted
    by the centre's counter and assigned by the police's head of division to its specialist."""
    counter = world.officers["motcua.tinh"]
    dossier = services.submit(
        actor=counter,
        procedure=Procedure.objects.get(national_code="1.001456"),
        receiving_agency=world.centre,
        competent_agency=world.departments["Bộ Công an"],
        channel=Channel.IN_PERSON,
        applicant=applicant_of(world.citizens[0]),
        at=vn(2026, 3, 2, 8, 30),
    )
    dossier = services.accept(dossier, actor=counter, at=vn(2026, 3, 2, 9, 0))
    return services.assign(
        dossier,
        actor=world.officers["truongphong.congan"],
        assignee=world.officers["chuyenvien.congan"],
        at=vn(2026, 3, 2, 9, 30),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "actor", "acting_agency"),
    [
        # the police specialist asks for the supplement (allowed as a processor of the COMPETENT agency)
        pytest.param(Action.REQUEST_SUPPLEMENT, "chuyenvien.congan", "Bộ Công an", id="supplement-by-police"),
        # the centre's counter stops the dossier (allowed as receiving officer of the RECEIVING agency)
        pytest.param(Action.STOP, "motcua.tinh", "centre", id="stop-by-the-centre-counter"),
    ],
)
def test_the_event_records_the_agency_the_actor_acted_for(
    demo_world: DemoWorld, action: Action, actor: str, acting_agency: str
) -> None:
    # given a dossier whose receiving agency (the centre) differs from its competent agency (police)
    dossier = _passport_in_processing(demo_world)
    officer = demo_world.officers[actor]

    # when ``actor`` performs ``action``
    if action == Action.REQUEST_SUPPLEMENT:
        services.request_supplement(
            dossier,
            actor=officer,
            missing=[{"document": "Ảnh 4x6", "reason": "Sai kích thước"}],
            at=vn(2026, 3, 3),
        )
    else:
        services.stop(
            dossier, actor=officer, requested_by="applicant", reason="Đề nghị dừng", at=vn(2026, 3, 3)
        )

    # then the event (shown on the citizen's timeline) names the agency the officer acted for
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-sequence").first()
    assert event is not None
    expected = demo_world.centre if acting_agency == "centre" else demo_world.departments[acting_agency]
    assert event.agency_id == expected.pk
