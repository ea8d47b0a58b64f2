"""Password sign-in with an e-mail address or a phone number (``username`` holds either, normalised)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]
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


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in that comes over HTTP (all our views and the API pass
    the request). A call without a request (a management shell, Django's test client ``login``) has no
    client address to lock out and is let through to the password backends."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
