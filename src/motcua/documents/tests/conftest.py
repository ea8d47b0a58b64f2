"""Fixtures for the documents tests: private folders, people, and sample files built on the spot.

Every test gets its own ``VAR_DIR``/``FILE_STORAGE_DIR``/``STATIC_ROOT`` under ``tmp_path`` and no
configured signing certificate. Tests that sign use ``signer``: credentials generated once per session
and configured through the ``SIGNING_*`` settings (key generation is the slow part).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.documents.signing import SigningCredentials, generate_demo_credentials


@pytest.fixture(autouse=True)
def private_folders(settings: Any, tmp_path: Path) -> Path:
    var = tmp_path / "var"
    settings.VAR_DIR = var
    settings.FILE_STORAGE_DIR = var / "files"
    settings.STATIC_ROOT = var / "static"
    settings.STATIC_ROOT.mkdir(parents=True)  # whitenoise warns about a missing folder
    settings.SIGNING_KEY_FILE = None
    settings.SIGNING_CERT_FILE = None
    settings.SIGNING_CHAIN_FILE = None
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"
    return var


@pytest.fixture(scope="session")
def session_credentials(tmp_path_factory: pytest.TempPathFactory) -> SigningCredentials:
    return generate_demo_credentials(tmp_path_factory.mktemp("signer"), signer_name="UBND xã Thử Nghiệm")


@pytest.fixture(scope="session")
def stranger_credentials(tmp_path_factory: pytest.TempPathFactory) -> SigningCredentials:
    """A key and CA nobody configured here."""
    return generate_demo_credentials(tmp_path_factory.mktemp("stranger"), signer_name="Kẻ giả mạo")


@pytest.fixture
def signer(settings: Any, session_credentials: SigningCredentials) -> SigningCredentials:
    settings.SIGNING_KEY_FILE = str(session_credentials.key_file)
    settings.SIGNING_CERT_FILE = str(session_credentials.cert_file)
    settings.SIGNING_CHAIN_FILE = str(session_credentials.chain_file)
    return session_credentials


@dataclass
class People:
    an: User
    binh: User


@pytest.fixture
def people(db: None) -> People:
    return People(
        an=User.objects.create_user(username="an.nguyen@example.vn", full_name="Nguyễn Văn An"),
        binh=User.objects.create_user(username="0912345678", full_name="Trần Thị Bình"),
    )
