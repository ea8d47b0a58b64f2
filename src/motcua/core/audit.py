"""The audit log (nhật ký truy cập và thao tác): every read of a dossier by an officer, every download and
every staff sign-in, with the actor, the time and the place (client address, browser, page).

Writing: ``record`` (any entry), ``record_read`` / ``record_download`` (a dossier seen by an officer).
Dossier transitions are not written here: each already has its append-only ``DossierEvent``, and the
audit page shows both. Reading: ``audit_trail`` (entries within agency subtrees, newest first).

``core`` is the lowest layer, so a dossier and a user are taken by their shape, never imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from axes.helpers import get_client_ip_address  # type: ignore[import-untyped]
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.http import HttpRequest

from motcua.core.clock import now
from motcua.core.models import AuditEntry


class AuditAction:
    """Actions of the audit log besides the dossier ``Action`` values (which appear as they are)."""

    READ = "read"
    DOWNLOAD = "download"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    OTP_FAILED = "otp_failed"
    OTP_ENROLLED = "otp_enrolled"
    OTP_RESET = "otp_reset"
    LOGOUT = "logout"

    LABELS: dict[str, tuple[str, str]] = {
        READ: ("Xem hồ sơ", "Read a dossier"),
        DOWNLOAD: ("Tải tệp", "Downloaded a file"),
        LOGIN: ("Đăng nhập", "Signed in"),
        LOGIN_FAILED: ("Đăng nhập không thành công", "Failed sign-in"),
        OTP_FAILED: ("Sai mã xác thực 2 bước", "Wrong second-factor code"),
        OTP_ENROLLED: ("Đăng ký xác thực 2 bước", "Second factor enrolled"),
        OTP_RESET: ("Đặt lại xác thực 2 bước", "Second factor reset"),
        LOGOUT: ("Đăng xuất", "Signed out"),
    }


class AuditedDossier(Protocol):
    """What the audit log needs of a dossier (``dossiers.models.Dossier`` has it)."""

    @property
    def pk(self) -> Any: ...

    @property
    def code(self) -> str | None: ...

    @property
    def competent_agency_id(self) -> int: ...


#: Keys refused in ``detail`` at any depth: the log says what happened, not who the applicant is.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "full_name",
        "applicant_name",
        "id_number",
        "citizen_id_number",
        "applicant_id_number",
        "phone",
        "email",
        "address",
        "password",
        "token",
        "otp",
    }
)
USER_AGENT_MAX = AuditEntry._meta.get_field("user_agent").max_length or 255
PATH_MAX = AuditEntry._meta.get_field("path").max_length or 500
LABEL_MAX = AuditEntry._meta.get_field("actor_label").max_length or 150


def _check_detail(value: Any, where: str = "detail") -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in PERSONAL_KEYS:
                raise ValueError(f"{where}.{key}: personal data does not belong in the audit log")
            _check_detail(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for item in value:
            _check_detail(item, where)


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the sign-in lockout (django-axes) sees it, so both name the same place."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        address = get_client_ip_address(request)
    return str(address) if address else None


def _user(actor: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    if actor is None or not actor.is_authenticated:
        return None
    return actor if isinstance(actor, AbstractBaseUser) else None


def record(
    request: HttpRequest | None,
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    actor_label: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    agency: models.Model | None = None,
    agency_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry. ``request`` (if any) gives the place: client address, browser and page.

    ``obj`` fills ``object_type``/``object_id``/``object_label`` (its ``code`` if it has one) unless they
    are given. ``detail`` must not hold personal data (``ValueError`` otherwise).
    """
    data = dict(detail or {})
    _check_detail(data)
    user = _user(actor)
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(getattr(obj, "code", "") or "")
    entry = AuditEntry(
        at=at or now(),
        actor_id=user.pk if user is not None else None,
        actor_label=(actor_label or (user.get_username() if user is not None else ""))[:LABEL_MAX],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        agency_id=agency.pk if agency is not None else agency_id,
        detail=data,
    )
    if request is not None:
        entry.ip_address = client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
        entry.path = request.path[:PATH_MAX]
    entry.save()
    return entry


def _officer(request: HttpRequest) -> AbstractBaseUser | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_officer", False):
        return None
    return user


def record_read(request: HttpRequest, dossier: AuditedDossier) -> AuditEntry | None:
    """An officer has read ``dossier`` (a page, a partial or an API answer). Call it after the access
    check, once per response. Citizens reading their own dossiers are not recorded (returns None)."""
    officer = _officer(request)
    if officer is None:
        return None
    return record(
        request,
        action=AuditAction.READ,
        actor=officer,
        object_type="dossier",
        object_id=str(dossier.pk),
        object_label=dossier.code or "",
        agency_id=dossier.competent_agency_id,
    )


def record_download(
    request: HttpRequest, dossier: AuditedDossier, *, file_id: int | str | None = None
) -> AuditEntry | None:
    """An officer has downloaded a file of ``dossier`` (``file_id``: which one; never its name)."""
    officer = _officer(request)
    if officer is None:
        return None
    return record(
        request,
        action=AuditAction.DOWNLOAD,
        actor=officer,
        object_type="dossier",
        object_id=str(dossier.pk),
        object_label=dossier.code or "",
        agency_id=dossier.competent_agency_id,
        detail={"file": str(file_id)} if file_id is not None else None,
    )


def audit_trail(
    *,
    agency_paths: Sequence[str],
    officer_ids: Iterable[int] | models.QuerySet[Any, Any] | None = None,
    dossier_code: str | None = None,
    actor: AbstractBaseUser | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Entries within the agency subtrees ``agency_paths``, newest first, at most ``limit``.

    An entry belongs to a subtree by its agency; an entry without agency (a sign-in) by its actor, when
    ``officer_ids`` (the officers of the subtree, a list or a subquery) holds them. ``since`` inclusive,
    ``until`` and ``before`` (the paging cursor) exclusive.
    """
    if not agency_paths or limit <= 0:
        return []
    within = Q()
    for path in agency_paths:
        within |= Q(agency__path__startswith=path)
    if officer_ids is not None:
        within |= Q(agency__isnull=True, actor_id__in=officer_ids)
    entries = AuditEntry.objects.filter(within)
    if dossier_code:
        entries = entries.filter(object_type="dossier", object_label=dossier_code)
    if actor is not None:
        entries = entries.filter(actor_id=actor.pk)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    if before is not None:
        entries = entries.filter(at__lt=before)
    return list(entries.select_related("actor", "agency").order_by("-at", "-id")[:limit])


def action_label(action: str, english: bool = False) -> str:
    """The audit label of ``action`` (a dossier action falls back to its code)."""
    labels = AuditAction.LABELS.get(action)
    if labels is None:
        return action
    return labels[1] if english else labels[0]
