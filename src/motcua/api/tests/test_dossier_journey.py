"""Whole dossier lifecycles through the HTTP API, each person acting with their own bearer token.

Expected statuses, national status codes (DVCQG ``TrangThai``) and actor roles follow the workflow rules
(``dossiers.workflow.ACTION_RULES``, ``dossiers.constants.NATIONAL_CODE``); deadlines are recomputed
with the public ``/calendar/due-date`` endpoint from the procedure's published time limit.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.test import Client

from motcua.core.clock import VN_TZ
from motcua.dossiers.demo import DemoWorld

from .conftest import (
    API,
    BIRTH_REGISTRATION,
    CITIZEN,
    LAND_CHANGE_REGISTRATION,
    Headers,
    act,
    assert_error,
    birth_registration,
    get,
    land_in_processing,
    parse_dt,
    post_json,
)

Auth = Callable[[str], Headers]
#: When a procedure publishes a bare number, the unit is the ``unspecified_time_unit`` policy default.
DEFAULT_UNIT = "working_days"


def published_limit(client: Client, procedure_code: str, channel: str) -> tuple[Decimal, str]:
    """The time limit and unit the catalogue publishes for ``channel`` (read through the API)."""
    channels = client.get(f"{API}/procedures/{procedure_code}").json()["channels"]
    chosen = next(c for c in channels if c["channel"] == channel and c["time_limit"] is not None)
    return Decimal(str(chosen["time_limit"])), chosen["time_unit"] or DEFAULT_UNIT


def calendar_due(client: Client, received_at: str, limit: Decimal, unit: str) -> datetime:
    response = get(client, "/calendar/due-date", received_at=received_at, limit=str(limit), unit=unit)
    assert response.status_code == 200, response.content
    return parse_dt(response.json()["due_at"])


def assert_chained(timeline: list[dict[str, Any]]) -> None:
    """Events are numbered 1, 2, … and each starts from the status the previous one reached."""
    assert [e["sequence"] for e in timeline] == list(range(1, len(timeline) + 1))
    assert timeline[0]["from_status"] == "draft"
    for before, after in itertools.pairwise(timeline):
        assert after["from_status"] == before["to_status"]
        assert parse_dt(after["at"]) >= parse_dt(before["at"])


def test_birth_registration_from_submission_to_returned_result(
    client: Client, world: DemoWorld, auth: Auth
) -> None:
    commune = world.communes[0]
    citizen, counter = auth(CITIZEN), auth("motcua.xa")
    leader, specialist = auth("chutich.xa"), auth("chuyenvien.xa")

    # Given the citizen submits a birth registration online to their commune
    response = post_json(client, "/dossiers", birth_registration(world), citizen)

    # Then it is registered with a code <receiving agency>-<YYMMDD of receipt>-<4-digit sequence>
    assert response.status_code == 201, response.content
    d = response.json()
    code = d["code"]
    assert re.fullmatch(rf"{re.escape(commune.code)}-\d{{6}}-\d{{4}}", code), code
    received_on = parse_dt(d["submitted_at"]).astimezone(VN_TZ).date()
    assert code.split("-")[1] == received_on.strftime("%y%m%d")
    assert (d["status"], d["national_status_code"]) == ("submitted", 1)
    assert (d["procedure_code"], d["channel"]) == (BIRTH_REGISTRATION, "online")
    assert d["receiving_agency_code"] == d["competent_agency_code"] == commune.code
    assert d["applicant_name"] == "Nguyễn Văn An"
    assert d["due_at"] is None  # the clock starts at acceptance, not at submission
    assert [(e["action"], e["actor_roles"]) for e in d["timeline"]] == [("submit", ["applicant"])]
    assert "accept" in d["allowed_actions"]

    # When the receiving officer asks for a supplement (Form 02), listing every item at once
    missing = [
        {"document": "Giấy chứng sinh", "reason": "Ảnh chụp bị mờ, không đọc được"},
        {"document": "Văn bản ủy quyền", "reason": "Chưa được chứng thực"},
    ]
    d = act(client, counter, code, "request-supplement", {"missing": missing})
    # Then the dossier waits for the citizen (national status 5) and the reasons are recorded
    assert (d["status"], d["national_status_code"]) == ("supplement_requested", 5)
    assert "Giấy chứng sinh" in d["timeline"][-1]["reason"]
    assert "Văn bản ủy quyền" in d["timeline"][-1]["reason"]

    # When the citizen hands in the supplement
    d = act(
        client, citizen, code, "supplement", {"note": "Đã tải lại bản chụp rõ", "form_data": {"fixed": True}}
    )
    # Then it is back with the counter, still "new" for the national portal (not yet accepted)
    assert (d["status"], d["national_status_code"]) == ("supplement_received", 1)

    # When the receiving officer accepts it (Form 01)
    d = act(client, counter, code, "accept", {"note": "Hồ sơ đầy đủ"})
    # Then the clock starts: due = accepted_at + the procedure's online time limit on the official calendar
    assert (d["status"], d["national_status_code"]) == ("accepted", 2)
    limit, unit = published_limit(client, BIRTH_REGISTRATION, "online")
    assert (limit, unit) == (Decimal(1), "working_days")
    expected_due = calendar_due(client, d["accepted_at"], limit, unit)
    assert d["accepted_at"] == d["clock_started_at"]
    assert parse_dt(d["due_at"]) == parse_dt(d["original_due_at"]) == expected_due
    assert expected_due > parse_dt(d["accepted_at"])

    # When the commune chairman assigns the specialist
    d = act(client, leader, code, "assign", {"assignee": "chuyenvien.xa", "note": "Xử lý trong ngày"})
    assert (d["status"], d["national_status_code"]) == ("processing", 4)

    # And the specialist appraises and submits for approval
    d = act(client, specialist, code, "process", {"opinion": "Đủ điều kiện đăng ký khai sinh"})
    assert (d["status"], d["national_status_code"]) == ("pending_approval", 4)

    # And the chairman approves
    d = act(client, leader, code, "approve", {"note": "Đồng ý"})
    assert (d["status"], d["national_status_code"]) == ("approved", 4)

    # And the specialist records the result (its code defaults to <dossier code>-KQ1)
    d = act(client, specialist, code, "resolve", {"note": "Đã in Giấy khai sinh"})
    assert (d["status"], d["national_status_code"]) == ("resolved", 9)
    assert d["result_code"] == f"{code}-KQ1"
    assert d["resolved_at"] is not None

    # And the receiving officer returns it
    act(client, counter, code, "return", {})

    # Then a fresh read shows the result returned, national status 10, every step in order
    response = client.get(f"{API}/dossiers/{code}", headers=citizen)
    assert response.status_code == 200
    d = response.json()
    assert (d["status"], d["national_status_code"]) == ("returned", 10)
    assert d["returned_at"] is not None
    assert d["allowed_actions"] == []
    assert [(e["action"], e["actor_roles"]) for e in d["timeline"]] == [
        ("submit", ["applicant"]),
        ("request_supplement", ["receiving_officer"]),
        ("supplement", ["applicant"]),
        ("accept", ["receiving_officer"]),
        ("assign", ["agency_leader"]),
        ("process", ["specialist"]),
        ("approve", ["agency_leader"]),
        ("resolve", ["specialist"]),
        ("return_result", ["receiving_officer"]),
    ]
    assert d["timeline"][-1]["to_status"] == "returned"
    assert {e["agency_code"] for e in d["timeline"]} == {commune.code}
    assert_chained(d["timeline"])

    # And each person sees it in their list
    for headers in (citizen, counter, leader, specialist):
        listed = client.get(f"{API}/dossiers", headers=headers).json()
        assert code in [x["code"] for x in listed]


def test_transfer_in_parallel_to_two_departments(client: Client, world: DemoWorld, auth: Auth) -> None:
    finance = world.departments["Bộ Tài chính"]
    construction = world.departments["Bộ Xây dựng"]
    # Given a land dossier being processed by the Department of Agriculture and Environment
    d = land_in_processing(client, world, auth)
    code = d["code"]
    # and the finance department cannot see it yet
    assert_error(
        client.get(f"{API}/dossiers/{code}", headers=auth("chuyenvien.taichinh")), 404, "dossier_not_found"
    )

    # When the specialist transfers it to two departments in parallel
    d = act(
        client,
        auth("chuyenvien.nnmt"),
        code,
        "transfer",
        {
            "mode": "parallel",
            "legs": [
                {"agency_code": finance.code, "working_days": "3", "task": "Xác định nghĩa vụ tài chính"},
                {
                    "agency_code": construction.code,
                    "working_days": "2",
                    "task": "Xác nhận hiện trạng công trình",
                },
            ],
        },
    )

    # Then both legs start now, each with its own deadline on the official calendar
    assert (d["status"], d["national_status_code"]) == ("transferred", 4)
    legs = {leg["agency_code"]: leg for leg in d["legs"]}
    assert set(legs) == {finance.code, construction.code}
    for agency_code, days in ((finance.code, 3), (construction.code, 2)):
        leg = legs[agency_code]
        assert leg["mode"] == "parallel"
        assert leg["started_at"] is not None
        assert leg["completed_at"] is None
        assert parse_dt(leg["due_at"]) == calendar_due(
            client, leg["started_at"], Decimal(days), "working_days"
        )

    # And each department now sees the dossier
    for officer in ("chuyenvien.taichinh", "chuyenvien.xaydung"):
        assert client.get(f"{API}/dossiers/{code}", headers=auth(officer)).status_code == 200

    # When the finance specialist tries to complete the construction department's leg
    response = post_json(
        client,
        f"/dossiers/{code}/legs/{legs[construction.code]['id']}/complete",
        {},
        auth("chuyenvien.taichinh"),
    )
    # Then it is not theirs
    assert_error(response, 403, "action_not_allowed")

    # When the finance specialist completes their own leg
    d = act(
        client,
        auth("chuyenvien.taichinh"),
        code,
        f"legs/{legs[finance.code]['id']}/complete",
        {"note": "Xong"},
    )
    # Then the dossier still waits for the other leg
    assert d["status"] == "transferred"
    done = {leg["agency_code"]: leg["completed_at"] for leg in d["legs"]}
    assert done[finance.code] is not None
    assert done[construction.code] is None

    # And a leg cannot be completed twice
    response = post_json(
        client, f"/dossiers/{code}/legs/{legs[finance.code]['id']}/complete", {}, auth("chuyenvien.taichinh")
    )
    assert_error(response, 400, "leg_not_open", "leg")

    # When the construction department's head completes the last leg
    d = act(client, auth("truongphong.xaydung"), code, f"legs/{legs[construction.code]['id']}/complete", {})

    # Then the dossier is back with the lead department, and the timeline records whose leg each was
    assert d["status"] == "processing"
    assert all(leg["completed_at"] is not None for leg in d["legs"])
    tail = [(e["action"], e["agency_code"], e["actor_roles"]) for e in d["timeline"][-3:]]
    assert tail == [
        ("transfer", world.departments["Bộ Nông nghiệp và Môi trường"].code, ["specialist"]),
        ("complete_leg", finance.code, ["specialist"]),
        ("complete_leg", construction.code, ["division_head"]),
    ]
    assert_chained(d["timeline"])


def test_apology_and_extension_then_confirmation(client: Client, world: DemoWorld, auth: Auth) -> None:
    # Given a land dossier in processing, due after the published 18 working days
    d = land_in_processing(client, world, auth)
    code = d["code"]
    limit, unit = published_limit(client, LAND_CHANGE_REGISTRATION, "online")
    assert (limit, unit) == (Decimal(18), "working_days")
    original_due = parse_dt(d["due_at"])
    assert original_due == calendar_due(client, d["accepted_at"], limit, unit)

    # When the specialist apologises and proposes a date a week later (Form 04)
    new_due = original_due + timedelta(days=7)
    d = act(
        client,
        auth("chuyenvien.nnmt"),
        code,
        "request-extension",
        {"reason": "Cần xác minh thực địa", "new_due_at": new_due.isoformat()},
    )

    # Then the proposal is recorded; the due date is not moved yet and the original one never is
    assert d["status"] == "extension_requested"
    assert parse_dt(d["extended_due_at"]) == new_due
    assert parse_dt(d["due_at"]) == parse_dt(d["original_due_at"]) == original_due

    # When the service centre's counter confirms the new date to the applicant
    d = act(client, auth("motcua.tinh"), code, "confirm-extension")

    # Then the new date is the due date, the original is kept
    assert d["status"] == "processing"
    assert parse_dt(d["due_at"]) == new_due
    assert parse_dt(d["original_due_at"]) == original_due
    assert [e["action"] for e in d["timeline"]][-2:] == ["request_extension", "confirm_extension"]

    # And a second extension is refused (at most one by default, Decree 61/2018 Art 19(9))
    response = post_json(
        client,
        f"/dossiers/{code}/request-extension",
        {"reason": "Lần nữa", "new_due_at": (new_due + timedelta(days=7)).isoformat()},
        auth("chuyenvien.nnmt"),
    )
    assert_error(response, 400, "extension_limit_reached")


def test_stop_at_the_applicants_request(client: Client, world: DemoWorld, auth: Auth) -> None:
    # Given a land dossier in processing
    code = land_in_processing(client, world, auth)["code"]

    # When the department's leader stops it because the applicant asked (Form 05)
    d = act(
        client,
        auth("giamdoc.nnmt"),
        code,
        "stop",
        {"requested_by": "applicant", "reason": "Người dân đề nghị dừng giải quyết", "decision": "05/TB"},
    )

    # Then it is stopped (national status 8) and nothing more can happen to it
    assert (d["status"], d["national_status_code"]) == ("stopped", 8)
    assert d["allowed_actions"] == []
    last = d["timeline"][-1]
    assert (last["action"], last["reason"], last["actor_roles"]) == (
        "stop",
        "Người dân đề nghị dừng giải quyết",
        ["agency_leader"],
    )
    response = post_json(client, f"/dossiers/{code}/resume", {}, auth("chuyenvien.nnmt"))
    assert_error(response, 409, "illegal_transition")


def test_withdrawal_by_the_citizen(
    client: Client, world: DemoWorld, auth: Auth, submitted: dict[str, Any]
) -> None:
    # Given the citizen's submitted birth registration
    code = submitted["code"]

    # When the citizen withdraws it
    d = act(client, auth(CITIZEN), code, "withdraw", {"reason": "Đã nộp nhầm"})

    # Then it is withdrawn (national status 7), by the applicant
    assert (d["status"], d["national_status_code"]) == ("withdrawn", 7)
    assert [(e["action"], e["actor_roles"], e["reason"]) for e in d["timeline"]] == [
        ("submit", ["applicant"], ""),
        ("withdraw", ["applicant"], "Đã nộp nhầm"),
    ]
    # And the counter can no longer accept it
    assert_error(
        post_json(client, f"/dossiers/{code}/accept", {}, auth("motcua.xa")), 409, "illegal_transition"
    )


def test_the_counter_can_refuse_at_reception(
    client: Client, world: DemoWorld, auth: Auth, submitted: dict[str, Any]
) -> None:
    # When the receiving officer refuses the dossier with reasons (Form 03)
    d = act(
        client,
        auth("motcua.xa"),
        submitted["code"],
        "reject",
        {"reasons": ["Không thuộc thẩm quyền", "Người nộp không cư trú tại xã"]},
    )

    # Then it is not accepted (national status 3) and both reasons are recorded
    assert (d["status"], d["national_status_code"]) == ("rejected", 3)
    assert d["timeline"][-1]["reason"] == "Không thuộc thẩm quyền; Người nộp không cư trú tại xã"


def test_side_steps_while_processing(client: Client, world: DemoWorld, auth: Auth) -> None:
    # Given a land dossier in processing
    d = land_in_processing(client, world, auth)
    code, due = d["code"], d["due_at"]
    specialist, counter = auth("chuyenvien.nnmt"), auth("motcua.tinh")
    construction = world.departments["Bộ Xây dựng"]

    # When the specialist consults another department and records its answer
    d = act(
        client,
        specialist,
        code,
        "consult",
        {"unit_code": construction.code, "question": "Công trình có phép không?", "working_days": 3},
    )
    assert d["status"] == "consulting"
    d = act(client, specialist, code, "consultation-done", {"answer": "Có giấy phép"})
    assert d["status"] == "processing"

    # And pauses and resumes on the same day
    d = act(client, specialist, code, "pause", {"reason": "Chờ xác minh thực địa"})
    assert d["status"] == "paused"
    d = act(client, specialist, code, "resume", {"note": "Đã xác minh"})
    assert d["status"] == "processing"

    # And asks for the fee, which the counter confirms
    d = act(client, specialist, code, "request-payment", {"amount": "50000", "reason": "Lệ phí trước bạ"})
    assert (d["status"], d["national_status_code"]) == ("awaiting_payment", 6)
    d = act(client, counter, code, "confirm-payment", {"reference": "BL-2026-0001"})

    # Then the dossier is processing again, with the same due date (no working day was lost), and the
    # timeline records each step
    assert d["status"] == "processing"
    assert parse_dt(d["due_at"]) == parse_dt(due)
    assert [e["action"] for e in d["timeline"]][-6:] == [
        "consult",
        "consultation_done",
        "pause",
        "resume",
        "request_payment",
        "confirm_payment",
    ]
    assert d["timeline"][-1]["actor_roles"] == ["receiving_officer"]
    assert_chained(d["timeline"])


def test_the_dossier_list_filters_by_status_newest_first(
    client: Client, world: DemoWorld, auth: Auth
) -> None:
    # Given three dossiers of the citizen, the first of which the counter accepts
    citizen = auth(CITIZEN)
    codes = []
    for _ in range(3):
        response = post_json(client, "/dossiers", birth_registration(world), citizen)
        assert response.status_code == 201
        codes.append(response.json()["code"])
    act(client, auth("motcua.xa"), codes[0], "accept")

    # When the citizen lists them, all, by status, and by page
    everything = get(client, "/dossiers", citizen).json()
    submitted_only = get(client, "/dossiers", citizen, status="submitted").json()
    second_page = get(client, "/dossiers", citizen, limit=1, offset=1).json()

    # Then newest first, filtered and paged as asked; the daily sequence numbers follow each other
    assert [d["code"] for d in everything] == codes[::-1]
    assert [d["code"] for d in submitted_only] == [codes[2], codes[1]]
    assert [d["code"] for d in second_page] == [codes[1]]
    sequences = [int(code.rsplit("-", 1)[1]) for code in codes]
    assert sequences == list(range(sequences[0], sequences[0] + 3))
