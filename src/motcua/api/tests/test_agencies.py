"""``GET /api/v1/agencies`` on the real 2025 agency skeleton (34 provinces, 3,321 communes)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.test import Client

from .conftest import API, assert_error, get

COMMUNES_CSV = Path(__file__).resolve().parents[2] / "agencies" / "data" / "communes_2025.csv"
NINH_BINH = "000.00.00.H37"
DEFAULT_LIMIT = 100  # the route's documented default


def communes_of_province(province_code: str) -> set[str]:
    """Administrative codes (ma_xa) of the communes of a province, read from the bundled file."""
    with COMMUNES_CSV.open(encoding="utf-8") as fh:
        return {row["ma_xa"] for row in csv.DictReader(fh) if row["ma_tinh"] == province_code}


def test_communes_within_a_province(client: Client, reference_data: None) -> None:
    # Given Ninh Bình's communes as published in the 2025 list
    expected = communes_of_province("37")
    assert len(expected) > DEFAULT_LIMIT

    # When the client lists the communes within Ninh Bình's People's Committee, with room for all
    response = get(client, "/agencies", within=NINH_BINH, kind="commune", limit=1000)

    # Then exactly those communes come back, each directly under the province
    assert response.status_code == 200, response.content
    agencies = response.json()
    assert len(agencies) == len(expected)
    assert {a["admin_unit_code"] for a in agencies} == expected
    assert {a["kind"] for a in agencies} == {"commune"}
    assert {a["parent_code"] for a in agencies} == {NINH_BINH}
    assert all(a["code"].endswith(".H37") for a in agencies)


def test_the_default_limit_applies(client: Client, reference_data: None) -> None:
    # When the client does not say how many
    response = get(client, "/agencies", within=NINH_BINH, kind="commune")

    # Then the default page of 100 comes back, all within Ninh Bình
    assert response.status_code == 200
    agencies = response.json()
    assert len(agencies) == DEFAULT_LIMIT
    assert {a["admin_unit_code"] for a in agencies} <= communes_of_province("37")


def test_a_province_subtree_includes_the_province_itself(client: Client, reference_data: None) -> None:
    # When the client lists Ninh Bình's subtree without a kind
    agencies = get(client, "/agencies", within=NINH_BINH, limit=1000).json()

    # Then the province comes first (path order) followed by its communes
    assert agencies[0]["code"] == NINH_BINH
    assert agencies[0]["kind"] == "province"
    assert len([a for a in agencies if a["kind"] == "commune"]) == len(communes_of_province("37"))


@pytest.mark.parametrize("province", ["01", "79"])
def test_other_provinces_too(client: Client, reference_data: None, province: str) -> None:
    # When the client lists another province's communes
    agencies = get(client, "/agencies", within=f"000.00.00.H{province}", kind="commune", limit=1000).json()

    # Then they are that province's
    assert {a["admin_unit_code"] for a in agencies} == communes_of_province(province)


def test_unknown_within_is_not_found(client: Client, reference_data: None) -> None:
    # When the subtree root does not exist
    response = get(client, "/agencies", within="000.00.00.H99", kind="commune")

    # Then 404 agency_not_found on within
    assert_error(response, 404, "agency_not_found", "within")


def test_one_agency(client: Client, reference_data: None) -> None:
    # When the client reads Ninh Bình's People's Committee
    response = client.get(f"{API}/agencies/{NINH_BINH}")

    # Then its card, under the nation
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["kind"], body["admin_unit_code"]) == (NINH_BINH, "province", "37")
    assert client.get(f"{API}/agencies/000.00.00.H99").status_code == 404
