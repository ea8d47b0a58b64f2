"""Who sees which dossier: a citizen their own, an officer the dossiers of their agency subtrees (as
receiving, competent or transfer-leg agency); anyone else gets the same NotFound (no leak)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.accounts.models import Role, User, UserKind
from motcua.agencies.loaders import province_agency_code
from motcua.agencies.models import Agency, AgencyKind
from motcua.catalogue.models import BoundaryFreeScope, Channel, OnlineMode, Procedure, ProcedureOffering
from motcua.core.errors import NotFound
from motcua.dossiers import selectors, services
from motcua.dossiers.constants import Action
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import (
    MONDAY,
    Cast,
    Ticker,
    applicant_of,
    build_cast,
    drive,
    file_online,
    make_officer,
    perform,
    vn,
)


def visible(user: User | AnonymousUser) -> set[str]:
    # the selector is typed for User but answers an anonymous visitor too (request.user)
    rows = selectors.dossiers_visible_to(user)  # type: ignore[arg-type]
    return {str(code) for code in rows.values_list("code", flat=True)}


def file_at_commune_b(cast: Cast) -> Dossier:
    """The other citizen files 1.004222 at commune B, for commune B."""
    return services.submit(
        actor=cast.other_citizen,
        procedure=cast.procedure,
        receiving_agency=cast.other_commune,
        channel=Channel.ONLINE,
        applicant=applicant_of(cast.other_citizen),
        at=vn(2026, 3, 2, 10, 0),
    )


@pytest.mark.django_db
def test_a_citizen_sees_only_their_own_dossiers(demo_world: DemoWorld) -> None:
    # given one dossier of each citizen
    cast = build_cast(demo_world)
    mine = file_online(cast, vn(2026, 3, 2, 9, 0))
    theirs = file_at_commune_b(cast)

    # then each citizen sees their own only
    assert visible(cast.citizen) == {mine.code}
    assert visible(cast.other_citizen) == {theirs.code}
    assert selectors.dossier_for(cast.citizen, str(mine.code)).pk == mine.pk

    # and asking for the other's dossier by its code is "not found", not "forbidden"
    with pytest.raises(NotFound) as hidden:
        selectors.dossier_for(cast.citizen, str(theirs.code))
    assert hidden.value.code == "dossier_not_found"
    assert hidden.value.field == "code"
    assert hidden.value.status == 404


@pytest.mark.django_db
def test_an_officer_of_commune_a_does_not_see_commune_b(demo_world: DemoWorld) -> None:
    # given a dossier at commune A and one at commune B
    cast = build_cast(demo_world)
    at_a = file_online(cast, vn(2026, 3, 2, 9, 0))
    at_b = file_at_commune_b(cast)

    # then commune A's officers see A's only, commune B's officer B's only
    for officer in (cast.counter, cast.specialist, cast.leader):
        assert visible(officer) == {at_a.code}, officer.username
    assert visible(cast.other_commune_counter) == {at_b.code}
    with pytest.raises(NotFound):
        selectors.dossier_for(cast.counter, str(at_b.code))


def _dossier_in_another_province(cast: Cast) -> tuple[Dossier, User]:
    """A dossier at a Lạng Sơn commune (offering 1.004222 there) and an officer of that commune."""
    lang_son = Agency.objects.get(code=province_agency_code("20"))
    commune = Agency.objects.filter(parent=lang_son, kind=AgencyKind.COMMUNE).order_by("code").first()
    assert commune is not None
    ProcedureOffering.objects.create(
        agency=commune,
        procedure=cast.procedure,
        online_mode=OnlineMode.FULL,
        boundary_free=BoundaryFreeScope.NONE,
    )
    dossier = services.submit(
        actor=cast.other_citizen,
        procedure=cast.procedure,
        receiving_agency=commune,
        channel=Channel.ONLINE,
        applicant=applicant_of(cast.other_citizen),
        at=vn(2026, 3, 2, 11, 0),
    )
    return dossier, make_officer("motcua.langson", commune, Role.RECEIVING_OFFICER)


@pytest.mark.django_db
def test_the_provincial_leader_sees_the_whole_province_and_nothing_else(demo_world: DemoWorld) -> None:
    # given dossiers at commune A, at commune B, at the service centre (for the provincial police),
    # and one in another province
    cast = build_cast(demo_world)
    at_a = file_online(cast, vn(2026, 3, 2, 9, 0))
    at_b = file_at_commune_b(cast)
    at_centre = services.submit(
        actor=demo_world.officers["motcua.tinh"],
        procedure=Procedure.objects.get(national_code="1.001456"),
        receiving_agency=demo_world.centre,
        competent_agency=demo_world.departments["Bộ Công an"],
        channel=Channel.IN_PERSON,
        applicant=applicant_of(cast.citizen),
        at=vn(2026, 3, 2, 9, 30),
    )
    elsewhere, lang_son_officer = _dossier_in_another_province(cast)

    # then the leader of the province People's Committee sees the three Ninh Bình dossiers…
    assert visible(demo_world.officers["lanhdao.tinh"]) == {at_a.code, at_b.code, at_centre.code}
    # …the police department's specialist only the one it is competent for…
    assert visible(demo_world.officers["chuyenvien.congan"]) == {at_centre.code}
    # …and the Lạng Sơn officer only the Lạng Sơn one
    assert visible(lang_son_officer) == {elsewhere.code}
    with pytest.raises(NotFound):
        selectors.dossier_for(demo_world.officers["lanhdao.tinh"], str(elsewhere.code))


@pytest.mark.django_db
def test_an_officer_of_a_transfer_leg_agency_sees_the_dossier(demo_world: DemoWorld) -> None:
    # given a commune dossier in processing; Sở Tài chính has nothing to do with it yet
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, "processing", clock)
    assert dossier.code not in visible(cast.leg_specialist)

    # when it is transferred to Sở Tài chính
    perform(cast, dossier, Action.TRANSFER, at=clock())

    # then the leg agency's officer sees it (once, however many joins match)
    assert visible(cast.leg_specialist) == {dossier.code}
    assert selectors.dossiers_visible_to(cast.leg_specialist).count() == 1
    assert selectors.dossier_for(cast.leg_specialist, str(dossier.code)).pk == dossier.pk
    # and another department still does not
    assert visible(demo_world.officers["chuyenvien.xaydung"]) == set()


@pytest.mark.django_db
def test_both_agencies_of_a_boundary_free_dossier_see_it(demo_world: DemoWorld) -> None:
    # given a dossier received at commune A for commune B
    cast = build_cast(demo_world)
    dossier = file_online(cast, vn(2026, 3, 2, 9, 0), competent=cast.other_commune)

    # then the receiving and the competent commune both see it, and the applicant too
    assert dossier.code in visible(cast.counter)
    assert dossier.code in visible(cast.other_commune_counter)
    assert visible(cast.citizen) == {dossier.code}


@pytest.mark.django_db
def test_nobody_else_sees_anything(demo_world: DemoWorld) -> None:
    # given a dossier
    cast = build_cast(demo_world)
    file_online(cast, vn(2026, 3, 2, 9, 0))
    no_membership = User.objects.create(username="canbo.moi", kind=UserKind.OFFICER)

    # then an anonymous visitor and an officer without membership see nothing
    assert visible(AnonymousUser()) == set()
    assert visible(no_membership) == set()


@pytest.mark.django_db
def test_the_timeline_lists_the_events_in_order(demo_world: DemoWorld) -> None:
    # given a dossier that went submitted → accepted → processing → pending approval
    cast = build_cast(demo_world)
    dossier = drive(cast, "pending_approval")

    # then its timeline lists the actions in order, with the actor
    timeline = list(selectors.timeline(dossier))
    assert [(e.sequence, e.action) for e in timeline] == [
        (1, "submit"),
        (2, "accept"),
        (3, "assign"),
        (4, "process"),
    ]
    assert [e.actor_id for e in timeline] == [
        cast.citizen.pk,
        cast.counter.pk,
        cast.leader.pk,
        cast.specialist.pk,
    ]
