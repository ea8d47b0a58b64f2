"""Worklists (danh sách hồ sơ cần xử lý): what each officer has to do now, within their agency subtree.

A worklist is data (``WORKLISTS``): the statuses it gathers, a further condition, and — in the shape of
``workflow.ACTION_RULES`` — for which agency of the dossier (receiving, competent, or a transfer leg's) which
roles see it. An officer sees a list when one of their memberships carries one of its roles, and then the
dossiers whose agency for that rule lies in the subtree of such a membership (a materialised ``path``
prefix: one indexed sub-query, never a loop over agencies). Every list gathers dossiers on which its roles
may perform its actions (``Worklist.actions``), so a list never shows what the officer cannot act on.

Lists are sorted by due date (no due date last), then dossier code, and paged by offset (``page``) or by
keyset (``cursor``, stable while rows change). Filters: procedure code, field, channel, status, due window
(the deadline marks below) and assignee. ``counts`` gives the length of each list (one query per list).

Deadline marks (``deadline_mark``), on the Vietnamese working calendar (``calendar.load_calendar``):
overdue (due date before today), due today, due soon (due within the next 2 working days), waiting for the
citizen (supplement or payment asked: the clock is theirs) and ok. A dossier whose result is ready
(resolved) or that is closed is ok. Dates are Hanoi dates; the worklist's due window filters select
exactly the dossiers that carry the mark.

Fast on a million dossiers (``bench/worklist.py``): the indexes are in migration ``0003_worklist_indexes``
(partial, over the open dossiers only); a page is cut from the dossier table alone and only its rows are then
joined to their procedure, agencies and assignee (``form_data`` is not loaded); the sort key is an
expression the table-wide ``due_at`` index cannot serve (see ``NO_DATE_LAST``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import memberships_of
from motcua.agencies.models import Agency
from motcua.calendar.services import load_calendar
from motcua.calendar.workingdays import WorkingCalendar
from motcua.catalogue.models import Channel
from motcua.core.clock import VN_TZ, now, to_vn
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.constants import TERMINAL, Action, Status
from motcua.dossiers.models import Dossier, DossierLeg
from motcua.dossiers.workflow import COMPETENT, LEG, RECEIVING

S, A = Status, Action

#: Statuses of a dossier still being handled (neither a draft nor closed).
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s != S.DRAFT and s not in TERMINAL)
#: The citizen has to act (supplement, pay); the officer only waits.
WAITING_FOR_CITIZEN = frozenset({S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT})
#: The result is ready or the dossier is closed: its deadline no longer runs.
DEADLINE_DONE = frozenset({S.RESOLVED, *TERMINAL})
#: "Due soon" means due within this many working days after today.
SOON_WORKING_DAYS = 2
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

_COUNTER = frozenset({Role.RECEIVING_OFFICER})
_HEADS = frozenset({Role.DIVISION_HEAD, Role.AGENCY_LEADER})
_PROCESSORS = frozenset({Role.SPECIALIST, Role.DIVISION_HEAD, Role.AGENCY_LEADER})


class Mark(models.TextChoices):
    OVERDUE = "overdue", "Quá hạn / overdue"
    DUE_TODAY = "due_today", "Đến hạn hôm nay / due today"
    DUE_SOON = "due_soon", "Sắp đến hạn (trong 2 ngày làm việc) / due within 2 working days"
    WAITING_CITIZEN = "waiting_citizen", "Chờ người dân / waiting for the citizen"
    OK = "ok", "Còn hạn / on time"


@dataclass(frozen=True)
class Worklist:
    """One list: which dossiers (statuses + condition), for whom (``rules``), to do what (``actions``).

    ``rules`` are (scope, roles) pairs as in ``workflow.ACTION_RULES``: scope ``receiving``, ``competent`` or
    ``leg`` (an open transfer leg of the dossier) names the agency that must lie in the subtree of one of
    the officer's memberships holding one of ``roles``. ``mine_or_unassigned`` keeps the dossiers assigned
    to the officer or to nobody.
    """

    key: str
    title_vi: str
    title_en: str
    statuses: frozenset[Status]
    rules: tuple[tuple[str, frozenset[Role]], ...]
    actions: tuple[Action, ...]
    condition: Q = field(default_factory=Q, compare=False)
    mine_or_unassigned: bool = False

    def title(self, language: str = "vi") -> str:
        return self.title_en if language.lower().startswith("en") else self.title_vi

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(role for _, roles in self.rules for role in roles)


WORKLISTS: tuple[Worklist, ...] = (
    Worklist(
        key="to_check",
        title_vi="Hồ sơ mới cần kiểm tra, tiếp nhận",
        title_en="New dossiers to check and accept",
        statuses=frozenset({S.SUBMITTED, S.SUPPLEMENT_RECEIVED}),
        condition=Q(accepted_at__isnull=True),
        rules=((RECEIVING, _COUNTER),),
        actions=(A.ACCEPT, A.REQUEST_SUPPLEMENT, A.REJECT),
    ),
    Worklist(
        key="to_receive",
        title_vi="Hồ sơ phi địa giới chờ cơ quan có thẩm quyền tiếp nhận",
        title_en="Boundary-free dossiers to receive at the competent agency",
        statuses=frozenset({S.ACCEPTED}),
        condition=Q(boundary_free=True, competent_received_at__isnull=True),
        rules=((COMPETENT, _COUNTER | _HEADS),),
        actions=(A.COMPETENT_RECEIVE,),
    ),
    Worklist(
        key="to_assign",
        title_vi="Hồ sơ chờ phân công",
        title_en="Dossiers to assign",
        statuses=frozenset({S.ACCEPTED}),
        condition=Q(clock_started_at__isnull=False),
        rules=((COMPETENT, _HEADS),),
        actions=(A.ASSIGN,),
    ),
    Worklist(
        key="to_appraise",
        title_vi="Hồ sơ cần thẩm định, xử lý",
        title_en="Dossiers to appraise",
        statuses=frozenset({S.PROCESSING, S.CONSULTING, S.SUPPLEMENT_RECEIVED}),
        condition=Q(accepted_at__isnull=False),
        rules=((COMPETENT, frozenset({Role.SPECIALIST})),),
        actions=(A.PROCESS, A.CONSULTATION_DONE, A.RESUME),
        mine_or_unassigned=True,
    ),
    Worklist(
        key="to_approve",
        title_vi="Hồ sơ chờ phê duyệt",
        title_en="Dossiers to approve",
        statuses=frozenset({S.PENDING_APPROVAL}),
        rules=((COMPETENT, _HEADS),),
        actions=(A.APPROVE, A.REFUSE),
    ),
    Worklist(
        key="to_resolve",
        title_vi="Hồ sơ đã phê duyệt, chờ có kết quả",
        title_en="Approved dossiers to resolve",
        statuses=frozenset({S.APPROVED}),
        rules=((COMPETENT, _PROCESSORS),),
        actions=(A.RESOLVE,),
    ),
    Worklist(
        key="to_return",
        title_vi="Hồ sơ có kết quả, chờ trả",
        title_en="Results to return",
        statuses=frozenset({S.RESOLVED}),
        rules=((RECEIVING, frozenset({Role.RECEIVING_OFFICER, Role.POSTAL_WORKER})),),
        actions=(A.RETURN_RESULT,),
    ),
    Worklist(
        key="to_confirm_extension",
        title_vi="Hồ sơ xin lỗi, gia hạn: cập nhật ngày hẹn mới",
        title_en="Apologies and extensions: confirm the new date",
        statuses=frozenset({S.EXTENSION_REQUESTED}),
        rules=((RECEIVING, _COUNTER),),
        actions=(A.CONFIRM_EXTENSION,),
    ),
    Worklist(
        key="waiting_citizen",
        title_vi="Hồ sơ chờ người dân bổ sung, thực hiện nghĩa vụ tài chính",
        title_en="Waiting for the citizen (supplement, payment)",
        statuses=WAITING_FOR_CITIZEN,
        rules=((RECEIVING, _COUNTER), (COMPETENT, _PROCESSORS)),
        actions=(A.SUPPLEMENT, A.CONFIRM_PAYMENT),
    ),
    Worklist(
        key="on_hold",
        title_vi="Hồ sơ tạm dừng hoặc đang chờ cơ quan phối hợp",
        title_en="Paused or with other agencies",
        statuses=frozenset({S.PAUSED, S.TRANSFERRED}),
        rules=((COMPETENT, _PROCESSORS),),
        actions=(A.RESUME,),
    ),
    Worklist(
        key="transferred_in",
        title_vi="Hồ sơ liên thông từ cơ quan khác chuyển đến",
        title_en="Transfer legs from other agencies",
        statuses=frozenset({S.TRANSFERRED}),
        rules=((LEG, _PROCESSORS),),
        actions=(A.COMPLETE_LEG,),
    ),
)
BY_KEY: dict[str, Worklist] = {w.key: w for w in WORKLISTS}


# --------------------------------------------------------------------------------------------------
# Deadline marks
# --------------------------------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


def soon_last_day(today: date, calendar: WorkingCalendar | None = None) -> date:
    """The last day that is still "due soon": the ``SOON_WORKING_DAYS``-th working day after ``today``."""
    calendar = calendar or load_calendar()
    day = today
    for _ in range(SOON_WORKING_DAYS):
        day = calendar.next_working_day(day)
    return day


def mark_of(
    due_at: datetime | None, status: str, today: date, calendar: WorkingCalendar | None = None
) -> Mark:
    """The mark of a dossier in ``status`` due at ``due_at``, seen on ``today`` (a Hanoi date)."""
    if status in WAITING_FOR_CITIZEN:
        return Mark.WAITING_CITIZEN
    if due_at is None or status in DEADLINE_DONE:
        return Mark.OK
    due_day = to_vn(due_at).date()
    if due_day < today:
        return Mark.OVERDUE
    if due_day == today:
        return Mark.DUE_TODAY
    if due_day <= soon_last_day(today, calendar):
        return Mark.DUE_SOON
    return Mark.OK


def deadline_mark(dossier: Dossier, today: date, calendar: WorkingCalendar | None = None) -> Mark:
    """Overdue / due today / due soon (≤ 2 working days) / waiting for the citizen / ok.

    For an item of a worklist the mark is already computed (for the legs list, on the leg's due date);
    otherwise it is computed on the dossier's current due date.
    """
    cached: tuple[date, Mark] | None = getattr(dossier, "_worklist_mark", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    return mark_of(getattr(dossier, "work_due_at", dossier.due_at), dossier.status, today, calendar)


# --------------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------------


def _minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop the paths that lie under another one (their subtree is already included)."""
    kept: list[str] = []
    for path in sorted({p for p in paths if p}):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def subtree_ids(paths: Iterable[str]) -> QuerySet[Agency, Any]:
    """The ids of the agencies under any of ``paths`` (a sub-query on the indexed ``path`` prefix)."""
    condition = Q()
    for path in _minimal_paths(paths):
        condition |= Q(path__startswith=path)
    if not condition:
        return Agency.objects.none().values("id")
    return Agency.objects.filter(condition).values("id")


def _open_legs(agencies: QuerySet[Agency, Any]) -> QuerySet[DossierLeg]:
    return DossierLeg.objects.filter(
        agency_id__in=agencies, started_at__isnull=False, completed_at__isnull=True
    )


def _paths_for(user: User, roles: frozenset[Role]) -> list[str]:
    return _minimal_paths(m.agency.path for m in memberships_of(user) if m.role in roles)


def available(user: User) -> list[Worklist]:
    """The worklists ``user`` has (a membership with one of the list's roles)."""
    held = {m.role for m in memberships_of(user)}
    return [w for w in WORKLISTS if held & {str(r) for r in w.roles}]


def get(key: str) -> Worklist:
    worklist_def = BY_KEY.get(key)
    if worklist_def is None:
        raise NotFound(
            "worklist_not_found",
            f"Không có danh sách hồ sơ '{key}'.",
            f"There is no worklist '{key}'.",
            field="key",
        )
    return worklist_def


def _leg_scope(user: User, definition: Worklist) -> QuerySet[Agency, Any] | None:
    paths = [p for scope, roles in definition.rules if scope == LEG for p in _paths_for(user, roles)]
    return subtree_ids(paths) if paths else None


def base_queryset(user: User, definition: Worklist) -> QuerySet[Dossier]:
    """Every dossier of ``definition`` that ``user`` has to see, unsorted and unfiltered.

    Annotated with ``work_due_at``: the dossier's due date, or for a list over transfer legs the earliest
    due date of the open legs of the officer's agencies.
    """
    condition = Q()
    for scope, roles in definition.rules:
        paths = _paths_for(user, roles)
        if not paths:
            continue
        agencies = subtree_ids(paths)
        if scope == RECEIVING:
            condition |= Q(receiving_agency_id__in=agencies)
        elif scope == COMPETENT:
            condition |= Q(competent_agency_id__in=agencies)
        elif scope == LEG:
            condition |= Q(pk__in=_open_legs(agencies).values("dossier_id"))
        else:  # pragma: no cover - WORKLISTS is data checked by the tests
            raise ValueError(f"unknown scope {scope}")
    if not condition:
        return with_work_due(Dossier.objects.none(), user, definition)
    qs = Dossier.objects.filter(condition, definition.condition, status__in=sorted(definition.statuses))
    if definition.mine_or_unassigned:
        qs = qs.filter(Q(assignee_id=user.pk) | Q(assignee__isnull=True))
    return with_work_due(qs, user, definition)


def with_work_due(qs: QuerySet[Dossier], user: User, definition: Worklist) -> QuerySet[Dossier]:
    """``qs`` annotated with ``work_due_at`` (see ``base_queryset``)."""
    legs = _leg_scope(user, definition)
    if legs is not None:
        leg_due = _open_legs(legs).filter(dossier_id=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
        return qs.annotate(work_due_at=Subquery(leg_due, output_field=models.DateTimeField()))
    return qs.annotate(work_due_at=F("due_at"))


# --------------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------------

FILTER_KEYS = ("procedure", "field", "channel", "status", "due", "assignee")


@dataclass(frozen=True)
class Filters:
    """``procedure``: national code; ``field``: field (lĩnh vực) id; ``channel``; ``status``; ``due``: a
    ``Mark`` value; ``assignee``: a user id, ``"me"`` or ``"none"``. Empty means "any"."""

    procedure: str = ""
    field: int | None = None
    channel: str = ""
    status: str = ""
    due: str = ""
    assignee: str = ""


def _bad_filter(name: str, value: object) -> DomainError:
    return DomainError(
        "invalid_filter",
        f"Giá trị lọc '{value}' của '{name}' không hợp lệ.",
        f"The filter value '{value}' for '{name}' is not valid.",
        field=name,
    )


def parse_filters(raw: Mapping[str, Any] | Filters | None) -> Filters:
    """Filters from a query string (empty values ignored); unknown names or bad values are refused."""
    if raw is None:
        return Filters()
    if isinstance(raw, Filters):
        values: dict[str, Any] = {k: getattr(raw, k) for k in FILTER_KEYS}
    else:
        unknown = set(raw) - set(FILTER_KEYS)
        if unknown:
            name = sorted(unknown)[0]
            raise _bad_filter(name, raw[name])
        values = dict(raw)
    clean = {k: ("" if values.get(k) is None else str(values.get(k)).strip()) for k in FILTER_KEYS}
    field_id: int | None = None
    if clean["field"]:
        if not clean["field"].isdigit():
            raise _bad_filter("field", clean["field"])
        field_id = int(clean["field"])
    if clean["channel"] and clean["channel"] not in Channel.values:
        raise _bad_filter("channel", clean["channel"])
    if clean["status"] and clean["status"] not in Status.values:
        raise _bad_filter("status", clean["status"])
    if clean["due"] and clean["due"] not in Mark.values:
        raise _bad_filter("due", clean["due"])
    if clean["assignee"] and clean["assignee"] not in ("me", "none") and not clean["assignee"].isdigit():
        raise _bad_filter("assignee", clean["assignee"])
    return Filters(
        procedure=clean["procedure"],
        field=field_id,
        channel=clean["channel"],
        status=clean["status"],
        due=clean["due"],
        assignee=clean["assignee"],
    )


def due_window(mark: Mark | str, today: date, calendar: WorkingCalendar | None = None) -> Q:
    """The condition on ``work_due_at`` and ``status`` that selects exactly the dossiers marked ``mark``."""
    mark = Mark(mark)
    if mark == Mark.WAITING_CITIZEN:
        return Q(status__in=sorted(WAITING_FOR_CITIZEN))
    today_start = day_start(today)
    tomorrow_start = day_start(today + timedelta(days=1))
    soon_end = day_start(soon_last_day(today, calendar) + timedelta(days=1))
    running = ~Q(status__in=sorted(WAITING_FOR_CITIZEN | DEADLINE_DONE))
    if mark == Mark.OVERDUE:
        return running & Q(work_due_at__lt=today_start)
    if mark == Mark.DUE_TODAY:
        return running & Q(work_due_at__gte=today_start, work_due_at__lt=tomorrow_start)
    if mark == Mark.DUE_SOON:
        return running & Q(work_due_at__gte=tomorrow_start, work_due_at__lt=soon_end)
    return ~Q(status__in=sorted(WAITING_FOR_CITIZEN)) & (
        Q(status__in=sorted(DEADLINE_DONE)) | Q(work_due_at__isnull=True) | Q(work_due_at__gte=soon_end)
    )


def apply_filters(
    qs: QuerySet[Dossier], filters: Filters, user: User, today: date, calendar: WorkingCalendar | None
) -> QuerySet[Dossier]:
    if filters.procedure:
        qs = qs.filter(procedure__national_code=filters.procedure)
    if filters.field is not None:
        qs = qs.filter(procedure__field_id=filters.field)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.due:
        qs = qs.filter(due_window(filters.due, today, calendar))
    return qs


# --------------------------------------------------------------------------------------------------
# Sorting and paging
# --------------------------------------------------------------------------------------------------

#: sort key -> (column sorted first, descending); the dossier code breaks ties (unique once filed).
SORTS: dict[str, tuple[str | None, bool]] = {
    "due": ("work_due_at", False),
    "-due": ("work_due_at", True),
    "submitted": ("submitted_at", False),
    "-submitted": ("submitted_at", True),
    "code": (None, False),
    "-code": (None, True),
}


@dataclass
class Page:
    """One page of a worklist. ``number`` is None when paged by cursor; ``next_cursor`` resumes after the
    last item (keyset paging) in either mode; ``total`` is counted only when asked for."""

    items: list[Dossier]
    number: int | None
    page_size: int
    has_next: bool
    next_cursor: str | None
    total: int | None = None

    @property
    def has_previous(self) -> bool:
        return bool(self.number and self.number > 1)

    @property
    def next_page_number(self) -> int | None:
        return self.number + 1 if self.number and self.has_next else None

    @property
    def previous_page_number(self) -> int | None:
        return self.number - 1 if self.number and self.number > 1 else None


# The primary sort key is COALESCE(column, far future) (far past when descending): "no date last" in both
# directions without NULL cases in the keyset, and an expression that the plain ``due_at`` index of the whole
# table cannot serve. Ordered by that index, PostgreSQL would walk years of closed dossiers looking for the
# few open ones (their due dates are all recent); the candidates are read from the open-dossier indexes instead.
NO_DATE_LAST = datetime(9999, 12, 31, tzinfo=UTC)
NO_DATE_FIRST = datetime(1, 1, 2, tzinfo=UTC)


def _with_sort_key(qs: QuerySet[Dossier], sort: str) -> QuerySet[Dossier]:
    column, desc = SORTS[sort]
    if column is None:
        return qs
    missing = Value(NO_DATE_FIRST if desc else NO_DATE_LAST, output_field=models.DateTimeField())
    return qs.annotate(sort_key=Coalesce(F(column), missing, output_field=models.DateTimeField()))


def _order_by(sort: str) -> list[Any]:
    column, desc = SORTS[sort]
    code = F("code").desc() if desc else F("code").asc()
    if column is None:
        return [code]
    return [F("sort_key").desc() if desc else F("sort_key").asc(), code]


def _encode_cursor(sort: str, item: Dossier) -> str:
    column, _ = SORTS[sort]
    value: datetime | None = getattr(item, "sort_key", None) if column else None
    raw = json.dumps([sort, value.isoformat() if value else None, item.code], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor() -> DomainError:
    return DomainError(
        "invalid_cursor",
        "Vị trí trang không hợp lệ; vui lòng tải lại danh sách.",
        "The page position is not valid; reload the list.",
        field="cursor",
    )


def _after_cursor(sort: str, cursor: str) -> Q:
    """Rows strictly after the cursor in the order of ``sort``."""
    column, desc = SORTS[sort]
    try:
        cursor_sort, value_text, code = json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        )
        value = datetime.fromisoformat(value_text) if value_text else None
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise _bad_cursor() from None
    if (
        cursor_sort != sort
        or not isinstance(code, str)
        or (column is not None and (value is None or value.tzinfo is None))
    ):
        raise _bad_cursor()
    op = "lt" if desc else "gt"
    if column is None:
        return Q(**{f"code__{op}": code})
    return Q(**{f"sort_key__{op}": value}) | Q(sort_key=value, **{f"code__{op}": code})


#: Long texts of a procedure a list never shows (they can weigh tens of kB per row): not loaded.
HEAVY_PROCEDURE_FIELDS = (
    "procedure__search_text",
    "procedure__applicant_types",
    "procedure__competent_agency_text",
    "procedure__implementing_agency_text",
    "procedure__reception_address",
    "procedure__authorised_agency_text",
    "procedure__coordinating_agency_text",
    "procedure__related_procedures",
    "procedure__steps",
    "procedure__conditions",
    "procedure__legal_basis_text",
    "procedure__channels_text",
    "procedure__documents_text",
    "procedure__results_text",
)


def _today() -> date:
    return to_vn(now()).date()


def worklist(
    user: User,
    key: str,
    *,
    filters: Mapping[str, Any] | Filters | None = None,
    sort: str = "due",
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
    with_total: bool = False,
    today: date | None = None,
) -> Page:
    """One page of the worklist ``key`` for ``user`` (an empty page if the user does not have that list).

    Paged by ``page`` (offset) unless a ``cursor`` from a previous page is given (keyset). Each item is a
    ``Dossier`` (with its procedure, agencies and assignee loaded) carrying ``work_due_at`` and its mark
    for ``today`` (``deadline_mark``).
    """
    definition = get(key)
    if sort not in SORTS:
        raise _bad_filter("sort", sort)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise _bad_filter("page_size", page_size)
    if page < 1:
        raise _bad_filter("page", page)
    today = today or _today()
    calendar = load_calendar()
    qs = apply_filters(base_queryset(user, definition), parse_filters(filters), user, today, calendar)
    total = qs.count() if with_total else None
    # Two steps in one statement: the ids of the page, sorted and cut on the dossier table alone (an index
    # range scan), then those few rows with their procedure, agencies and assignee.
    window = _with_sort_key(qs, sort).order_by(*_order_by(sort))
    if cursor:
        window, number = window.filter(_after_cursor(sort, cursor)), None
        ids = window[: page_size + 1]
    else:
        offset, number = (page - 1) * page_size, page
        ids = window[offset : offset + page_size + 1]
    rows = list(
        _with_sort_key(with_work_due(Dossier.objects.filter(pk__in=ids.values("pk")), user, definition), sort)
        .select_related("procedure", "receiving_agency", "competent_agency", "assignee")
        .defer("form_data", *HEAVY_PROCEDURE_FIELDS)
        .order_by(*_order_by(sort))
    )
    has_next = len(rows) > page_size
    items = rows[:page_size]
    for item in items:
        item._worklist_mark = (  # type: ignore[attr-defined]
            today,
            mark_of(item.work_due_at, item.status, today, calendar),  # type: ignore[attr-defined]
        )
    return Page(
        items=items,
        number=number,
        page_size=page_size,
        has_next=has_next,
        next_cursor=_encode_cursor(sort, items[-1]) if has_next and items else None,
        total=total,
    )


def counts(
    user: User, *, filters: Mapping[str, Any] | Filters | None = None, today: date | None = None
) -> dict[str, int]:
    """The number of dossiers in each worklist ``user`` has (one COUNT query per list)."""
    parsed = parse_filters(filters)
    today = today or _today()
    calendar = load_calendar() if parsed.due else None
    return {
        w.key: apply_filters(base_queryset(user, w), parsed, user, today, calendar).count()
        for w in available(user)
    }
