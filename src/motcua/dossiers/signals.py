"""Signals other domains listen to, sent inside the transaction of the change (never for side effects that
leave the system: those go through the outbox)."""

from django.dispatch import Signal

#: Sent by ``workflow.transition`` after the event is written; kwargs: ``dossier_id``.
dossier_changed = Signal()
