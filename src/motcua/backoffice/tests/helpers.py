"""Test helpers for back-office pages."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_client(officer: Any) -> Client:
    """A test client signed in as ``officer`` with the second factor verified (a confirmed TOTP device)."""
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client = Client()
    client.force_login(officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
