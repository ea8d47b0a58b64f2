"""Domain errors: a stable code, a message in Vietnamese and English, and the field at fault.

The API maps them to ``{code, detail, field}`` in the language of ``Accept-Language``; pages show them next
to the field. Codes never change meaning once published.
"""

from __future__ import annotations

from django.utils import translation


class DomainError(Exception):
    """A rule of the domain refused the request. ``status`` is the HTTP status the API answers with."""

    status: int = 400

    def __init__(
        self,
        code: str,
        message_vi: str,
        message_en: str,
        *,
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        if status is not None:
            self.status = status

    def message(self, language: str | None = None) -> str:
        lang = (language or translation.get_language() or "vi").lower()
        return self.message_en if lang.startswith("en") else self.message_vi

    def as_dict(self, language: str | None = None) -> dict[str, str | None]:
        return {"code": self.code, "detail": self.message(language), "field": self.field}


class NotFound(DomainError):
    """The object does not exist or the actor may not know it exists (same answer: no leak)."""

    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """The object changed under the request (e.g. a concurrent transition won)."""

    status = 409
