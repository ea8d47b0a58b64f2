"""Bytes on disk under ``FILE_STORAGE_DIR``: atomic writes, contained reads.

Paths are ``<yyyy>/<mm>/<random hex>``: no user text ever reaches the file system. A write goes to a
temporary file in the same folder, is fsynced, then renamed into place, so a crash leaves either the
whole file or nothing under its final name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from motcua.core.clock import now, to_vn


class StorageIntegrityError(RuntimeError):
    """A stored file is missing, outside the storage folder, or no longer matches its digest.

    This is an operational fault (disk, restore, tampering), not something the citizen did.
    """


@dataclass(frozen=True)
class Written:
    storage_key: str
    size: int
    sha256: str


def root() -> Path:
    return Path(settings.FILE_STORAGE_DIR)


def path_of(storage_key: str) -> Path:
    """The absolute path of ``storage_key``; refuses anything that would leave the storage folder."""
    base = root().resolve()
    path = (base / storage_key).resolve()
    if base not in path.parents:
        raise StorageIntegrityError(f"storage key escapes the storage folder: {storage_key!r}")
    return path


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(data: bytes) -> Written:
    """Store ``data`` atomically under a new random key and return where it went."""
    moment = to_vn(now())
    key = f"{moment:%Y}/{moment:%m}/{uuid.uuid4().hex}"
    final = path_of(key)
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(final.parent)
    return Written(storage_key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def read(storage_key: str, *, sha256: str) -> bytes:
    """The bytes stored under ``storage_key``, checked against their recorded digest."""
    path = path_of(storage_key)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise StorageIntegrityError(f"stored file is missing: {storage_key}") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StorageIntegrityError(f"stored file does not match its digest: {storage_key}")
    return data


def delete(storage_key: str) -> None:
    """Remove a file whose database row was never written (clean-up after a failed insert)."""
    path_of(storage_key).unlink(missing_ok=True)
