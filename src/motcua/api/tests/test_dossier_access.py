"""Who may read and act on a dossier, over HTTP.

A dossier someone may not see answers 404 ``dossier_not_found`` exactly like a dossier that does not
exist (no leak); a visible dossier with an action the person's role does not allow answers 403; an
action the status does not allow answers 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import Membership, Role, User, UserKind
from motcua.agencies.models import Agency
from motcua.dossiers.demo import DEMO_PASSWORD, DemoWorld

from .conftest import (
    API,
    CITIZEN,
    OTHER_CITIZEN,
    Headers,
    act,
    assert_error,
    bearer,
    issue_token,
    land_in_processing,
    post_json,
)
from .test_openapi import dossier_action_paths, openapi

Auth = Callable[[str], Headers]
HANOI_PEOPLES_COMMITTEE = "000.00.00.H01"

#: A body each action route accepts, so that a refusal can only come from access, not from validation.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "accept": {"note": "Đủ hồ sơ"},
    "reject": {"reasons": ["Không thuộc thẩm quyền"]},
    "request-supplement": {"missing": [{"document": "Giấy chứng sinh", "reason": "Ảnh mờ"}]},
    "supplement": {"note": "Đã bổ sung"},
    "competent-receive": {},
    "assign": {"assignee": "chuyenvien.nnmt"},
    "process": {"opinion": "Đủ điều kiện"},
    "consult": {"unit_code": "000.04.00.H37", "question": "Xin ý kiến", "working_days": 3},
    "consultation-done": {"answer": "Đồng ý"},
    "transfer": {"mode": "parallel", "legs": [{"agency_code": "000.04.00.H37", "working_days": "2"}]},
    "legs/{leg_id}/complete": {"note": "Xong"},
    "pause": {"reason": "Chờ xác minh"},
    "resume": {},
    "request-payment": {"amount": "50000", "reason": "Lệ phí"},
    "confirm-payment": {"reference": "BL-0001"},
    "request-extension": {"reason": "Cần thêm thời gian", "new_due_at": "2030-01-02T09:00:00+07:00"},
    "confirm-extension": {},
    "approve": {"note": ""},
    "refuse": {"reasons": ["Không đủ điều kiện"]},
    "stop": {"requested_by": "agency", "reason": "Dừng giải quyết"},
    "resolve": {},
    "return": {},
    "withdraw": {"reason": "Không còn nhu cầu"},
}


@pytest.fixture
def unrelated_officer(client: Client, world: DemoWorld) -> Headers:
    """An officer holding every processing role in Hà Nội's People's Committee (another province)."""
    hanoi = Agency.objects.get(code=HANOI_PEOPLES_COMMITTEE)
    officer = User.objects.create_user(
        username="canbo.hanoi", password=DEMO_PASSWORD, kind=UserKind.OFFICER, full_name="Cán bộ Hà Nội"
    )
    for role in (Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.DIVISION_HEAD, Role.AGENCY_LEADER):
        Membership.objects.create(user=officer, agency=hanoi, role=role)
    return bearer(issue_token(client, "canbo.hanoi"))


def read(client: Client, code: str, headers: Headers) -> Any:
    return client.get(f"{API}/dossiers/{code}", headers=headers)


def test_another_citizen_cannot_read_the_dossier(
    client: Client, auth: Auth, submitted: dict[str, Any]
) -> None:
    # Given the first citizen's dossier
    code = submitted["code"]

    # When the other citizen reads it or lists their dossiers
    response = read(client, code, auth(OTHER_CITIZEN))
    listing = client.get(f"{API}/dossiers", headers=auth(OTHER_CITIZEN))

    # Then it answers as if it did not exist, and is not listed
    body = assert_error(response, 404, "dossier_not_found", "code")
    unknown = assert_error(
        read(client, "000.00.00.H37-000000-0000", auth(OTHER_CITIZEN)), 404, "dossier_not_found"
    )
    assert body["detail"].replace(code, "X") == unknown["detail"].replace("000.00.00.H37-000000-0000", "X")
    assert listing.json() == []


def test_another_citizen_cannot_act_on_the_dossier(
    client: Client, auth: Auth, submitted: dict[str, Any]
) -> None:
    # Given the first citizen's dossier
    code = submitted["code"]

    # When the other citizen tries to withdraw or supplement it
    withdraw = post_json(client, f"/dossiers/{code}/withdraw", {"reason": "Thử"}, auth(OTHER_CITIZEN))
    supplement = post_json(client, f"/dossiers/{code}/supplement", {}, auth(OTHER_CITIZEN))

    # Then 404, and the dossier is untouched
    assert_error(withdraw, 404, "dossier_not_found")
    assert_error(supplement, 404, "dossier_not_found")
    after = read(client, code, auth(CITIZEN)).json()
    assert after["status"] == "submitted"
    assert len(after["timeline"]) == 1


@pytest.mark.parametrize("officer", ["chuyenvien.tuphap", "giamdoc.congan", "motcua.tinh"])
def test_an_officer_outside_the_commune_cannot_see_its_dossier(
    client: Client, auth: Auth, submitted: dict[str, Any], officer: str
) -> None:
    # Given a commune dossier, and a department officer or the provincial service centre's counter
    code = submitted["code"]

    # When they read it or try to accept it
    response = read(client, code, auth(officer))
    accept = post_json(client, f"/dossiers/{code}/accept", {}, auth(officer))

    # Then 404 (their agencies' subtrees do not contain the commune)
    assert_error(response, 404, "dossier_not_found")
    assert_error(accept, 404, "dossier_not_found")


def test_the_provincial_leader_sees_commune_dossiers(
    client: Client, auth: Auth, submitted: dict[str, Any]
) -> None:
    # Given a commune dossier; the provincial People's Committee is the commune's parent agency
    # When the province's leader reads it
    response = read(client, submitted["code"], auth("lanhdao.tinh"))

    # Then they see it (a membership covers the agency's whole subtree)
    assert response.status_code == 200
    assert response.json()["code"] == submitted["code"]


@pytest.mark.parametrize("person", ["chuyenvien.xa", "chutich.xa", CITIZEN])
def test_accept_by_someone_who_sees_the_dossier_but_lacks_the_role_is_forbidden(
    client: Client, auth: Auth, submitted: dict[str, Any], person: str
) -> None:
    # Given a submitted commune dossier, visible to the commune's specialist and chairman and to its owner
    code = submitted["code"]
    assert read(client, code, auth(person)).status_code == 200

    # When one of them (not a receiving officer) accepts it
    response = post_json(client, f"/dossiers/{code}/accept", {}, auth(person))

    # Then 403 action_not_allowed, and the dossier is still submitted
    assert_error(response, 403, "action_not_allowed")
    assert read(client, code, auth(CITIZEN)).json()["status"] == "submitted"


def test_an_action_the_status_does_not_allow_is_a_conflict(
    client: Client, auth: Auth, submitted: dict[str, Any]
) -> None:
    # Given a dossier just submitted (nothing to approve yet)
    code = submitted["code"]

    # When the commune's chairman approves it
    response = post_json(client, f"/dossiers/{code}/approve", {}, auth("chutich.xa"))

    # Then 409 illegal_transition
    assert_error(response, 409, "illegal_transition")
    assert read(client, code, auth(CITIZEN)).json()["status"] == "submitted"


def test_an_assignee_must_belong_to_the_competent_agency(
    client: Client, world: DemoWorld, auth: Auth, submitted: dict[str, Any]
) -> None:
    # Given an accepted commune dossier
    code = submitted["code"]
    act(client, auth("motcua.xa"), code, "accept")

    # When the chairman assigns a specialist of a provincial department
    response = post_json(
        client, f"/dossiers/{code}/assign", {"assignee": "chuyenvien.tuphap"}, auth("chutich.xa")
    )
    unknown = post_json(client, f"/dossiers/{code}/assign", {"assignee": "khong.ton.tai"}, auth("chutich.xa"))

    # Then the assignment is refused on the field assignee
    assert_error(response, 400, "assignee_not_in_agency", "assignee")
    assert_error(unknown, 404, "officer_not_found", "assignee")


@pytest.fixture
def dossiers_with_a_leg(
    client: Client, world: DemoWorld, auth: Auth, submitted: dict[str, Any]
) -> list[tuple[str, int]]:
    """(code, leg id) of the first citizen's commune dossier and of their land dossier with a transfer leg."""
    land = land_in_processing(client, world, auth)
    land = act(
        client,
        auth("chuyenvien.nnmt"),
        land["code"],
        "transfer",
        {
            "mode": "parallel",
            "legs": [{"agency_code": world.departments["Bộ Tài chính"].code, "working_days": "2"}],
        },
    )
    leg_id = land["legs"][0]["id"]
    return [(submitted["code"], leg_id), (land["code"], leg_id)]


def test_every_action_route_hides_the_dossier_from_outsiders(
    client: Client,
    auth: Auth,
    unrelated_officer: Headers,
    dossiers_with_a_leg: list[tuple[str, int]],
) -> None:
    # Given every dossier action route the API publishes, with a body valid for it
    document = openapi(client)
    paths = sorted(dossier_action_paths(document))
    prefix = f"{API}/dossiers/{{code}}/"
    routes = [path.removeprefix(prefix) for path in paths]
    assert set(routes) == set(VALID_BODIES), "a new action route needs a sample body here"
    before = {code: read(client, code, auth(CITIZEN)).json() for code, _ in dossiers_with_a_leg}

    # When a citizen who does not own the dossiers, and an officer of another province with every
    # processing role there, call each route on each dossier
    outsiders = {"other citizen": auth(OTHER_CITIZEN), "officer of Hà Nội": unrelated_officer}
    answers = {}
    for code, leg_id in dossiers_with_a_leg:
        for route in routes:
            url = f"/dossiers/{code}/{route.format(leg_id=leg_id)}"
            for who, headers in outsiders.items():
                response = post_json(client, url, VALID_BODIES[route], headers)
                answers[(code, route, who)] = (response.status_code, response.json().get("code"))

    # Then every call answers 404 dossier_not_found
    assert {key: answer for key, answer in answers.items() if answer != (404, "dossier_not_found")} == {}
    assert len(answers) == 2 * len(routes) * len(outsiders)
    # And none of them changed anything
    for code, _ in dossiers_with_a_leg:
        after = read(client, code, auth(CITIZEN)).json()
        assert (after["status"], after["timeline"]) == (before[code]["status"], before[code]["timeline"])


def test_the_unrelated_officer_cannot_read_or_list(
    client: Client, unrelated_officer: Headers, dossiers_with_a_leg: list[tuple[str, int]]
) -> None:
    # Given dossiers of the demo province
    # When the Hà Nội officer reads them or lists theirs
    answers = [read(client, code, unrelated_officer) for code, _ in dossiers_with_a_leg]
    listing = client.get(f"{API}/dossiers", headers=unrelated_officer)

    # Then 404 for each, and an empty list
    for response in answers:
        assert_error(response, 404, "dossier_not_found")
    assert listing.status_code == 200
    assert listing.json() == []
