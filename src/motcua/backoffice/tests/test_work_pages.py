"""The back-office pages through the Django test client, as officers use them: worklists, the workspace and its
action forms driving a dossier from reception to return, counter intake, bulk work, deadline watch, forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.backoffice.tests.helpers import verified_client
from motcua.catalogue.selectors import form_schema_for
from motcua.core.models import AuditEntry
from motcua.dossiers import worklists
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import ROUTES, build_cast, drive

pytestmark = pytest.mark.django_db


def test_without_the_second_factor_the_back_office_is_closed(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    client = Client()
    client.force_login(cast.counter)
    response = client.get("/nghiep-vu/")
    assert response.status_code == 302
    assert "/nghiep-vu/" in response["Location"]
    assert response["Location"] != "/nghiep-vu/"


def test_every_worklist_page_of_every_demo_officer_renders_with_its_count(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    for route in ("submitted", "processing", "pending_approval", "resolved", "supplement_requested"):
        drive(cast, route)
    for officer in (cast.counter, cast.specialist, cast.leader, cast.leg_specialist):
        client = verified_client(officer)
        home = client.get("/nghiep-vu/")
        assert home.status_code == 200
        counts = worklists.counts(officer)
        for key, count in counts.items():
            page = client.get(f"/nghiep-vu/ds/{key}/")
            assert page.status_code == 200
            assert page.content.count(b'name="code"') == min(count, worklists.DEFAULT_PAGE_SIZE)


@pytest.mark.parametrize("route", sorted(r for r in ROUTES if r != "draft"))
def test_the_workspace_renders_in_every_state_and_logs_the_read(demo_world: Any, route: str) -> None:
    cast = build_cast(demo_world)
    dossier = drive(cast, route)
    client = verified_client(cast.leader)
    response = client.get(f"/nghiep-vu/ho-so/{dossier.code}/")
    assert response.status_code == 200
    assert dossier.code.encode() in response.content
    assert AuditEntry.objects.filter(action="read", object_label=dossier.code, actor=cast.leader).exists()
    if dossier.events.exists():
        assert client.get(f"/nghiep-vu/ho-so/{dossier.code}/mau/06/").status_code == 200


def test_officers_drive_a_dossier_from_reception_to_return_with_the_action_forms(
    demo_world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.FILE_STORAGE_DIR = tmp_path / "files"
    settings.VAR_DIR = tmp_path
    cast = build_cast(demo_world)
    dossier = drive(cast, "submitted")
    url = f"/nghiep-vu/ho-so/{dossier.code}/"
    counter, leader, specialist = (
        verified_client(cast.counter),
        verified_client(cast.leader),
        verified_client(cast.specialist),
    )
    steps = [
        (counter, "accept", {"note": ""}),
        (leader, "assign", {"assignee": cast.specialist.username}),
        (specialist, "process", {"opinion": "Đủ điều kiện"}),
        (leader, "approve", {}),
        (specialist, "resolve", {"title": "Xác nhận thường trú", "content": "Đã đăng ký thường trú."}),
        (counter, "return_result", {"method": "online"}),
    ]
    for client, action, data in steps:
        page = client.get(url)
        assert f'action="{url}{action}/"'.encode() in page.content, action
        response = client.post(f"{url}{action}/", data)
        assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert dossier.attachments.filter(purpose="result").exists()


def test_an_action_refused_by_the_rules_is_explained_and_changes_nothing(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    dossier = drive(cast, "submitted")
    client = verified_client(cast.counter)
    response = client.post(f"/nghiep-vu/ho-so/{dossier.code}/request_supplement/", {}, follow=True)
    assert "Phải liệt kê đầy đủ".encode() in response.content
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_counter_intake_through_the_page(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    client = verified_client(cast.counter)
    assert client.get("/nghiep-vu/tiep-nhan/?q=dang+ky+thuong+tru").status_code == 200
    form = client.get(f"/nghiep-vu/tiep-nhan/{cast.procedure.national_code}/")
    assert form.status_code == 200
    data: dict[str, Any] = {
        "receiving": cast.commune.code,
        "channel": "in_person",
        "a_full_name": "Nguyễn Văn An",
        "a_id_number": "037090001234",
        "a_phone": "0912345678",
        "a_address": "Phủ Lý",
        "delivery": "counter",
        "accept_now": "on",
    }
    for page in form_schema_for(cast.procedure).pages:
        for field in page.fields:
            if field.required:
                data[field.name] = (
                    field.choices[0].value
                    if field.choices
                    else {
                        "checkbox": "on",
                        "date": "2026-03-01",
                        "year": "1990",
                        "number": "1",
                        "citizen_id": "037090001234",
                    }.get(field.type, "Phủ Lý")
                )
    response = client.post(f"/nghiep-vu/tiep-nhan/{cast.procedure.national_code}/", data)
    assert response.status_code == 302, response.content[:2000]
    filed = Dossier.objects.get(submitted_by=cast.counter)
    assert filed.status == Status.ACCEPTED
    assert filed.channel == "in_person"
    missing = client.post(
        f"/nghiep-vu/tiep-nhan/{cast.procedure.national_code}/", {"receiving": cast.commune.code}
    )
    assert missing.status_code == 200
    assert b"error-summary" in missing.content


def test_bulk_accept_from_the_worklist(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    first, second = drive(cast, "submitted"), drive(cast, "submitted")
    client = verified_client(cast.counter)
    response = client.post(
        "/nghiep-vu/hang-loat/",
        {"code": [first.code, second.code], "action": "accept", "back": "/nghiep-vu/"},
    )
    assert response.status_code == 302
    assert set(
        Dossier.objects.filter(code__in=[first.code, second.code]).values_list("status", flat=True)
    ) == {Status.ACCEPTED}


def test_deadline_watch_and_tracking_book_pages(demo_world: Any, settings: Any, tmp_path: Any) -> None:
    settings.FILE_STORAGE_DIR = tmp_path / "files"
    settings.VAR_DIR = tmp_path
    cast = build_cast(demo_world)
    drive(cast, "processing")
    client = verified_client(cast.leader)
    assert client.get("/nghiep-vu/canh-bao/").status_code == 200
    assert client.get("/nghiep-vu/so-theo-doi/").status_code == 200
    book = client.get(f"/nghiep-vu/so-theo-doi/?agency={cast.commune.code}&from=2026-03-01&to=2026-03-31")
    assert book.status_code == 200
    assert book["Content-Type"] == "application/pdf"
