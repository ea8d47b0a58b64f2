"""Map every error to ``{code, detail, field}`` in Vietnamese or English per ``Accept-Language``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.core.errors import DomainError

ERROR_STATUSES = (400, 401, 403, 404, 409, 422)


def _lang(request: HttpRequest) -> str:
    return translation.get_language_from_request(request) or "vi"


def _payload(request: HttpRequest, code: str, vi: str, en: str, field: str | None) -> dict[str, str | None]:
    return {"code": code, "detail": en if _lang(request).startswith("en") else vi, "field": field}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(_lang(request)), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
        field = ".".join(loc) or None
        message = str(first.get("msg", "invalid"))
        return api.create_response(
            request,
            _payload(
                request,
                "invalid_input",
                f"Dữ liệu không hợp lệ ở trường '{field}': {message}. Vui lòng kiểm tra và nhập lại.",
                f"Invalid value for '{field}': {message}. Please check and try again.",
                field,
            ),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            _payload(
                request,
                "not_authenticated",
                "Vui lòng đăng nhập để tiếp tục.",
                "Please sign in to continue.",
                None,
            ),
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403:
            vi, en, code = (
                "Yêu cầu bị từ chối (thiếu mã chống giả mạo CSRF); vui lòng tải lại trang.",
                "Request refused (missing CSRF token); please reload the page.",
                "forbidden",
            )
        else:
            vi, en, code = (
                "Yêu cầu không đọc được (dữ liệu JSON không hợp lệ).",
                "The request could not be read (invalid JSON).",
                "bad_request",
            )
        return api.create_response(request, _payload(request, code, vi, en, None), status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request,
            _payload(request, "not_found", "Không tìm thấy.", "Not found.", None),
            status=404,
        )
