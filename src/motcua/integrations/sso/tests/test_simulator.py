"""The DVCQG SSO simulator speaks OpenID Connect over real HTTP on localhost, as a relying party sees it."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from motcua.accounts.validators import validate_citizen_id
from motcua.integrations.sso.simulator import DEFAULT_PERSONAS, ClientRegistration, SsoSimulator
from motcua.integrations.sso.tests.browser import TIMEOUT, LoginPage, open_page

RP = "rp"
RP_SECRET = "rp-secret"
RP_CALLBACK = "http://rp.example/callback"
OTHER = "other-rp"
OTHER_SECRET = "other-secret"
OTHER_CALLBACK = "http://other.example/cb"
# Province codes quoted in spec §7.3 (Circular 07/2016 annex): Hà Nội, Hải Phòng, Đà Nẵng, TP HCM, Đồng Tháp.
SPEC_PROVINCE_CODES = {"001", "031", "048", "079", "087"}


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[SsoSimulator]:
    clients = {
        RP: ClientRegistration(RP_SECRET, (RP_CALLBACK,), "Cổng thử nghiệm"),
        OTHER: ClientRegistration(OTHER_SECRET, (OTHER_CALLBACK,)),
    }
    with SsoSimulator("127.0.0.1", 0, clients, clock=clock) as simulator:
        yield simulator


def authorize_url(sim: SsoSimulator, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": RP,
        "redirect_uri": RP_CALLBACK,
        "scope": "openid",
        "state": "state-123",
        "nonce": "nonce-456",
        "acr_values": "LoA1",
    }
    params.update(overrides)
    return f"{sim.issuer}/oauth2/authorize?{urlencode({k: v for k, v in params.items() if v is not None})}"


def query_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def sign_in(sim: SsoSimulator, name: str, group: str = "VNeID", **overrides: str | None) -> dict[str, str]:
    """Go through the page like a person: open it, press the persona's button; the callback's parameters."""
    page = open_page(authorize_url(sim, **overrides))
    assert page.status == 200
    response = page.press(page.button(name, group))
    assert response.status_code == 302
    location = response.headers["Location"]
    callback = overrides.get("redirect_uri") or RP_CALLBACK
    assert location.startswith(callback + "?")
    return query_of(location)


def redeem(sim: SsoSimulator, code: str, *, basic: bool = False, **overrides: str) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": RP_CALLBACK}
    auth = None
    if basic:
        auth = (overrides.pop("client_id", RP), overrides.pop("client_secret", RP_SECRET))
    else:
        data.update({"client_id": RP, "client_secret": RP_SECRET})
    data.update(overrides)
    return requests.post(f"{sim.issuer}/oauth2/token", data=data, auth=auth, timeout=TIMEOUT)


def verified_id_token(sim: SsoSimulator, token: str, audience: str = RP) -> dict[str, object]:
    """Verify ``token`` as a relying party would: key from the JWKS by ``kid``, RS256, iss and aud."""
    discovery = requests.get(f"{sim.issuer}/.well-known/openid-configuration", timeout=TIMEOUT).json()
    jwks = requests.get(discovery["jwks_uri"], timeout=TIMEOUT).json()
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [key for key in jwks["keys"] if key["kid"] == kid]
    return jwt.decode(
        token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=audience, issuer=discovery["issuer"]
    )


# --- discovery and keys ------------------------------------------------------------------------------------


def test_discovery_names_the_endpoints_under_the_issuer(sim: SsoSimulator) -> None:
    response = requests.get(f"{sim.issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == sim.issuer
    assert document["authorization_endpoint"] == f"{sim.issuer}/oauth2/authorize"
    assert document["token_endpoint"] == f"{sim.issuer}/oauth2/token"
    assert document["userinfo_endpoint"] == f"{sim.issuer}/oauth2/userinfo"
    assert document["jwks_uri"] == f"{sim.issuer}/oauth2/jwks"
    assert document["response_types_supported"] == ["code"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert {"SoDinhDanh", "HoVaTen", "loAs"} <= set(document["claims_supported"])


def test_jwks_publishes_one_rsa_signing_key_with_a_kid(sim: SsoSimulator) -> None:
    keys = requests.get(f"{sim.issuer}/oauth2/jwks", timeout=TIMEOUT).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["kid"]
    assert keys[0]["use"] == "sig"
    assert "d" not in keys[0]  # the private exponent never leaves the simulator


# --- authorization endpoint errors (RFC 6749 §4.1.2.1) -------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "unknown-client"},
        {"client_id": None},
        {"redirect_uri": "http://attacker.example/cb"},
        {"redirect_uri": None},
        {"redirect_uri": OTHER_CALLBACK},  # registered, but for another client
    ],
    ids=["unknown client", "no client", "foreign redirect", "no redirect", "other client's redirect"],
)
def test_bad_client_or_redirect_uri_shows_an_error_and_never_redirects(
    sim: SsoSimulator, overrides: dict[str, str | None]
) -> None:
    response = requests.get(authorize_url(sim, **overrides), allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert 'role="alert"' in response.text
    assert "sessionDataKey" not in response.text  # no sign-in form


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "profile"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
    ],
)
def test_other_request_errors_go_back_to_the_client_with_the_state(
    sim: SsoSimulator, overrides: dict[str, str | None], error: str
) -> None:
    response = requests.get(authorize_url(sim, **overrides), allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(RP_CALLBACK + "?")
    params = query_of(location)
    assert params["error"] == error
    assert params["state"] == "state-123"
    assert "code" not in params


def test_a_repeated_parameter_is_an_invalid_request(sim: SsoSimulator) -> None:
    url = authorize_url(sim) + "&scope=openid"
    response = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


# --- the sign-in page -------------------------------------------------------------------------------------------


def test_page_offers_both_identity_providers_their_personas_and_deny(sim: SsoSimulator) -> None:
    page = open_page(authorize_url(sim, acr_values="LoA2"))
    assert page.status == 200
    assert '<html lang="vi">' in page.text
    assert "Tài khoản định danh điện tử (VNeID)" in page.legends
    assert "Tài khoản Cổng DVCQG" in page.legends
    assert "LoA2" in page.text  # the requested level is shown
    for persona in DEFAULT_PERSONAS:
        assert any(persona.full_name in b.label for b in page.buttons)
    assert page.button("Từ chối / Deny")
    assert all(b.group for b in page.buttons if b.name == "login")  # every persona sits under an IdP


def test_deny_redirects_with_access_denied_and_the_state(sim: SsoSimulator) -> None:
    page = open_page(authorize_url(sim))
    response = page.press(page.button("Từ chối"))
    assert response.status_code == 302
    params = query_of(response.headers["Location"])
    assert params["error"] == "access_denied"
    assert params["state"] == "state-123"
    assert "code" not in params


def test_the_page_can_be_submitted_only_once(sim: SsoSimulator) -> None:
    page = open_page(authorize_url(sim))
    assert page.press(page.button("Trần Văn Minh", "VNeID")).status_code == 302
    again = page.press(page.button("Trần Văn Minh", "VNeID"))
    assert again.status_code == 400
    assert "Location" not in again.headers


def test_a_tampered_choice_shows_the_page_again(sim: SsoSimulator) -> None:
    page = open_page(authorize_url(sim))
    response = requests.post(
        f"{sim.issuer}/oauth2/authorize",
        data={**page.hidden, "login": "vneid:ha-no-id"},  # this persona has no VNeID account
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "sessionDataKey" in response.text


# --- code, token, id_token ------------------------------------------------------------------------------------


def test_code_flow_with_client_secret_post_returns_a_verifiable_id_token(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Nguyễn Thị Lan", "VNeID")
    assert params["state"] == "state-123"
    response = redeem(sim, params["code"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert body["access_token"]
    claims = verified_id_token(sim, body["id_token"])
    assert claims["nonce"] == "nonce-456"
    assert claims["azp"] == RP
    assert claims["acr"] == "LoA2"
    assert isinstance(claims["iat"], int)
    assert isinstance(claims["exp"], int)
    assert claims["exp"] > claims["iat"]
    assert claims["sub"]


def test_client_secret_basic_is_accepted(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Trần Văn Minh", "VNeID")
    response = redeem(sim, params["code"], basic=True)
    assert response.status_code == 200
    assert verified_id_token(sim, response.json()["id_token"])["acr"] == "LoA1"


def test_two_client_authentication_methods_at_once_are_refused(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Trần Văn Minh", "VNeID")
    response = requests.post(
        f"{sim.issuer}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": RP_CALLBACK,
            "client_secret": RP_SECRET,
        },
        auth=(RP, RP_SECRET),
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("basic", [False, True], ids=["post", "basic"])
def test_a_wrong_client_secret_is_invalid_client(sim: SsoSimulator, basic: bool) -> None:
    params = sign_in(sim, "Trần Văn Minh", "VNeID")
    response = redeem(sim, params["code"], basic=basic, client_secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_malformed_basic_credentials_are_invalid_client(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Trần Văn Minh", "VNeID")
    response = requests.post(
        f"{sim.issuer}/oauth2/token",
        data={"grant_type": "authorization_code", "code": params["code"], "redirect_uri": RP_CALLBACK},
        headers={"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_code_is_single_use_and_a_replay_revokes_nothing(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Nguyễn Thị Lan", "VNeID")
    first = redeem(sim, params["code"])
    assert first.status_code == 200
    replay = redeem(sim, params["code"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    userinfo = requests.get(
        f"{sim.issuer}/oauth2/userinfo",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        timeout=TIMEOUT,
    )
    assert userinfo.status_code == 200


def test_a_code_expires_after_60_seconds(sim: SsoSimulator, clock: FakeClock) -> None:
    fresh = sign_in(sim, "Nguyễn Thị Lan", "VNeID")
    stale = sign_in(sim, "Nguyễn Thị Lan", "VNeID")
    clock.now += 59
    assert redeem(sim, fresh["code"]).status_code == 200
    clock.now += 1
    expired = redeem(sim, stale["code"])
    assert expired.status_code == 400
    assert expired.json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_client(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Nguyễn Thị Lan", "VNeID")
    response = redeem(
        sim, params["code"], client_id=OTHER, client_secret=OTHER_SECRET, redirect_uri=OTHER_CALLBACK
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_redirect_uri(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Nguyễn Thị Lan", "VNeID")
    response = redeem(sim, params["code"], redirect_uri=RP_CALLBACK + "/other")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_unknown_grant_type_is_refused(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Nguyễn Thị Lan", "VNeID")
    response = redeem(sim, params["code"], grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_no_nonce_requested_means_no_nonce_in_the_id_token(sim: SsoSimulator) -> None:
    params = sign_in(sim, "Nguyễn Thị Lan", "VNeID", nonce=None)
    claims = verified_id_token(sim, redeem(sim, params["code"]).json()["id_token"])
    assert "nonce" not in claims


# --- userinfo ------------------------------------------------------------------------------------------------


def _userinfo(sim: SsoSimulator, name: str, group: str) -> tuple[dict[str, object], dict[str, object]]:
    params = sign_in(sim, name, group)
    body = redeem(sim, params["code"]).json()
    response = requests.get(
        f"{sim.issuer}/oauth2/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    return response.json(), verified_id_token(sim, body["id_token"])


def test_userinfo_needs_a_bearer_token(sim: SsoSimulator) -> None:
    missing = requests.get(f"{sim.issuer}/oauth2/userinfo", timeout=TIMEOUT)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = requests.get(
        f"{sim.issuer}/oauth2/userinfo", headers={"Authorization": "Bearer not-a-token"}, timeout=TIMEOUT
    )
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]


def test_userinfo_returns_the_dvcqg_claim_set(sim: SsoSimulator) -> None:
    claims, id_token = _userinfo(sim, "Nguyễn Thị Lan", "VNeID")
    lan = next(p for p in DEFAULT_PERSONAS if p.full_name == "Nguyễn Thị Lan")
    assert claims["sub"] == id_token["sub"]
    assert claims["SoDinhDanh"] == lan.id_number
    assert claims["HoVaTen"] == "Nguyễn Thị Lan"
    assert claims["LoaiTaiKhoan"] == "1"
    assert claims["loAs"] == "LoA2"
    assert claims["loginIdp"] == "BCA"
    for name in ("ThuDienTu", "SoDienThoai", "NgayThangNamSinh", "GioiTinh", "TechID"):
        assert claims[name]


def test_the_same_person_has_another_subject_through_the_other_provider(sim: SsoSimulator) -> None:
    via_vneid, _ = _userinfo(sim, "Nguyễn Thị Lan", "VNeID")
    via_dvcqg, id_token = _userinfo(sim, "Nguyễn Thị Lan", "Cổng DVCQG")
    assert via_vneid["SoDinhDanh"] == via_dvcqg["SoDinhDanh"]
    assert via_vneid["sub"] != via_dvcqg["sub"]
    assert via_vneid["TechID"] != via_dvcqg["TechID"]
    assert id_token["acr"] == "LoA1"  # a DVCQG portal account is level 1


def test_claims_a_persona_lacks_are_left_out(sim: SsoSimulator) -> None:
    claims, _ = _userinfo(sim, "Phạm Thu Hà", "Cổng DVCQG")
    assert "SoDinhDanh" not in claims
    assert "ThuDienTu" not in claims
    assert claims["SoCMND"]


def test_a_business_account_carries_the_business_claims(sim: SsoSimulator) -> None:
    claims, _ = _userinfo(sim, "Lê Hoàng Nam", "Cổng DVCQG")
    assert claims["LoaiTaiKhoan"] == "2"
    assert claims["MaSoDoanhNghiep"]
    assert claims["TenDoanhNghiep"]


# --- personas -------------------------------------------------------------------------------------------------


def test_persona_id_numbers_follow_the_structure_rules() -> None:
    with_id = [p for p in DEFAULT_PERSONAS if p.id_number]
    assert with_id
    for persona in with_id:
        assert persona.id_number is not None
        born = date(int(persona.birth_date[:4]), int(persona.birth_date[4:6]), int(persona.birth_date[6:]))
        validate_citizen_id(persona.id_number, birth_date=born)
        assert persona.id_number[:3] in SPEC_PROVINCE_CODES
        century_sex = int(persona.id_number[3])
        assert century_sex // 2 == (born.year - 1900) // 100  # 0/1 = 1900s, 2/3 = 2000s
        assert (century_sex % 2 == 1) == (persona.sex == 2)  # odd = female


def test_personas_cover_both_levels_both_account_types_and_a_missing_id() -> None:
    levels = {p.level(idp) for p in DEFAULT_PERSONAS for idp in p.idps()}
    assert levels == {1, 2}
    assert {p.account_type for p in DEFAULT_PERSONAS} == {"1", "2"}
    assert any(p.id_number is None for p in DEFAULT_PERSONAS)


def test_stop_frees_the_port(clock: FakeClock) -> None:
    simulator = SsoSimulator(clients={RP: ClientRegistration(RP_SECRET, (RP_CALLBACK,))}, clock=clock).start()
    issuer = simulator.issuer
    simulator.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{issuer}/oauth2/jwks", timeout=TIMEOUT)


def test_the_form_carries_only_an_opaque_key_not_the_request(sim: SsoSimulator) -> None:
    """The redirect URI, nonce and client stay on the server: a posted form cannot change them."""
    page: LoginPage = open_page(authorize_url(sim))
    assert page.action == "/oauth2/authorize"
    assert set(page.hidden) == {"sessionDataKey"}
