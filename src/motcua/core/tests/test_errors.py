from django.utils import translation

from motcua.core.errors import DomainError, NotFound


def test_domain_error_speaks_vietnamese_first_and_english_on_request() -> None:
    err = NotFound("x_not_found", "Không tìm thấy X.", "X not found.", field="x")
    assert err.status == 404
    assert err.as_dict("vi") == {"code": "x_not_found", "detail": "Không tìm thấy X.", "field": "x"}
    assert err.as_dict("en-GB")["detail"] == "X not found."
    with translation.override("en"):
        assert err.message() == "X not found."
    with translation.override("vi"):
        assert err.message() == "Không tìm thấy X."


def test_status_can_be_overridden() -> None:
    assert DomainError("c", "v", "e", status=401).status == 401
