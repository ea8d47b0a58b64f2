import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from motcua.core.text import fold, nfc


def test_fold_removes_diacritics_case_and_d_stroke() -> None:
    assert fold("Thủ tục Đăng ký khai sinh") == "thu tuc dang ky khai sinh"


def test_fold_treats_nfd_and_nfc_alike() -> None:
    nfd = unicodedata.normalize("NFD", "Đăng ký thường trú")
    assert fold(nfd) == fold("Đăng ký thường trú") == "dang ky thuong tru"


def test_nfc_normalises_and_strips() -> None:
    assert nfc(unicodedata.normalize("NFD", " Hộ tịch ")) == "Hộ tịch"
    assert nfc(None) == ""


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
