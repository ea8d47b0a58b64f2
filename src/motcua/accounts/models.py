"""People: citizens, officers and their roles in agencies; API tokens.

Officers act only within the agency subtree of their memberships (``selectors`` in each domain use
``agency_scope``). Roles follow the one-stop organisation: receiving officer at the one-stop
department (cán bộ một cửa), specialist who appraises (chuyên viên), head of division (lãnh đạo phòng),
agency leader (lãnh đạo cơ quan), postal worker (nhân viên bưu chính), centre director.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from motcua.agencies.models import Agency
from motcua.core.clock import now


class UserKind(models.TextChoices):
    CITIZEN = "citizen", "Công dân / citizen"
    OFFICER = "officer", "Cán bộ / officer"


class User(AbstractUser):
    """A person who signs in. ``username`` is an e-mail address or a phone number."""

    kind = models.CharField(max_length=10, choices=UserKind.choices, default=UserKind.CITIZEN)
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    citizen_id_number = models.CharField(
        max_length=12, blank=True, help_text="Số định danh cá nhân (12 digits)"
    )

    @property
    def is_officer(self) -> bool:
        return self.kind == UserKind.OFFICER


class Role(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", "Cán bộ một cửa / receiving officer"
    SPECIALIST = "specialist", "Chuyên viên / specialist"
    DIVISION_HEAD = "division_head", "Lãnh đạo phòng / head of division"
    AGENCY_LEADER = "agency_leader", "Lãnh đạo cơ quan / agency leader"
    POSTAL_WORKER = "postal_worker", "Nhân viên bưu chính / postal worker"
    CENTRE_DIRECTOR = "centre_director", "Giám đốc trung tâm / centre director"


class Membership(models.Model):
    """An officer holds ``role`` in ``agency`` and therefore in every agency below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.agency.code}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the clear token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token of {self.user}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, *, hours: int | None = None) -> tuple[ApiToken, str]:
        key = secrets.token_urlsafe(32)
        ttl = hours if hours is not None else settings.API_TOKEN_TTL_HOURS
        token = cls.objects.create(user=user, key_hash=cls.hash(key), expires_at=now() + timedelta(hours=ttl))
        return token, key

    def is_valid(self, at: datetime | None = None) -> bool:
        return (at or now()) < self.expires_at


class ExternalAccountType(models.TextChoices):
    """``LoaiTaiKhoan`` of the national SSO: 1 citizen, 2 organisation/business (integrations.md §5.2)."""

    CITIZEN = "citizen", "Cá nhân / citizen"
    ORGANISATION = "organisation", "Tổ chức, doanh nghiệp / organisation"


class ExternalIdentity(models.Model):
    """A person as known to an external identity provider (national SSO / VNeID, via OpenID Connect).

    Keyed on the issuer and the 12-digit personal identification number (số định danh cá nhân), never on
    the provider's ``sub`` alone: ``sub`` differs between DVCQG SSO and VNeID for the same person. ``subject``
    is the last ``sub`` seen. ``assurance_level`` is the account level of Decree 69/2024 (LoA/IAL 1 or 2) at
    the last sign-in; ``account_type`` the kind of account used then.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    id_number = models.CharField(max_length=12, help_text="Số định danh cá nhân (12 digits)")
    subject = models.CharField(max_length=255)
    assurance_level = models.PositiveSmallIntegerField(default=1)
    account_type = models.CharField(
        max_length=12, choices=ExternalAccountType.choices, default=ExternalAccountType.CITIZEN
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "id_number"], name="unique_external_identity"),
        ]
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="external_identity_user_seen")]
        verbose_name_plural = "external identities"

    def __str__(self) -> str:
        return f"{self.user} @ {self.issuer}"
