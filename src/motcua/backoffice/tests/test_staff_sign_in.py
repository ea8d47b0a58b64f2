"""Staff sign-in as a person does it in the browser (Django test client): the password, then the code of
an authenticator app (enrolled from a QR code the first time); lockout, replay, citizens kept out, the
admin behind the second factor, the audit log of sign-ins and the audit page of a leader."""

from __future__ import annotations

import re
from base64 import b32decode
from binascii import hexlify
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Role, User, UserKind
from motcua.backoffice import access
from motcua.core import audit
from motcua.core.clock import now, to_vn
from motcua.core.models import AuditEntry
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import MiniWorld, build_mini_world, make_officer, mini_submit, vn

pytestmark = [pytest.mark.django_db, pytest.mark.urls("motcua.backoffice.tests.urls")]

PASSWORD = "mat-khau-rat-dai-2026"
IP = "203.0.113.45"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="Firefox/140 (test)")


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    accepted = {code_for(device, k) for k in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in accepted)


def enrolled_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def path_of(response: Any) -> str:
    return urlsplit(response["Location"]).path


def next_of(response: Any) -> str:
    return parse_qs(urlsplit(response["Location"]).query).get("next", [""])[0]


def password_step(client: Client, username: str, password: str = PASSWORD, next_url: str = "") -> Any:
    url = reverse("backoffice:sign_in") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password, "next": next_url})


def code_step(client: Client, code: str) -> Any:
    return client.post(reverse("backoffice:otp"), {"code": code})


def sign_in_fully(client: Client, user: User, device: TOTPDevice, steps_ahead: int = 0) -> Any:
    assert path_of(password_step(client, user.username)) == reverse("backoffice:otp")
    return code_step(client, code_for(device, steps_ahead))


@dataclass
class Staff:
    world: MiniWorld
    counter: User  # receiving officer of the commune, with a password and a confirmed device
    device: TOTPDevice


@pytest.fixture
def staff() -> Staff:
    world = build_mini_world("S41")
    counter = with_password(world.counter)
    return Staff(world, counter, enrolled_device(counter))


# --- The two steps --------------------------------------------------------------------------------------


def test_the_back_office_needs_the_password_then_the_code(client: Client, staff: Staff) -> None:
    home = reverse("backoffice:home")

    first = client.get(home)
    assert path_of(first) == reverse("backoffice:sign_in")
    assert next_of(first) == home

    after_password = password_step(client, staff.counter.username, next_url=home)
    assert path_of(after_password) == reverse("backoffice:otp")
    # between the two steps nobody is signed in: the back office still sends to the code
    half_way = client.get(home)
    assert path_of(half_way) == reverse("backoffice:otp")
    assert "_auth_user_id" not in client.session

    page = client.get(reverse("backoffice:otp"))
    assert page.status_code == 200
    assert b'id="f-code"' in page.content
    assert b"<svg" not in page.content  # already enrolled: no QR code, no secret

    done = code_step(client, code_for(staff.device))
    assert path_of(done) == home
    assert client.get(home).status_code == 200
    assert int(client.session["_auth_user_id"]) == staff.counter.pk


def test_the_first_sign_in_enrols_an_authenticator_app(client: Client) -> None:
    world = build_mini_world("E41")
    newcomer = with_password(world.counter)

    password_step(client, newcomer.username)
    page = client.get(reverse("backoffice:otp"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=newcomer)
    assert device.confirmed is False
    secret = re.search(r'<p class="secret" id="secret">([A-Z2-7 ]+)</p>', html)
    assert secret is not None
    typed = secret.group(1).replace(" ", "")
    assert hexlify(b32decode(typed + "=" * (-len(typed) % 8))).decode() == device.key
    assert client.get(reverse("backoffice:otp")).content.decode().count(secret.group(1)) == 1  # same secret

    refused = code_step(client, wrong_code(device))
    assert refused.status_code == 400
    device.refresh_from_db()
    assert device.confirmed is False

    device.throttle_reset()
    done = code_step(client, code_for(device, 1))
    assert path_of(done) == reverse("backoffice:home")
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(reverse("backoffice:home")).status_code == 200
    assert AuditEntry.objects.filter(action="otp_enrolled", actor=newcomer).count() == 1


def test_a_wrong_code_is_refused_and_logged(client: Client, staff: Staff) -> None:
    password_step(client, staff.counter.username)

    response = code_step(client, wrong_code(staff.device))

    assert response.status_code == 400
    assert b'id="error-summary"' in response.content
    assert b'aria-invalid="true"' in response.content
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="otp_failed")
    assert entry.actor_id == staff.counter.pk
    assert entry.ip_address == IP
    # and the right code just after must wait (exponential back-off)
    throttled = code_step(client, code_for(staff.device, 1))
    assert throttled.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_code_is_good_once(client: Client, staff: Staff) -> None:
    code = code_for(staff.device)
    password_step(client, staff.counter.username)
    assert path_of(code_step(client, code)) == reverse("backoffice:home")
    client.post(reverse("backoffice:sign_out"))

    password_step(client, staff.counter.username)
    replayed = code_step(client, code)

    assert replayed.status_code == 400
    assert "_auth_user_id" not in client.session


def test_too_many_wrong_codes_ask_for_the_password_again(client: Client, staff: Staff, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    password_step(client, staff.counter.username)
    bad = wrong_code(staff.device)
    responses = [code_step(client, bad) for _ in range(access.MAX_CODE_FAILURES)]

    assert [r.status_code for r in responses[:-1]] == [400] * (access.MAX_CODE_FAILURES - 1)
    assert path_of(responses[-1]) == reverse("backoffice:sign_in")
    assert access.PENDING not in client.session
    after = code_step(client, code_for(staff.device))
    assert path_of(after) == reverse("backoffice:sign_in")  # the code alone is not enough any more


def test_the_half_way_state_expires(client: Client, staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    password_step(client, staff.counter.username)
    later = now() + timedelta(seconds=access.PENDING_TTL + 1)
    monkeypatch.setattr(access, "now", lambda: later)

    response = code_step(client, code_for(staff.device))

    assert path_of(response) == reverse("backoffice:sign_in")
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_account_out(client: Client, staff: Staff) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = password_step(client, staff.counter.username, "not-the-password")
        assert response.status_code == 400
        assert b'id="error-summary"' in response.content

    locked = password_step(client, staff.counter.username, "not-the-password")
    right_password = password_step(client, staff.counter.username)

    assert locked.status_code == 429
    assert right_password.status_code == 429
    assert access.PENDING not in client.session
    reasons = list(
        AuditEntry.objects.filter(action="login_failed", actor=staff.counter)
        .order_by("at", "id")
        .values_list("detail__reason", flat=True)
    )
    assert reasons[: limit - 1] == ["bad_credentials"] * (limit - 1)
    assert reasons[-1] == "locked_out"


def test_a_failed_password_names_only_an_officers_account(client: Client, staff: Staff) -> None:
    password_step(client, "nguoidan@example.vn", "whatever-it-is")
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.actor is None
    assert entry.actor_label == ""
    assert entry.ip_address == IP


# --- Who may enter ---------------------------------------------------------------------------------------


def test_a_citizen_cannot_enter(client: Client, staff: Staff) -> None:
    citizen = with_password(staff.world.citizen)

    response = password_step(client, citizen.username)
    assert response.status_code == 400  # same answer as a wrong password: nothing to learn
    assert access.PENDING not in client.session
    assert AuditEntry.objects.get(action="login_failed").detail == {"reason": "not_staff"}

    client.force_login(citizen)  # signed in on the portal
    for name in ("backoffice:home", "backoffice:audit_log"):
        page = client.get(reverse(name))
        assert page.status_code == 403
    assert path_of(client.get(reverse("backoffice:otp"))) == reverse("backoffice:home")


def test_an_officer_signed_in_with_a_password_only_must_give_the_code(client: Client, staff: Staff) -> None:
    client.force_login(staff.counter)  # e.g. through the portal's sign-in, which has no second factor

    response = client.get(reverse("backoffice:home"))
    assert path_of(response) == reverse("backoffice:otp")

    done = code_step(client, code_for(staff.device))
    assert path_of(done) == reverse("backoffice:home")
    assert client.get(reverse("backoffice:home")).status_code == 200


def test_next_never_leaves_the_site(client: Client, staff: Staff) -> None:
    password_step(client, staff.counter.username, next_url="https://evil.example/steal")
    done = code_step(client, code_for(staff.device))
    assert done["Location"] == reverse("backoffice:home")


def test_signing_out_ends_the_session_and_is_logged(client: Client, staff: Staff) -> None:
    sign_in_fully(client, staff.counter, staff.device)

    response = client.post(reverse("backoffice:sign_out"))

    assert path_of(response) == reverse("backoffice:sign_in")
    assert path_of(client.get(reverse("backoffice:home"))) == reverse("backoffice:sign_in")
    assert AuditEntry.objects.filter(action="logout", actor=staff.counter).count() == 1


def test_a_sign_in_is_in_the_audit_log_with_actor_time_and_place(client: Client, staff: Staff) -> None:
    start = now()
    sign_in_fully(client, staff.counter, staff.device)

    entry = AuditEntry.objects.get(action="login")
    assert entry.actor_id == staff.counter.pk
    assert entry.actor_label == staff.counter.username
    assert start <= entry.at <= now()
    assert entry.ip_address == IP
    assert entry.user_agent == "Firefox/140 (test)"
    assert entry.path == reverse("backoffice:otp")
    assert entry.agency_id is None


# --- The admin site ---------------------------------------------------------------------------------------


def test_the_admin_requires_the_second_factor_even_for_a_superuser(client: Client) -> None:
    admin_user = with_password(
        User.objects.create(username="quantri.s41", is_staff=True, is_superuser=True, kind=UserKind.CITIZEN)
    )
    device = enrolled_device(admin_user)
    index = reverse("admin:index")

    client.force_login(admin_user)  # password only
    to_login = client.get(index)
    assert path_of(to_login) == reverse("admin:login")
    to_sign_in = client.get(to_login["Location"])
    assert path_of(to_sign_in) == reverse("backoffice:sign_in")
    assert next_of(to_sign_in) == index
    client.logout()

    password_step(client, admin_user.username, next_url=index)
    done = code_step(client, code_for(device))
    assert done["Location"] == index
    assert client.get(index).status_code == 200


def test_a_verified_officer_without_admin_rights_gets_a_403_not_a_loop(client: Client, staff: Staff) -> None:
    sign_in_fully(client, staff.counter, staff.device)
    response = client.get(reverse("admin:login"))
    assert response.status_code == 403


# --- The audit page -----------------------------------------------------------------------------------------


@dataclass
class AuditScene:
    a: MiniWorld
    b: MiniWorld
    dossier_a: Dossier
    dossier_b: Dossier
    leader_a: User
    specialist_a: User


@pytest.fixture
def scene() -> AuditScene:
    a, b = build_mini_world("LA1"), build_mini_world("LB1")
    dossier_a = mini_submit(a, vn(2026, 3, 2, 8, 30))
    dossier_b = mini_submit(b, vn(2026, 3, 2, 8, 45))
    services.accept(dossier_a, actor=a.counter, at=vn(2026, 3, 2, 9, 0))
    services.accept(dossier_b, actor=b.counter, at=vn(2026, 3, 2, 9, 15))
    leader_a = with_password(make_officer("chutich.LA1", a.commune, Role.AGENCY_LEADER))
    specialist_a = with_password(make_officer("chuyenvien.LA1", a.commune, Role.SPECIALIST))
    for world, dossier in ((a, dossier_a), (b, dossier_b)):
        audit.record(
            None, action="read", actor=world.counter, obj=dossier, agency_id=dossier.competent_agency_id
        )
        audit.record(None, action="login", actor=world.counter)
    return AuditScene(a, b, dossier_a, dossier_b, leader_a, specialist_a)


def audit_page(client: Client, user: User, **query: str) -> Any:
    sign_in_fully(client, user, enrolled_device(user))
    return client.get(reverse("backoffice:audit_log"), query)


def rows(response: Any) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), flags=re.S)
    return re.findall(r"<tr.*?</tr>", body.group(1), flags=re.S) if body else []


def test_the_leader_sees_reads_actions_and_sign_ins_of_their_subtree_only(
    client: Client, scene: AuditScene
) -> None:
    response = audit_page(client, scene.leader_a)

    assert response.status_code == 200
    html = response.content.decode()
    assert scene.dossier_a.code in html
    assert scene.dossier_b.code not in html
    assert scene.b.counter.username not in html
    lines = rows(response)
    # the read, the acceptance (a dossier event, shown once), the submission, the sign-ins
    read = [r for r in lines if "Xem hồ sơ" in r]
    accepted = [r for r in lines if "Tiếp nhận" in r]
    submitted = [r for r in lines if "Nộp hồ sơ" in r]
    assert len(read) == 1
    assert scene.a.counter.username in read[0]
    assert len(accepted) == 1
    assert scene.a.counter.username in accepted[0]
    assert len(submitted) == 1
    assert "Công dân" in submitted[0]
    assert scene.a.citizen.username not in html
    assert sum("Đăng nhập" in r for r in lines) >= 2  # the counter's and the leader's own sign-in
    assert to_vn(AuditEntry.objects.filter(action="read").first().at).strftime("%d/%m/%Y") in html


def test_a_specialist_may_not_see_the_audit_page(client: Client, scene: AuditScene) -> None:
    response = audit_page(client, scene.specialist_a)
    assert response.status_code == 403
    assert scene.dossier_a.code not in response.content.decode()


def test_a_centre_director_over_the_province_sees_its_communes(client: Client, scene: AuditScene) -> None:
    director = with_password(make_officer("giamdoc.LA1", scene.a.province, Role.CENTRE_DIRECTOR))
    response = audit_page(client, director)
    assert response.status_code == 200
    assert scene.dossier_a.code in response.content.decode()
    assert scene.dossier_b.code not in response.content.decode()


def test_the_audit_page_filters_by_dossier_officer_and_date(client: Client, scene: AuditScene) -> None:
    second = mini_submit(scene.a, vn(2026, 3, 3, 8, 0))
    sign_in_fully(client, scene.leader_a, enrolled_device(scene.leader_a))
    url = reverse("backoffice:audit_log")

    by_code = client.get(url, {"code": second.code}).content.decode()
    assert second.code in by_code
    assert scene.dossier_a.code not in by_code

    by_officer = rows(client.get(url, {"officer": scene.leader_a.username}))
    assert by_officer
    assert all(scene.leader_a.username in r for r in by_officer)

    latest_day = max(to_vn(now()).date(), date(2026, 3, 3))  # today's sign-in and reads, or the submission
    on_submission_day = rows(client.get(url, {"from": "2026-03-03", "to": "03/03/2026"}))
    assert len(on_submission_day) == 1
    assert second.code in on_submission_day[0]
    assert rows(client.get(url, {"from": (latest_day + timedelta(days=1)).isoformat()})) == []

    wrong = client.get(url, {"from": "31/02/2026", "officer": "nobody.here"})
    assert wrong.status_code == 400
    assert b'id="error-summary"' in wrong.content
