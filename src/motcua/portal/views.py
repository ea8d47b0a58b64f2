"""Citizen pages. Thin: parse the request, check who asks, call one service or selector, render.

Every page works without JavaScript. Forms show errors next to the field and in a summary at the top, and
keep what was typed. A POST that arrives after the session expired is kept in the new session and
applied once the person signs in again, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from motcua.accounts.identifiers import normalise_login
from motcua.accounts.models import User
from motcua.accounts.services import register_citizen
from motcua.catalogue import selectors as catalogue
from motcua.catalogue.forms import FieldError, FormPage, validate_page
from motcua.catalogue.models import Channel
from motcua.core.clock import now, to_vn
from motcua.core.errors import DomainError, NotFound
from motcua.documents import selectors as document_selectors
from motcua.documents import services as documents
from motcua.dossiers import citizen, deadlines, drafts, results, services
from motcua.dossiers.constants import DeliveryMethod, Status
from motcua.dossiers.models import DossierDraft
from motcua.dossiers.selectors import dossier_for, dossiers_visible_to

View = Callable[..., HttpResponseBase]
PENDING_POST = "portal_pending_post"


def _en(request: HttpRequest) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "vi") or "vi").startswith("en")


def _error(request: HttpRequest, error: DomainError) -> FieldError:
    return FieldError(error.message_vi, error.message_en)


def citizen_required(view: View) -> View:
    """Sign-in required; officers are sent to the back office. A POST made after the session expired is
    kept (without files) and replayed into the draft after sign-in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if request.method == "POST":
                request.session[PENDING_POST] = {
                    "path": request.path,
                    "data": {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"},
                }
                messages.info(
                    request,
                    "Your session expired. Sign in again: what you typed has been kept."
                    if _en(request)
                    else "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại: những gì bạn vừa nhập đã được giữ lại.",
                )
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        if _me(request).is_officer:
            return render(request, "portal/officer.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _me(request: HttpRequest) -> User:
    """The signed-in citizen (views using it are behind ``citizen_required``)."""
    return cast(User, request.user)


def _pending_post(request: HttpRequest) -> dict[str, str] | None:
    pending = request.session.get(PENDING_POST)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[PENDING_POST]
    return {k: (v[-1] if v else "") for k, v in pending["data"].items()}


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/404.html", status=404)


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Too many failed sign-ins (django-axes): a clear page, the same for every account (no enumeration)."""
    return render(request, "portal/locked.html", status=429)


# --- Finding a procedure ------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"events": catalogue.life_events()})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    context: dict[str, Any] = {"query": query, "rows": [], "errors": {}}
    if query:
        try:
            found = catalogue.search_procedures(query, limit=30)
        except DomainError as error:
            context["errors"] = {"q": _error(request, error)}
        else:
            context["rows"] = citizen.procedure_cards(found, start=now())
    elif "q" in request.GET:
        context["errors"] = {
            "q": FieldError("Vui lòng nhập tên thủ tục cần tìm.", "Type the name of a procedure.")
        }
    return render(request, "portal/search.html", context)


def life_event(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        event, procedures = catalogue.life_event(slug)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/list.html",
        {
            "title": event.title,
            "intro": event.summary,
            "rows": citizen.procedure_cards(procedures, start=now()),
        },
    )


def fields(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/fields.html", {"fields": catalogue.fields_with_counts()})


def field_procedures(request: HttpRequest, field_id: int) -> HttpResponse:
    try:
        field, procedures = catalogue.procedures_in_field(field_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/list.html",
        {"title": field.name, "rows": citizen.procedure_cards(procedures[:100], start=now())},
    )


def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/agencies.html", {"agencies": catalogue.agencies_offering_online()})


def agency_procedures(request: HttpRequest, code: str) -> HttpResponse:
    try:
        agency, procedures = catalogue.procedures_offered_in_subtree(code)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/list.html",
        {"title": agency.name, "rows": citizen.procedure_cards(procedures, start=now())},
    )


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = catalogue.procedure_detail(code)
    except NotFound as exc:
        raise Http404 from exc
    offerings = catalogue.online_offerings(found)
    start = now()
    channels = [
        {"channel": c, "expected": deadlines.expected_due(found, c.channel, start)}
        for c in found.channels.all()
    ]
    return render(
        request,
        "portal/procedure.html",
        {
            "procedure": found,
            "channels": channels,
            "offerings": offerings,
            "schema": catalogue.form_schema_for(found),
            "can_apply": bool(offerings),
        },
    )


# --- Accounts -------------------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def login_view(request: HttpRequest) -> HttpResponse:
    errors: dict[str, FieldError] = {}
    values = {"login": request.POST.get("login", "")}
    if request.method == "POST":
        # normalised first, so that the lockout counts "0912 345 678" and "+84912345678" as one account
        user = authenticate(
            request, username=normalise_login(values["login"]), password=request.POST.get("password", "")
        )
        if user is not None and user.is_active and getattr(user, "is_officer", False):
            # Staff sign in on the back office, with their second factor.
            return redirect("backoffice:sign_in")
        if user is not None and user.is_active:
            login(request, user, backend="motcua.accounts.backends.EmailOrPhoneBackend")
            return redirect(_safe_next(request, reverse("portal:my_dossiers")))
        errors["login"] = FieldError(
            "Thư điện tử/số điện thoại hoặc mật khẩu không đúng. Vui lòng kiểm tra và thử lại.",
            "The e-mail/phone or the password is not right. Check them and try again.",
        )
    return render(
        request,
        "portal/login.html",
        {
            "errors": errors,
            "values": values,
            "next": _safe_next(request, ""),
            "sso": bool(settings.OIDC_ISSUER),
            "sso_failed": request.GET.get("sso") == "failed",
        },
    )


def register(request: HttpRequest) -> HttpResponse:
    errors: dict[str, FieldError] = {}
    names = ("full_name", "login", "citizen_id_number")
    values = {k: request.POST.get(k, "") for k in names}
    if request.method == "POST":
        password, again = request.POST.get("password", ""), request.POST.get("password_again", "")
        if password != again:
            errors["password_again"] = FieldError(
                "Hai lần nhập mật khẩu không giống nhau; vui lòng nhập lại.",
                "The two passwords are different; type them again.",
            )
        else:
            try:
                user = register_citizen(
                    login=values["login"],
                    password=password,
                    full_name=values["full_name"],
                    citizen_id_number=values["citizen_id_number"],
                )
            except DomainError as error:
                errors[error.field or "login"] = _error(request, error)
            else:
                login(request, user, backend="motcua.accounts.backends.EmailOrPhoneBackend")
                messages.success(
                    request, "Your account is ready." if _en(request) else "Tài khoản của bạn đã được tạo."
                )
                return redirect(_safe_next(request, reverse("portal:my_dossiers")))
    return render(
        request, "portal/register.html", {"errors": errors, "values": values, "next": _safe_next(request, "")}
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


# --- Online submission ----------------------------------------------------------------------------------


@citizen_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what you will need before you start; POST: start a draft (and choose the only agency if one)."""
    try:
        found = catalogue.procedure_detail(code)
    except NotFound as exc:
        raise Http404 from exc
    if request.method != "POST":
        return render(
            request,
            "portal/apply_start.html",
            {
                "procedure": found,
                "schema": catalogue.form_schema_for(found),
                "drafts": [d for d in drafts.drafts_of(_me(request)) if d.procedure_id == found.id],
                "expected": deadlines.expected_due(found, Channel.ONLINE, now()),
            },
        )
    try:
        draft = drafts.start_draft(owner=_me(request), procedure=found)
    except DomainError as error:
        messages.error(request, error.message(request.LANGUAGE_CODE))
        return redirect("portal:procedure", code=code)
    agencies_online = drafts.online_agencies(found)
    if len(agencies_online) == 1:
        drafts.choose_agency(draft, agencies_online[0])
        return redirect("portal:draft_step", token=draft.token, step="applicant")
    return redirect("portal:draft_step", token=draft.token, step="agency")


def _steps(draft: DossierDraft) -> list[str]:
    schema = drafts.schema_of(draft)
    return ["agency", "applicant", *[f"q-{p.id}" for p in schema.pages], "delivery", "files", "check"]


def _page_for(draft: DossierDraft, step: str) -> tuple[FormPage | None, str]:
    if step == "applicant":
        return drafts.APPLICANT_PAGE, "applicant"
    if step == "delivery":
        return drafts.DELIVERY_PAGE, "delivery"
    if step.startswith("q-"):
        return drafts.schema_of(draft).page(step[2:]), "form"
    return None, ""


def _draft(request: HttpRequest, token: str) -> DossierDraft:
    try:
        draft = drafts.draft_for(_me(request), token)
    except NotFound as exc:
        raise Http404 from exc
    if draft.dossier_id is not None:
        raise Http404
    return draft


@citizen_required
def draft_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    draft = _draft(request, token)
    steps = _steps(draft)
    if step not in steps:
        raise Http404
    position = steps.index(step)
    following = steps[position + 1] if position + 1 < len(steps) else "check"
    if step == "agency":
        return _agency_step(request, draft, following)
    if step == "files":
        return _files_step(request, draft, following)
    if step == "check":
        return _check_step(request, draft)
    page, section = _page_for(draft, step)
    if page is None:
        raise Http404
    errors: dict[str, FieldError] = {}
    values = dict(draft.answers.get(section) or {})
    posted = _pending_post(request) if request.method == "GET" else None
    if request.method == "POST" or posted is not None:
        raw = posted if posted is not None else {f.name: request.POST.get(f.name, "") for f in page.fields}
        cleaned, errors = validate_page(page, raw, today=to_vn(now()).date())
        drafts.save_answers(draft, section=section, values=cleaned, step=step)
        values = cleaned
        if request.POST.get("autosave"):
            return HttpResponse(status=204)
        if not errors and request.method == "POST":
            return redirect(
                "portal:draft_step",
                token=draft.token,
                step="check" if request.POST.get("return_to") == "check" else following,
            )
    return render(
        request,
        "portal/step.html",
        {
            "draft": draft,
            "page": page,
            "values": values,
            "errors": errors,
            "step": step,
            "steps": steps,
            "position": position + 1,
            "return_to": request.GET.get("return_to", ""),
        },
    )


def _agency_step(request: HttpRequest, draft: DossierDraft, following: str) -> HttpResponse:
    options = drafts.online_agencies(draft.procedure)
    errors: dict[str, FieldError] = {}
    if request.method == "POST":
        chosen = next((a for a in options if a.code == request.POST.get("agency")), None)
        if chosen is None:
            errors["agency"] = FieldError("Vui lòng chọn nơi nộp hồ sơ.", "Choose where to file the dossier.")
        else:
            drafts.choose_agency(draft, chosen)
            return redirect("portal:draft_step", token=draft.token, step=following)
    return render(
        request,
        "portal/step_agency.html",
        {"draft": draft, "options": options, "errors": errors, "steps": _steps(draft), "position": 1},
    )


def _files_step(request: HttpRequest, draft: DossierDraft, following: str) -> HttpResponse:
    errors: dict[str, FieldError] = {}
    requirements = list(draft.procedure.documents.all())
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        requirement_id = request.POST.get("requirement", "")
        requirement = next((r for r in requirements if str(r.id) == requirement_id), None)
        label = (
            requirement.name[:500] if requirement else ("Other document" if _en(request) else "Giấy tờ khác")
        )
        try:
            if action == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError(
                        "file_required",
                        "Vui lòng chọn tệp cần tải lên (PDF, JPG hoặc PNG).",
                        "Choose a file to upload (PDF, JPG or PNG).",
                        field="file",
                    )
                stored = documents.store_upload(upload, name=upload.name or "", owner=_me(request))
                drafts.attach(
                    draft,
                    stored_file=stored,
                    requirement_id=requirement.id if requirement else None,
                    label=label,
                )
                return redirect("portal:draft_step", token=draft.token, step="files")
            if action == "reuse":
                document = document_selectors.stored_document_for(
                    _me(request), request.POST.get("document", "")
                )
                drafts.attach(
                    draft,
                    stored_file=document.stored_file,
                    requirement_id=requirement.id if requirement else None,
                    label=label,
                    reused=True,
                )
                return redirect("portal:draft_step", token=draft.token, step="files")
            if action == "remove":
                drafts.detach(draft, token=request.POST.get("token", ""))
                return redirect("portal:draft_step", token=draft.token, step="files")
        except DomainError as error:
            errors["file"] = _error(request, error)
        else:
            return redirect("portal:draft_step", token=draft.token, step=following)
    files = draft.answers.get("files") or {}
    rows = [{"requirement": r, "files": files.get(str(r.id), [])} for r in requirements]
    return render(
        request,
        "portal/step_files.html",
        {
            "draft": draft,
            "rows": rows,
            "other_files": files.get("other", []),
            "store": document_selectors.store_of(_me(request)),
            "errors": errors,
            "steps": _steps(draft),
            "position": _steps(draft).index("files") + 1,
            "limit_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        },
    )


def _check_step(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    schema = drafts.schema_of(draft)
    problems = drafts.problems(draft)
    errors: dict[str, FieldError] = {}
    if request.method == "POST":
        try:
            dossier = drafts.submit_draft(draft, actor=_me(request))
        except DomainError as error:
            errors["submit"] = _error(request, error)
        else:
            return redirect(f"{reverse('portal:dossier', args=[dossier.code])}?moi=1")
    sections: list[dict[str, Any]] = [
        {"step": "applicant", "page": drafts.APPLICANT_PAGE, "values": draft.answers.get("applicant") or {}},
        *[{"step": f"q-{p.id}", "page": p, "values": draft.answers.get("form") or {}} for p in schema.pages],
        {"step": "delivery", "page": drafts.DELIVERY_PAGE, "values": draft.answers.get("delivery") or {}},
    ]
    for section in sections:
        section["rows"] = [(f, f.display(section["values"].get(f.name))) for f in section["page"].fields]
    files = [f for entries in (draft.answers.get("files") or {}).values() for f in entries]
    return render(
        request,
        "portal/step_check.html",
        {
            "draft": draft,
            "sections": sections,
            "files": files,
            "problems": problems,
            "errors": errors,
            "expected": deadlines.expected_due(draft.procedure, Channel.ONLINE, now()),
            "steps": _steps(draft),
            "position": len(_steps(draft)),
        },
    )


@require_POST
@citizen_required
def draft_delete(request: HttpRequest, token: str) -> HttpResponse:
    draft = _draft(request, token)
    draft.delete()
    return redirect("portal:my_dossiers")


# --- After submission -----------------------------------------------------------------------------------


@citizen_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = list(dossiers_visible_to(_me(request)).order_by("-submitted_at")[:100])
    return render(
        request,
        "portal/my_dossiers.html",
        {
            "dossiers": [(d, citizen.plain_status(d.status)) for d in dossiers],
            "drafts": drafts.drafts_of(_me(request)),
            "store": document_selectors.store_of(_me(request)),
        },
    )


def _own_dossier(request: HttpRequest, code: str) -> Any:
    try:
        return dossier_for(_me(request), code)
    except NotFound as exc:
        raise Http404 from exc


@citizen_required
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    found = _own_dossier(request, code)
    supplement_request = citizen.open_supplement_request(found)
    errors: dict[str, FieldError] = {}
    if request.method == "POST" and supplement_request is not None:
        uploads = request.FILES.getlist("file")
        try:
            stored = [
                (
                    request.POST.get("label", "") or upload.name or "",
                    documents.store_upload(upload, name=upload.name or "", owner=_me(request)),
                )
                for upload in uploads
            ]
            citizen.supplement_online(
                found, actor=_me(request), files=stored, note=request.POST.get("note", "")[:1000]
            )
        except DomainError as error:
            errors["file"] = _error(request, error)
        else:
            messages.success(
                request,
                "Your documents were sent." if _en(request) else "Đã gửi giấy tờ bổ sung.",
            )
            return redirect("portal:dossier", code=code)
    due = found.extended_due_at or found.due_at
    expected = None if due else deadlines.expected_due(found.procedure, found.channel, now())
    result = results.result_attachment(found)
    return render(
        request,
        "portal/dossier.html",
        {
            "dossier": found,
            "status_text": citizen.plain_status(found.status),
            "timeline": citizen.citizen_timeline(found),
            "attachments": [a for a in citizen.attachments_of(found) if a.purpose != "result"],
            "supplement_request": supplement_request,
            "errors": errors,
            "due": due,
            "expected": expected,
            "is_new": request.GET.get("moi") == "1",
            "result": result if found.status in (Status.RESOLVED, Status.RETURNED) else None,
            "can_evaluate": citizen.can_evaluate(found, _me(request)),
            "can_withdraw": citizen.can_withdraw(found, _me(request)),
            "evaluation": getattr(found, "evaluation", None),
            "delivery_label": DeliveryMethod(found.delivery_method).label,
        },
    )


@citizen_required
def dossier_file(request: HttpRequest, code: str, token: str) -> HttpResponseBase:
    found = _own_dossier(request, code)
    try:
        attachment = citizen.attachment_for(_me(request), found, token)
    except NotFound as exc:
        raise Http404 from exc
    return documents.file_response(attachment.stored_file)


@citizen_required
def receipt(request: HttpRequest, code: str) -> HttpResponseBase:
    found = _own_dossier(request, code)
    issued = results.receipt_for(found)
    return documents.file_response(issued.stored_file)


@citizen_required
def result_download(request: HttpRequest, code: str) -> HttpResponseBase:
    found = _own_dossier(request, code)
    try:
        result = results.downloadable_result(found, _me(request))
    except NotFound as exc:
        raise Http404 from exc
    return documents.file_response(result.stored_file)


@citizen_required
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    found = _own_dossier(request, code)
    errors: dict[str, FieldError] = {}
    reason = request.POST.get("reason", "")[:1000]
    if request.method == "POST":
        try:
            services.withdraw(found, actor=_me(request), reason=reason)
        except DomainError as error:
            errors["reason"] = _error(request, error)
        else:
            messages.success(request, "The dossier was withdrawn." if _en(request) else "Đã rút hồ sơ.")
            return redirect("portal:dossier", code=code)
    return render(
        request, "portal/withdraw.html", {"dossier": found, "errors": errors, "values": {"reason": reason}}
    )


@citizen_required
def evaluate(request: HttpRequest, code: str) -> HttpResponse:
    found = _own_dossier(request, code)
    if not citizen.can_evaluate(found, _me(request)):
        return redirect("portal:dossier", code=code)
    _version, schema = citizen.questionnaire()
    page = schema.pages[0]
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        raw = {f.name: request.POST.get(f.name, "") for f in page.fields}
        values, errors = validate_page(page, raw, today=to_vn(now()).date())
        if not errors:
            try:
                citizen.evaluate(found, actor=_me(request), raw=raw)
            except DomainError as error:
                errors[error.field or "satisfaction"] = _error(request, error)
            else:
                messages.success(
                    request, "Thank you for your rating." if _en(request) else "Cảm ơn bạn đã đánh giá."
                )
                return redirect("portal:dossier", code=code)
    return render(
        request, "portal/evaluate.html", {"dossier": found, "page": page, "values": values, "errors": errors}
    )


# --- Public pages ---------------------------------------------------------------------------------------


def track(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip()[:80]
    context: dict[str, Any] = {"code": code, "errors": {}, "status": None}
    if code:
        try:
            context["status"] = citizen.public_status(code)
        except NotFound as error:
            context["errors"] = {"ma": _error(request, error)}
    elif "ma" in request.GET:
        context["errors"] = {"ma": FieldError("Vui lòng nhập mã hồ sơ.", "Enter the dossier code.")}
    return render(request, "portal/track.html", context)


def verify_start(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip()
    if code:
        return redirect("portal:verify", code=code)
    return render(request, "portal/verify_start.html")


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone holding a result or receipt can check it is the one we issued (the QR code leads here)."""
    try:
        issued = document_selectors.issued_document(code)
    except NotFound:
        return render(request, "portal/verify.html", {"code": code, "issued": None}, status=404)
    check = None
    errors: dict[str, FieldError] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > settings.UPLOAD_MAX_BYTES:
            errors["file"] = FieldError(
                "Vui lòng chọn tệp PDF cần kiểm tra.", "Choose the PDF file to check."
            )
        else:
            check = document_selectors.verify_issued(code, upload.read())
    return render(
        request, "portal/verify.html", {"code": code, "issued": issued, "check": check, "errors": errors}
    )
