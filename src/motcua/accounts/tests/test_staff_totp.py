"""The staff second factor (TOTP): enrolment, confirmation, verification, replay and throttling, reset."""

from __future__ import annotations

from base64 import b32decode
from binascii import hexlify
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts import staff
from motcua.accounts.models import Role, User
from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.services import add_agency
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.core.models import AuditEntry
from motcua.dossiers.tests.factories import make_citizen, make_officer

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods later), from the device key."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed code that is none of the codes accepted now (tolerance: one step either side)."""
    accepted = {code_for(device, k) for k in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in accepted)


@pytest.fixture
def commune() -> Agency:
    province = add_agency(code="000.00.00.T41", name="UBND tỉnh thử T41", kind=AgencyKind.PROVINCE)
    return add_agency(code="001.01.01.T41", name="UBND xã thử T41", kind=AgencyKind.COMMUNE, parent=province)


@pytest.fixture
def officer(commune: Agency) -> User:
    return make_officer("chuyenvien.t41", commune, Role.SPECIALIST)


def enrolled(user: User) -> TOTPDevice:
    device, _ = staff.enrol_totp(user)
    return staff.confirm_totp(user, code_for(device))


def test_enrolment_makes_one_unconfirmed_device_with_its_otpauth_uri(officer: User) -> None:
    device, uri = staff.enrol_totp(officer)

    assert device.confirmed is False
    assert device.user_id == officer.pk
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth"
    assert parts.netloc == "totp"
    assert unquote(parts.path) == f"/{staff.issuer()}:{officer.username}"
    query = parse_qs(parts.query)
    secret = query["secret"][0]
    padded = secret + "=" * (-len(secret) % 8)
    assert hexlify(b32decode(padded)).decode() == device.key
    assert query["issuer"] == [staff.issuer()]
    assert query["digits"] == [str(device.digits)]
    assert query["period"] == [str(device.step)]
    # the secret shown as text is the same key, in groups for typing
    assert staff.secret_of(device).replace(" ", "") == secret
    # reloading the page shows the same secret, not a new device
    again, again_uri = staff.enrol_totp(officer)
    assert again.pk == device.pk
    assert again_uri == uri
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_the_qr_code_is_inline_svg_with_a_title(officer: User) -> None:
    _, uri = staff.enrol_totp(officer)
    svg = staff.qr_svg(uri, title="Mã QR thử")
    assert svg.lstrip().startswith("<svg")
    assert "<title>Mã QR thử</title>" in svg
    assert 'class="qr"' in svg


def test_a_first_code_confirms_the_enrolment(officer: User) -> None:
    device, _ = staff.enrol_totp(officer)
    assert not staff.has_totp(officer)

    confirmed = staff.confirm_totp(officer, code_for(device))

    assert confirmed.pk == device.pk
    assert staff.has_totp(officer)
    with pytest.raises(DomainError) as refused:
        staff.enrol_totp(officer)
    assert refused.value.code == "otp_already_enrolled"


def test_a_wrong_first_code_leaves_the_enrolment_unconfirmed(officer: User) -> None:
    device, _ = staff.enrol_totp(officer)

    with pytest.raises(DomainError) as refused:
        staff.confirm_totp(officer, wrong_code(device))

    assert refused.value.code == "otp_invalid"
    device.refresh_from_db()
    assert device.confirmed is False
    assert device.throttling_failure_count == 1  # the wrong code counts, even though it raised


def test_verify_accepts_the_current_code_once(officer: User) -> None:
    device = enrolled(officer)
    staff_code = code_for(device, 1)  # the next period's code: accepted (tolerance), newer than the last

    assert staff.verify_totp(officer, staff_code) is True
    assert staff.verify_totp(officer, staff_code) is False  # replay refused


def test_a_code_older_than_the_last_one_used_is_refused(officer: User, settings: object) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(officer)  # used the current code

    assert staff.verify_totp(officer, code_for(device, -1)) is False
    assert staff.verify_totp(officer, code_for(device, 1)) is True


def test_wrong_codes_slow_the_next_attempts_down(officer: User) -> None:
    device = enrolled(officer)

    assert staff.check_totp(officer, wrong_code(device)) is None
    with pytest.raises(DomainError) as throttled:
        staff.check_totp(officer, code_for(device, 1))  # even the right code must wait

    assert throttled.value.code == "otp_throttled"
    assert throttled.value.status == 429
    assert staff.verify_totp(officer, code_for(device, 1)) is False


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", ""])
def test_anything_but_six_digits_is_refused_without_counting_as_a_try(officer: User, typed: str) -> None:
    device = enrolled(officer)

    with pytest.raises(DomainError) as refused:
        staff.check_totp(officer, typed)

    assert refused.value.code == "otp_code_format"
    assert refused.value.field == "code"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_spaces_in_a_typed_code_are_ignored(officer: User) -> None:
    device = enrolled(officer)
    code = code_for(device, 1)
    assert staff.verify_totp(officer, f"{code[:3]} {code[3:]}") is True


def test_without_a_device_there_is_nothing_to_verify(officer: User) -> None:
    with pytest.raises(DomainError) as refused:
        staff.check_totp(officer, "123456")
    assert refused.value.code == "otp_not_enrolled"
    assert staff.verify_totp(officer, "123456") is False


def test_a_superuser_resets_a_lost_phone_and_it_is_logged(officer: User) -> None:
    enrolled(officer)
    admin = User.objects.create(username="quantri", is_staff=True, is_superuser=True)

    removed = staff.reset_totp(officer, by=admin)

    assert removed == 1
    assert not TOTPDevice.objects.filter(user=officer).exists()
    entry = AuditEntry.objects.get(action="otp_reset")
    assert entry.actor_id == admin.pk
    assert (entry.object_type, entry.object_id, entry.object_label) == (
        "user",
        str(officer.pk),
        officer.username,
    )
    # the next sign-in enrols again
    device, _ = staff.enrol_totp(officer)
    assert device.confirmed is False


def test_a_leader_over_the_officers_agency_may_reset_but_a_colleague_may_not(
    officer: User, commune: Agency
) -> None:
    enrolled(officer)
    colleague = make_officer("motcua.t41", commune, Role.RECEIVING_OFFICER)
    outsider_agency = add_agency(code="000.00.00.T42", name="UBND tỉnh khác", kind=AgencyKind.PROVINCE)
    outsider = make_officer("chutich.t42", outsider_agency, Role.AGENCY_LEADER)
    leader = make_officer("chutich.t41", commune.parent, Role.AGENCY_LEADER)

    for refused in (colleague, outsider):
        with pytest.raises(NotFound):
            staff.reset_totp(officer, by=refused)
    assert staff.has_totp(officer)

    assert staff.reset_totp(officer, by=leader) == 1
    assert not staff.has_totp(officer)


def test_nobody_resets_their_own_second_factor(officer: User) -> None:
    enrolled(officer)
    officer.is_superuser = True
    officer.save()
    with pytest.raises(PermissionDenied):
        staff.reset_totp(officer, by=officer)
    assert staff.has_totp(officer)


def test_officer_ids_within_a_subtree(commune: Agency, officer: User) -> None:
    other = add_agency(code="000.00.00.T43", name="UBND tỉnh T43", kind=AgencyKind.PROVINCE)
    elsewhere = make_officer("chuyenvien.t43", other, Role.SPECIALIST)
    citizen = make_citizen("dan.t41@example.vn", "Người Dân", "001099001111")
    province_path = commune.parent.path

    within = set(staff.officer_ids_within([province_path]).values_list("user_id", flat=True))

    assert officer.pk in within
    assert elsewhere.pk not in within
    assert citizen.pk not in within
    assert list(staff.officer_ids_within([])) == []
