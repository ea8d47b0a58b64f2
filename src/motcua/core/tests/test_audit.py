"""The audit log: what an entry records (actor, time, place), the dossier reads of officers, the refusal of
personal data, append-only rows, and the reading within agency subtrees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.test import RequestFactory

from motcua.accounts.models import Role, User
from motcua.accounts.staff import officer_ids_within
from motcua.core import audit
from motcua.core.clock import now
from motcua.core.models import AuditEntry
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import MiniWorld, build_mini_world, make_officer, mini_submit, vn

pytestmark = pytest.mark.django_db


def request_by(user: User | AnonymousUser, path: str = "/nghiep-vu/ho-so/X/", **meta: str) -> HttpRequest:
    request = RequestFactory().get(path, REMOTE_ADDR=meta.pop("ip", "198.51.100.23"), **meta)
    request.user = user
    return request


@pytest.fixture
def world_a() -> MiniWorld:
    return build_mini_world("A41")


@pytest.fixture
def world_b() -> MiniWorld:
    return build_mini_world("B41")


@pytest.fixture
def dossier_a(world_a: MiniWorld) -> Dossier:
    return mini_submit(world_a, vn(2026, 3, 2, 8, 30))


@pytest.fixture
def dossier_b(world_b: MiniWorld) -> Dossier:
    return mini_submit(world_b, vn(2026, 3, 2, 9, 0))


def test_an_officer_reading_a_dossier_is_recorded_with_actor_time_and_place(
    world_a: MiniWorld, dossier_a: Dossier
) -> None:
    request = request_by(world_a.counter, HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400)
    before = now()

    entry = audit.record_read(request, dossier_a)

    assert entry is not None
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.action == "read"
    assert stored.actor_id == world_a.counter.pk
    assert stored.actor_label == world_a.counter.username
    assert before <= stored.at <= now()
    assert stored.ip_address == "198.51.100.23"
    assert stored.user_agent.startswith("Mozilla/5.0 ")
    assert len(stored.user_agent) == AuditEntry._meta.get_field("user_agent").max_length
    assert stored.path == "/nghiep-vu/ho-so/X/"
    assert (stored.object_type, stored.object_id, stored.object_label) == (
        "dossier",
        str(dossier_a.pk),
        dossier_a.code,
    )
    assert stored.agency_id == dossier_a.competent_agency_id
    # nothing about the applicant
    assert dossier_a.applicant_name not in str(stored.detail)


def test_a_citizen_reading_their_own_dossier_is_not_an_audit_entry(
    world_a: MiniWorld, dossier_a: Dossier
) -> None:
    assert audit.record_read(request_by(world_a.citizen), dossier_a) is None
    assert audit.record_read(request_by(AnonymousUser()), dossier_a) is None
    assert not AuditEntry.objects.exists()


def test_a_download_names_the_file_by_id_only(world_a: MiniWorld, dossier_a: Dossier) -> None:
    entry = audit.record_download(request_by(world_a.counter), dossier_a, file_id=42)
    assert entry is not None
    assert entry.action == "download"
    assert entry.detail == {"file": "42"}


def test_an_entry_without_request_has_no_place(world_a: MiniWorld) -> None:
    entry = audit.record(None, action="login", actor=world_a.counter)
    assert entry.ip_address is None
    assert entry.path == ""
    assert entry.actor_label == world_a.counter.username


def test_the_address_behind_the_lockout_is_the_one_recorded(world_a: MiniWorld) -> None:
    request = request_by(world_a.counter)
    request.axes_ip_address = "203.0.113.9"
    assert audit.record(request, action="login", actor=world_a.counter).ip_address == "203.0.113.9"


@pytest.mark.parametrize(
    "detail",
    [
        {"full_name": "Lê Thị Thử"},
        {"applicant": {"id_number": "001199001234"}},
        {"changes": [{"phone": "0912345678"}]},
        {"Email": "a@example.vn"},
    ],
)
def test_personal_data_is_refused_in_the_detail(world_a: MiniWorld, detail: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="personal data"):
        audit.record(None, action="read", actor=world_a.counter, detail=detail)
    assert not AuditEntry.objects.exists()


def test_entries_are_never_changed_or_removed(world_a: MiniWorld) -> None:
    entry = audit.record(None, action="login", actor=world_a.counter)

    entry.action = "logout"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(action="logout")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEntry.objects.all().delete()
    with pytest.raises(RuntimeError, match="append-only"), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])  # runs without a savepoint of its own

    assert AuditEntry.objects.get(pk=entry.pk).action == "login"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_changes_even_in_raw_sql(world_a: MiniWorld) -> None:
    entry = audit.record(None, action="login", actor=world_a.counter)
    for statement in (
        "UPDATE core_auditentry SET action = 'logout' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "login"


# --- Reading within agency subtrees ------------------------------------------------------------------------


def test_the_trail_holds_only_the_subtree_asked_for(
    world_a: MiniWorld, world_b: MiniWorld, dossier_a: Dossier, dossier_b: Dossier
) -> None:
    read_a = audit.record_read(request_by(world_a.counter), dossier_a)
    read_b = audit.record_read(request_by(world_b.counter), dossier_b)

    trail_a = audit.audit_trail(agency_paths=[world_a.province.path])
    trail_b = audit.audit_trail(agency_paths=[world_b.commune.path])
    both = audit.audit_trail(agency_paths=[world_a.province.path, world_b.province.path])

    assert [e.pk for e in trail_a] == [read_a.pk]
    assert [e.pk for e in trail_b] == [read_b.pk]
    assert {e.pk for e in both} == {read_a.pk, read_b.pk}
    assert audit.audit_trail(agency_paths=[]) == []


def test_sign_ins_belong_to_the_subtree_of_the_officer(world_a: MiniWorld, world_b: MiniWorld) -> None:
    mine = audit.record(None, action="login", actor=world_a.counter)
    audit.record(None, action="login", actor=world_b.counter)
    paths = [world_a.province.path]

    assert audit.audit_trail(agency_paths=paths) == []  # sign-ins have no agency
    found = audit.audit_trail(agency_paths=paths, officer_ids=officer_ids_within(paths))
    assert [e.pk for e in found] == [mine.pk]


def test_the_trail_filters_by_dossier_officer_and_time(world_a: MiniWorld, dossier_a: Dossier) -> None:
    second = mini_submit(world_a, vn(2026, 3, 2, 10, 0))
    specialist = make_officer("chuyenvien.A41", world_a.commune, Role.SPECIALIST)
    start = now()
    early = audit.record_read(request_by(world_a.counter), dossier_a)
    audit.record_read(request_by(specialist), second)
    late = audit.record(
        None,
        action="read",
        actor=specialist,
        obj=dossier_a,
        agency_id=dossier_a.competent_agency_id,
        at=start + timedelta(hours=2),
    )
    paths = [world_a.commune.path]

    by_code = audit.audit_trail(agency_paths=paths, dossier_code=dossier_a.code)
    assert [e.pk for e in by_code] == [late.pk, early.pk]
    by_officer = audit.audit_trail(agency_paths=paths, actor=specialist)
    assert {e.object_label for e in by_officer} == {dossier_a.code, second.code}
    assert [e.pk for e in audit.audit_trail(agency_paths=paths, since=start + timedelta(hours=1))] == [
        late.pk
    ]
    assert late.pk not in [
        e.pk for e in audit.audit_trail(agency_paths=paths, until=start + timedelta(hours=1))
    ]
    page = audit.audit_trail(agency_paths=paths, limit=2)
    older = audit.audit_trail(agency_paths=paths, before=page[-1].at)
    assert len(page) == 2
    assert not {e.pk for e in page} & {e.pk for e in older}
    assert len(page) + len(older) == 3
