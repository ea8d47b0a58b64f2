"""Deadline watch (theo dõi hạn giải quyết): the dossiers at risk of being late, and a daily notice.

A dossier is at risk when its clock runs (it is open, not waiting for the citizen, not paused while a pause
stops the clock, its result not ready yet) and either

- it is overdue (its due date, a Hanoi date, is before today), or
- it is due today or on the next working day and has had no apology with extension yet (Form 04): the
  apology must reach the applicant at least one working day before the due date (Decree 61/2018
  Art 19(9); ``policies.extension_min_working_days_before_due``), so the day before is the last chance.

``at_risk`` lists them for the agencies under some paths (the page of the centre director or a leader: a
dossier counts for its competent agency and for its receiving agency). ``notify_at_risk`` (the daily
``deadline_watch`` command) writes ONE outbox message per officer and day, listing that officer's dossiers
at risk, to the dossier's assignee and to the agency leaders of its competent agency; running it again the
same day writes nothing new for an officer already notified. The e-mail itself is sent by
``integrations.notifications.handlers.send_deadline_watch``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from motcua.accounts.models import Membership, Role, User, UserKind
from motcua.calendar.services import load_calendar
from motcua.core import outbox_topics
from motcua.core.clock import to_vn
from motcua.core.models import OutboxMessage, enqueue
from motcua.dossiers import policies
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.worklists import (
    DEADLINE_DONE,
    HEAVY_PROCEDURE_FIELDS,
    NO_DATE_LAST,
    OPEN_STATUSES,
    WAITING_FOR_CITIZEN,
    Mark,
    day_start,
    subtree_ids,
)

#: At most this many dossiers are listed in one notice (the rest are counted).
MAX_LISTED = 100
_LOCK_KEY = 4_046_001  # pg_advisory_xact_lock key serialising concurrent runs of notify_at_risk


@dataclass(frozen=True)
class AtRisk:
    dossier: Dossier
    mark: Mark  # OVERDUE, DUE_TODAY or DUE_SOON (due on the next working day)
    due_at: datetime


def running_statuses() -> list[Status]:
    """Open statuses whose clock runs (per the pause policy)."""
    stopped = set(WAITING_FOR_CITIZEN | DEADLINE_DONE)
    if policies.current().pause_stops_clock:
        stopped.add(Status.PAUSED)
    return [s for s in OPEN_STATUSES if s not in stopped]


def _sort_key() -> Coalesce:
    # sorted on an expression, not on ``due_at`` itself: see ``worklists.NO_DATE_LAST``
    return Coalesce(F("due_at"), Value(NO_DATE_LAST, output_field=DateTimeField()))


def at_risk(agency_paths: Iterable[str] | None, today: date, *, limit: int | None = None) -> list[AtRisk]:
    """Dossiers at risk on ``today`` (a Hanoi date) whose competent or receiving agency lies under one of
    ``agency_paths`` (``None``: every agency), by due date then code (so the overdue come first); at most
    ``limit`` of them when given (a page)."""
    today_start = day_start(today)
    tomorrow_start = day_start(today + timedelta(days=1))
    last_chance_end = day_start(load_calendar().next_working_day(today) + timedelta(days=1))
    candidates: QuerySet[Dossier] = Dossier.objects.filter(
        status__in=running_statuses(), due_at__lt=last_chance_end
    ).filter(Q(due_at__lt=today_start) | Q(extension_count=0))
    selected = candidates
    if agency_paths is not None:
        paths = list(agency_paths)
        if not paths:
            return []
        agencies = subtree_ids(paths)
        # One branch per agency of the dossier, each read from its own index (an OR of the two conditions
        # would read every dossier at risk in the database); UNION lists a dossier of both branches once.
        competent, receiving = (
            candidates.filter(competent_agency_id__in=agencies),
            candidates.filter(receiving_agency_id__in=agencies),
        )
        if limit is not None:  # the page of ids from the indexes alone, then its rows
            columns = ("pk", "sort_key", "code")
            page = (
                competent.annotate(sort_key=_sort_key())
                .values_list(*columns)
                .union(receiving.annotate(sort_key=_sort_key()).values_list(*columns))
                .order_by("sort_key", "code")[:limit]
            )
            selected = Dossier.objects.filter(pk__in=[row[0] for row in page])
        else:
            selected = Dossier.objects.filter(pk__in=competent.values("pk").union(receiving.values("pk")))
    ordered = (
        selected.select_related("procedure", "receiving_agency", "competent_agency", "assignee")
        .defer("form_data", *HEAVY_PROCEDURE_FIELDS)
        .annotate(sort_key=_sort_key())
        .order_by("sort_key", "code")
    )
    rows: list[AtRisk] = []
    for dossier in ordered[:limit] if limit is not None else ordered:
        assert dossier.due_at is not None
        if dossier.due_at < today_start:
            mark = Mark.OVERDUE
        elif dossier.due_at < tomorrow_start:
            mark = Mark.DUE_TODAY
        else:
            mark = Mark.DUE_SOON
        rows.append(AtRisk(dossier, mark, dossier.due_at))
    return rows


@dataclass
class WatchReport:
    day: date
    dossiers: int = 0
    notified: list[str] = field(default_factory=list)  # usernames written a message now
    already_notified: list[str] = field(default_factory=list)  # usernames with a message for the day


def notice_key(officer: User, day: date) -> str:
    return f"{officer.pk}:{day.isoformat()}"


def recipients(rows: Iterable[AtRisk]) -> dict[User, list[AtRisk]]:
    """Who hears of each dossier: its assignee and the agency leaders of its competent agency (active
    officers only), with the dossiers each of them hears of."""
    rows = list(rows)
    leaders: dict[int, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        role=Role.AGENCY_LEADER,
        agency_id__in={r.dossier.competent_agency_id for r in rows},
        user__is_active=True,
        user__kind=UserKind.OFFICER,
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        leaders[membership.agency_id].append(membership.user)
    heard: dict[User, list[AtRisk]] = defaultdict(list)
    for row in rows:
        people = list(leaders.get(row.dossier.competent_agency_id, []))
        assignee = row.dossier.assignee
        if assignee is not None and assignee.is_active and assignee.is_officer:
            people.append(assignee)
        for person in {p.pk: p for p in people}.values():
            heard[person].append(row)
    return dict(heard)


def _payload(officer: User, day: date, rows: list[AtRisk]) -> dict[str, object]:
    return {
        "officer_id": officer.pk,
        "day": day.isoformat(),
        "total": len(rows),
        "counts": {
            mark.value: sum(1 for r in rows if r.mark == mark)
            for mark in (Mark.OVERDUE, Mark.DUE_TODAY, Mark.DUE_SOON)
        },
        "dossiers": [
            {
                "code": r.dossier.code,
                "procedure": r.dossier.procedure.national_code,
                "competent_agency": r.dossier.competent_agency.code,
                "due_at": to_vn(r.due_at).isoformat(),
                "mark": r.mark.value,
            }
            for r in rows[:MAX_LISTED]
        ],
    }


def notify_at_risk(today: date) -> WatchReport:
    """Write one ``notification.deadline_watch`` outbox message per officer for ``today``; idempotent."""
    rows = at_risk(None, today)
    report = WatchReport(day=today, dossiers=len(rows))
    heard = recipients(rows)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        done = set(
            OutboxMessage.objects.filter(
                topic=outbox_topics.NOTIFY_DEADLINE_WATCH,
                key__in=[notice_key(officer, today) for officer in heard],
            ).values_list("key", flat=True)
        )
        for officer in sorted(heard, key=lambda u: u.username):
            key = notice_key(officer, today)
            if key in done:
                report.already_notified.append(officer.username)
                continue
            enqueue(
                outbox_topics.NOTIFY_DEADLINE_WATCH, key=key, payload=_payload(officer, today, heard[officer])
            )
            report.notified.append(officer.username)
    return report
