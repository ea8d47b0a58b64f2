"""Procedure search and detail over HTTP, on the real national catalogue."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from .conftest import API, BIRTH_REGISTRATION, assert_error, get

COMMON_FILE = Path(__file__).resolve().parents[2] / "catalogue" / "data" / "common_procedures.json"
BIRTH_NAME = "Thủ tục đăng ký khai sinh"
#: The catalogue's channel labels and units (as published on the national portal) → API values.
CHANNEL_OF = {"Trực tuyến": "online", "Trực tiếp": "in_person", "Dịch vụ bưu chính": "postal"}
UNIT_OF = {None: "", "Ngày làm việc": "working_days", "Ngày": "days", "Giờ": "hours", "Tháng": "months"}


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def common_record(code: str) -> dict[str, Any]:
    records = json.loads(COMMON_FILE.read_text(encoding="utf-8"))
    (record,) = [r for r in records if r["ma_thu_tuc"] == code]
    return record


def search_raw(client: Client, encoded_q: str, **headers: str) -> Any:
    return client.get(f"{API}/procedures?q={encoded_q}", headers=headers or None)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("dang ky khai sinh", id="no-diacritics"),
        pytest.param("DANG KY KHAI SINH", id="upper-case"),
        pytest.param(unicodedata.normalize("NFD", "đăng ký khai sinh"), id="nfd"),
        pytest.param(unicodedata.normalize("NFC", "đăng ký khai sinh"), id="nfc"),
    ],
)
def test_search_finds_birth_registration_first(client: Client, reference_data: None, query: str) -> None:
    # Given the real catalogue and a query typed in one of the ways citizens type it
    # When the client searches (the query URL-encoded as UTF-8)
    response = search_raw(client, quote(query, safe=""))

    # Then the birth registration procedure comes first
    assert response.status_code == 200, response.content
    results = response.json()
    assert results, "no result"
    assert results[0]["national_code"] == BIRTH_REGISTRATION
    assert results[0]["name"] == BIRTH_NAME
    assert results[0]["issuing_body"] == "Bộ Tư pháp"


def test_nfd_and_nfc_queries_differ_as_bytes_but_give_the_same_results(
    client: Client, reference_data: None
) -> None:
    # Given the same words in the two Unicode normal forms (different bytes on the wire)
    nfd = unicodedata.normalize("NFD", "đăng ký khai sinh")
    nfc_query = unicodedata.normalize("NFC", "đăng ký khai sinh")
    assert quote(nfd) != quote(nfc_query)

    # When the client searches with each
    by_nfd = search_raw(client, quote(nfd, safe=""))
    by_nfc = search_raw(client, quote(nfc_query, safe=""))

    # Then both answer the same list
    assert by_nfd.status_code == by_nfc.status_code == 200
    assert [p["national_code"] for p in by_nfd.json()] == [p["national_code"] for p in by_nfc.json()]


def test_search_honours_the_limit(client: Client, reference_data: None) -> None:
    # Given a query matching many procedures ("dang ky" = registration)
    # When the client asks for at most 3
    response = get(client, "/procedures", q="dang ky", limit=3)

    # Then 3 come back
    assert response.status_code == 200
    assert len(response.json()) == 3


@pytest.mark.parametrize("encoded_q", ["", "%20%20%20", "%20-%20"], ids=["empty", "blank", "punctuation"])
def test_empty_query_is_refused(client: Client, reference_data: None, encoded_q: str) -> None:
    # Given a query with no word in it
    # When the client searches
    response = search_raw(client, encoded_q)

    # Then the API refuses it on the field q
    assert_error(response, 400, "search_query_empty", "q")


def test_missing_query_parameter_is_invalid_input(client: Client, reference_data: None) -> None:
    # Given no q at all
    response = client.get(f"{API}/procedures")

    # Then the parameter is reported missing
    assert_error(response, 422, "invalid_input", "q")


def test_procedure_detail_matches_the_catalogue_record(client: Client, reference_data: None) -> None:
    # Given the published record of the birth registration procedure
    record = common_record(BIRTH_REGISTRATION)

    # When the client reads the procedure
    response = client.get(f"{API}/procedures/{BIRTH_REGISTRATION}")

    # Then identity, channels (with time limit and unit), documents and results are those published
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["national_code"] == BIRTH_REGISTRATION
    assert body["name"] == nfc(record["ten_thu_tuc"])
    assert body["issuing_body"] == nfc(record["bo_nganh"])
    assert body["decision_number"] == nfc(record["so_quyet_dinh"])
    assert body["field"] == nfc(record["linh_vuc"])
    assert body["implementing_levels"] == ["commune"]
    assert body["legal_basis_numbers"] == [nfc(n) for n in record["can_cu_phap_ly_so_hieu"]]
    assert body["source_url"] == record["detail_url"]

    expected_channels = [
        (CHANNEL_OF[nfc(c["hinh_thuc"])], Decimal(str(c["thoi_han"])), UNIT_OF[c["don_vi_thoi_han"]])
        for c in record["kenh_nop"]
    ]
    assert [
        (c["channel"], Decimal(str(c["time_limit"])), c["time_unit"]) for c in body["channels"]
    ] == expected_channels
    assert all(c["fee_text"] == "Miễn phí" for c in body["channels"])

    expected_documents = [
        (nfc(group["nhom"]), nfc(doc["ten_giay_to"]), doc["so_ban_chinh"], doc["so_ban_sao"])
        for group in record["thanh_phan_ho_so"]
        for doc in group["giay_to"]
        if nfc(doc["ten_giay_to"])
    ]
    assert len(expected_documents) > 5
    assert [(d["group"], d["name"], d["originals"], d["copies"]) for d in body["documents"]] == (
        expected_documents
    )

    expected_results = [{"name": nfc(r["ten"]), "code": nfc(r["ma"])} for r in record["ket_qua"]]
    assert body["results"] == expected_results == [{"name": "Giấy khai sinh", "code": "KQ.G15.000031"}]


def test_procedure_detail_lists_the_demo_offerings(client: Client, demo_world: Any) -> None:
    # Given the demo province offers the birth registration online at its first three communes
    expected = sorted(c.code for c in demo_world.communes)

    # When the client reads the procedure
    body = client.get(f"{API}/procedures/{BIRTH_REGISTRATION}").json()

    # Then those offerings are listed, fully online, with the province-wide boundary-free scope
    offerings = sorted(body["offerings"], key=lambda o: o["agency_code"])
    assert [o["agency_code"] for o in offerings] == expected
    assert {o["online_mode"] for o in offerings} == {"full"}
    assert {o["local_code"] for o in offerings} == {f"{BIRTH_REGISTRATION}.H37"}
    assert {o["boundary_free"] for o in offerings} == {"province"}


def test_search_by_national_code_finds_that_procedure(client: Client, reference_data: None) -> None:
    # When the client searches by the national code
    response = get(client, "/procedures", q=BIRTH_REGISTRATION)

    # Then exactly that procedure answers
    assert response.status_code == 200
    assert [p["national_code"] for p in response.json()] == [BIRTH_REGISTRATION]


def test_unknown_procedure_is_not_found(client: Client, reference_data: None) -> None:
    # When the client reads a code that no procedure has
    response = client.get(f"{API}/procedures/9.999999")

    # Then 404 procedure_not_found
    assert_error(response, 404, "procedure_not_found", "code")
