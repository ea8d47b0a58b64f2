"""Keep monitoring current inside the transaction of every change that moves a counter."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from motcua.catalogue.models import ProcedureOffering
from motcua.dossiers.models import DossierAttachment, Evaluation
from motcua.dossiers.signals import dossier_changed
from motcua.monitoring import maintain


def _dossier_changed(sender: Any, dossier_id: int, **kwargs: Any) -> None:
    maintain.refresh_dossier(dossier_id)


def _related_saved(
    sender: Any, instance: DossierAttachment | Evaluation, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        maintain.refresh_dossier(instance.dossier_id)


def _offering_changed(sender: Any, instance: ProcedureOffering, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        maintain.refresh_offers([instance.procedure_id])


def connect() -> None:
    dossier_changed.connect(_dossier_changed, dispatch_uid="monitoring.dossier_changed")
    for model in (DossierAttachment, Evaluation):
        post_save.connect(_related_saved, sender=model, dispatch_uid=f"monitoring.saved.{model.__name__}")
    post_save.connect(_offering_changed, sender=ProcedureOffering, dispatch_uid="monitoring.offering_saved")
    post_delete.connect(
        _offering_changed, sender=ProcedureOffering, dispatch_uid="monitoring.offering_deleted"
    )
