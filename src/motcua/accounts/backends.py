"""Password sign-in with an e-mail address or a phone number (``username`` holds either, normalised)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from motcua.accounts.identifiers import normalise_login


class EmailOrPhoneBackend(ModelBackend):
    """``0912 345 678``, ``+84912345678`` and ``AN@Example.vn`` find the accounts ``0912345678`` and ``an@example.vn``."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            return None
        return super().authenticate(request, username=normalise_login(username), password=password, **kwargs)
