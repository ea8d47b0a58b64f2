"""Reads of dossiers with their access checks: a citizen sees their own, an officer their subtree's."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.selectors import scope_paths
from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier, DossierEvent


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    """Dossiers ``user`` may read: their own (citizen) or those of their agency subtrees (officer)."""
    base = Dossier.objects.select_related("procedure", "receiving_agency", "competent_agency")
    if not user.is_authenticated:
        return base.none()
    if not user.is_officer:
        return base.filter(applicant=user)
    paths = scope_paths(user)
    if not paths:
        return base.none()
    condition = Q()
    for path in paths:
        condition |= (
            Q(competent_agency__path__startswith=path)
            | Q(receiving_agency__path__startswith=path)
            | Q(legs__agency__path__startswith=path)
        )
    return base.filter(condition).distinct()


def dossier_for(user: User, code: str) -> Dossier:
    """The dossier with ``code`` if ``user`` may read it; the same NotFound otherwise (no leak)."""
    dossier = dossiers_visible_to(user).filter(code=code).first()
    if dossier is None:
        raise NotFound(
            "dossier_not_found",
            f"Không tìm thấy hồ sơ {code} trong phạm vi bạn được xem.",
            f"No dossier {code} within what you may see.",
            field="code",
        )
    return dossier


def timeline(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor", "agency").order_by("sequence")
