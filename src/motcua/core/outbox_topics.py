"""Names of outbox topics, so producers and the dispatcher agree."""

DOSSIER_STATUS_CHANGED = "dossier.status_changed"
