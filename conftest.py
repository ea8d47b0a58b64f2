"""Test infrastructure shared by every app: the real reference data, loaded once per test database.

``reference_data`` is explicit: a test that needs the real catalogue, agencies and calendar asks for
it by name. The data is loaded into the test database right after migrations (once per session) and
reloaded only if a transactional test flushed it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command


def _load_if_missing() -> None:
    from motcua.catalogue.models import Procedure

    if not Procedure.objects.exists():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        _load_if_missing()
    yield


@pytest.fixture
def reference_data(db: None) -> None:
    """The real 2025 units, agency skeleton, 2024–2026 calendar and 2,642 procedures."""
    _load_if_missing()


@pytest.fixture
def demo_world(reference_data: None) -> Any:
    """The demo province (agencies, officers, citizens, offerings) built by ``dossiers.demo``."""
    from motcua.dossiers.demo import build_world

    return build_world()
