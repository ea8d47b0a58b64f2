"""Sign-in through OpenID Connect: the national SSO (DVCQG SSO, which federates VNeID).

The flow is mozilla-django-oidc's authorization code flow (``/oidc/authenticate/`` → the SSO →
``/oidc/callback/``); this module decides **who** the signed-in person is (integrations.md §5,
docs/adr/0007-sign-in-oidc.md):

* A person is keyed on the **issuer + personal identification number** (``SoDinhDanh``, số định danh cá
  nhân), recorded as an ``ExternalIdentity``; never on ``sub`` alone, which differs between DVCQG SSO and
  VNeID for the same person. Claims without a valid 12-digit ``SoDinhDanh`` are refused.
* A first sign-in creates a citizen account ``sso+<issuer host>+<id number>`` (characters Django's username validator accepts) with an unusable password.
  The SSO is authoritative for the name and the ID number, which are updated at every sign-in; e-mail and
  phone are taken only while the account has none (the citizen may have changed them here).
* An existing account is **never linked automatically**, not even one holding the same ID number or
  e-mail: whoever controls an SSO identity would otherwise take over a password account (or an officer's)
  whose owner typed that number. Linking, if ever wanted, must be a deliberate step by the signed-in owner.
* Officers never sign in through the SSO: an identity whose account became an officer's is refused.
* Nothing personal is logged (no name, no ID number, no e-mail, no ``sub``): only the account's database
  id, the issuer host and the reason of a refusal.

Besides the library's checks (signature through the JWKS, algorithm pinned, nonce), the ID token's
``iss``, ``aud``, ``azp``, ``exp`` and ``iat`` are verified, and the UserInfo ``sub`` must equal the ID
token's (OpenID Connect Core §3.1.3.7, §5.3.2).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]

from motcua.accounts.models import ExternalAccountType, ExternalIdentity, User, UserKind
from motcua.accounts.validators import validate_citizen_id
from motcua.core.clock import now
from motcua.core.errors import DomainError

LOGGER = logging.getLogger(__name__)

#: ``LoaiTaiKhoan`` → our account type (integrations.md §5.2; 2 = organisation is inferred there).
ACCOUNT_TYPES = {"1": ExternalAccountType.CITIZEN, "2": ExternalAccountType.ORGANISATION}
_LEVEL = re.compile(r"(\d+)\s*$")
_PHONE = re.compile(r"^\+?\d{8,15}$")
_BIRTH_DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y")
_CLOCK_SKEW_SECONDS = 30


class SignInRefused(SuspiciousOperation):
    """The SSO answered, but we refuse to sign this identity in. The message is safe to log."""


@dataclass(frozen=True)
class SsoIdentity:
    """What a sign-in tells us about the person, after checking the claims."""

    issuer: str
    id_number: str
    subject: str
    assurance_level: int
    account_type: str
    full_name: str
    email: str
    phone: str

    @property
    def username(self) -> str:
        return f"sso+{issuer_host(self.issuer).replace(':', '-')}+{self.id_number}"


def expected_issuer() -> str | None:
    """The issuer the ID tokens must name: ``OIDC_OP_ISSUER`` if set, else ``OIDC_ISSUER`` (None: SSO off)."""
    explicit = getattr(settings, "OIDC_OP_ISSUER", None)
    if explicit:
        return str(explicit)  # verbatim: the ID tokens' ``iss`` must match it exactly
    base = getattr(settings, "OIDC_ISSUER", None)
    return str(base).rstrip("/") if base else None


def issuer_host(issuer: str) -> str:
    """Host (and port when given) of an issuer URL, as used in usernames."""
    return urlsplit(issuer).netloc.lower() or issuer


def assurance_level(userinfo: dict[str, Any], id_token: dict[str, Any]) -> int:
    """The account level (Decree 69/2024: 1 or 2) from ``loAs``, else ``IAL``, else the ID token's ``acr``.

    The value types are unpublished [U]: ``"LoA2"``, ``2``, ``"2"`` and lists of them are accepted; the
    highest wins; nothing readable means level 1.
    """
    for raw in (userinfo.get("loAs"), userinfo.get("IAL"), id_token.get("acr")):
        values = raw if isinstance(raw, list | tuple) else [raw]
        levels = [level for value in values if (level := _level(value)) is not None]
        if levels:
            return max(levels)
    return 1


def _level(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 9 else None
    if isinstance(value, str):
        match = _LEVEL.search(value)
        if match and 1 <= int(match.group(1)) <= 9:
            return int(match.group(1))
    return None


def _birth_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    for fmt in _BIRTH_DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    return None


def _text(value: Any, max_length: int) -> str:
    return value.strip()[:max_length] if isinstance(value, str) else ""


def _email(value: Any) -> str:
    text = _text(value, 254)
    try:
        validate_email(text)
    except ValidationError:
        return ""
    return text


def _phone(value: Any) -> str:
    text = re.sub(r"[\s.\-]", "", _text(value, 40))
    return text if _PHONE.match(text) else ""


def identity_from_claims(issuer: str, userinfo: dict[str, Any], id_token: dict[str, Any]) -> SsoIdentity:
    """Check the UserInfo claims of a verified ID token and read the identity from them.

    Raises ``SignInRefused`` when the claims name no valid 12-digit personal identification number, when
    the UserInfo ``sub`` is not the ID token's, or for an unknown account type.
    """
    subject = id_token.get("sub")
    if not isinstance(subject, str) or not subject or userinfo.get("sub") != subject:
        raise SignInRefused("UserInfo sub differs from the ID token sub")
    raw_id = userinfo.get("SoDinhDanh")
    try:
        id_number = validate_citizen_id(raw_id if isinstance(raw_id, str) else "", field="SoDinhDanh")
    except DomainError as exc:
        raise SignInRefused("no valid personal identification number (SoDinhDanh) in the claims") from exc
    birth = _birth_date(userinfo.get("NgayThangNamSinh"))
    if birth is not None:
        try:
            validate_citizen_id(id_number, birth_date=birth, field="SoDinhDanh")
        except DomainError:
            # The SSO is authoritative; a mismatch is worth a look but not a refusal.
            LOGGER.warning(
                "sso claims: birth year and identification number disagree (issuer %s)", issuer_host(issuer)
            )
    raw_type = userinfo.get("LoaiTaiKhoan", "1")
    account_type = ACCOUNT_TYPES.get(str(raw_type).strip())
    if account_type is None:
        raise SignInRefused("unknown account type (LoaiTaiKhoan)")
    return SsoIdentity(
        issuer=issuer,
        id_number=id_number,
        subject=subject[:255],
        assurance_level=assurance_level(userinfo, id_token),
        account_type=account_type,
        full_name=_text(userinfo.get("HoVaTen"), 200),
        email=_email(userinfo.get("ThuDienTu")),
        phone=_phone(userinfo.get("SoDienThoai")),
    )


def sign_in_identity(identity: SsoIdentity) -> User:
    """The citizen account of ``identity``: found through its ``ExternalIdentity``, else created.

    Never links to an account found any other way (see the module docstring). Raises ``SignInRefused`` for
    an identity whose account is an officer's or inactive, or when the username it would get is taken.
    """
    with transaction.atomic():
        found = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=identity.issuer, id_number=identity.id_number)
            .first()
        )
        if found is not None:
            return _update(found, identity)
        try:
            with transaction.atomic():
                user = _create(identity)
        except IntegrityError:
            # Another sign-in of the same person won the race, or the username is taken.
            found = (
                ExternalIdentity.objects.select_related("user")
                .filter(issuer=identity.issuer, id_number=identity.id_number)
                .first()
            )
            if found is None:
                raise SignInRefused(
                    "the SSO username is taken by an account not linked to the identity"
                ) from None
            return _update(found, identity)
    LOGGER.info("sso sign-in: new account %s (issuer %s)", user.pk, issuer_host(identity.issuer))
    return user


def _create(identity: SsoIdentity) -> User:
    if User.objects.filter(username=identity.username).exists():
        raise IntegrityError("username taken")
    user = User(
        username=identity.username,
        kind=UserKind.CITIZEN,
        full_name=identity.full_name,
        email=identity.email,
        phone=identity.phone,
        citizen_id_number=identity.id_number,
    )
    user.set_unusable_password()
    user.save()
    moment = now()
    ExternalIdentity.objects.create(
        user=user,
        issuer=identity.issuer,
        id_number=identity.id_number,
        subject=identity.subject,
        assurance_level=identity.assurance_level,
        account_type=identity.account_type,
        first_seen_at=moment,
        last_seen_at=moment,
    )
    return user


def _update(found: ExternalIdentity, identity: SsoIdentity) -> User:
    user = found.user
    if user.kind != UserKind.CITIZEN:
        raise SignInRefused(f"account {user.pk} is not a citizen account")
    if not user.is_active:
        raise SignInRefused(f"account {user.pk} is inactive")
    if found.subject != identity.subject:
        LOGGER.info("sso sign-in: account %s signed in under another subject", user.pk)
    found.subject = identity.subject
    found.assurance_level = identity.assurance_level
    found.account_type = identity.account_type
    found.last_seen_at = now()
    found.save(update_fields=["subject", "assurance_level", "account_type", "last_seen_at"])
    user.citizen_id_number = identity.id_number
    if identity.full_name:
        user.full_name = identity.full_name
    if not user.email:
        user.email = identity.email
    if not user.phone:
        user.phone = identity.phone
    user.save(update_fields=["citizen_id_number", "full_name", "email", "phone"])
    LOGGER.info("sso sign-in: account %s (issuer %s)", user.pk, issuer_host(identity.issuer))
    return user


def _reason(exc: Exception) -> str:
    """A loggable reason for a failed sign-in: no claim values, no response bodies."""
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.HTTPError) and response is not None:
        error = ""
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                error = body["error"][:64]
        except ValueError:
            pass
        return f"{type(exc).__name__} {response.status_code} {error}".strip()
    if isinstance(exc, SuspiciousOperation):
        return str(exc)
    return type(exc).__name__


def exempt_from_lockout(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> bool:
    """For ``AXES_WHITELIST_CALLABLE``: an SSO callback is never counted nor locked out by django-axes.

    Without it, every refused SSO sign-in counts as a failure of (no username, client IP), and five of them
    lock **every** SSO sign-in from that address: one-stop counters, commune offices and mobile carriers'
    shared addresses. Guessing is impossible there anyway: the code is the provider's one-time secret and
    the state must match the browser's session. Password sign-ins (which carry a username) are unaffected.
    """
    credentials = credentials or {}
    return "nonce" in credentials and not credentials.get("username") and not credentials.get("password")


class CitizenOidcBackend(OIDCAuthenticationBackend):
    """Authentication backend for citizens signing in through the national SSO (see the module docstring).

    Takes part only in the OIDC callback (the library passes ``nonce``) and only when ``OIDC_ISSUER`` is
    set; a password sign-in never reaches the SSO. Every failure (SSO unreachable, code refused, token
    invalid, claims refused) returns None, so the callback redirects to ``LOGIN_REDIRECT_URL_FAILURE``.
    """

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "nonce" not in kwargs or "username" in kwargs or "password" in kwargs:
            return None
        if expected_issuer() is None:
            return None
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (
            requests.RequestException,
            SuspiciousOperation,
            jwt.PyJWTError,
            KeyError,
            TypeError,
            ValueError,
        ) as exc:
            LOGGER.warning("sso sign-in failed: %s", _reason(exc))
            return None
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """Verify the signature (algorithm pinned) and the registered claims of an ID token."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused("ID token algorithm differs from OIDC_RP_SIGN_ALGO")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=expected_issuer(),
                leeway=_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"ID token rejected ({type(exc).__name__})") from exc
        audience = claims["aud"]
        azp = claims.get("azp")
        if isinstance(audience, list) and len(audience) > 1 and azp is None:
            raise SignInRefused("ID token for several audiences without azp")
        if azp is not None and azp != self.OIDC_RP_CLIENT_ID:
            raise SignInRefused("ID token azp is another client")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict):
            raise SignInRefused("UserInfo is not a JSON object")
        identity = identity_from_claims(str(payload["iss"]).rstrip("/"), userinfo, payload)
        return sign_in_identity(identity)

    def get_user(self, user_id: Any) -> User | None:
        """The session's account, while it is still an active citizen account."""
        return User.objects.filter(pk=user_id, kind=UserKind.CITIZEN, is_active=True).first()
