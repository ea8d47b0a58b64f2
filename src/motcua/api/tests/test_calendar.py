"""``GET /api/v1/calendar/due-date`` on the real 2024–2026 official calendar.

Expected dates are counted by hand on the official calendar; each count is written next to its case.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.test import Client

from .conftest import API, assert_error, parse_dt

VN = timezone(timedelta(hours=7))
DUE_DATE = f"{API}/calendar/due-date"


@pytest.mark.parametrize(
    ("received_at", "limit", "expected"),
    [
        # Thu 24/4/2025 + 5: 25/4 Fri, 26/4 Sat (make-up day), 28/4 Mon, 29/4 Tue,
        # [30/4–1/5 holidays, 2/5 swapped day off, 3–4/5 weekend], 5/5 Mon.
        pytest.param(
            "2025-04-24T09:00:00%2B07:00", "5", datetime(2025, 5, 5, 9, 0, tzinfo=VN), id="30-4-2025"
        ),
        # Fri 13/2/2026 + 5: [14–22/2 Tết break incl. weekends], 23, 24, 25, 26, 27/2.
        pytest.param(
            "2026-02-13T09:00:00%2B07:00", "5", datetime(2026, 2, 27, 9, 0, tzinfo=VN), id="tet-2026"
        ),
        # The same instant given in UTC: Fri 13/2/2026 02:00Z = 09:00 in Hanoi.
        pytest.param("2026-02-13T02:00:00Z", "5", datetime(2026, 2, 27, 9, 0, tzinfo=VN), id="tet-2026-utc"),
    ],
)
def test_due_date_in_working_days(
    client: Client, reference_data: None, received_at: str, limit: str, expected: datetime
) -> None:
    # Given a dossier received at `received_at` with a limit in working days
    # When the client asks for the due date
    response = client.get(f"{DUE_DATE}?received_at={received_at}&limit={limit}&unit=working_days")

    # Then the due date skips weekends, holidays and the Tết break and keeps the time of day
    assert response.status_code == 200, response.content
    body = response.json()
    assert parse_dt(body["due_at"]) == expected
    assert body["unit"] == "working_days"


def test_bad_unit_is_invalid_input_on_unit(client: Client, reference_data: None) -> None:
    # When the unit is not one of working_days, days, hours, months
    response = client.get(f"{DUE_DATE}?received_at=2025-04-24T09:00:00%2B07:00&limit=5&unit=fortnights")

    # Then 422 on the field unit
    assert_error(response, 422, "invalid_input", "unit")


def test_received_at_without_time_zone_is_refused(client: Client, reference_data: None) -> None:
    # When the moment has no time zone (ambiguous for a deadline)
    response = client.get(f"{DUE_DATE}?received_at=2025-04-24T09:00:00&limit=5&unit=working_days")

    # Then 400 naive_datetime on received_at
    assert_error(response, 400, "naive_datetime", "received_at")


@pytest.mark.parametrize("limit", ["0", "-1", "-0.5"])
def test_limit_must_be_positive(client: Client, reference_data: None, limit: str) -> None:
    # When the time limit is zero or negative
    response = client.get(
        f"{DUE_DATE}?received_at=2025-04-24T09:00:00%2B07:00&limit={limit}&unit=working_days"
    )

    # Then 400 invalid_time_limit on limit
    assert_error(response, 400, "invalid_time_limit", "limit")


@pytest.mark.parametrize("limit", ["abc", "", "5days"])
def test_non_numeric_limit_is_invalid_input(client: Client, reference_data: None, limit: str) -> None:
    # When the limit is not a number
    response = client.get(
        f"{DUE_DATE}?received_at=2025-04-24T09:00:00%2B07:00&limit={limit}&unit=working_days"
    )

    # Then 422 on limit
    assert_error(response, 422, "invalid_input", "limit")


@pytest.mark.parametrize("missing", ["received_at", "limit", "unit"])
def test_every_parameter_is_required(client: Client, reference_data: None, missing: str) -> None:
    # Given the three parameters, one left out
    params = {"received_at": "2025-04-24T09:00:00+07:00", "limit": "5", "unit": "working_days"}
    del params[missing]

    # When the client asks
    response = client.get(DUE_DATE, data=params)

    # Then the missing one is reported
    assert_error(response, 422, "invalid_input", missing)


@pytest.mark.parametrize(("limit", "unit"), [("100000", "months"), ("10000000", "days")])
def test_a_huge_limit_is_a_client_error_not_a_server_error(
    reference_data: None, limit: str, unit: str
) -> None:
    # Given a client that sees server errors as responses
    client = Client(raise_request_exception=False)

    # When the limit puts the due date past year 9999
    response = client.get(f"{DUE_DATE}?received_at=2025-04-24T09:00:00%2B07:00&limit={limit}&unit={unit}")

    # Then the API refuses the limit as a 4xx {code, detail, field="limit"}, not a 500 page
    assert 400 <= response.status_code < 500, response.status_code
    assert response.json()["field"] == "limit"
