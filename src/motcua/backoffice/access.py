"""Who may enter the back office (trang nghiệp vụ), and the half-way state of a staff sign-in.

Every back-office view is wrapped in ``staff_required``: signed in, an officer, and verified with the
second factor in this session (``request.user.is_verified()``, django-otp). Otherwise the person is sent
to the step they are missing; a citizen's account gets a 403 page. ``roles_required`` adds a role check
(e.g. the audit log for agency leaders and centre directors).

Between the password and the code the person is *not* signed in: the session only remembers who passed
the password (``PENDING``), for ``PENDING_TTL`` seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import memberships_of
from motcua.core.clock import now

View = Callable[..., HttpResponseBase]

PENDING = "backoffice_pending_sign_in"
#: Seconds between the password and the code (enrolling an app the first time takes a few minutes).
PENDING_TTL = 10 * 60
#: Wrong codes after one password: then the password must be typed again.
MAX_CODE_FAILURES = 5
LEADER_ROLES = frozenset({Role.AGENCY_LEADER, Role.CENTRE_DIRECTOR})


def may_use_staff_sign_in(user: User) -> bool:
    """Officers, and staff accounts of the admin site; never a citizen's account."""
    return bool(user.is_active and (user.is_officer or user.is_staff))


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and callable(check) and check())


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` address of the request if it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def home_for(user: User) -> str:
    """Where a signed-in person lands: the back office for an officer, the admin site for other staff."""
    if user.is_officer:
        return reverse("backoffice:home")
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return "/"


def with_next(url_name: str, target: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': target})}" if target else url


# --- The half-way state between password and code ------------------------------------------------------


def start_pending(request: HttpRequest, user: User, target: str) -> None:
    """``user`` passed the password: remember it (in a fresh session key) until the code is checked."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "motcua.accounts.backends.EmailOrPhoneBackend"),
        "since": now().timestamp(),
        "next": target,
        "failures": 0,
    }


def pending_state(request: HttpRequest) -> dict[str, Any] | None:
    state = request.session.get(PENDING)
    if not isinstance(state, dict):
        return None
    if now().timestamp() - float(state.get("since", 0)) > PENDING_TTL:
        clear_pending(request)
        return None
    return state


def pending_user(request: HttpRequest) -> User | None:
    """The person who passed the password and has yet to give the code (still allowed in), or None."""
    state = pending_state(request)
    if state is None:
        return None
    user = User.objects.filter(pk=int(state.get("user") or 0), is_active=True).first()
    if user is None or not may_use_staff_sign_in(user):
        clear_pending(request)
        return None
    return user


def count_code_failure(request: HttpRequest) -> bool:
    """One more wrong code after this password; True when the password must now be typed again."""
    state = pending_state(request)
    if state is None:
        return False
    state["failures"] = int(state.get("failures", 0)) + 1
    if state["failures"] >= MAX_CODE_FAILURES:
        clear_pending(request)
        return True
    request.session[PENDING] = state
    return False


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


# --- Decorators ------------------------------------------------------------------------------------------


def forbidden(request: HttpRequest, *, reason: str = "not_staff") -> HttpResponse:
    """The 403 page: ``not_staff`` (a citizen's account) or ``role`` (an officer without the role)."""
    return render(request, "backoffice/forbidden.html", {"reason": reason}, status=403)


def staff_required(view: View) -> View:
    """Signed in, an officer, verified with the second factor; else the missing step (or 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        target = request.get_full_path()
        if not user.is_authenticated:
            step = "backoffice:otp" if pending_user(request) is not None else "backoffice:sign_in"
            return redirect(with_next(step, target))
        if not user.is_officer:
            return forbidden(request)
        if not is_verified(request):
            return redirect(with_next("backoffice:otp", target))
        return view(request, *args, **kwargs)

    return wrapped


def paths_with_roles(user: User, roles: frozenset[Role] | set[Role]) -> list[str]:
    """The agency subtrees (materialised paths) where ``user`` holds one of ``roles``."""
    wanted = {str(role) for role in roles}
    return sorted({m.agency.path for m in memberships_of(user) if m.role in wanted})


def roles_required(roles: frozenset[Role] | set[Role]) -> Callable[[View], View]:
    """``staff_required`` and, in addition, one of ``roles`` in some agency (else 403)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not paths_with_roles(cast(User, request.user), roles):
                return forbidden(request, reason="role")
            return view(request, *args, **kwargs)

        return staff_required(checked)

    return decorate
