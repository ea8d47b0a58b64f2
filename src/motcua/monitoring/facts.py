"""What a dossier means for monitoring: its fact (``derive``) and the counters it adds (``contributions``).

``derive`` reads the dossier, its events, attachments, legs and rating, and returns an unsaved
``DossierFact`` (or ``None`` when the dossier was never received, so it counts nowhere). ``contributions``
turns a fact into ``{(measure, day): value}``; the aggregates are the sums of the contributions of all facts
(``maintain``), and every rule below is also the drill-down filter of its counter (``queries.dossiers_behind``).

Days are local dates (UTC+7, spec §5.1). Two on-time views are kept (spec §2.9):

* legal: a decided dossier (result or refusal) is late when decided after its due date; early when decided
  on a day before the due day. The due date is the one in force (restarts and pauses included); whether the
  new date of an apology replaces it is the policy ``reappointed_date_counts``.
* Decision 766 (spec §2.9 item 6, SECONDARY [F766 2.1]): the end of processing minus the time spent waiting
  for supplements, against the first appointment; more than one supplement request after receipt makes the
  dossier late; an open supplement request freezes the end at the request.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils.dateparse import parse_datetime

from motcua.accounts.models import ExternalIdentity
from motcua.calendar.services import load_calendar
from motcua.calendar.workingdays import WorkingCalendar
from motcua.catalogue.models import Channel, OnlineMode, ProcedureChannel, ProcedureOffering
from motcua.core.clock import to_vn
from motcua.dossiers import deadlines
from motcua.dossiers.constants import Action, DeliveryMethod, Status
from motcua.dossiers.models import (
    AttachmentPurpose,
    Dossier,
    DossierAttachment,
    DossierEvent,
    DossierLeg,
    Evaluation,
)
from motcua.monitoring import measures, policies
from motcua.monitoring.models import DossierFact

IMPORT_ACTION = "import"
RESOLVED_STATUSES = frozenset({Status.RESOLVED, Status.RETURNED, Status.REFUSED})
ENDED_WITHOUT_DECISION = frozenset({Status.STOPPED, Status.WITHDRAWN})
_POINTS = {
    "agencies_contacted": {"none": 2, "one": 1, "more": 0},
    "information": {"complete": 2, "partial": 1, "wrong": 0},
    "attitude": {"good": 2, "neutral": 1, "bad": 0},
}


@dataclass(frozen=True)
class Rule:
    """``measure`` adds ``value`` (1, or the fact's attribute ``value``) on the fact's day ``day`` when every
    condition of ``where`` holds. ``where`` uses Django lookups (``x``, ``x__in``, ``x__isnull``) so the same
    rule filters facts in SQL for the drill-down."""

    measure: str
    day: str
    where: Mapping[str, Any] = field(default_factory=dict)
    value: str | None = None

    def holds(self, fact: DossierFact) -> bool:
        for lookup, wanted in self.where.items():
            name, _, op = lookup.partition("__")
            actual = getattr(fact, name)
            if op == "in":
                if actual not in wanted:
                    return False
            elif op == "isnull":
                if (actual is None) != wanted:
                    return False
            elif actual != wanted:
                return False
        return True


ONLINE_MODES = (OnlineMode.FULL.value, OnlineMode.PARTIAL.value)


def _rules() -> tuple[Rule, ...]:
    r, f, rt, ev = "received_on", "finished_on", "returned_on", "evaluated_on"
    online = Channel.ONLINE.value
    decided = {"resolved": True}
    rules = [
        Rule("received", r),
        Rule("received_online", r, {"channel": online}),
        Rule("received_in_person", r, {"channel": Channel.IN_PERSON.value}),
        Rule("received_postal", r, {"channel": Channel.POSTAL.value}),
        Rule("received_kiosk", r, {"channel": Channel.KIOSK.value}),
        Rule("received_full_online", r, {"channel": online, "online_mode": OnlineMode.FULL.value}),
        Rule("received_partial_online", r, {"channel": online, "online_mode": OnlineMode.PARTIAL.value}),
        Rule("received_of_online_services", r, {"online_mode__in": ONLINE_MODES}),
        Rule("received_of_full_online_eligible", r, {"full_online_eligible": True}),
        Rule(
            "received_full_online_of_eligible",
            r,
            {"full_online_eligible": True, "channel": online, "online_mode": OnlineMode.FULL.value},
        ),
        Rule("received_of_level2", r, {"historical_level": 2}),
        Rule("received_of_level3", r, {"historical_level": 3}),
        Rule("received_of_level4", r, {"historical_level": 4}),
        Rule("received_online_of_level3", r, {"historical_level": 3, "channel": online}),
        Rule("received_online_of_level4", r, {"historical_level": 4, "channel": online}),
        Rule("received_with_fee", r, {"with_fee": True}),
        Rule("received_paid_online", r, {"paid_online": True}),
        Rule("received_with_files", r, {"with_files": True}),
        Rule("received_digitized", r, {"digitized": True}),
        Rule("received_reused", r, {"reused": True}),
        Rule("received_population_data", r, {"population_data": True}),
        Rule("finished", f),
        Rule("resolved", f, decided),
        Rule("resolved_early", f, {**decided, "outcome": "early"}),
        Rule("resolved_on_time", f, {**decided, "outcome": "on_time"}),
        Rule("resolved_late", f, {**decided, "outcome": "late"}),
        Rule("resolved_late_online", f, {**decided, "outcome": "late", "channel": online}),
        Rule("finished_on_time_766", f, {"outcome_766": "on_time"}),
        Rule("finished_late_766", f, {"outcome_766": "late"}),
        Rule("processing_centidays", f, {"processing_centidays__isnull": False}, "processing_centidays"),
        Rule("processing_measured", f, {"processing_centidays__isnull": False}),
        Rule("resolved_with_e_result", f, {**decided, "e_result": True}),
        Rule("returned", rt),
        Rule("returned_online", rt, {"delivery": DeliveryMethod.ONLINE.value}),
        Rule("returned_postal", rt, {"delivery": DeliveryMethod.POST.value}),
        Rule("evaluations", ev, {"satisfaction__in": None}),  # condition filled by policy in RULES below
        Rule("evaluations_satisfied", ev, {"satisfaction__in": None}),
        Rule("evaluations_not_satisfied", ev, {"satisfaction": "not_satisfied"}),
    ]
    for index, day in (("1", f), ("2", f), ("3", f), ("4", ev), ("6", ev), ("7", ev)):
        attr = f"ci{index}"
        rules.append(Rule(f"{attr}_points", day, {f"{attr}__isnull": False}, attr))
        rules.append(Rule(f"{attr}_scored", day, {f"{attr}__isnull": False}))
    rules.append(Rule("postal_any", r, {"postal_any": True}))
    return tuple(rules)


def rules() -> dict[str, Rule]:
    """The rule of every flow counter (and ``postal_any``), with the policy's satisfied answers filled in."""
    satisfied = policies.current().satisfied_values
    out: dict[str, Rule] = {}
    for rule in _rules():
        if rule.measure == "evaluations":
            rule = Rule(rule.measure, rule.day, {"evaluated_on__isnull": False})
        elif rule.measure == "evaluations_satisfied":
            rule = Rule(rule.measure, rule.day, {"satisfaction__in": satisfied})
        out[rule.measure] = rule
    missing = set(measures.FLOWS) - set(out)
    assert not missing, f"measures without a rule: {sorted(missing)}"
    return out


STOCK_MARKS = {
    "open_delta": None,
    "open_late_delta": "late_mark_on",
    "open_late_766_delta": "late_766_mark_on",
}


def _stock(fact: DossierFact, mark_attr: str | None) -> list[tuple[date, int]]:
    """+1 the day the dossier enters the state, −1 the day it finishes (if it was in the state by then).

    In progress at the start of day T: received before T and not finished before T. Late at T as well: its
    mark day (the due day) is before T. So the dossier is counted on the days T with max(received, mark) < T
    <= finished, which the deltas express."""
    assert fact.received_on is not None
    start = fact.received_on
    if mark_attr is not None:
        mark = getattr(fact, mark_attr)
        if mark is None:
            return []
        start = max(start, mark)
    if fact.finished_on is not None and fact.finished_on <= start:
        return []
    out = [(start, 1)]
    if fact.finished_on is not None:
        out.append((fact.finished_on, -1))
    return out


Contribution = dict[tuple[str, date], int]
#: a rule compiled: measure, day attribute, conditions (attribute, "in" / "isnull" / "", wanted), value attribute
_Compiled = tuple[tuple[str, str, tuple[tuple[str, str, Any], ...], str | None], ...]


def _compile(rule_set: Mapping[str, Rule], wanted: Sequence[str]) -> _Compiled:
    out = []
    for measure in wanted:
        rule = rule_set[measure]
        conditions = []
        for lookup, value in rule.where.items():
            name, _, op = lookup.partition("__")
            conditions.append((name, op, value))
        out.append((measure, rule.day, tuple(conditions), rule.value))
    return tuple(out)


def _apply(compiled: _Compiled, fact: DossierFact, out: dict[tuple[str, date], int]) -> None:
    """``Rule.holds`` for each compiled rule, without the per-lookup parsing (same tests, same order)."""
    for measure, day_attr, conditions, value_attr in compiled:
        day = getattr(fact, day_attr)
        if day is None:
            continue
        for name, op, wanted in conditions:
            actual = getattr(fact, name)
            if op == "in":
                if actual not in wanted:
                    break
            elif op == "isnull":
                if (actual is None) != wanted:
                    break
            elif actual != wanted:
                break
        else:
            out[(measure, day)] += getattr(fact, value_attr) if value_attr else 1


class _Plan:
    """A rule set compiled for ``contributions`` and ``procedure_contributions``, with the contributions
    already computed, keyed by the values of every attribute a rule or a stock reads: a contribution is a
    pure function of those values, so facts alike (same days, channel, flags…) are computed once. A plan is
    found by the identity of its rule set (``maintain`` builds one per batch and never changes it)."""

    MAX_SEEN = 100_000

    def __init__(self, rule_set: Mapping[str, Rule]) -> None:
        self.rule_set = rule_set
        self.flows = _compile(rule_set, measures.FLOWS)
        self.per_procedure = _compile(rule_set, measures.PER_PROCEDURE)
        names = {"received_on", "finished_on", *(mark for mark in STOCK_MARKS.values() if mark)}
        for _, day_attr, conditions, value_attr in (*self.flows, *self.per_procedure):
            names.add(day_attr)
            names.update(name for name, _, _ in conditions)
            if value_attr:
                names.add(value_attr)
        self.key = operator.attrgetter(*sorted(names))
        self.seen: dict[tuple[Any, ...], Contribution] = {}
        self.seen_per_procedure: dict[tuple[Any, ...], Contribution] = {}

    def contributions(self, fact: DossierFact) -> Contribution:
        return self._remembered(self.seen, fact, with_stocks=True)

    def procedure_contributions(self, fact: DossierFact) -> Contribution:
        return self._remembered(self.seen_per_procedure, fact, with_stocks=False)

    def _remembered(
        self, seen: dict[tuple[Any, ...], Contribution], fact: DossierFact, *, with_stocks: bool
    ) -> Contribution:
        key = self.key(fact)
        found = seen.get(key)
        if found is None:
            out: Contribution = defaultdict(int)
            _apply(self.flows if with_stocks else self.per_procedure, fact, out)
            if with_stocks:
                for measure, mark in STOCK_MARKS.items():
                    for day, delta in _stock(fact, mark):
                        out[(measure, day)] += delta
            found = {k: v for k, v in out.items() if v}
            if len(seen) >= self.MAX_SEEN:
                seen.clear()
            seen[key] = found
        return dict(found)


_PLANS: list[_Plan] = []


def _plan(rule_set: Mapping[str, Rule] | None) -> _Plan:
    if not rule_set:
        return _Plan(rules())  # the policy's rules of now: not kept
    for plan in _PLANS:
        if plan.rule_set is rule_set:
            return plan
    plan = _Plan(rule_set)
    _PLANS.insert(0, plan)
    del _PLANS[4:]
    return plan


def contributions(fact: DossierFact | None, rule_set: Mapping[str, Rule] | None = None) -> Contribution:
    """Every counter of ``measures.ALL`` this fact adds, keyed by (measure, day)."""
    out: Contribution = defaultdict(int)
    if fact is None or fact.received_on is None:
        return out
    return _plan(rule_set).contributions(fact)


def procedure_contributions(
    fact: DossierFact | None, rule_set: Mapping[str, Rule] | None = None
) -> Contribution:
    """The counters of ``measures.PER_PROCEDURE`` this fact adds."""
    out: Contribution = defaultdict(int)
    if fact is None or fact.received_on is None:
        return out
    return _plan(rule_set).procedure_contributions(fact)


# -- derivation ----------------------------------------------------------------------------------------


@dataclass
class Related:
    """The rows ``derive`` reads besides the dossier, loaded in bulk for many dossiers at once."""

    events: dict[int, list[DossierEvent]] = field(default_factory=lambda: defaultdict(list))
    attachments: dict[int, list[DossierAttachment]] = field(default_factory=lambda: defaultdict(list))
    legs: dict[int, list[DossierLeg]] = field(default_factory=lambda: defaultdict(list))
    evaluations: dict[int, Evaluation] = field(default_factory=dict)
    identified_users: set[int] = field(default_factory=set)
    offerings: dict[tuple[int, int], ProcedureOffering] = field(default_factory=dict)
    fee_channels: set[tuple[int, str]] = field(default_factory=set)
    calendar: WorkingCalendar | None = None
    #: working days between two days, as computed already for this batch
    working_days: dict[tuple[date, date], int] = field(default_factory=dict)


def load_related(
    dossiers: Sequence[Dossier],
    *,
    events: Mapping[int, list[DossierEvent]] | None = None,
    just_created: bool = False,
    calendar: WorkingCalendar | None = None,
) -> Related:
    """The rows ``derive`` reads for ``dossiers``, a few queries for all of them.

    A caller that has some of them already says so: ``events`` are every event of each dossier, in sequence
    order; ``just_created`` means the dossiers were created in the caller's transaction with nothing attached
    (the historical import: one event each), so their attachments, legs and ratings, of which there are
    none, are not read; ``calendar`` is the working calendar loaded once for many batches."""
    ids = [d.pk for d in dossiers]
    # once per batch: each load checks the calendar tables
    related = Related(calendar=calendar if calendar is not None else load_calendar())
    if events is not None:
        for pk in ids:
            if pk in events:
                related.events[pk] = events[pk]
    else:
        for event in DossierEvent.objects.filter(dossier_id__in=ids).order_by("dossier_id", "sequence"):
            related.events[event.dossier_id].append(event)
    if not just_created:
        for attachment in DossierAttachment.objects.filter(dossier_id__in=ids).order_by("id"):
            related.attachments[attachment.dossier_id].append(attachment)
        for leg in DossierLeg.objects.filter(dossier_id__in=ids):
            related.legs[leg.dossier_id].append(leg)
        for evaluation in Evaluation.objects.filter(dossier_id__in=ids):
            related.evaluations[evaluation.dossier_id] = evaluation
    applicants = {d.applicant_id for d in dossiers if d.applicant_id}
    related.identified_users = set(
        ExternalIdentity.objects.filter(user_id__in=applicants).values_list("user_id", flat=True)
    )
    pairs = {(d.receiving_agency_id, d.procedure_id) for d in dossiers}
    procedures = {p for _, p in pairs}
    for offering in ProcedureOffering.objects.filter(
        procedure_id__in=procedures, agency_id__in={a for a, _ in pairs}
    ):
        if (offering.agency_id, offering.procedure_id) in pairs:
            related.offerings[(offering.agency_id, offering.procedure_id)] = offering
    related.fee_channels = set(
        ProcedureChannel.objects.filter(procedure_id__in=procedures, fee_amount__gt=0).values_list(
            "procedure_id", "channel"
        )
    )
    return related


def _day(moment: datetime | None) -> date | None:
    return to_vn(moment).date() if moment is not None else None


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return parse_datetime(str(value))


def _leg_points(leg: DossierLeg) -> int | None:
    if leg.completed_at is None or leg.due_at is None:
        return None
    if leg.completed_at > leg.due_at:
        return 0
    return 2 if _day(leg.completed_at) < _day(leg.due_at) else 1  # type: ignore[operator]


def _supplements_after(
    events: Iterable[DossierEvent], received_at: datetime
) -> tuple[int, timedelta, datetime | None]:
    """Supplement requests after receipt, the time spent waiting for completed ones, an open request."""
    requests, waited, open_at = 0, timedelta(0), None
    for event in events:
        if event.at < received_at:
            continue
        if event.action == Action.REQUEST_SUPPLEMENT:
            requests += 1
            open_at = event.at
        elif event.action == Action.SUPPLEMENT and open_at is not None:
            waited += event.at - open_at
            open_at = None
    return requests, waited, open_at


def derive(dossier: Dossier, related: Related) -> DossierFact | None:
    """The fact of ``dossier``, or ``None`` when it was never received (it then counts nowhere)."""
    received_at = dossier.accepted_at
    if received_at is None:
        return None
    policy = policies.current()
    events = related.events.get(dossier.pk, [])
    imported = events[0].payload if events and events[0].action == IMPORT_ACTION else None
    flags: dict[str, Any] = dict((imported or {}).get("flags", {}))
    attachments = related.attachments.get(dossier.pk, [])
    status = Status(dossier.status)

    resolved = status in RESOLVED_STATUSES
    if resolved:
        finish_at = dossier.resolved_at or dossier.returned_at or dossier.finished_at
    elif status in ENDED_WITHOUT_DECISION:
        finish_at = dossier.finished_at
    else:
        finish_at = None
    if status == Status.REFUSED:
        finish_at = dossier.finished_at

    # -- legal due date and outcome
    due = dossier.due_at
    extension = next((e for e in events if e.action == Action.REQUEST_EXTENSION), None)
    if extension is not None and not policy.reappointed_date_counts:
        due = _moment(extension.payload.get("previous_due_at")) or due
    outcome = ""
    if resolved and finish_at is not None:
        if due is None:
            outcome = policy.no_time_limit_outcome
        elif finish_at > due:
            outcome = "late"
        elif _day(finish_at) < _day(due):  # type: ignore[operator]
            outcome = "early"
        else:
            outcome = "on_time"
    waiting_for_citizen = status == Status.SUPPLEMENT_REQUESTED
    late_mark = _day(due) if due is not None and not waiting_for_citizen else None

    # -- Decision 766 view
    requests, waited, open_request = _supplements_after(events, received_at)
    if imported is not None:
        appointment = dossier.original_due_at or dossier.due_at
        requests = int(imported.get("supplement_count", 0) or 0)
    else:
        start = dossier.competent_received_at if dossier.boundary_free else received_at
        restarted = any(e.action == Action.SUPPLEMENT and e.at > received_at for e in events)
        if not restarted and dossier.original_due_at is not None:
            appointment = dossier.original_due_at  # set when the clock started, untouched since
        else:
            appointment = deadlines.due_from(start, dossier) if start is not None else None
        if extension is not None and policy.reappointed_date_counts:
            appointment = _moment(extension.payload.get("new_due_at")) or appointment
    outcome_766, late_766_mark = "", None
    if requests > 1:
        late_766_mark = _day(received_at)
    elif appointment is not None:
        late_766_mark = _day(appointment + waited)
        if finish_at is None and open_request is not None and open_request - waited <= appointment:
            late_766_mark = None  # waiting for the applicant, who was asked in time: not late meanwhile
    if finish_at is not None:
        late = requests > 1 or (appointment is not None and finish_at - waited > appointment)
        outcome_766 = "late" if late else "on_time"

    processing = None
    if resolved and finish_at is not None:
        begin = (
            dossier.competent_received_at
            if dossier.boundary_free and dossier.competent_received_at
            else received_at
        )
        span: tuple[date, date] = (_day(begin), _day(finish_at))  # type: ignore[assignment]
        days = related.working_days.get(span)
        if days is None:
            calendar = related.calendar or load_calendar()
            days = related.working_days[span] = calendar.working_days_between(*span)
        processing = days * 100

    offering = related.offerings.get((dossier.receiving_agency_id, dossier.procedure_id))
    online_mode = offering.online_mode if offering is not None else OnlineMode.NONE.value
    level = offering.historical_level if offering is not None else None
    payment_requested = any(e.action == Action.REQUEST_PAYMENT for e in events)
    paid_online = any(
        e.action == Action.CONFIRM_PAYMENT and e.payload.get("method") == "online" for e in events
    )
    submissions = [a for a in attachments if a.purpose != AttachmentPurpose.RESULT]
    evaluation = related.evaluations.get(dossier.pk)
    satisfaction = (
        evaluation.satisfaction
        if evaluation is not None
        else str(imported.get("satisfaction", "") if imported else "")
    )
    evaluated_on = _day(evaluation.submitted_at) if evaluation is not None else None
    if evaluation is None and satisfaction:
        evaluated_on = _day(dossier.returned_at or finish_at)
    answers = evaluation.answers if evaluation is not None else {}

    returned_on = _day(dossier.returned_at) if status == Status.RETURNED else None
    delivery = dossier.delivery_method
    leg_points = [p for p in (_leg_points(leg) for leg in related.legs.get(dossier.pk, [])) if p is not None]
    supplements_total = sum(1 for e in events if e.action == Action.REQUEST_SUPPLEMENT)
    if imported is not None:
        supplements_total = requests

    fact = _new_fact(
        dossier_id=dossier.pk,
        agency_id=dossier.competent_agency_id,
        procedure_id=dossier.procedure_id,
        channel=dossier.channel,
        received_on=_day(received_at),
        finished_on=_day(finish_at),
        returned_on=returned_on,
        evaluated_on=evaluated_on,
        resolved=resolved and finish_at is not None,
        outcome=outcome,
        outcome_766=outcome_766,
        late_mark_on=late_mark,
        late_766_mark_on=late_766_mark,
        processing_centidays=processing,
        online_mode=online_mode,
        historical_level=level,
        full_online_eligible=bool(dossier.procedure.eligible_full_online),
        with_fee=bool(flags.get("fee"))
        or payment_requested
        or (dossier.procedure_id, dossier.channel) in related.fee_channels,
        paid_online=bool(flags.get("paid_online")) or paid_online,
        with_files=bool(submissions) or bool(flags.get("digitized")) or bool(flags.get("reused")),
        digitized=any(a.digitized for a in submissions) or bool(flags.get("digitized")),
        reused=any(a.reused for a in submissions) or bool(flags.get("reused")),
        population_data=bool(flags.get("population_data"))
        or dossier.applicant_id in related.identified_users,
        e_result=any(a.purpose == AttachmentPurpose.RESULT for a in attachments)
        or bool(flags.get("e_result")),
        delivery=delivery,
        postal_any=dossier.channel == Channel.POSTAL
        or (returned_on is not None and delivery == DeliveryMethod.POST),
        satisfaction=satisfaction,
        ci1={"early": 2, "on_time": 1, "late": 0}.get(outcome) if outcome else None,
        ci2=min(leg_points) if leg_points and finish_at is not None else None,
        ci3=(2 if supplements_total == 0 else 1 if supplements_total == 1 else 0)
        if finish_at is not None
        else None,
        ci4=_POINTS["agencies_contacted"].get(str(answers.get("agencies_contacted", ""))),
        ci6=_POINTS["information"].get(str(answers.get("information", ""))),
        ci7=_POINTS["attitude"].get(str(answers.get("attitude", ""))),
    )
    return fact


def _new_fact(**values: Any) -> DossierFact:
    """``DossierFact(**values)`` through Django's positional fast path (every column by position, the
    default of a column not given): cheaper for the thousands of facts a batch derives."""
    columns, names = _fact_columns()
    if not values.keys() <= names:
        raise TypeError(f"not columns of DossierFact: {sorted(values.keys() - names)}")
    return DossierFact(*[values.get(name, default) for name, default in columns])  # type: ignore[misc]


@cache
def _fact_columns() -> tuple[tuple[tuple[str, Any], ...], frozenset[str]]:
    """Every column of ``DossierFact`` in order with its default (all immutable), and their names."""
    columns = tuple((f.attname, f.get_default()) for f in DossierFact._meta.concrete_fields)
    return columns, frozenset(name for name, _ in columns)


def fact_values(fact: DossierFact) -> dict[str, Any]:
    """The stored columns of a fact, to compare two facts or write one."""
    return {f.attname: getattr(fact, f.attname) for f in DossierFact._meta.concrete_fields}


def decimal_days(centidays: int) -> Decimal:
    return Decimal(centidays) / 100
