"""Operating the app: the demo-certificate command, the storage system check, the read-only admin."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.accounts.models import User
from motcua.documents.checks import file_storage_not_served
from motcua.documents.models import IssuedKind
from motcua.documents.services import issue_document
from motcua.documents.signing import SigningCredentials


def run(*args: str) -> str:
    out = StringIO()
    call_command("make_signing_certificate", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_then_keeps_then_replaces_the_demo_certificate(settings: Any) -> None:
    signer_file = Path(settings.VAR_DIR) / "signing" / "signer.pem"

    created = run()
    assert "Created" in created
    assert "DEMO ONLY" in created
    first = signer_file.read_bytes()

    kept = run()
    assert "already exist" in kept
    assert signer_file.read_bytes() == first

    replaced = run("--force", "--signer-name", "UBND xã Demo")
    assert "Replaced" in replaced
    assert signer_file.read_bytes() != first


def test_the_command_refuses_when_a_real_certificate_is_configured(signer: SigningCredentials) -> None:
    with pytest.raises(CommandError, match="configured"):
        run()


def test_storage_inside_a_served_folder_fails_the_system_check(settings: Any, tmp_path: Path) -> None:
    assert file_storage_not_served() == []

    settings.FILE_STORAGE_DIR = Path(settings.STATIC_ROOT) / "files"
    errors = file_storage_not_served()
    assert [e.id for e in errors] == ["documents.E001"]

    settings.FILE_STORAGE_DIR = tmp_path / "files"
    settings.MEDIA_ROOT = str(tmp_path)
    assert [e.id for e in file_storage_not_served()] == ["documents.E001"]


@pytest.mark.django_db
def test_the_admin_shows_issued_documents_read_only(signer: SigningCredentials) -> None:
    issued = issue_document(
        code="000.00.00.H12-261122-0001-TN",
        kind=IssuedKind.NOTICE,
        title="Thông báo",
        template_name="result.html",
        context={"agency_name": "UBND xã", "paragraphs": ["Nội dung"], "signer_title": "Chủ tịch"},
        issuer_name="UBND xã",
    )
    admin = User.objects.create_superuser(username="admin@example.vn", password="x")
    client = Client()
    client.force_login(admin)
    # The admin site asks for the second factor (django-otp): a verified session.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(
        user=admin, name="t", confirmed=True
    ).persistent_id
    session.save()

    listing = client.get("/admin/documents/issueddocument/")
    assert listing.status_code == 200
    assert issued.code in listing.content.decode()

    page = client.get(f"/admin/documents/issueddocument/{issued.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view only
    assert client.get("/admin/documents/issueddocument/add/").status_code == 403
    assert (
        client.post(f"/admin/documents/issueddocument/{issued.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
