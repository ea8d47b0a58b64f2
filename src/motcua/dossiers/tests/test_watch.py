"""Deadline watch: which dossiers are at risk on a day (real calendar, around the 30/4–1/5/2026 holidays),
who is notified, once per officer and day; the daily command and the e-mail."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from pytest_django import Settings

from motcua.accounts.models import Role, User
from motcua.catalogue.models import Channel, Procedure
from motcua.core import outbox_topics
from motcua.core.models import OutboxMessage
from motcua.dossiers import services, watch
from motcua.dossiers.constants import Action
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import (
    MONDAY,
    Cast,
    Ticker,
    applicant_of,
    build_cast,
    drive,
    make_officer,
    perform,
    vn,
)
from motcua.dossiers.worklists import Mark
from motcua.integrations.notifications.handlers import send_deadline_watch

# Wednesday 29/4/2026: the next working day is Monday 4/5 (30/4 and 1/5 are holidays, then the weekend).
TODAY = date(2026, 4, 29)


def due(dossier: Dossier, at: datetime) -> Dossier:
    Dossier.objects.filter(pk=dossier.pk).update(due_at=at)
    return Dossier.objects.get(pk=dossier.pk)


class World:
    def __init__(self, demo_world: DemoWorld) -> None:
        self.demo = demo_world
        self.cast: Cast = build_cast(demo_world)
        clock = Ticker(MONDAY)
        cast = self.cast

        def route(name: str) -> Dossier:
            return drive(cast, name, clock)

        extended = perform(cast, route("extension_requested"), Action.CONFIRM_EXTENSION, at=clock())
        self.dossiers: dict[str, Dossier] = {
            # at risk
            "overdue": due(route("processing"), vn(2026, 4, 28, 15, 0)),
            "today": due(route("pending_approval"), vn(2026, 4, 29, 16, 0)),
            "next_working_day": due(route("approved"), vn(2026, 5, 4, 9, 0)),
            "extended_but_overdue": due(extended, vn(2026, 4, 27, 10, 0)),
            # not at risk
            "in_two_working_days": due(route("processing"), vn(2026, 5, 5, 9, 0)),
            "apologised": due(route("extension_requested"), vn(2026, 5, 4, 9, 0)),
            "waiting_for_citizen": due(route("supplement_requested_after_acceptance"), vn(2026, 4, 20, 9, 0)),
            "paused": due(route("paused"), vn(2026, 4, 20, 9, 0)),
            "resolved": due(route("resolved"), vn(2026, 4, 20, 9, 0)),
            "not_accepted_yet": route("submitted"),
        }
        counter = demo_world.officers["motcua.tinh"]
        centre = services.submit(
            actor=counter,
            procedure=Procedure.objects.get(national_code="1.001456"),
            receiving_agency=demo_world.centre,
            competent_agency=demo_world.departments["Bộ Công an"],
            channel=Channel.IN_PERSON,
            applicant=applicant_of(cast.citizen),
            at=clock(),
        )
        self.dossiers["centre_unassigned"] = due(
            services.accept(centre, actor=counter, at=clock()), vn(2026, 4, 28, 9, 0)
        )
        assert extended.extension_count == 1
        assert self.dossiers["apologised"].extension_count == 1

    def name_of(self, dossier: Dossier) -> str:
        return next(name for name, d in self.dossiers.items() if d.pk == dossier.pk)

    def officer(self, username: str) -> User:
        return self.demo.officers[username]


@pytest.fixture
def world(demo_world: DemoWorld) -> World:
    return World(demo_world)


AT_RISK = {
    "overdue": Mark.OVERDUE,
    "extended_but_overdue": Mark.OVERDUE,
    "centre_unassigned": Mark.OVERDUE,
    "today": Mark.DUE_TODAY,
    "next_working_day": Mark.DUE_SOON,
}


@pytest.mark.django_db
def test_at_risk_lists_overdue_and_due_within_one_working_day_without_apology(world: World) -> None:
    rows = watch.at_risk(None, TODAY)
    assert {world.name_of(r.dossier): r.mark for r in rows} == AT_RISK
    assert [r.due_at for r in rows] == sorted(r.due_at for r in rows)
    assert all(r.due_at == r.dossier.due_at for r in rows)
    # a page of them is the first ones
    assert [r.dossier.pk for r in watch.at_risk(None, TODAY, limit=2)] == [r.dossier.pk for r in rows[:2]]
    # on the holiday-free count, Tuesday 5/5 would be "within one working day" of Thursday 30/4… it is not
    # at risk on Wednesday 29/4 because 30/4 and 1/5 are holidays; it is on Monday 4/5
    later = {world.name_of(r.dossier) for r in watch.at_risk(None, date(2026, 5, 4))}
    assert "in_two_working_days" in later


@pytest.mark.django_db
def test_at_risk_within_an_agency_subtree(world: World) -> None:
    def names(username: str) -> set[str]:
        paths = sorted({m.agency.path for m in world.officer(username).memberships.select_related("agency")})
        return {world.name_of(r.dossier) for r in watch.at_risk(paths, TODAY)}

    commune_a = set(AT_RISK) - {"centre_unassigned"}
    assert names("chutich.xa") == commune_a
    assert names("giamdoc.congan") == {"centre_unassigned"}  # competent agency
    assert names("giamdoc.trungtam") == {"centre_unassigned"}  # receiving agency: the centre director
    assert names("lanhdao.tinh") == set(AT_RISK)
    assert names("chuyenvien.xaydung") == set()
    assert watch.at_risk([world.cast.other_commune.path], TODAY) == []
    assert watch.at_risk([], TODAY) == []


@pytest.mark.django_db
def test_a_pause_counts_when_the_policy_says_it_does_not_stop_the_clock(
    world: World, settings: Settings
) -> None:
    settings.DOSSIER_POLICY = {"pause_stops_clock": False}
    marks = {world.name_of(r.dossier): r.mark for r in watch.at_risk(None, TODAY)}
    assert marks == {**AT_RISK, "paused": Mark.OVERDUE}


def _notices(day: date) -> dict[str, set[str]]:
    """username -> dossier codes of the deadline-watch messages of ``day``."""
    found: dict[str, set[str]] = {}
    for message in OutboxMessage.objects.filter(topic=outbox_topics.NOTIFY_DEADLINE_WATCH):
        if message.payload["day"] == day.isoformat():
            user = User.objects.get(pk=message.payload["officer_id"])
            assert message.key == f"{user.pk}:{day.isoformat()}"
            assert user.username not in found  # one message per officer and day
            found[user.username] = {d["code"] for d in message.payload["dossiers"]}
    return found


@pytest.mark.django_db
def test_the_assignee_and_the_competent_agencys_leaders_are_notified_once_a_day(world: World) -> None:
    # given also an overdue dossier assigned to a specialist who has left (inactive)
    cast = world.cast
    gone = make_officer("chuyenvien.danghi", cast.commune, Role.SPECIALIST)
    accepted = drive(cast, "accepted", Ticker(MONDAY + timedelta(hours=3)))
    left_behind = services.assign(accepted, actor=cast.leader, assignee=gone, at=MONDAY + timedelta(hours=5))
    due(left_behind, vn(2026, 4, 28, 10, 0))
    User.objects.filter(pk=gone.pk).update(is_active=False)
    codes = {name: world.dossiers[name].code for name in AT_RISK}
    commune_codes = {codes[n] for n in AT_RISK if n != "centre_unassigned"}

    # when the daily watch runs
    report = watch.notify_at_risk(TODAY)

    # then the assignee and the commune chairman hear of commune A's dossiers, the police department's
    # leader of the centre's unassigned one; the head of division, the inactive specialist and the
    # provincial leader are not written to
    assert _notices(TODAY) == {
        "chuyenvien.xa": commune_codes,
        "chutich.xa": commune_codes | {left_behind.code},
        "giamdoc.congan": {codes["centre_unassigned"]},
    }
    assert report.notified == ["chutich.xa", "chuyenvien.xa", "giamdoc.congan"]
    assert report.dossiers == len(AT_RISK) + 1

    # when it runs again the same day, nobody is written to twice
    again = watch.notify_at_risk(TODAY)
    assert again.notified == []
    assert again.already_notified == ["chutich.xa", "chuyenvien.xa", "giamdoc.congan"]
    assert OutboxMessage.objects.filter(topic=outbox_topics.NOTIFY_DEADLINE_WATCH).count() == 3

    # and the next working day is a new day
    watch.notify_at_risk(date(2026, 5, 4))
    assert set(_notices(date(2026, 5, 4))) == {"chuyenvien.xa", "chutich.xa", "giamdoc.congan"}
    assert OutboxMessage.objects.filter(topic=outbox_topics.NOTIFY_DEADLINE_WATCH).count() == 6


@pytest.mark.django_db
def test_the_notice_e_mail(world: World, settings: Settings) -> None:
    settings.PUBLIC_BASE_URL = "https://motcua.example.vn"
    specialist = world.officer("chuyenvien.xa")
    User.objects.filter(pk=specialist.pk).update(email="tuan.vm@ninhbinh.gov.vn")
    watch.notify_at_risk(TODAY)
    messages = {
        m.payload["officer_id"]: m
        for m in OutboxMessage.objects.filter(topic=outbox_topics.NOTIFY_DEADLINE_WATCH)
    }

    send_deadline_watch(messages[specialist.pk])
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["tuan.vm@ninhbinh.gov.vn"]
    assert "29/04/2026" in sent.subject
    overdue = world.dossiers["overdue"]
    assert f"{overdue.code} (1.004222): QUÁ HẠN / overdue, hạn / due 28/04/2026 15:00" in sent.body
    assert str(world.dossiers["next_working_day"].code) in sent.body
    assert "https://motcua.example.vn" in sent.body

    # an officer with no e-mail address gets no mail (the commune chairman's username is not an address)
    send_deadline_watch(messages[world.officer("chutich.xa").pk])
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_daily_command(world: World) -> None:
    out = StringIO()
    call_command("deadline_watch", "--date", "2026-04-29", "--dry-run", stdout=out)
    assert f"{len(AT_RISK)} dossier(s) at risk on 2026-04-29 (dry run)" in out.getvalue()
    assert str(world.dossiers["today"].code) in out.getvalue()
    assert not OutboxMessage.objects.filter(topic=outbox_topics.NOTIFY_DEADLINE_WATCH).exists()

    out = StringIO()
    call_command("deadline_watch", "--date", "2026-04-29", stdout=out)
    assert "notified 3 officer(s), 0 already notified today" in out.getvalue()
    call_command("deadline_watch", "--date", "2026-04-29", stdout=out)
    assert "notified 0 officer(s), 3 already notified today" in out.getvalue()

    with pytest.raises(CommandError):
        call_command("deadline_watch", "--date", "29/04/2026")
