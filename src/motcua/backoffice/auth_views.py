"""Staff sign-in (đăng nhập nghiệp vụ): username and password, then a 6-digit code from an authenticator
app (TOTP). The first time, the person adds the account to their app from a QR code and confirms it with
a code. Every success and failure is in the audit log; repeated wrong passwords lock the account and
address out (django-axes, through ``authenticate``); wrong codes are slowed down (django-otp) and, after
``MAX_CODE_FAILURES``, the password must be typed again.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from motcua.accounts import staff
from motcua.accounts.identifiers import normalise_login
from motcua.accounts.models import User
from motcua.accounts.selectors import officer_by_username
from motcua.backoffice.access import (
    clear_pending,
    count_code_failure,
    home_for,
    is_verified,
    may_use_staff_sign_in,
    pending_state,
    pending_user,
    safe_next,
    start_pending,
    with_next,
)
from motcua.catalogue.forms import FieldError
from motcua.core import audit
from motcua.core.errors import DomainError

BAD_CREDENTIALS = FieldError(
    "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra và thử lại.",
    "The username or the password is not right. Check them and try again.",
)


def _en(request: HttpRequest) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "vi") or "vi").startswith("en")


def _say(request: HttpRequest, vi: str, en: str) -> str:
    return en if _en(request) else vi


@never_cache
@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password. Nobody is signed in yet when it succeeds (see ``access``)."""
    target = safe_next(request)
    current = cast(User, request.user)
    if request.method != "POST" and current.is_authenticated and may_use_staff_sign_in(current):
        if is_verified(request):
            return redirect(target or home_for(current))
        return redirect(with_next("backoffice:otp", target))
    errors: dict[str, FieldError] = {}
    values = {"username": request.POST.get("username", "")[:150]}
    if request.method == "POST":
        username = normalise_login(values["username"])
        # authenticate() with the request: django-axes counts failures and refuses a locked-out pair
        user = authenticate(request, username=username, password=request.POST.get("password", ""))
        if user is not None and may_use_staff_sign_in(user):
            if current.is_authenticated and current.pk != user.pk:
                logout(request)
            start_pending(request, user, target)
            return redirect(with_next("backoffice:otp", target))
        reason = "bad_credentials"
        if getattr(request, "axes_locked_out", False):
            reason = "locked_out"
        elif user is not None:
            reason = "not_staff"
        # named only when it is an officer's account: a citizen's e-mail or phone is not kept here
        attacked = officer_by_username(username)
        audit.record(
            request,
            action=audit.AuditAction.LOGIN_FAILED,
            actor=attacked,
            detail={"reason": reason},
        )
        errors["username"] = BAD_CREDENTIALS
    return render(
        request,
        "backoffice/sign_in.html",
        {"errors": errors, "values": values, "next": target},
        status=400 if errors else 200,
    )


def _subject(request: HttpRequest) -> tuple[User | None, bool]:
    """Who is giving the code: the person who just passed the password (pending), or a signed-in staff
    account not yet verified in this session (signed in elsewhere with a password only)."""
    pending = pending_user(request)
    if pending is not None:
        return pending, True
    current = cast(User, request.user)
    if current.is_authenticated and may_use_staff_sign_in(current) and not is_verified(request):
        return current, False
    return None, False


@never_cache
def second_step(request: HttpRequest) -> HttpResponse:
    """Step 2: the 6-digit code; the first time, enrol an authenticator app (QR code + secret)."""
    subject, from_pending = _subject(request)
    state = pending_state(request) or {}
    target = str(state.get("next") or "") or safe_next(request)
    if subject is None:
        if is_verified(request):
            return redirect(target or home_for(cast(User, request.user)))
        if request.user.is_authenticated:  # a citizen's account
            return redirect("backoffice:home")
        messages.info(
            request,
            _say(
                request,
                "Vui lòng đăng nhập bằng tên đăng nhập và mật khẩu trước.",
                "Sign in with your username and password first.",
            ),
        )
        return redirect(with_next("backoffice:sign_in", target))
    enrolling = not staff.has_totp(subject)
    errors: dict[str, FieldError] = {}
    status = 200
    if request.method == "POST":
        try:
            if enrolling:
                device = staff.confirm_totp(subject, request.POST.get("code", ""))
            else:
                device = staff.check_totp(subject, request.POST.get("code", ""))
                if device is None:
                    raise DomainError(
                        "otp_invalid",
                        "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng. Vui lòng nhập mã mới.",
                        "The code is wrong, expired or already used. Enter the new code.",
                        field="code",
                    )
        except DomainError as error:
            if error.code in {"otp_invalid", "otp_throttled"}:
                audit.record(
                    request,
                    action=audit.AuditAction.OTP_FAILED,
                    actor=subject,
                    detail={"reason": error.code, "enrolling": enrolling},
                )
                if from_pending and count_code_failure(request):
                    messages.error(
                        request,
                        _say(
                            request,
                            "Đã nhập sai mã quá nhiều lần. Vui lòng đăng nhập lại từ đầu.",
                            "Too many wrong codes. Sign in again from the start.",
                        ),
                    )
                    return redirect(with_next("backoffice:sign_in", target))
            errors["code"] = FieldError(error.message_vi, error.message_en)
            status = error.status
        else:
            return _signed_in(request, subject, device, state, from_pending, enrolling, target)
    context: dict[str, Any] = {"errors": errors, "subject": subject, "enrolling": enrolling, "next": target}
    if enrolling:
        device, uri = staff.enrol_totp(subject)
        context["qr"] = staff.qr_svg(
            uri,
            title=_say(
                request, "Mã QR để thêm tài khoản vào ứng dụng xác thực", "QR code to add the account"
            ),
        )
        context["secret"] = staff.secret_of(device)
        context["issuer"] = staff.issuer()
    return render(request, "backoffice/otp.html", context, status=status)


def _signed_in(
    request: HttpRequest,
    user: User,
    device: Any,
    state: dict[str, Any],
    from_pending: bool,
    enrolling: bool,
    target: str,
) -> HttpResponse:
    if from_pending:
        clear_pending(request)
        login(request, user, backend=str(state.get("backend")))
    else:
        request.session.cycle_key()
    otp_login(request, device)
    if enrolling:
        audit.record(request, action=audit.AuditAction.OTP_ENROLLED, actor=user)
    audit.record(
        request,
        action=audit.AuditAction.LOGIN,
        actor=user,
        detail={"second_factor": "totp"},
    )
    messages.success(
        request,
        _say(request, "Đăng nhập thành công.", "You are signed in.")
        if not enrolling
        else _say(
            request,
            "Đã thêm ứng dụng xác thực. Từ nay mỗi lần đăng nhập, hãy nhập mã trên ứng dụng.",
            "The authenticator app is set up. From now on, enter its code each time you sign in.",
        ),
    )
    return redirect(target or home_for(user))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(request, action=audit.AuditAction.LOGOUT, actor=request.user)
    clear_pending(request)
    logout(request)
    messages.info(request, _say(request, "Bạn đã đăng xuất.", "You are signed out."))
    return redirect("backoffice:sign_in")
