"""Worklists: each officer of the demo province sees, in each list, exactly the dossiers the one-stop rules
give them — and never another agency's; filters, sorting, paging and counts agree; deadline marks follow
the real Vietnamese calendar (the 30/4–1/5/2026 holidays).

The scenario files one dossier per route of ``factories.ROUTES`` at commune A, plus a few others, through the
real services; the expected lists below are written by hand from the one-stop rules (who checks, receives,
assigns, appraises, approves, resolves and returns, over which agency).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from motcua.accounts.models import Role, User
from motcua.agencies.loaders import province_agency_code
from motcua.agencies.models import Agency, AgencyKind
from motcua.catalogue.models import BoundaryFreeScope, Channel, OnlineMode, Procedure, ProcedureOffering
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers import services, workflow, worklists
from motcua.dossiers.constants import TERMINAL, Status
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier, DossierLeg
from motcua.dossiers.tests.factories import (
    MONDAY,
    ROUTES,
    Cast,
    Ticker,
    applicant_of,
    build_cast,
    drive,
    make_officer,
    vn,
)
from motcua.dossiers.worklists import WORKLISTS, Mark

S = Status
POLICE_PROCEDURE = "1.001456"  # offered by the provincial police (Công an tỉnh), received at the centre


@dataclass
class Scenario:
    cast: Cast
    dossiers: dict[str, Dossier]
    officers: dict[str, User]

    def names(self, rows: list[Dossier]) -> set[str]:
        by_pk = {d.pk: name for name, d in self.dossiers.items()}
        return {by_pk[d.pk] for d in rows}

    def listed(self, username: str, key: str, **kwargs: object) -> set[str]:
        page = worklists.worklist(self.officers[username], key, page_size=200, **kwargs)  # type: ignore[arg-type]
        assert not page.has_next
        return self.names(page.items)


def _in_another_province(cast: Cast) -> tuple[Dossier, User]:
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


@pytest.fixture
def scenario(demo_world: DemoWorld) -> Scenario:
    cast = build_cast(demo_world)
    second_specialist = make_officer("chuyenvien.xa2", cast.commune, Role.SPECIALIST)
    clock = Ticker(MONDAY, step=timedelta(minutes=7))
    dossiers = {name: drive(cast, name, clock) for name in ROUTES}

    other = drive(cast, "accepted", clock)
    dossiers["processing_other"] = services.assign(
        other, actor=cast.leader, assignee=second_specialist, at=clock()
    )
    unassigned = drive(cast, "processing", clock)
    Dossier.objects.filter(pk=unassigned.pk).update(assignee=None)  # e.g. imported from the old system
    dossiers["processing_unassigned"] = Dossier.objects.get(pk=unassigned.pk)

    centre = services.submit(
        actor=demo_world.officers["motcua.tinh"],
        procedure=Procedure.objects.get(national_code=POLICE_PROCEDURE),
        receiving_agency=demo_world.centre,
        competent_agency=demo_world.departments["Bộ Công an"],
        channel=Channel.IN_PERSON,
        applicant=applicant_of(cast.citizen),
        at=clock(),
    )
    dossiers["centre"] = services.accept(centre, actor=demo_world.officers["motcua.tinh"], at=clock())
    elsewhere, lang_son_counter = _in_another_province(cast)
    dossiers["elsewhere"] = elsewhere

    officers = {**demo_world.officers, "motcua.xa2": cast.other_commune_counter}
    officers["chuyenvien.xa2"] = second_specialist
    officers["motcua.langson"] = lang_son_counter
    return Scenario(cast, dossiers, officers)


# Everything waiting for the citizen at commune A (received there and competent there).
WAITING_A = {"supplement_requested", "supplement_requested_after_acceptance", "awaiting_payment"}
ON_HOLD_A = {"transferred", "transferred_two_legs", "paused"}

#: username -> the lists they have -> the dossiers in each (by scenario name).
EXPECTED: dict[str, dict[str, set[str]]] = {
    "motcua.xa": {  # receiving officer of commune A
        "to_check": {"submitted", "supplement_received"},
        "to_receive": set(),
        "to_return": {"resolved"},
        "to_confirm_extension": {"extension_requested"},
        "waiting_citizen": WAITING_A,
    },
    "chuyenvien.xa": {  # specialist of commune A: what is assigned to him or to nobody
        "to_appraise": {
            "processing",
            "consulting",
            "supplement_received_after_acceptance",
            "processing_unassigned",
        },
        "to_resolve": {"approved"},
        "waiting_citizen": WAITING_A,
        "on_hold": ON_HOLD_A,
        "transferred_in": set(),
    },
    "chuyenvien.xa2": {  # the other specialist of commune A
        "to_appraise": {"processing_other", "processing_unassigned"},
        "to_resolve": {"approved"},
        "waiting_citizen": WAITING_A,
        "on_hold": ON_HOLD_A,
        "transferred_in": set(),
    },
    "chutich.xa": {  # chairman of commune A
        "to_receive": set(),
        "to_assign": {"accepted"},
        "to_approve": {"pending_approval"},
        "to_resolve": {"approved"},
        "waiting_citizen": WAITING_A,
        "on_hold": ON_HOLD_A,
        "transferred_in": set(),
    },
    "motcua.xa2": {  # receiving officer of commune B: the boundary-free dossier filed at A for B
        "to_check": set(),
        "to_receive": {"accepted_boundary_free"},
        "to_return": set(),
        "to_confirm_extension": set(),
        "waiting_citizen": set(),
    },
    "chuyenvien.taichinh": {  # finance department: the transfer legs sent to it (the first of two only)
        "to_appraise": set(),
        "to_resolve": set(),
        "waiting_citizen": set(),
        "on_hold": set(),
        "transferred_in": {"transferred", "transferred_two_legs"},
    },
    "chuyenvien.xaydung": {  # construction department: its leg of the two-leg transfer has not started
        "to_appraise": set(),
        "to_resolve": set(),
        "waiting_citizen": set(),
        "on_hold": set(),
        "transferred_in": set(),
    },
    "truongphong.congan": {  # head of division at the police department: the centre's dossier to assign
        "to_receive": set(),
        "to_assign": {"centre"},
        "to_approve": set(),
        "to_resolve": set(),
        "waiting_citizen": set(),
        "on_hold": set(),
        "transferred_in": set(),
    },
    "motcua.tinh": {  # receiving officer at the provincial centre: its dossier is already accepted
        "to_check": set(),
        "to_receive": set(),
        "to_return": set(),
        "to_confirm_extension": set(),
        "waiting_citizen": set(),
    },
    "buudien": {"to_return": set()},  # postal worker at the centre
    "giamdoc.trungtam": {},  # the centre director watches deadlines; no worklist
    "lanhdao.tinh": {  # leader of the provincial People's Committee: the whole province
        "to_receive": {"accepted_boundary_free"},
        "to_assign": {"accepted", "centre"},
        "to_approve": {"pending_approval"},
        "to_resolve": {"approved"},
        "waiting_citizen": WAITING_A,
        "on_hold": ON_HOLD_A,
        "transferred_in": {"transferred", "transferred_two_legs"},
    },
    "motcua.langson": {  # an officer of another province sees only that province's dossier
        "to_check": {"elsewhere"},
        "to_receive": set(),
        "to_return": set(),
        "to_confirm_extension": set(),
        "waiting_citizen": set(),
    },
}


@pytest.mark.django_db
def test_each_officer_sees_exactly_their_lists_and_dossiers(scenario: Scenario) -> None:
    today = date(2026, 3, 2)
    for username, lists in EXPECTED.items():
        officer = scenario.officers[username]
        # the lists they have are exactly those expected, with the expected counts
        assert worklists.counts(officer, today=today) == {k: len(v) for k, v in lists.items()}, username
        assert [w.key for w in worklists.available(officer)] == [w.key for w in WORKLISTS if w.key in lists]
        for key, expected in lists.items():
            assert scenario.listed(username, key, today=today) == expected, (username, key)
        # a list they do not have is empty for them
        for definition in WORKLISTS:
            if definition.key not in lists:
                assert worklists.worklist(officer, definition.key).items == [], (username, definition.key)


@pytest.mark.django_db
def test_another_agencys_dossiers_never_appear(scenario: Scenario) -> None:
    # the Lạng Sơn dossier is in no Ninh Bình officer's list; Lạng Sơn's officer sees nothing of Ninh Bình
    elsewhere = scenario.dossiers["elsewhere"]
    for username, officer in scenario.officers.items():
        for definition in worklists.available(officer):
            items = worklists.worklist(officer, definition.key, page_size=200).items
            if username == "motcua.langson":
                assert {d.pk for d in items} <= {elsewhere.pk}
            else:
                assert elsewhere.pk not in {d.pk for d in items}


@pytest.mark.django_db
def test_a_listed_dossier_is_one_the_officer_may_act_on(scenario: Scenario) -> None:
    # every dossier of a list of work (not the lists of what others are waiting on) allows the officer one
    # of the list's actions under the workflow's own rules
    watch_lists = {"waiting_citizen", "on_hold"}
    checked = 0
    for officer in scenario.officers.values():
        for definition in worklists.available(officer):
            if definition.key in watch_lists:
                continue
            for dossier in worklists.worklist(officer, definition.key, page_size=200).items:
                legal = [a for a in definition.actions if a in workflow.allowed_actions(dossier.status)]
                assert legal, (definition.key, dossier.status)
                leg = DossierLeg.objects.filter(dossier=dossier, started_at__isnull=False).first()
                assert workflow.authorise(officer, dossier, legal[0], leg_agency=leg.agency if leg else None)
                checked += 1
    assert checked > 20


@pytest.mark.django_db
def test_every_open_status_is_in_some_worklist() -> None:
    gathered = {s for w in WORKLISTS for s in w.statuses}
    assert gathered == {s for s in Status if s != S.DRAFT and s not in TERMINAL}
    assert set(worklists.OPEN_STATUSES) == gathered


def test_the_roles_of_a_list_may_perform_its_first_action() -> None:
    # a list never promises work to a role the workflow would refuse
    for definition in WORKLISTS:
        action = definition.actions[0]
        allowed = {scope: roles for scope, roles in workflow.ACTION_RULES[action]}
        for scope, roles in definition.rules:
            if definition.key == "waiting_citizen" and scope == workflow.COMPETENT:
                action_rules = dict(workflow.ACTION_RULES[definition.actions[1]])  # confirm payment
                assert roles <= action_rules[scope]
                continue
            assert roles <= allowed[scope], definition.key


def test_the_index_migration_covers_the_open_statuses() -> None:
    migration = importlib.import_module("motcua.dossiers.migrations.0003_worklist_indexes")
    assert set(migration.OPEN_STATUSES) == {str(s) for s in worklists.OPEN_STATUSES}


@pytest.mark.django_db
def test_unknown_list_bad_filters_and_bad_paging_are_refused(scenario: Scenario) -> None:
    leader = scenario.officers["lanhdao.tinh"]
    with pytest.raises(NotFound):
        worklists.worklist(leader, "to_dance")
    bad = [
        {"filters": {"channel": "fax"}},
        {"filters": {"due": "late"}},
        {"filters": {"field": "abc"}},
        {"filters": {"status": "lost"}},
        {"filters": {"assignee": "someone"}},
        {"filters": {"colour": "red"}},
        {"sort": "name"},
        {"page": 0},
        {"page_size": 0},
        {"page_size": 201},
        {"cursor": "not-a-cursor"},
    ]
    for kwargs in bad:
        with pytest.raises(DomainError) as refused:
            worklists.worklist(leader, "to_assign", **kwargs)  # type: ignore[arg-type]
        assert refused.value.message_vi
        assert refused.value.message_en
    # a cursor of another sort order is refused too
    first = worklists.worklist(leader, "waiting_citizen", page_size=1)
    assert first.next_cursor
    with pytest.raises(DomainError):
        worklists.worklist(leader, "waiting_citizen", sort="code", cursor=first.next_cursor)


@pytest.mark.django_db
def test_filters(scenario: Scenario) -> None:
    leader, specialist = "lanhdao.tinh", "chuyenvien.xa"
    police = Procedure.objects.get(national_code=POLICE_PROCEDURE)
    residence = scenario.cast.procedure
    assert residence.field_id != police.field_id
    # procedure, channel and field
    assert scenario.listed(leader, "to_assign", filters={"procedure": POLICE_PROCEDURE}) == {"centre"}
    assert scenario.listed(leader, "to_assign", filters={"channel": "in_person"}) == {"centre"}
    assert scenario.listed(leader, "to_assign", filters={"channel": "online"}) == {"accepted"}
    assert scenario.listed(leader, "to_assign", filters={"field": str(residence.field_id)}) == {"accepted"}
    # status
    assert scenario.listed(leader, "waiting_citizen", filters={"status": "awaiting_payment"}) == {
        "awaiting_payment"
    }
    assert scenario.listed(leader, "on_hold", filters={"status": "paused"}) == {"paused"}
    # assignee: me, nobody, somebody
    assert scenario.listed(specialist, "to_appraise", filters={"assignee": "me"}) == {
        "processing",
        "consulting",
        "supplement_received_after_acceptance",
    }
    assert scenario.listed(specialist, "to_appraise", filters={"assignee": "none"}) == {
        "processing_unassigned"
    }
    other = scenario.officers["chuyenvien.xa2"]
    assert scenario.listed(leader, "on_hold", filters={"assignee": str(other.pk)}) == set()
    assert scenario.listed(
        leader, "on_hold", filters={"assignee": str(scenario.officers[specialist].pk)}
    ) == (ON_HOLD_A)
    # empty values mean "any" (as a form sends them)
    empty = {k: "" for k in worklists.FILTER_KEYS}
    assert scenario.listed(leader, "to_assign", filters=empty) == {"accepted", "centre"}
    # counts take the same filters
    assert worklists.counts(scenario.officers[leader], filters={"channel": "in_person"})["to_assign"] == 1


def _ordered_key(item: Dossier) -> tuple[bool, datetime, str]:
    due = item.work_due_at  # type: ignore[attr-defined]
    return (due is None, due or datetime.min.replace(tzinfo=vn(2026, 1, 1).tzinfo), str(item.code))


@pytest.mark.django_db
def test_lists_are_sorted_by_due_date_with_no_date_last_then_code(scenario: Scenario) -> None:
    checked_mixed = False
    for officer in scenario.officers.values():
        for definition in worklists.available(officer):
            items = worklists.worklist(officer, definition.key, page_size=200).items
            assert items == sorted(items, key=_ordered_key), definition.key
            dues = [d.work_due_at for d in items]  # type: ignore[attr-defined]
            checked_mixed |= None in dues and any(d is not None for d in dues)
            by_code = worklists.worklist(officer, definition.key, page_size=200, sort="-code").items
            assert [d.code for d in by_code] == sorted((d.code for d in items), reverse=True)
    assert checked_mixed  # some list mixes dossiers with and without a due date
    # latest due date first, still without due date last
    leader = scenario.officers["lanhdao.tinh"]
    latest_first = worklists.worklist(leader, "waiting_citizen", sort="-due").items
    dues = [d.work_due_at for d in latest_first]  # type: ignore[attr-defined]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert dues[len(dated) :] == [None] * (len(dues) - len(dated))


@pytest.mark.django_db
def test_offset_and_keyset_paging_walk_the_same_rows(scenario: Scenario) -> None:
    leader = scenario.officers["lanhdao.tinh"]
    for sort in worklists.SORTS:
        whole = [d.pk for d in worklists.worklist(leader, "waiting_citizen", sort=sort).items]
        assert len(whole) == 3
        by_offset, number = [], 1
        while True:
            page = worklists.worklist(
                leader, "waiting_citizen", sort=sort, page=number, page_size=1, with_total=True
            )
            assert page.total == 3
            assert page.number == number
            by_offset += [d.pk for d in page.items]
            if not page.has_next:
                break
            number += 1
        by_cursor, cursor = [], None
        while True:
            page = worklists.worklist(leader, "waiting_citizen", sort=sort, page_size=2, cursor=cursor)
            by_cursor += [d.pk for d in page.items]
            if not page.has_next:
                assert page.next_cursor is None
                break
            cursor = page.next_cursor
        assert by_offset == by_cursor == whole, sort


@pytest.mark.django_db
def test_the_legs_list_is_due_on_the_legs_date(scenario: Scenario) -> None:
    finance = scenario.officers["chuyenvien.taichinh"]
    for dossier in worklists.worklist(finance, "transferred_in").items:
        leg = DossierLeg.objects.get(dossier=dossier, agency=scenario.cast.leg_agency)
        assert dossier.work_due_at == leg.due_at != dossier.due_at  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------
# Deadline marks on the real calendar
# --------------------------------------------------------------------------------------------------

# Wednesday 29 April 2026. Thu 30/4 and Fri 1/5 are public holidays, Sat 2/5 and Sun 3/5 the weekend: the
# next two working days are Mon 4/5 and Tue 5/5 (on weekdays alone they would be Thu 30/4 and Fri 1/5).
HOLIDAY_EVE = date(2026, 4, 29)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "due", "mark"),
    [
        (S.PROCESSING, vn(2026, 4, 28, 16, 0), Mark.OVERDUE),
        (S.PROCESSING, vn(2026, 4, 29, 8, 0), Mark.DUE_TODAY),
        (S.PROCESSING, vn(2026, 4, 29, 17, 0), Mark.DUE_TODAY),
        (
            S.PENDING_APPROVAL,
            vn(2026, 4, 30, 9, 0),
            Mark.DUE_SOON,
        ),  # (a holiday: never a due date, still soon)
        (S.PROCESSING, vn(2026, 5, 4, 9, 0), Mark.DUE_SOON),  # 1st working day after
        (S.APPROVED, vn(2026, 5, 5, 16, 30), Mark.DUE_SOON),  # 2nd working day after
        (S.PROCESSING, vn(2026, 5, 6, 9, 0), Mark.OK),  # 3rd working day after
        (S.SUPPLEMENT_REQUESTED, vn(2026, 4, 20, 9, 0), Mark.WAITING_CITIZEN),
        (S.AWAITING_PAYMENT, vn(2026, 4, 29, 9, 0), Mark.WAITING_CITIZEN),
        (S.RESOLVED, vn(2026, 4, 20, 9, 0), Mark.OK),  # the result is ready
        (S.RETURNED, vn(2026, 4, 20, 9, 0), Mark.OK),
        (S.SUBMITTED, None, Mark.OK),  # the clock has not started
    ],
)
def test_deadline_marks_across_the_april_holidays(
    reference_data: None, status: Status, due: datetime | None, mark: Mark
) -> None:
    assert worklists.deadline_mark(Dossier(status=status, due_at=due), HOLIDAY_EVE) == mark


@pytest.mark.django_db
def test_due_window_filters_select_exactly_the_marked_dossiers(scenario: Scenario) -> None:
    # given commune A's specialist with five dossiers to appraise, due around the April holidays
    specialist = scenario.officers["chuyenvien.xa"]
    dues = {
        "processing": vn(2026, 4, 28, 15, 0),  # overdue
        "consulting": vn(2026, 4, 29, 16, 0),  # due today
        "supplement_received_after_acceptance": vn(2026, 5, 4, 9, 0),  # due soon
        "processing_unassigned": vn(2026, 5, 6, 9, 0),  # ok
    }
    for name, due in dues.items():
        Dossier.objects.filter(pk=scenario.dossiers[name].pk).update(due_at=due)
    expected = {
        Mark.OVERDUE: {"processing"},
        Mark.DUE_TODAY: {"consulting"},
        Mark.DUE_SOON: {"supplement_received_after_acceptance"},
        Mark.OK: {"processing_unassigned"},
        Mark.WAITING_CITIZEN: set(),
    }
    page = worklists.worklist(specialist, "to_appraise", today=HOLIDAY_EVE)
    assert {scenario.names([d]).pop(): worklists.deadline_mark(d, HOLIDAY_EVE) for d in page.items} == {
        name: mark for mark, names in expected.items() for name in names
    }
    for mark, names in expected.items():
        filtered = scenario.listed(
            "chuyenvien.xa", "to_appraise", filters={"due": mark.value}, today=HOLIDAY_EVE
        )
        assert filtered == names, mark
        counted = worklists.counts(specialist, filters={"due": mark.value}, today=HOLIDAY_EVE)["to_appraise"]
        assert counted == len(names)
    # the dossiers waiting for the citizen carry that mark whatever their date
    waiting = worklists.worklist(specialist, "waiting_citizen", filters={"due": "waiting_citizen"})
    assert scenario.names(waiting.items) == WAITING_A
    assert scenario.listed("chuyenvien.xa", "waiting_citizen", filters={"due": "overdue"}) == set()
