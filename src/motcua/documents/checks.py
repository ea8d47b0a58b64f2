"""System check: stored files must never sit inside a folder the web server serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


def _served_folders() -> list[Path]:
    folders = [getattr(settings, "STATIC_ROOT", None), getattr(settings, "MEDIA_ROOT", None)]
    for entry in getattr(settings, "STATICFILES_DIRS", []):
        folders.append(entry[1] if isinstance(entry, tuple | list) else entry)
    return [Path(folder).resolve() for folder in folders if folder]


@checks.register(checks.Tags.security)
def file_storage_not_served(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    storage = Path(settings.FILE_STORAGE_DIR).resolve()
    errors: list[checks.CheckMessage] = []
    for served in _served_folders():
        if storage == served or served in storage.parents or storage in served.parents:
            errors.append(
                checks.Error(
                    f"FILE_STORAGE_DIR ({storage}) overlaps a served folder ({served}).",
                    hint="Citizens' files must be handed out only by views that check access: move "
                    "FILE_STORAGE_DIR outside STATIC_ROOT, MEDIA_ROOT and STATICFILES_DIRS.",
                    id="documents.E001",
                )
            )
    return errors
