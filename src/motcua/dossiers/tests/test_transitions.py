"""The state machine, pair by pair: every legal (status, action) through the real services, every other
pair refused, and every action refused to whoever holds no right to it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from motcua.accounts.models import Role, User
from motcua.core import outbox_topics
from motcua.core.errors import Conflict, PermissionDenied
from motcua.core.models import OutboxMessage
from motcua.dossiers import workflow
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import (
    MONDAY,
    Cast,
    MiniWorld,
    Ticker,
    build_cast,
    build_mini_world,
    counts,
    default_actor,
    drive,
    file_online,
    make_officer,
    other_province_officer,
    perform,
    snapshot,
)

A, S = Action, Status

# --------------------------------------------------------------------------------------------------
# 1. Every legal pair
# --------------------------------------------------------------------------------------------------

# (from, action, route that brings a fresh dossier to ``from``, status expected after the action).
# The expected status is written from the rules of the workflow (spec §2, Decree 61/2018 Art 19), not
# read from the table; ``test_the_cases_cover_exactly_the_table`` checks that nothing is missing.
LEGAL_CASES: list[tuple[Status, Action, str, Status]] = [
    (S.DRAFT, A.SUBMIT, "draft", S.SUBMITTED),
    (S.SUBMITTED, A.ACCEPT, "submitted", S.ACCEPTED),
    (S.SUPPLEMENT_RECEIVED, A.ACCEPT, "supplement_received", S.ACCEPTED),
    (S.SUBMITTED, A.REJECT, "submitted", S.REJECTED),
    (S.SUPPLEMENT_RECEIVED, A.REJECT, "supplement_received", S.REJECTED),
    (S.SUBMITTED, A.REQUEST_SUPPLEMENT, "submitted", S.SUPPLEMENT_REQUESTED),
    (S.SUPPLEMENT_RECEIVED, A.REQUEST_SUPPLEMENT, "supplement_received", S.SUPPLEMENT_REQUESTED),
    (S.PROCESSING, A.REQUEST_SUPPLEMENT, "processing", S.SUPPLEMENT_REQUESTED),
    (S.SUPPLEMENT_REQUESTED, A.SUPPLEMENT, "supplement_requested", S.SUPPLEMENT_RECEIVED),
    # after a supplement asked during processing, the specialist takes the dossier up again
    (S.SUPPLEMENT_RECEIVED, A.RESUME, "supplement_received_after_acceptance", S.PROCESSING),
    # the competent agency receiving a boundary-free dossier does not change its status
    (S.ACCEPTED, A.COMPETENT_RECEIVE, "accepted_boundary_free", S.ACCEPTED),
    (S.ACCEPTED, A.ASSIGN, "accepted", S.PROCESSING),
    (S.PROCESSING, A.ASSIGN, "processing", S.PROCESSING),
    (S.PENDING_APPROVAL, A.ASSIGN, "pending_approval", S.PROCESSING),
    (S.PROCESSING, A.PROCESS, "processing", S.PENDING_APPROVAL),
    (S.PROCESSING, A.CONSULT, "processing", S.CONSULTING),
    (S.CONSULTING, A.CONSULTATION_DONE, "consulting", S.PROCESSING),
    (S.PROCESSING, A.TRANSFER, "processing", S.TRANSFERRED),
    # one leg: completing it brings the dossier back to the lead agency
    (S.TRANSFERRED, A.COMPLETE_LEG, "transferred", S.PROCESSING),
    # two legs in sequence: completing the first starts the second, the dossier stays transferred
    (S.TRANSFERRED, A.COMPLETE_LEG, "transferred_two_legs", S.TRANSFERRED),
    (S.PROCESSING, A.PAUSE, "processing", S.PAUSED),
    (S.PAUSED, A.RESUME, "paused", S.PROCESSING),
    (S.PROCESSING, A.REQUEST_PAYMENT, "processing", S.AWAITING_PAYMENT),
    (S.AWAITING_PAYMENT, A.CONFIRM_PAYMENT, "awaiting_payment", S.PROCESSING),
    (S.PROCESSING, A.REQUEST_EXTENSION, "processing", S.EXTENSION_REQUESTED),
    (S.PENDING_APPROVAL, A.REQUEST_EXTENSION, "pending_approval", S.EXTENSION_REQUESTED),
    (S.EXTENSION_REQUESTED, A.CONFIRM_EXTENSION, "extension_requested", S.PROCESSING),
    (S.PENDING_APPROVAL, A.APPROVE, "pending_approval", S.APPROVED),
    (S.PROCESSING, A.REFUSE, "processing", S.REFUSED),
    (S.PENDING_APPROVAL, A.REFUSE, "pending_approval", S.REFUSED),
    (S.APPROVED, A.RESOLVE, "approved", S.RESOLVED),
    (S.RESOLVED, A.RETURN_RESULT, "resolved", S.RETURNED),
    # stop (Form 05): any time after acceptance while the dossier is open, and while a supplement is due
    (S.ACCEPTED, A.STOP, "accepted", S.STOPPED),
    (S.PROCESSING, A.STOP, "processing", S.STOPPED),
    (S.CONSULTING, A.STOP, "consulting", S.STOPPED),
    (S.TRANSFERRED, A.STOP, "transferred", S.STOPPED),
    (S.PAUSED, A.STOP, "paused", S.STOPPED),
    (S.AWAITING_PAYMENT, A.STOP, "awaiting_payment", S.STOPPED),
    (S.EXTENSION_REQUESTED, A.STOP, "extension_requested", S.STOPPED),
    (S.PENDING_APPROVAL, A.STOP, "pending_approval", S.STOPPED),
    (S.SUPPLEMENT_REQUESTED, A.STOP, "supplement_requested_after_acceptance", S.STOPPED),
    # withdrawal: until the appraisal is done (not once consulting, transferred or pending approval)
    (S.SUBMITTED, A.WITHDRAW, "submitted", S.WITHDRAWN),
    (S.SUPPLEMENT_REQUESTED, A.WITHDRAW, "supplement_requested", S.WITHDRAWN),
    (S.SUPPLEMENT_RECEIVED, A.WITHDRAW, "supplement_received", S.WITHDRAWN),
    (S.ACCEPTED, A.WITHDRAW, "accepted", S.WITHDRAWN),
    (S.PROCESSING, A.WITHDRAW, "processing", S.WITHDRAWN),
    (S.PAUSED, A.WITHDRAW, "paused", S.WITHDRAWN),
    (S.AWAITING_PAYMENT, A.WITHDRAW, "awaiting_payment", S.WITHDRAWN),
]


def _case_id(case: tuple[Status, Action, str, Status]) -> str:
    source, action, route, expected = case
    return f"{source.value}-{action.value}-via-{route}-to-{expected.value}"


def test_the_cases_cover_exactly_the_table() -> None:
    # given the hand-written cases
    pairs = {(source, action) for source, action, _route, _expected in LEGAL_CASES}
    # then they are exactly the pairs of the table (47: 31 single pairs, 9 stops, 7 withdrawals)…
    assert pairs == set(workflow.TRANSITIONS)
    assert len(pairs) == 47
    # …and each expected status is one the table allows
    for source, action, _route, expected in LEGAL_CASES:
        assert expected in workflow.TRANSITIONS[(source, action)], (source, action)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "action", "route", "expected"), LEGAL_CASES, ids=map(_case_id, LEGAL_CASES)
)
def test_legal_transition_through_the_services(
    demo_world: DemoWorld, source: Status, action: Action, route: str, expected: Status
) -> None:
    # given a dossier brought to ``source`` through the real services
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, route, clock)
    assert dossier.status == source
    version = dossier.version
    sequences = list(DossierEvent.objects.filter(dossier=dossier).values_list("sequence", flat=True))
    previous = sequences[-1] if sequences else 0
    outbox = OutboxMessage.objects.filter(topic=outbox_topics.DOSSIER_STATUS_CHANGED, key=str(dossier.pk))
    messages_before = outbox.count()
    actor = default_actor(cast, dossier, action)

    # when an authorised actor performs the action
    after = perform(cast, dossier, action, at=clock(), actor=actor)

    # then the status moved, the version went up by one…
    stored = Dossier.objects.get(pk=dossier.pk)
    assert after.status == stored.status == expected
    assert stored.version == version + 1
    # …one event was appended right after the previous one, telling who did what…
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("sequence"))
    assert len(events) == len(sequences) + 1
    event = events[-1]
    assert event.sequence == previous + 1 == stored.version
    assert (event.from_status, event.to_status, event.action) == (source, expected, action)
    assert event.actor_id == actor.pk
    assert event.actor_roles  # the roles (or "applicant") under which the actor was allowed
    # …and one status-change message waits in the outbox
    assert outbox.count() == messages_before + 1
    message = outbox.order_by("-pk").first()
    assert message is not None
    assert message.topic == "dossier.status_changed"
    assert message.payload == {
        "dossier_id": dossier.pk,
        "action": action.value,
        "from": source.value,
        "to": expected.value,
    }


# --------------------------------------------------------------------------------------------------
# 1b. Every other pair is illegal
# --------------------------------------------------------------------------------------------------

ILLEGAL_PAIRS = [(s, a) for s in Status for a in Action if (s, a) not in workflow.TRANSITIONS]


def test_the_illegal_pairs_are_the_complement() -> None:
    # 19 statuses × 24 actions = 456 pairs, of which 47 are legal
    assert (len(Status), len(Action)) == (19, 24)
    assert len(ILLEGAL_PAIRS) == 456 - 47


@pytest.fixture
def mini_world(db: None) -> MiniWorld:
    return build_mini_world()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "action"), ILLEGAL_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in ILLEGAL_PAIRS]
)
def test_illegal_pair_is_refused_and_changes_nothing(
    mini_world: MiniWorld, status: Status, action: Action
) -> None:
    # given a dossier sitting in ``status`` and an officer holding every role over its agency, who
    # would therefore be allowed to perform any action were it legal
    dossier = Dossier.objects.create(
        procedure=mini_world.procedure,
        receiving_agency=mini_world.commune,
        competent_agency=mini_world.commune,
        channel="online",
        status=status,
        applicant=mini_world.citizen,
        applicant_name="Lê Thị Thử",
    )
    actor = mini_world.all_roles
    assert workflow.authorise(actor, dossier, action, leg_agency=mini_world.commune)
    before = snapshot(dossier)

    # when the pair is checked
    with pytest.raises(Conflict) as checked:
        workflow.check_legal(status, action)
    # then it is an illegal transition (HTTP 409)
    assert checked.value.code == "illegal_transition"
    assert checked.value.status == 409
    assert checked.value.message_vi
    assert checked.value.message_en

    # when the transition is attempted directly
    with pytest.raises(Conflict) as attempted:
        workflow.transition(dossier, action, actor=actor, leg_agency=mini_world.commune)
    # then it is refused the same way and nothing changed: status, version, events, outbox
    assert attempted.value.code == "illegal_transition"
    assert snapshot(dossier) == before
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (stored.status, stored.version) == (status, 0)
    assert not DossierEvent.objects.filter(dossier=dossier).exists()


# --------------------------------------------------------------------------------------------------
# 2. Who may act
# --------------------------------------------------------------------------------------------------

# For each action, a route to a status where it is legal (the authorised actor would succeed there).
AUTH_ROUTE: dict[Action, str] = {
    A.SUBMIT: "draft",
    A.ACCEPT: "submitted",
    A.REJECT: "submitted",
    A.REQUEST_SUPPLEMENT: "processing",
    A.SUPPLEMENT: "supplement_requested",
    A.COMPETENT_RECEIVE: "accepted_boundary_free",
    A.ASSIGN: "accepted",
    A.PROCESS: "processing",
    A.CONSULT: "processing",
    A.CONSULTATION_DONE: "consulting",
    A.TRANSFER: "processing",
    A.COMPLETE_LEG: "transferred",
    A.PAUSE: "processing",
    A.RESUME: "paused",
    A.REQUEST_PAYMENT: "processing",
    A.CONFIRM_PAYMENT: "awaiting_payment",
    A.REQUEST_EXTENSION: "processing",
    A.CONFIRM_EXTENSION: "extension_requested",
    A.APPROVE: "pending_approval",
    A.REFUSE: "pending_approval",
    A.STOP: "processing",
    A.RESOLVE: "approved",
    A.RETURN_RESULT: "resolved",
    A.WITHDRAW: "submitted",
}


def test_every_action_has_an_authorisation_case() -> None:
    assert set(AUTH_ROUTE) == set(workflow.ACTION_RULES) == set(Action)


def _wrong_role_insider(cast: Cast, action: Action) -> User:
    """An officer OF the agency that matters for ``action`` but with a role the rules do not list."""
    if action in (A.SUBMIT, A.RETURN_RESULT):  # counter or postal worker only: a specialist is wrong
        return cast.specialist
    if action == A.COMPETENT_RECEIVE:  # counter or heads of commune B: a specialist of B is wrong
        return make_officer("chuyenvien.xa2", cast.other_commune, Role.SPECIALIST)
    if action == A.COMPLETE_LEG:  # processors of the leg agency: its receiving officer is wrong
        return make_officer("motcua.taichinh", cast.leg_agency, Role.RECEIVING_OFFICER)
    # every other action needs a receiving officer or a processor: a postal worker of commune A is wrong
    return make_officer("buudien.xa", cast.commune, Role.POSTAL_WORKER)


OUTSIDERS: dict[str, Callable[[Cast, Action], User]] = {
    "citizen_not_the_owner": lambda cast, _action: cast.other_citizen,
    "specialist_of_another_department": lambda cast, _action: cast.world.officers["chuyenvien.xaydung"],
    "officer_of_another_province_with_every_role": lambda _cast, _action: other_province_officer(),
    "officer_of_the_agency_with_the_wrong_role": _wrong_role_insider,
}
AUTH_CASES = [(action, kind) for action in Action for kind in OUTSIDERS]
# The applicant may submit, supplement and withdraw; every other action is refused to them too.
OWNER_ACTIONS = {A.SUBMIT, A.SUPPLEMENT, A.WITHDRAW}
AUTH_CASES += [(action, "the_applicant_himself") for action in Action if action not in OWNER_ACTIONS]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "kind"), AUTH_CASES, ids=[f"{a.value}-by-{k}" for a, k in AUTH_CASES])
def test_action_is_refused_to_whoever_has_no_right(demo_world: DemoWorld, action: Action, kind: str) -> None:
    # given a dossier where ``action`` is legal
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, AUTH_ROUTE[action], clock)
    outsider = cast.citizen if kind == "the_applicant_himself" else OUTSIDERS[kind](cast, action)
    before = snapshot(dossier)
    totals = counts()

    # when the outsider performs it
    with pytest.raises(PermissionDenied) as denied:
        perform(cast, dossier, action, at=clock(), actor=outsider)

    # then it is refused (403, action_not_allowed) and nothing at all was written
    assert denied.value.code == "action_not_allowed"
    assert denied.value.status == 403
    assert snapshot(dossier) == before
    assert counts() == totals


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["officer_of_another_province", "specialist_of_the_commune"])
def test_submission_by_an_officer_without_counter_role_writes_nothing(
    demo_world: DemoWorld, kind: str
) -> None:
    # given an officer who is neither a receiving officer nor a postal worker of commune A
    cast = build_cast(demo_world)
    officer = other_province_officer() if kind == "officer_of_another_province" else cast.specialist
    totals = counts()

    # when they file a dossier at commune A's counter
    with pytest.raises(PermissionDenied) as denied:
        file_online(cast, MONDAY, actor=officer)

    # then no dossier, event, outbox message or code number exists (the draft row rolled back)
    assert denied.value.code == "action_not_allowed"
    assert counts() == totals


@pytest.mark.django_db
def test_a_role_held_on_an_ancestor_agency_counts(demo_world: DemoWorld) -> None:
    # given a commune dossier pending approval, and the provincial leader (agency leader on the
    # province People's Committee, which is the commune's parent)
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, "pending_approval", clock)
    provincial_leader = demo_world.officers["lanhdao.tinh"]

    # when the provincial leader approves it
    dossier = perform(cast, dossier, A.APPROVE, at=clock(), actor=provincial_leader)

    # then it is approved under the agency_leader role
    assert dossier.status == S.APPROVED
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-sequence").first()
    assert event is not None
    assert event.actor_roles == ["agency_leader"]


@pytest.mark.django_db
def test_the_counter_may_withdraw_on_behalf_of_the_applicant(demo_world: DemoWorld) -> None:
    # given a submitted dossier
    cast = build_cast(demo_world)
    clock = Ticker(MONDAY)
    dossier = drive(cast, "submitted", clock)

    # when the receiving officer records the withdrawal the citizen asked for at the counter
    dossier = perform(cast, dossier, A.WITHDRAW, at=clock(), actor=cast.counter)

    # then the dossier is withdrawn (national status 7) and finished at that moment
    assert dossier.status == S.WITHDRAWN
    assert dossier.national_status_code == 7
    assert dossier.finished_at == clock.current
