"""Names of outbox topics, so producers and the dispatcher agree."""

DOSSIER_STATUS_CHANGED = "dossier.status_changed"
NOTIFY_RECEIPT = "notification.receipt"
NOTIFY_STATUS = "notification.status"
DOSSIER_EVALUATED = "dossier.evaluated"
NOTIFY_DEADLINE_WATCH = "notification.deadline_watch"
