"""The monitoring API over HTTP: indicators, rankings, the 766 index, and the drill-down to dossiers.

Dossiers go through the real services (``monitoring.tests.units``): commune A (the demo's first commune)
resolves one dossier early and one late, commune B one early, so rates are known by construction; the API's
numbers are compared with ``indicators.evaluate`` / ``index766.score`` for the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import Role
from motcua.agencies.models import AgencyKind
from motcua.dossiers.demo import DEMO_PASSWORD, DemoWorld
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import make_officer
from motcua.monitoring import indicators
from motcua.monitoring.index766 import load_index_versions, score
from motcua.monitoring.models import Comparison, Target
from motcua.monitoring.periods import Period
from motcua.monitoring.tests.units import FAST, SLOW, Unit

from .conftest import API, CITIZEN, Headers, assert_error, bearer, issue_token
from .test_openapi import openapi

Auth = Callable[[str], Headers]
FROM, TO = "2026-01-01", "2026-06-30"
PERIOD = Period.between(date(2026, 1, 1), date(2026, 6, 30))


class Scene:
    """Commune A: one dossier early, one late; commune B: one early. Nothing else anywhere."""

    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.a = Unit(world.communes[0], "a")
        self.b = Unit(world.communes[1], "b")
        citizen = world.citizens[0]
        self.a_early = self.a.resolve_one(citizen, FAST)
        self.a_late = self.a.resolve_one(citizen, SLOW)
        self.b_early = self.b.resolve_one(citizen, FAST)


@pytest.fixture
def scene(world: DemoWorld) -> Scene:
    return Scene(world)


def call(client: Client, path: str, headers: Headers | None = None, /, **params: Any) -> Any:
    """GET ``/api/v1<path>`` with ``from``/``to`` of the first half of 2026 unless given."""
    query = {"from": FROM, "to": TO, **params}
    return client.get(f"{API}{path}", data=query, headers=headers)


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in body["indicators"]}


def as_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- the published contract ---------------------------------------------------------------------------------


def test_the_monitoring_routes_are_in_the_openapi_document(client: Client) -> None:
    document = openapi(client)
    paths = document["paths"]

    for path in ("/indicators", "/rankings", "/index766", "/indicators/dossiers"):
        assert f"{API}{path}" in paths, path
    # the aggregates are public, the drill-down to dossiers is not
    for path in ("/indicators", "/rankings", "/index766"):
        assert not paths[f"{API}{path}"]["get"].get("security"), path
    assert paths[f"{API}/indicators/dossiers"]["get"].get("security")
    # the query parameters are documented, `from` under its own name
    names = {p["name"] for p in paths[f"{API}/indicators"]["get"]["parameters"]}
    assert {"agency", "from", "to", "indicator", "scope", "view"} <= names
    assert "scope=self" in paths[f"{API}/indicators"]["get"]["description"]
    # no route with a {code} parameter (the back office's authorization test enumerates those)
    assert not [p for p in paths if "{code}" in p and ("/indicators" in p or "/rankings" in p)]


# --- indicators ---------------------------------------------------------------------------------------------


def test_indicator_values_equal_the_evaluation_of_the_same_inputs(client: Client, scene: Scene) -> None:
    # When every indicator of the province is asked for the first half of 2026
    response = call(client, "/indicators", agency=scene.world.province.code)

    # Then the answer names the agency, the period (both days included), the scope and view
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agency"] == {"code": scene.world.province.code, "name": scene.world.province.name}
    assert body["period"] == {"from": FROM, "to": TO}
    assert (body["scope"], body["view"]) == ("subtree", "as_was")
    # And every registered indicator, in registry order, equals indicators.evaluate for the same inputs
    expected = indicators.evaluate(scene.world.province, PERIOD)
    assert [row["code"] for row in body["indicators"]] == list(indicators.REGISTRY)
    for row in body["indicators"]:
        value = expected[row["code"]]
        assert (row["numerator"], row["denominator"], row["value"]) == (
            value.numerator,
            value.denominator,
            as_text(value.value),
        ), row["code"]
        assert row["unit"] == indicators.REGISTRY[row["code"]].unit
    # And by construction: 2 early + 1 late of 3 resolved = 66.666… → 66.67 %; 1 late → 33.33 %
    rows = by_code(body)
    assert (rows["on_time_rate"]["numerator"], rows["on_time_rate"]["denominator"]) == (2, 3)
    assert rows["on_time_rate"]["value"] == "66.67"
    assert rows["late_rate"]["value"] == "33.33"
    assert rows["online_dossier_rate"]["value"] == "100.00"
    assert rows["late_rate"]["numerator_measure"] == "resolved_late"
    assert rows["on_time_rate"]["name_vi"]
    assert rows["on_time_rate"]["source"]


def test_no_value_is_null_never_zero(client: Client, scene: Scene) -> None:
    # Given the third demo commune, which handled nothing
    idle = scene.world.communes[2]

    body = call(client, "/indicators", agency=idle.code, indicator="on_time_rate,online_dossier_rate").json()

    rows = by_code(body)
    assert rows["on_time_rate"]["value"] is None
    assert rows["on_time_rate"]["denominator"] == 0
    assert rows["online_dossier_rate"]["value"] is None


def test_indicators_may_be_repeated_or_comma_separated(client: Client, scene: Scene) -> None:
    response = client.get(
        f"{API}/indicators",
        data={
            "agency": scene.a.agency.code,
            "from": FROM,
            "to": TO,
            "indicator": ["late_rate, on_time_rate", "online_dossier_rate", "late_rate"],
        },
    )

    assert response.status_code == 200, response.content
    rows = response.json()["indicators"]
    assert [r["code"] for r in rows] == ["late_rate", "on_time_rate", "online_dossier_rate"]
    # commune A: 1 early, 1 late
    assert [r["value"] for r in rows] == ["50.00", "50.00", "100.00"]


def test_targets_are_assessed_with_each_indicator(client: Client, scene: Scene) -> None:
    # Given two targets on commune A's on-time rate over the first half of 2026 (ended): ≥ 40 % and ≥ 90 %
    for threshold in ("40", "90"):
        Target.objects.create(
            framework=f"Kế hoạch thử {threshold}",
            indicator="on_time_rate",
            agency=scene.a.agency,
            period_start=PERIOD.start,
            period_end=PERIOD.end,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal(threshold),
            legal_basis="Kế hoạch thử nghiệm",
        )

    body = call(client, "/indicators", agency=scene.a.agency.code, indicator="on_time_rate,late_rate").json()

    # Then the on-time rate (1 of 2 = 50 %) meets 40 % and misses 90 %; the late rate has no target
    rows = by_code(body)
    found = {t["threshold"]: t for t in rows["on_time_rate"]["targets"]}
    assert set(found) == {"40.00", "90.00"}
    assert (found["40.00"]["status"], found["90.00"]["status"]) == ("met", "missed")
    assert found["40.00"]["projected"] == "50.00"
    assert found["40.00"]["period"] == {"from": FROM, "to": TO}
    assert found["40.00"]["comparison"] == Comparison.AT_LEAST
    assert rows["late_rate"]["targets"] == []


def test_scope_self_counts_only_the_agencys_own_dossiers(client: Client, scene: Scene) -> None:
    # Given the province itself resolving one dossier late, beside its communes' three
    own = Unit(scene.world.province, "tinh")
    own.resolve_one(scene.world.citizens[0], SLOW)

    subtree = by_code(call(client, "/indicators", agency=scene.world.province.code).json())
    alone = call(client, "/indicators", agency=scene.world.province.code, scope="self").json()

    # Then the subtree has 4 resolved (2 early), the province's own dossiers 1 (late)
    assert (subtree["on_time_rate"]["numerator"], subtree["on_time_rate"]["denominator"]) == (2, 4)
    assert alone["scope"] == "self"
    rows = by_code(alone)
    assert (rows["on_time_rate"]["numerator"], rows["on_time_rate"]["denominator"]) == (0, 1)
    assert rows["on_time_rate"]["value"] == "0.00"
    # And indicators over the procedure catalogue are not listed for the agency's own dossiers
    assert "online_service_rate" in subtree
    assert "online_service_rate" not in rows


def test_scope_self_refuses_what_it_cannot_compute(client: Client, scene: Scene) -> None:
    province = scene.world.province.code
    catalogue = call(client, "/indicators", agency=province, scope="self", indicator="online_service_rate")
    as_is = call(client, "/indicators", agency=province, scope="self", view="as_is")
    unknown_scope = call(client, "/indicators", agency=province, scope="everything")

    assert_error(catalogue, 400, "indicator_needs_subtree", "scope")
    assert_error(as_is, 400, "self_scope_as_was_only", "view")
    assert_error(unknown_scope, 422, "invalid_input", "scope")


def test_the_as_is_view_equals_its_evaluation(client: Client, scene: Scene) -> None:
    body = call(
        client, "/indicators", agency=scene.world.province.code, view="as_is", indicator="on_time_rate"
    ).json()

    expected = indicators.evaluate(scene.world.province, PERIOD, ["on_time_rate"], as_is=True)["on_time_rate"]
    assert body["view"] == "as_is"
    assert by_code(body)["on_time_rate"]["value"] == as_text(expected.value) == "66.67"  # 2 of 3


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"agency": "000.00.00.X99"}, 404, "agency_not_found", "agency"),
        ({"indicator": "no_such_rate"}, 400, "unknown_indicator", "indicator"),
        ({"from": "2026-02-30"}, 400, "invalid_date", "from"),
        ({"to": "30/06/2026"}, 400, "invalid_date", "to"),
        ({"from": "2026-07-01", "to": "2026-06-30"}, 400, "invalid_period", "to"),
        ({"from": "2016-01-01", "to": "2026-01-01"}, 400, "period_too_long", "to"),
    ],
)
def test_bad_requests_answer_a_clear_error(
    client: Client, world: DemoWorld, params: dict[str, str], status: int, code: str, field: str
) -> None:
    query = {"agency": world.province.code, **params}

    vi = call(client, "/indicators", **query)
    en = call(client, "/indicators", {"Accept-Language": "en"}, **query)

    vi_body = assert_error(vi, status, code, field)
    en_body = assert_error(en, status, code, field)
    assert vi_body["detail"] != en_body["detail"]  # Vietnamese by default, English when asked


def test_ten_years_are_allowed_and_from_equal_to_is_one_day(client: Client, world: DemoWorld) -> None:
    # 1 July 2016 .. 30 June 2026 is exactly ten years; a single day is a valid period
    decade = call(
        client, "/indicators", agency=world.province.code, indicator="on_time_rate", **{"from": "2016-07-01"}
    )
    one_day = call(
        client, "/indicators", agency=world.province.code, indicator="on_time_rate", **{"to": FROM}
    )

    assert decade.status_code == 200, decade.content
    assert decade.json()["period"] == {"from": "2016-07-01", "to": TO}
    assert one_day.json()["period"] == {"from": FROM, "to": FROM}


def test_a_missing_parameter_is_invalid_input(client: Client, world: DemoWorld) -> None:
    response = client.get(f"{API}/indicators", data={"agency": world.province.code, "to": TO})

    assert_error(response, 422, "invalid_input", "from")


# --- rankings -------------------------------------------------------------------------------------------------


def test_ranking_the_communes_of_the_province(client: Client, scene: Scene) -> None:
    response = call(
        client, "/rankings", parent=scene.world.province.code, kind="commune", indicator="on_time_rate"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["indicator"], body["index"], body["kind"], body["unit"]) == (
        "on_time_rate",
        None,
        "commune",
        "percent",
    )
    assert body["higher_is_better"] is True
    units = body["units"]
    # B: 1 of 1 = 100 %, first; A: 1 of 2 = 50 %, second; every other commune N/A, last, unranked
    top = [(u["rank"], u["agency"]["code"], u["value"], u["numerator"], u["denominator"]) for u in units[:2]]
    assert top == [
        (1, scene.b.agency.code, "100.00", 1, 1),
        (2, scene.a.agency.code, "50.00", 1, 2),
    ]
    assert all(u["rank"] is None and u["value"] is None for u in units[2:])
    assert {u["agency"]["kind"] for u in units} == {AgencyKind.COMMUNE}
    assert units[0]["index_max_attainable"] is None


def test_ranking_where_lower_is_better(client: Client, scene: Scene) -> None:
    body = call(
        client,
        "/rankings",
        parent=scene.world.province.code,
        kind="commune",
        indicator="average_processing_days",
    ).json()

    # B resolved its only dossier the same day; A took four weeks for one of its two
    assert body["higher_is_better"] is False
    assert body["unit"] == "working_days"
    assert [u["agency"]["code"] for u in body["units"][:2]] == [scene.b.agency.code, scene.a.agency.code]
    assert Decimal(body["units"][0]["value"]) < Decimal(body["units"][1]["value"])


def test_ranking_on_the_index(client: Client, scene: Scene) -> None:
    load_index_versions()

    body = call(
        client, "/rankings", parent=scene.world.province.code, kind="commune", index="DVCQG-2026"
    ).json()

    units = body["units"]
    assert (body["index"], body["indicator"], body["unit"]) == ("DVCQG-2026", None, "points")
    # B (all on time) above A (half late); each value is the commune's index total
    assert [u["agency"]["code"] for u in units[:2]] == [scene.b.agency.code, scene.a.agency.code]
    for unit, row in ((scene.b, units[0]), (scene.a, units[1])):
        codes = sorted(indicators.REGISTRY)
        alone = score(
            "DVCQG-2026", unit.agency, PERIOD, values=indicators.evaluate(unit.agency, PERIOD, codes)
        )
        assert row["value"] == str(alone.total)
        assert row["index_max_attainable"] == str(alone.max_attainable)


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({}, 400, "ranking_measure_required", "indicator"),
        ({"indicator": "on_time_rate", "index": "DVCQG-2026"}, 400, "ranking_measure_required", "indicator"),
        ({"index": "766-1999"}, 400, "index_version_not_found", "index"),
        ({"indicator": "on_time_rate", "kind": "hamlet"}, 400, "unknown_agency_kind", "kind"),
        ({"indicator": "on_time_rate", "parent": "000.00.00.X99"}, 404, "agency_not_found", "parent"),
        ({"indicator": "on_time_rate", "from": "2026-13-01"}, 400, "invalid_date", "from"),
    ],
)
def test_ranking_errors(
    client: Client, world: DemoWorld, params: dict[str, str], status: int, code: str, field: str
) -> None:
    load_index_versions()
    query = {"parent": world.province.code, **params}

    assert_error(call(client, "/rankings", **query), status, code, field)


# --- the 766 index ------------------------------------------------------------------------------------------


def test_index_score_of_a_commune(client: Client, scene: Scene) -> None:
    load_index_versions()

    response = call(client, "/index766", agency=scene.a.agency.code, version="DVCQG-2026")

    assert response.status_code == 200, response.content
    body = response.json()
    codes = sorted(indicators.REGISTRY)
    expected = score(
        "DVCQG-2026", scene.a.agency, PERIOD, values=indicators.evaluate(scene.a.agency, PERIOD, codes)
    )
    assert (body["version"], body["agency"]["code"], body["period"]) == (
        "DVCQG-2026",
        scene.a.agency.code,
        {"from": FROM, "to": TO},
    )
    assert body["total"] == str(expected.total)
    assert body["max_attainable"] == str(expected.max_attainable)
    assert [g["code"] for g in body["groups"]] == [g.code for g in expected.groups]
    assert [c["code"] for c in body["criteria"]] == [c.code for c in expected.criteria]
    assert {c["status"] for c in body["criteria"]} <= {"scored", "no_data", "not_applicable", "unverified"}
    # 2.1 on time (766 view): 1 of 2 → 50 % of 20 points = 10
    two_one = next(c for c in body["criteria"] if c["code"] == "2.1")
    assert (two_one["value"], two_one["points"], two_one["max_points"], two_one["status"]) == (
        "50.00",
        "10.00",
        "20.00",
        "scored",
    )
    # a criterion without a data source is no_data with null points, never 0
    no_data = [c for c in body["criteria"] if c["status"] == "no_data"]
    assert no_data
    assert all(c["points"] is None for c in no_data)


def test_index_errors(client: Client, world: DemoWorld) -> None:
    load_index_versions()
    unknown = call(client, "/index766", agency=world.province.code, version="766-1999")
    missing = call(client, "/index766", agency=world.province.code)

    assert_error(unknown, 400, "index_version_not_found", "version")
    assert_error(missing, 422, "invalid_input", "version")


# --- drill-down --------------------------------------------------------------------------------------------


def drill(client: Client, headers: Headers | None, agency: str, measure: str) -> Any:
    return call(client, "/indicators/dossiers", headers, agency=agency, measure=measure)


def codes_of(*dossiers: Dossier) -> set[str | None]:
    return {d.code for d in dossiers}


@pytest.mark.parametrize("officer", ["chutich.xa", "chuyenvien.xa", "lanhdao.tinh"])
def test_an_officer_over_the_commune_sees_the_dossiers_behind_a_counter(
    client: Client, auth: Auth, scene: Scene, officer: str
) -> None:
    # Given officers of commune A (leader, specialist) and the province's leader
    commune = scene.a.agency.code

    late = drill(client, auth(officer), commune, "resolved_late")
    received = drill(client, auth(officer), commune, "received")

    # Then the late counter lists commune A's late dossier, the received one both of its dossiers
    assert late.status_code == 200, late.content
    body = late.json()
    assert (body["measure"], body["count"]) == ("resolved_late", 1)
    assert [(d["code"], d["status"]) for d in body["dossiers"]] == [(scene.a_late.code, "resolved")]
    assert {d["code"] for d in received.json()["dossiers"]} == codes_of(scene.a_early, scene.a_late)
    # And the count equals the numerator the indicator shows
    shown = by_code(call(client, "/indicators", agency=commune, indicator="late_rate").json())["late_rate"]
    assert shown["numerator_measure"] == "resolved_late"
    assert shown["numerator"] == body["count"]


def test_the_province_drill_down_spans_its_communes(client: Client, auth: Auth, scene: Scene) -> None:
    body = drill(client, auth("lanhdao.tinh"), scene.world.province.code, "resolved_early").json()

    assert body["count"] == 2
    assert {d["code"] for d in body["dossiers"]} == codes_of(scene.a_early, scene.b_early)


def test_an_officer_of_another_commune_gets_not_found(client: Client, world: DemoWorld, scene: Scene) -> None:
    # Given an officer holding every role in commune B (same province as commune A)
    outsider = make_officer("canbo.xab", scene.b.agency, *Role)
    outsider.set_password(DEMO_PASSWORD)
    outsider.save(update_fields=["password"])
    headers = bearer(issue_token(client, "canbo.xab"))

    response = drill(client, headers, scene.a.agency.code, "received")
    unknown = drill(client, headers, "000.00.00.X99", "received")
    own = drill(client, headers, scene.b.agency.code, "received")

    # Then commune A answers exactly like an agency that does not exist; their own commune works
    hidden = assert_error(response, 404, "agency_not_found", "agency")
    missing = assert_error(unknown, 404, "agency_not_found", "agency")
    assert hidden["detail"].replace(scene.a.agency.code, "X") == missing["detail"].replace(
        "000.00.00.X99", "X"
    )
    assert own.status_code == 200
    assert own.json()["count"] == 1


@pytest.mark.parametrize("person", [CITIZEN, "chuyenvien.tuphap"])
def test_a_citizen_or_a_department_officer_gets_not_found(
    client: Client, auth: Auth, scene: Scene, person: str
) -> None:
    assert_error(drill(client, auth(person), scene.a.agency.code, "received"), 404, "agency_not_found")


def test_anonymous_drill_down_is_unauthenticated(client: Client, scene: Scene) -> None:
    assert_error(drill(client, None, scene.a.agency.code, "received"), 401, "not_authenticated")


def test_an_unknown_measure_is_refused(client: Client, auth: Auth, scene: Scene) -> None:
    response = drill(client, auth("chutich.xa"), scene.a.agency.code, "received_by_pigeon")

    assert_error(response, 400, "unknown_measure", "measure")
