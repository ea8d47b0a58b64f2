"""Officer pages: worklists, the dossier workspace with its action forms, counter intake, bulk work, the
deadline watch and the tracking book. Thin: parse, check access (``staff_required`` + agency scope through
``dossiers.selectors``), call one service, render. Every dossier read is written to the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from motcua.accounts.models import User
from motcua.accounts.selectors import member_agencies, officer_by_username, scope_paths
from motcua.agencies.models import Agency
from motcua.backoffice import actions as action_forms
from motcua.backoffice.access import LEADER_ROLES, paths_with_roles, staff_required
from motcua.catalogue import selectors as catalogue
from motcua.catalogue.forms import FieldError, validate_page
from motcua.catalogue.models import Channel
from motcua.core import audit
from motcua.core.clock import VN_TZ, now, to_vn
from motcua.core.errors import DomainError, NotFound
from motcua.documents import services as documents
from motcua.dossiers import officer, paperwork, services, watch, worklists
from motcua.dossiers.constants import Action, DeliveryMethod
from motcua.dossiers.drafts import APPLICANT_PAGE
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_for, dossiers_visible_to, timeline


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _lang(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "vi") or "vi"


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        found = dossier_for(_me(request), code)
    except NotFound as exc:
        raise Http404 from exc
    return found


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = worklists.counts(_me(request))
    lists = [(w.key, w.title(_lang(request)), counts[w.key]) for w in worklists.WORKLISTS if w.key in counts]
    is_leader = bool(paths_with_roles(_me(request), LEADER_ROLES))
    return render(request, "backoffice/work/dashboard.html", {"lists": lists, "is_leader": is_leader})


@staff_required
def worklist(request: HttpRequest, key: str) -> HttpResponse:
    definition = next((w for w in worklists.WORKLISTS if w.key == key), None)
    if definition is None:
        raise Http404
    filters = {
        k: request.GET.get(k, "") for k in ("procedure", "field", "channel", "status", "due", "assignee")
    }
    try:
        page = worklists.worklist(
            _me(request), key, filters=filters, page=int(request.GET.get("trang", "1") or 1)
        )
    except (DomainError, ValueError) as exc:
        raise Http404 from exc
    today = to_vn(now()).date()
    rows = [(d, worklists.deadline_mark(d, today)) for d in page.items]
    return render(
        request,
        "backoffice/work/worklist.html",
        {
            "definition": definition,
            "title": definition.title(_lang(request)),
            "rows": rows,
            "page": page,
            "filters": filters,
            "bulk_actions": [(a, vi, en) for a, (vi, en) in officer.BULK_ACTIONS.items()],
        },
    )


@staff_required
def workspace(request: HttpRequest, code: str) -> HttpResponse:
    found = _dossier(request, code)
    audit.record_read(request, found)
    allowed = officer.allowed_actions(_me(request), found)
    schema = catalogue.form_schema_for(found.procedure, version=(found.form_data or {}).get("schema_version"))
    answers = (found.form_data or {}).get("answers") or {}
    answered = [
        (
            page.title,
            [
                (f.label, f.display(answers.get(f.name)))
                for f in page.fields
                if answers.get(f.name) not in (None, "")
            ],
        )
        for page in schema.pages
    ]
    return render(
        request,
        "backoffice/work/workspace.html",
        {
            "dossier": found,
            "answered": answered,
            "events": list(timeline(found)),
            "legs": officer.leg_usage(found, to_vn(now()).date()),
            "attachments": list(found.attachments.select_related("stored_file").order_by("added_at", "id")),
            "forms": [action_forms.FORMS[a] for a in allowed if a in action_forms.FORMS],
            "choices": action_forms.choices_for(found),
            "paperwork": paperwork.available_forms(found),
            "mark": worklists.deadline_mark(found, to_vn(now()).date()),
            "errors": {},
        },
    )


@require_POST
@staff_required
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    found = _dossier(request, code)
    try:
        chosen = Action(action)
        form = action_forms.FORMS[chosen]
    except (ValueError, KeyError) as exc:
        raise Http404 from exc
    try:
        form.run(found, _me(request), request.POST)
    except DomainError as error:
        messages.error(
            request,
            f"{form.title_vi if _lang(request) == 'vi' else form.title_en}: {error.message(_lang(request))}",
        )
    else:
        messages.success(
            request,
            ("Đã thực hiện: " if _lang(request) == "vi" else "Done: ")
            + (form.title_vi if _lang(request) == "vi" else form.title_en),
        )
    return redirect("backoffice:workspace", code=code)


@staff_required
def dossier_file(request: HttpRequest, code: str, token: str) -> HttpResponseBase:
    found = _dossier(request, code)
    attachment = found.attachments.select_related("stored_file").filter(stored_file__token=token).first()
    if attachment is None:
        raise Http404
    audit.record(request, actor=_me(request), action="download", obj=found, agency=found.competent_agency)
    return documents.file_response(attachment.stored_file, inline=True)


@staff_required
def paper(request: HttpRequest, code: str, number: str) -> HttpResponseBase:
    found = _dossier(request, code)
    try:
        issued = paperwork.issue_form(found, number, actor=_me(request))
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as error:
        messages.error(request, error.message(_lang(request)))
        return redirect("backoffice:workspace", code=code)
    return documents.file_response(issued.stored_file, inline=True)


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    codes = request.POST.getlist("code")[:200]
    chosen = dossiers_visible_to(_me(request)).filter(code__in=codes)
    assignee = officer_by_username(request.POST.get("assignee", ""))
    try:
        result = officer.bulk(
            _me(request),
            list(chosen),
            request.POST.get("action", ""),
            assignee=assignee,
            language=_lang(request),
        )
    except (DomainError, ValueError) as error:
        messages.error(
            request, error.message(_lang(request)) if isinstance(error, DomainError) else str(error)
        )
        return redirect(request.POST.get("back") or reverse("backoffice:home"))
    if result.done:
        messages.success(request, f"{len(result.done)} ✓: {', '.join(result.done)}")
    for code, why in result.failed.items():
        messages.error(request, f"{code}: {why}")
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/nghiep-vu/") else reverse("backoffice:home"))


@staff_required
def deadline_watch(request: HttpRequest) -> HttpResponse:
    today = to_vn(now()).date()
    rows = watch.at_risk(scope_paths(_me(request)), today, limit=200)
    return render(request, "backoffice/work/watch.html", {"rows": rows, "today": today})


@staff_required
def tracking_book(request: HttpRequest) -> HttpResponseBase:
    today = to_vn(now()).date()
    agencies = member_agencies(_me(request))
    if request.GET.get("agency"):
        agency = next((a for a in agencies if a.code == request.GET["agency"]), None)
        if agency is None:
            raise Http404
        try:
            start = date.fromisoformat(request.GET.get("from", ""))
            end = date.fromisoformat(request.GET.get("to", ""))
        except ValueError:
            messages.error(
                request, "Vui lòng chọn khoảng thời gian." if _lang(request) == "vi" else "Choose a period."
            )
        else:
            pdf = paperwork.tracking_book(agency, start, end)
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'inline; filename="so-theo-doi-{agency.code}-{start}-{end}.pdf"'
            )
            return response
    return render(
        request,
        "backoffice/work/tracking_book.html",
        {"agencies": agencies, "start": today.replace(day=1), "end": today},
    )


# --- Counter intake -----------------------------------------------------------------------------------------


@staff_required
def intake_start(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found: list[Any] = []
    if query:
        try:
            found = catalogue.search_procedures(query, limit=20)
        except DomainError:
            found = []
    return render(request, "backoffice/work/intake_start.html", {"query": query, "procedures": found})


@staff_required
def intake(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = catalogue.procedure_detail(code)
    except NotFound as exc:
        raise Http404 from exc
    me = _me(request)
    receiving = member_agencies(me)
    offerings = [o.agency for o in catalogue.offerings_of(procedure)]
    schema = catalogue.form_schema_for(procedure)
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    applicant_values: dict[str, Any] = {}
    if request.method == "POST":
        today = to_vn(now()).date()
        applicant_values, applicant_errors = validate_page(
            APPLICANT_PAGE,
            {f.name: request.POST.get(f"a_{f.name}", "") for f in APPLICANT_PAGE.fields},
            today=today,
        )
        errors.update({f"a_{k}": v for k, v in applicant_errors.items()})
        for page in schema.pages:
            page_values, page_errors = validate_page(
                page, {f.name: request.POST.get(f.name, "") for f in page.fields}, today=today
            )
            values.update(page_values)
            errors.update(page_errors)
        if not errors:
            try:
                dossier = _file_intake(request, procedure, receiving, offerings, applicant_values, values)
            except officer.IntakeProblems as problems:
                errors.update(problems.errors)
            except DomainError as error:
                errors[error.field or "form"] = FieldError(error.message_vi, error.message_en)
            else:
                messages.success(request, f"{dossier.code}")
                return redirect("backoffice:workspace", code=dossier.code)
    return render(
        request,
        "backoffice/work/intake.html",
        {
            "procedure": procedure,
            "schema": schema,
            "applicant_page": APPLICANT_PAGE,
            "receiving": receiving,
            "competent": offerings,
            "values": values,
            "applicant_values": applicant_values,
            "errors": errors,
            "methods": DeliveryMethod.choices,
            "requirements": list(procedure.documents.all()),
        },
    )


def _file_intake(
    request: HttpRequest,
    procedure: Any,
    receiving: list[Agency],
    competent: list[Agency],
    applicant: dict[str, Any],
    answers: dict[str, Any],
) -> Dossier:
    me = _me(request)
    receiving_agency = next(
        (a for a in receiving if a.code == request.POST.get("receiving")), receiving[0] if receiving else None
    )
    competent_agency = next((a for a in competent if a.code == request.POST.get("competent")), None)
    if receiving_agency is None:
        raise DomainError(
            "agency_required",
            "Bạn không thuộc nơi tiếp nhận nào.",
            "You belong to no reception point.",
            field="receiving",
        )
    channel = Channel.POSTAL if request.POST.get("channel") == Channel.POSTAL else Channel.IN_PERSON
    filed_at = None
    if channel == Channel.POSTAL:
        try:
            filed_at = datetime.fromisoformat(request.POST.get("handover_at", "")).replace(tzinfo=VN_TZ)
        except ValueError as exc:
            raise DomainError(
                "handover_time_required",
                "Vui lòng nhập thời điểm ký biên bản bàn giao với bưu điện.",
                "Enter when the hand-over record with the post was signed.",
                field="handover_at",
            ) from exc
    scans = []
    for upload in request.FILES.getlist("scan")[:30]:
        stored = documents.store_upload(upload, name=upload.name or "", owner=None, kind="scan")
        scans.append(officer.ScannedDocument(label=upload.name or "", stored_file=stored))
    return officer.intake(
        actor=me,
        procedure=procedure,
        receiving_agency=receiving_agency,
        competent_agency=competent_agency,
        applicant=services.Applicant(
            **{k: str(applicant.get(k, "")) for k in ("full_name", "id_number", "phone", "email", "address")}
        ),
        answers=answers,
        scans=scans,
        channel=channel,
        delivery_method=request.POST.get("delivery", DeliveryMethod.COUNTER),
        delivery_address=request.POST.get("delivery_address", ""),
        filed_at=filed_at,
        accept_now=request.POST.get("accept_now", "on") == "on",
        today=to_vn(now()).date(),
    )
