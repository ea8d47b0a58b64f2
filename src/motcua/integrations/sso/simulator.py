"""Simulator of the DVCQG SSO (xacthuc.dichvucong.gov.vn): an OpenID Connect provider over real HTTP.

Profile ``dvcqg-sso`` of integrations.md §5.4. It is a simulator, never a provider for real people: the
personas are synthetic, the signing key is generated at start and lives only in memory.

What it speaks (authorization code flow, OpenID Connect Core 1.0 + RFC 6749):

* ``GET /.well-known/openid-configuration``: discovery.
* ``GET /oauth2/authorize``: checks ``client_id`` and ``redirect_uri`` first (an unknown client or an
  unregistered redirect URI gets an error page, never a redirect, RFC 6749 §4.1.2.1), then
  ``response_type=code`` and a ``scope`` containing ``openid`` (errors go back to the client by redirect,
  with ``state``). It shows the sign-in page: an identity-provider chooser ("Tài khoản định danh điện tử
  (VNeID)" / "Tài khoản Cổng DVCQG"), the test personas of each, and "Từ chối / Deny". The requested
  ``acr_values`` is shown and the level achieved comes back as ``acr`` in the ID token.
* ``POST /oauth2/authorize``: the page's form. Signing in issues a one-time code (60 s, bound to the client,
  the redirect URI and the nonce); denying redirects with ``error=access_denied``.
* ``POST /oauth2/token``: ``client_secret_post`` or ``client_secret_basic``; returns ``access_token``,
  ``id_token`` (RS256, header ``kid``; ``iss sub aud exp iat auth_time nonce azp acr``), ``token_type``,
  ``expires_in``. A used, expired or foreign code is ``invalid_grant``; a replay revokes nothing.
* ``GET|POST /oauth2/userinfo`` (Bearer): the §5.2 claim set (``sub LoaiTaiKhoan SoDinhDanh HoVaTen
  ThuDienTu SoDienThoai NgayThangNamSinh GioiTinh loAs TechID …``), leaving out what a persona lacks.
* ``GET /oauth2/jwks``: the public key.

``sub`` and ``TechID`` depend on the identity provider chosen: the same person signing in through VNeID
and through a DVCQG account gets two subjects (integrations.md §5.4), which is why relying parties must
key people on the personal identification number.

Beside ``make run``::

    python -m motcua.integrations.sso.simulator --port 8765 --redirect-uri http://127.0.0.1:8000/oidc/callback/
    OIDC_ISSUER=http://127.0.0.1:8765 make run

Marked [U] in integrations.md and chosen here without a source: the type and format of ``loAs``
(``"LoA2"``), ``GioiTinh`` (1 male, 2 female), ``NgayThangNamSinh`` (``yyyyMMdd``, as VNeID),
``LoaiTaiKhoan`` as a string.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import html
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LOGGER = logging.getLogger(__name__)

PROFILE = "dvcqg-sso"
CODE_TTL_SECONDS = 60
ACCESS_TOKEN_TTL_SECONDS = 3600
ID_TOKEN_TTL_SECONDS = 3600
PENDING_TTL_SECONDS = 600
SIGNING_ALG = "RS256"

IDP_VNEID = "vneid"
IDP_DVCQG = "dvcqg"
IDP_LABELS = {
    IDP_VNEID: "Tài khoản định danh điện tử (VNeID)",
    IDP_DVCQG: "Tài khoản Cổng DVCQG",
}
IDP_SHORT = {IDP_VNEID: "VNeID", IDP_DVCQG: "tài khoản DVCQG"}
ACCOUNT_CITIZEN = "1"
ACCOUNT_ORGANISATION = "2"

CLAIMS_SUPPORTED = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "azp",
    "LoaiTaiKhoan",
    "SoDinhDanh",
    "SoCMND",
    "HoVaTen",
    "ThuDienTu",
    "SoDienThoai",
    "NgayThangNamSinh",
    "GioiTinh",
    "DanToc",
    "QuocTich",
    "ThuongTru",
    "MaSoDoanhNghiep",
    "TenDoanhNghiep",
    "DiaChi",
    "loAs",
    "IAL",
    "loginIdp",
    "TechID",
]
_SUBJECT_NAMESPACE = uuid.UUID("6f1d3c52-2f0e-4d59-9a39-5f4a7f1e0b11")
_MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class ClientRegistration:
    """A relying party registered at the simulator."""

    secret: str
    redirect_uris: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class Persona:
    """A synthetic person (or business representative) who can sign in.

    ``id_number`` is a synthetic 12-digit personal identification number following Circular 07/2016/TT-BCA
    Art 7 (province of birth registration, century/sex digit, two-digit birth year, random range); any match
    with a real number is a coincidence. ``vneid_level`` is None for a person without a VNeID account;
    ``dvcqg_account`` says whether the person also has a DVCQG portal account (always level 1).
    """

    key: str
    full_name: str
    description: str
    birth_date: str  # yyyyMMdd
    sex: int  # GioiTinh: 1 male, 2 female [U]
    id_number: str | None = None
    old_id_number: str | None = None  # SoCMND, the 9-digit identity card before 2016
    vneid_level: int | None = None
    dvcqg_account: bool = False
    account_type: str = ACCOUNT_CITIZEN
    email: str | None = None
    phone: str | None = None
    permanent_address: str | None = None
    ethnicity: str = "Kinh"
    nationality: str = "Việt Nam"
    business_tax_code: str | None = None
    business_name: str | None = None
    business_address: str | None = None

    def idps(self) -> list[str]:
        found = []
        if self.vneid_level is not None:
            found.append(IDP_VNEID)
        if self.dvcqg_account:
            found.append(IDP_DVCQG)
        return found

    def level(self, idp: str) -> int:
        if idp == IDP_VNEID and self.vneid_level is not None:
            return self.vneid_level
        return 1

    def subject(self, idp: str) -> str:
        return str(uuid.uuid5(_SUBJECT_NAMESPACE, f"sub:{idp}:{self.key}"))

    def tech_id(self, idp: str) -> str:
        return str(uuid.uuid5(_SUBJECT_NAMESPACE, f"tech:{idp}:{self.key}"))

    def claims(self, idp: str) -> dict[str, Any]:
        """UserInfo claims (integrations.md §5.2) as the SSO returns them after signing in through ``idp``."""
        level = self.level(idp)
        claims: dict[str, Any] = {
            "sub": self.subject(idp),
            "TechID": self.tech_id(idp),
            "LoaiTaiKhoan": self.account_type,
            "HoVaTen": self.full_name,
            "SoDinhDanh": self.id_number,
            "SoCMND": self.old_id_number,
            "NgayThangNamSinh": self.birth_date,
            "GioiTinh": self.sex,
            "DanToc": self.ethnicity,
            "QuocTich": self.nationality,
            "ThuongTru": self.permanent_address,
            "ThuDienTu": self.email,
            "SoDienThoai": self.phone,
            "MaSoDoanhNghiep": self.business_tax_code,
            "TenDoanhNghiep": self.business_name,
            "DiaChi": self.business_address,
            "loAs": f"LoA{level}",
        }
        if idp == IDP_VNEID:
            claims["loginIdp"] = "BCA"
            claims["IAL"] = level
        return {name: value for name, value in claims.items() if value not in (None, "")}


DEFAULT_PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="lan",
        full_name="Nguyễn Thị Lan",
        description="Công dân, có cả VNeID và tài khoản Cổng DVCQG",
        birth_date="19900514",
        sex=2,
        id_number="001190000101",  # 001 Hà Nội, 1 = female born 19xx, 90
        vneid_level=2,
        dvcqg_account=True,
        email="lan.nguyen@example.vn",
        phone="0912000101",
        permanent_address="Phường Ba Đình, Thành phố Hà Nội",
    ),
    Persona(
        key="minh",
        full_name="Trần Văn Minh",
        description="Công dân, chỉ có VNeID",
        birth_date="20011102",
        sex=1,
        id_number="079201000202",  # 079 TP Hồ Chí Minh, 2 = male born 20xx, 01
        vneid_level=1,
        phone="0987000202",
    ),
    Persona(
        key="nam-business",
        full_name="Lê Hoàng Nam",
        description="Tài khoản doanh nghiệp (người đại diện theo pháp luật)",
        birth_date="19850320",
        sex=1,
        id_number="048085000303",  # 048 Đà Nẵng, 0 = male born 19xx, 85
        dvcqg_account=True,
        account_type=ACCOUNT_ORGANISATION,
        email="lienhe@songhan-mophong.example.vn",
        phone="0236000303",
        business_tax_code="0400000303",
        business_name="Công ty TNHH Sông Hàn (mô phỏng)",
        business_address="Phường Hải Châu, Thành phố Đà Nẵng",
    ),
    Persona(
        key="ha-no-id",
        full_name="Phạm Thu Hà",
        description="Tài khoản Cổng DVCQG cũ, chỉ có CMND 9 số, chưa có số định danh",
        birth_date="19780830",
        sex=2,
        old_id_number="031000404",
        dvcqg_account=True,
        phone="0225000404",
    ),
)


class OAuthError(Exception):
    """An error the simulator answers with an RFC 6749 error code."""

    def __init__(self, error: str, description: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


@dataclass
class _AuthRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    acr_values: str | None
    created_at: float


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    persona: Persona
    idp: str
    auth_time: int
    issued_at: float
    used: bool = False


@dataclass
class _AccessGrant:
    persona: Persona
    idp: str
    client_id: str
    expires_at: float


@dataclass
class _Reply:
    status: HTTPStatus
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def _json_reply(
    payload: Mapping[str, Any], status: HTTPStatus = HTTPStatus.OK, headers: Mapping[str, str] | None = None
) -> _Reply:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return _Reply(status, body, "application/json; charset=utf-8", dict(headers or {}))


def _token_error(exc: OAuthError) -> _Reply:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if exc.status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Basic realm="dvcqg-sso-simulator"'
    return _json_reply({"error": exc.error, "error_description": exc.description}, exc.status, headers)


def _redirect(location: str) -> _Reply:
    return _Reply(HTTPStatus.FOUND, b"", headers={"Location": location, "Cache-Control": "no-store"})


def _with_query(uri: str, params: Mapping[str, str | None]) -> str:
    query = urlencode({name: value for name, value in params.items() if value is not None})
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{query}"


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    """The value of a parameter sent at most once (RFC 6749 §3.1); None when absent."""
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise OAuthError("invalid_request", f"parameter {name} is repeated")
    return values[0]


class SsoSimulator:
    """The DVCQG SSO simulator: ``start()``, use ``issuer``, ``stop()`` (or use it as a context manager).

    ``clock`` returns Unix seconds; tests pass a controllable one to exercise code expiry.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        clients: Mapping[str, ClientRegistration] | None = None,
        personas: Iterable[Persona] = DEFAULT_PERSONAS,
        *,
        public_url: str | None = None,
        clock: Callable[[], float] = time.time,
        code_ttl: int = CODE_TTL_SECONDS,
    ) -> None:
        self.host = host
        self.port = port
        self.clients: dict[str, ClientRegistration] = dict(clients or {})
        self.personas: dict[str, Persona] = {p.key: p for p in personas}
        self.profile = PROFILE
        self._public_url = public_url.rstrip("/") if public_url else None
        self._clock = clock
        self._code_ttl = code_ttl
        self._lock = threading.Lock()
        self._pending: dict[str, _AuthRequest] = {}
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, _AccessGrant] = {}
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self.kid = hashlib.sha256(json.dumps(public_jwk, sort_keys=True).encode()).hexdigest()[:16]
        self._jwk = {**public_jwk, "kid": self.kid, "use": "sig", "alg": SIGNING_ALG}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> SsoSimulator:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.simulator = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sso-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SsoSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        if self._public_url:
            return self._public_url
        return f"http://{self.host}:{self.port}"

    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "token_endpoint": f"{base}/oauth2/token",
            "userinfo_endpoint": f"{base}/oauth2/userinfo",
            "jwks_uri": f"{base}/oauth2/jwks",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALG],
            "scopes_supported": ["openid"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "acr_values_supported": ["LoA1", "LoA2"],
            "claims_supported": list(CLAIMS_SUPPORTED),
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
        }

    # --- endpoints ---------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        params = parse_qs(query, keep_blank_values=True)
        if path == "/.well-known/openid-configuration" and method == "GET":
            return _json_reply(self.discovery())
        if path == "/oauth2/jwks" and method == "GET":
            return _json_reply({"keys": [self._jwk]})
        if path == "/oauth2/authorize" and method == "GET":
            return self._authorize(params)
        if path == "/oauth2/authorize" and method == "POST":
            return self._consent(_form(headers, body))
        if path == "/oauth2/token" and method == "POST":
            return self._token(headers, _form(headers, body))
        if path == "/oauth2/userinfo" and method in ("GET", "POST"):
            return self._userinfo(headers)
        if path in ("/oauth2/authorize", "/oauth2/token", "/oauth2/userinfo", "/oauth2/jwks"):
            return _Reply(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed")
        return _Reply(HTTPStatus.NOT_FOUND, b"not found")

    def _authorize(self, params: Mapping[str, list[str]]) -> _Reply:
        # Client and redirect URI first: when either is wrong the user is told, never redirected.
        try:
            client_id = _single(params, "client_id")
            redirect_uri = _single(params, "redirect_uri")
        except OAuthError as exc:
            return self._error_page(exc.description)
        client = self.clients.get(client_id or "")
        if client is None:
            return self._error_page("Ứng dụng yêu cầu đăng nhập không được đăng ký (unknown client_id).")
        if not redirect_uri or redirect_uri not in client.redirect_uris:
            return self._error_page(
                "Địa chỉ quay về không khớp với địa chỉ đã đăng ký (redirect_uri is missing or not registered)."
            )
        state: str | None = (params.get("state") or [""])[0] or None
        try:
            state = _single(params, "state")
            response_type = _single(params, "response_type")
            scope = _single(params, "scope")
            nonce = _single(params, "nonce")
            acr_values = _single(params, "acr_values")
            prompt = _single(params, "prompt")
            if not response_type:
                raise OAuthError("invalid_request", "response_type is required")
            if response_type != "code":
                raise OAuthError("unsupported_response_type", "only response_type=code is supported")
            if not scope or "openid" not in scope.split():
                raise OAuthError("invalid_scope", "scope must contain openid")
            if prompt and "none" in prompt.split():
                raise OAuthError("login_required", "the simulator keeps no sign-in session")
        except OAuthError as exc:
            return _redirect(
                _with_query(
                    redirect_uri, {"error": exc.error, "error_description": exc.description, "state": state}
                )
            )
        txn = secrets.token_urlsafe(24)
        request = _AuthRequest(client_id or "", redirect_uri, scope, state, nonce, acr_values, self._clock())
        with self._lock:
            self._purge()
            self._pending[txn] = request
        return self._login_page(txn, request)

    def _consent(self, form: Mapping[str, list[str]]) -> _Reply:
        txn = (form.get("sessionDataKey") or [""])[0]
        with self._lock:
            self._purge()
            request = self._pending.get(txn)
        if request is None:
            return self._error_page(
                "Phiên đăng nhập đã hết hạn hoặc đã dùng; hãy bắt đầu lại từ trang dịch vụ."
            )
        if (form.get("action") or [""])[0] == "deny":
            with self._lock:
                self._pending.pop(txn, None)
            return _redirect(
                _with_query(
                    request.redirect_uri,
                    {
                        "error": "access_denied",
                        "error_description": "the user denied the request",
                        "state": request.state,
                    },
                )
            )
        idp, _, persona_key = (form.get("login") or [""])[0].partition(":")
        persona = self.personas.get(persona_key)
        if persona is None or idp not in persona.idps():
            return self._login_page(
                txn, request, error="Hãy chọn một tài khoản trong danh sách.", status=HTTPStatus.BAD_REQUEST
            )
        code = secrets.token_urlsafe(32)
        issued = self._clock()
        with self._lock:
            if self._pending.pop(txn, None) is None:
                return self._error_page("Phiên đăng nhập đã được dùng.")
            self._codes[code] = _Grant(
                request.client_id,
                request.redirect_uri,
                request.scope,
                request.nonce,
                persona,
                idp,
                int(issued),
                issued,
            )
        LOGGER.info("sso simulator: code issued for persona %s via %s", persona.key, idp)
        return _redirect(_with_query(request.redirect_uri, {"code": code, "state": request.state}))

    def _authenticate_client(self, headers: Mapping[str, str], form: Mapping[str, list[str]]) -> str:
        """The client id after client_secret_basic or client_secret_post (one of them, not both)."""
        authorization = headers.get("authorization", "")
        form_secret = _single(form, "client_secret")
        form_client = _single(form, "client_id")
        if authorization:
            scheme, _, credentials = authorization.partition(" ")
            if scheme.lower() != "basic":
                raise OAuthError(
                    "invalid_client", "unsupported client authentication", HTTPStatus.UNAUTHORIZED
                )
            if form_secret is not None:
                raise OAuthError("invalid_request", "use one client authentication method, not two")
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise OAuthError(
                    "invalid_client", "malformed Basic credentials", HTTPStatus.UNAUTHORIZED
                ) from exc
            raw_id, sep, raw_secret = decoded.partition(":")
            if not sep:
                raise OAuthError("invalid_client", "malformed Basic credentials", HTTPStatus.UNAUTHORIZED)
            client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
            if form_client is not None and form_client != client_id:
                raise OAuthError("invalid_request", "client_id differs from the authenticated client")
        else:
            if form_client is None or form_secret is None:
                raise OAuthError(
                    "invalid_client", "client authentication is required", HTTPStatus.UNAUTHORIZED
                )
            client_id, secret = form_client, form_secret
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.secret.encode(), secret.encode()):
            raise OAuthError("invalid_client", "client authentication failed", HTTPStatus.UNAUTHORIZED)
        return client_id

    def _token(self, headers: Mapping[str, str], form: Mapping[str, list[str]]) -> _Reply:
        try:
            client_id = self._authenticate_client(headers, form)
            grant_type = _single(form, "grant_type")
            if grant_type != "authorization_code":
                raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
            code = _single(form, "code")
            redirect_uri = _single(form, "redirect_uri")
            if not code:
                raise OAuthError("invalid_request", "code is required")
            now = self._clock()
            with self._lock:
                grant = self._codes.get(code)
                if grant is None:
                    raise OAuthError("invalid_grant", "unknown authorization code")
                if grant.used:
                    raise OAuthError("invalid_grant", "authorization code already used")
                if now - grant.issued_at >= self._code_ttl:
                    raise OAuthError("invalid_grant", "authorization code expired")
                if grant.client_id != client_id:
                    raise OAuthError("invalid_grant", "authorization code issued to another client")
                if redirect_uri != grant.redirect_uri:
                    raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
                grant.used = True
                access_token = secrets.token_urlsafe(32)
                self._tokens[access_token] = _AccessGrant(
                    grant.persona, grant.idp, client_id, now + ACCESS_TOKEN_TTL_SECONDS
                )
        except OAuthError as exc:
            return _token_error(exc)
        id_token = self._id_token(grant, client_id, now)
        return _json_reply(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": ACCESS_TOKEN_TTL_SECONDS,
                "id_token": id_token,
                "scope": grant.scope,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _id_token(self, grant: _Grant, client_id: str, now: float) -> str:
        issued_at = int(now)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.persona.subject(grant.idp),
            "aud": client_id,
            "azp": client_id,
            "iat": issued_at,
            "exp": issued_at + ID_TOKEN_TTL_SECONDS,
            "auth_time": grant.auth_time,
            "acr": f"LoA{grant.persona.level(grant.idp)}",
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        return jwt.encode(claims, self._key, algorithm=SIGNING_ALG, headers={"kid": self.kid})

    def _userinfo(self, headers: Mapping[str, str]) -> _Reply:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _Reply(
                HTTPStatus.UNAUTHORIZED,
                b"",
                headers={"WWW-Authenticate": 'Bearer realm="dvcqg-sso-simulator"'},
            )
        with self._lock:
            grant = self._tokens.get(token.strip())
        if grant is None or self._clock() >= grant.expires_at:
            return _Reply(
                HTTPStatus.UNAUTHORIZED,
                b"",
                headers={
                    "WWW-Authenticate": 'Bearer realm="dvcqg-sso-simulator", error="invalid_token", '
                    'error_description="unknown or expired access token"'
                },
            )
        return _json_reply(grant.persona.claims(grant.idp), headers={"Cache-Control": "no-store"})

    def _purge(self) -> None:
        """Forget stale pending requests and codes (caller holds the lock)."""
        now = self._clock()
        for txn in [t for t, r in self._pending.items() if now - r.created_at > PENDING_TTL_SECONDS]:
            del self._pending[txn]
        for code in [c for c, g in self._codes.items() if now - g.issued_at > PENDING_TTL_SECONDS]:
            del self._codes[code]
        for token in [t for t, g in self._tokens.items() if now >= g.expires_at]:
            del self._tokens[token]

    # --- pages ---------------------------------------------------------------------------------------------

    def _error_page(self, message: str) -> _Reply:
        body = _page(
            "Không thể đăng nhập",
            f'<p role="alert">{html.escape(message)}</p>'
            "<p>Hãy quay lại trang dịch vụ công và thử lại. / Go back to the service and try again.</p>",
        )
        return _Reply(HTTPStatus.BAD_REQUEST, body, "text/html; charset=utf-8")

    def _login_page(
        self, txn: str, request: _AuthRequest, *, error: str = "", status: HTTPStatus = HTTPStatus.OK
    ) -> _Reply:
        client = self.clients[request.client_id]
        e = html.escape
        requested = request.acr_values or "LoA1"
        wanted = max(
            (int(v[3:]) for v in requested.split() if v.startswith("LoA") and v[3:].isdigit()), default=1
        )
        sections = []
        for idp, label in IDP_LABELS.items():
            buttons = []
            for persona in self.personas.values():
                if idp not in persona.idps():
                    continue
                level = persona.level(idp)
                note = " (thấp hơn mức yêu cầu)" if level < wanted else ""
                buttons.append(
                    f'<li><button type="submit" name="login" value="{e(idp)}:{e(persona.key)}">'
                    f"Đăng nhập: {e(persona.full_name)} ({e(IDP_SHORT[idp])})</button> "
                    f"<span>{e(persona.description)}; mức xác thực LoA{level}{note}</span></li>"
                )
            sections.append(
                f'<fieldset><legend>{e(label)}</legend><ul class="personas">{"".join(buttons)}</ul></fieldset>'
            )
        alert = f'<p role="alert" class="error">{e(error)}</p>' if error else ""
        content = (
            f"{alert}<p>Ứng dụng <strong>{e(client.name or request.client_id)}</strong> yêu cầu đăng nhập. "
            f"Mức xác thực yêu cầu (acr_values): <strong>{e(requested)}</strong>.</p>"
            '<form method="post" action="/oauth2/authorize">'
            f'<input type="hidden" name="sessionDataKey" value="{e(txn)}">'
            "<p>Chọn phương thức đăng nhập, rồi chọn người dùng thử nghiệm:</p>"
            f"{''.join(sections)}"
            '<p><button type="submit" name="action" value="deny" class="deny">Từ chối / Deny</button></p>'
            "</form>"
        )
        return _Reply(
            status,
            _page("Đăng nhập Cổng Dịch vụ công quốc gia (mô phỏng)", content),
            "text/html; charset=utf-8",
        )


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:44rem;margin:1rem auto;padding:0 1rem;line-height:1.5;"
    "color:#111;background:#fff}.banner{background:#fff4ce;border:2px solid #8a6d00;padding:.5rem}"
    "fieldset{margin:1rem 0;border:1px solid #555}ul.personas{list-style:none;padding:0}"
    "li{margin:.5rem 0}button{font-size:1rem;padding:.5rem 1rem;min-height:44px}"
    "button:focus{outline:3px solid #1a5fb4;outline-offset:2px}.deny{background:#fff;border:2px solid #a51d2d}"
    ".error{color:#a51d2d;font-weight:bold}"
)


def _page(title: str, content: str) -> bytes:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{html.escape(title)}</h1>"
        '<p class="banner" role="note"><strong>Môi trường mô phỏng / Simulator.</strong> '
        "Đây không phải Cổng Dịch vụ công quốc gia; mọi người dùng đều là giả lập. "
        "This is not the national portal; every person here is synthetic.</p>"
        f"{content}</main></body></html>"
    ).encode()


def _form(headers: Mapping[str, str], body: bytes) -> dict[str, list[str]]:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)


class _Handler(BaseHTTPRequestHandler):
    server_version = "dvcqg-sso-simulator"

    def _serve(self, method: str) -> None:
        simulator: SsoSimulator = self.server.simulator  # type: ignore[attr-defined]
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self._send(_Reply(HTTPStatus.BAD_REQUEST, b"bad or too large Content-Length"))
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            reply = simulator.handle(method, parts.path, parts.query, headers, body)
        except OAuthError as exc:  # a repeated parameter where no redirect is possible
            reply = _json_reply({"error": exc.error, "error_description": exc.description}, exc.status)
        self._send(reply)

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        LOGGER.debug("sso simulator: " + format, *args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Simulator of the DVCQG SSO (OpenID Connect provider).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--public-url", default=None, help="Issuer URL when not http://HOST:PORT.")
    parser.add_argument("--client-id", default="motcua-portal")
    parser.add_argument("--client-secret", default="motcua-portal-secret")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        help="Registered redirect URI (repeatable). Default: the callback of `make run`.",
    )
    args = parser.parse_args(argv)
    redirect_uris = tuple(
        args.redirect_uri or ["http://127.0.0.1:8000/oidc/callback/", "http://localhost:8000/oidc/callback/"]
    )
    clients = {
        args.client_id: ClientRegistration(args.client_secret, redirect_uris, "Cổng dịch vụ công motcua")
    }
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    simulator = SsoSimulator(args.host, args.port, clients, public_url=args.public_url).start()
    print(f"DVCQG SSO simulator ({PROFILE}) at {simulator.issuer}")
    print(f"  redirect URIs: {', '.join(redirect_uris)}")
    print(f"  run the portal with: OIDC_ISSUER={simulator.issuer} make run")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()


if __name__ == "__main__":
    main()
