"""Input validation of dossier routes through HTTP: every refusal is ``{code, detail, field}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier

from .conftest import (
    API,
    CITIZEN,
    Headers,
    act,
    assert_error,
    birth_registration,
    land_in_processing,
    post_json,
)

Auth = Callable[[str], Headers]


def submit(client: Client, auth: Auth, body: Any, who: str = CITIZEN) -> Any:
    return post_json(client, "/dossiers", body, auth(who))


def with_applicant(world: DemoWorld, **fields: str) -> dict[str, Any]:
    body = birth_registration(world)
    body["applicant"] = {**body["applicant"], **fields}
    return body


@pytest.mark.parametrize("id_number", ["03709000123", "0370900012345", "03709000123A", ""])
def test_citizen_id_must_be_12_digits(client: Client, world: DemoWorld, auth: Auth, id_number: str) -> None:
    # When the applicant's personal identification number is not exactly 12 digits
    response = submit(client, auth, with_applicant(world, id_number=id_number))

    # Then 400 invalid_citizen_id on applicant.id_number, and no dossier is created
    assert_error(response, 400, "invalid_citizen_id", "applicant.id_number")
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"full_name": "   "}, "applicant_name_required", "applicant.full_name"),
        ({"phone": "12345"}, "invalid_phone", "applicant.phone"),
        ({"email": "an.nguyen.example.vn"}, "invalid_email", "applicant.email"),
    ],
)
def test_applicant_details_are_checked(
    client: Client, world: DemoWorld, auth: Auth, fields: dict[str, str], code: str, field: str
) -> None:
    # When an applicant detail is blank or malformed
    response = submit(client, auth, with_applicant(world, **fields))

    # Then 400 with that field
    assert_error(response, 400, code, field)


def test_unknown_channel_is_invalid_input(client: Client, world: DemoWorld, auth: Auth) -> None:
    # When the channel is not one of online, in_person, postal, kiosk
    response = submit(client, auth, birth_registration(world, channel="fax"))

    # Then 422 on channel
    assert_error(response, 422, "invalid_input", "channel")


@pytest.mark.parametrize("missing", ["applicant", "procedure_code", "receiving_agency_code"])
def test_required_fields_must_be_present(client: Client, world: DemoWorld, auth: Auth, missing: str) -> None:
    # Given a submission without a required field
    body = birth_registration(world)
    del body[missing]

    # When submitted
    response = submit(client, auth, body)

    # Then 422 on that field
    assert_error(response, 422, "invalid_input", missing)


def test_missing_applicant_name_is_reported_with_its_path(
    client: Client, world: DemoWorld, auth: Auth
) -> None:
    # Given an applicant without a full name
    body = birth_registration(world)
    del body["applicant"]["full_name"]

    # When submitted
    response = submit(client, auth, body)

    # Then 422 on applicant.full_name
    assert_error(response, 422, "invalid_input", "applicant.full_name")


def test_unknown_procedure_is_not_found(client: Client, world: DemoWorld, auth: Auth) -> None:
    # When the procedure code exists nowhere in the catalogue
    response = submit(client, auth, birth_registration(world, procedure_code="9.999999"))

    # Then 404 procedure_not_found on the body's field, as for unknown agencies
    assert_error(response, 404, "procedure_not_found", "procedure_code")
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("field", ["receiving_agency_code", "competent_agency_code"])
def test_unknown_agency_is_not_found_on_its_field(
    client: Client, world: DemoWorld, auth: Auth, field: str
) -> None:
    # When an agency code of the body is unknown
    response = submit(client, auth, birth_registration(world, **{field: "999.99.99.H99"}))

    # Then 404 agency_not_found on that field
    assert_error(response, 404, "agency_not_found", field)


def test_a_procedure_not_offered_by_the_agency_is_refused(
    client: Client, world: DemoWorld, auth: Auth
) -> None:
    # Given a commune-level procedure filed at a provincial department (which does not handle it)
    body = birth_registration(world, receiving_agency_code=world.departments["Bộ Tư pháp"].code)

    # When submitted
    response = submit(client, auth, body)

    # Then 400 procedure_not_offered
    assert_error(response, 400, "procedure_not_offered", "competent_agency")


def test_post_delivery_needs_an_address(client: Client, world: DemoWorld, auth: Auth) -> None:
    # When the citizen wants the result by post but gives no address (or only blanks)
    empty = submit(client, auth, birth_registration(world, delivery_method="post"))
    blank = submit(client, auth, birth_registration(world, delivery_method="post", delivery_address="   "))

    # Then 400 delivery_address_required
    assert_error(empty, 400, "delivery_address_required", "delivery_address")
    assert_error(blank, 400, "delivery_address_required", "delivery_address")

    # And with an address it is accepted
    ok = submit(
        client, auth, birth_registration(world, delivery_method="post", delivery_address="Số 1, Thôn Đông")
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["delivery_method"] == "post"


def test_a_postal_dossier_needs_the_handover_time(client: Client, world: DemoWorld, auth: Auth) -> None:
    # When the commune counter registers a postal dossier without the handover time
    response = submit(client, auth, birth_registration(world, channel="postal"), who="motcua.xa")

    # Then 400 handover_time_required on filed_at
    assert_error(response, 400, "handover_time_required", "filed_at")


def test_a_filing_time_in_the_future_is_refused(client: Client, world: DemoWorld, auth: Auth) -> None:
    # When the handover time is in the future
    body = birth_registration(world, channel="postal", filed_at="2099-01-01T09:00:00+07:00")
    response = submit(client, auth, body, who="motcua.xa")

    # Then 400 filed_in_future
    assert_error(response, 400, "filed_in_future", "filed_at")


def test_a_filing_time_without_time_zone_is_refused(world: DemoWorld, auth: Auth) -> None:
    # Given a client that sees server errors as responses
    client = Client(raise_request_exception=False)
    body = birth_registration(world, channel="postal", filed_at="2026-01-05T09:00:00")

    # When the counter registers a postal dossier with a handover time without time zone
    response = post_json(client, "/dossiers", body, auth("motcua.xa"))

    # Then it is refused like the calendar refuses it: 400 naive_datetime on filed_at
    assert_error(response, 400, "naive_datetime", "filed_at")


def test_an_extension_date_without_time_zone_is_refused(world: DemoWorld, auth: Auth) -> None:
    # Given a land dossier in processing and a client that sees server errors as responses
    client = Client(raise_request_exception=False)
    code = land_in_processing(client, world, auth)["code"]

    # When the specialist proposes a new date without time zone
    response = post_json(
        client,
        f"/dossiers/{code}/request-extension",
        {"reason": "Cần thêm thời gian", "new_due_at": "2030-01-02T09:00:00"},
        auth("chuyenvien.nnmt"),
    )

    # Then 400 naive_datetime on new_due_at
    assert_error(response, 400, "naive_datetime", "new_due_at")


def test_a_supplement_request_must_list_items(
    client: Client, world: DemoWorld, auth: Auth, submitted: dict[str, Any]
) -> None:
    # When the counter asks for a supplement without items, or with an item without a reason
    code = submitted["code"]
    none = post_json(client, f"/dossiers/{code}/request-supplement", {"missing": []}, auth("motcua.xa"))
    no_reason = post_json(
        client,
        f"/dossiers/{code}/request-supplement",
        {"missing": [{"document": "Giấy chứng sinh", "reason": "  "}]},
        auth("motcua.xa"),
    )

    # Then both are refused and the dossier stays submitted
    assert_error(none, 422, "invalid_input", "missing")
    assert_error(no_reason, 400, "supplement_items_required", "missing")
    assert act(client, auth("motcua.xa"), code, "accept")["status"] == "accepted"


def test_reject_needs_a_real_reason(
    client: Client, world: DemoWorld, auth: Auth, submitted: dict[str, Any]
) -> None:
    # When the counter refuses with only blank reasons
    response = post_json(
        client, f"/dossiers/{submitted['code']}/reject", {"reasons": [" ", ""]}, auth("motcua.xa")
    )

    # Then 400 reason_required on reasons
    assert_error(response, 400, "reason_required", "reasons")


@pytest.mark.parametrize(
    "raw", ['{"procedure_code": "1.001193",', "not json", "\x00\x01"], ids=["truncated", "text", "binary"]
)
def test_malformed_json_body_is_a_client_error(
    client: Client, world: DemoWorld, auth: Auth, raw: str
) -> None:
    # When the body is not JSON
    response = client.post(
        f"{API}/dossiers", data=raw, content_type="application/json", headers=auth(CITIZEN)
    )

    # Then a 4xx client error
    assert 400 <= response.status_code < 500
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("path", ["/dossiers", "/auth/token"])
def test_malformed_json_body_is_code_detail_field(
    client: Client, world: DemoWorld, auth: Auth, path: str
) -> None:
    # When the body is not JSON
    response = client.post(
        f"{API}{path}", data="{not json", content_type="application/json", headers=auth(CITIZEN)
    )

    # Then the answer has the API's error shape {code, detail, field}
    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail", "field"}


def test_a_body_that_is_not_an_object_is_invalid_input(client: Client, world: DemoWorld, auth: Auth) -> None:
    # When the body is valid JSON but not an object
    response = submit(client, auth, ["1.001193"])

    # Then 422 invalid_input
    assert_error(response, 422, "invalid_input")


def test_transfer_needs_legs_with_a_positive_time_limit(client: Client, world: DemoWorld, auth: Auth) -> None:
    # Given a land dossier in processing
    code = land_in_processing(client, world, auth)["code"]
    finance = world.departments["Bộ Tài chính"].code

    # When the specialist transfers with no leg, a zero-day leg, a bad mode or an unknown agency
    specialist = auth("chuyenvien.nnmt")
    no_leg = post_json(client, f"/dossiers/{code}/transfer", {"mode": "parallel", "legs": []}, specialist)
    zero = post_json(
        client,
        f"/dossiers/{code}/transfer",
        {"mode": "parallel", "legs": [{"agency_code": finance, "working_days": "0"}]},
        specialist,
    )
    bad_mode = post_json(
        client,
        f"/dossiers/{code}/transfer",
        {"mode": "random", "legs": [{"agency_code": finance, "working_days": "2"}]},
        specialist,
    )
    unknown = post_json(
        client,
        f"/dossiers/{code}/transfer",
        {"mode": "sequential", "legs": [{"agency_code": "999.99.99.H99", "working_days": "2"}]},
        specialist,
    )

    # Then each is refused and nothing was transferred
    assert_error(no_leg, 422, "invalid_input", "legs")
    assert_error(zero, 422, "invalid_input", "legs.0.working_days")
    assert_error(bad_mode, 422, "invalid_input", "mode")
    assert_error(unknown, 404, "agency_not_found", "legs")
    after = client.get(f"{API}/dossiers/{code}", headers=specialist).json()
    assert after["status"] == "processing"
    assert after["legs"] == []
