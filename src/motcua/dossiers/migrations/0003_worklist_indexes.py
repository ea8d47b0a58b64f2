"""Indexes for the worklists and the deadline watch (``dossiers.worklists``, ``dossiers.watch``).

Partial indexes over the open dossiers only (neither drafts nor closed ones: the small, hot part of a table
that grows by millions a year), ordered as the lists are sorted (due date, then code) and ending with the id,
so the page of ids is read from the index alone (index-only scan) before its few rows are fetched:

- by competent agency and by receiving agency (the officer's subtree is a handful of agency ids), then
  status, due date and code;
- by status, due date and code (wide subtrees such as a whole province, and the daily deadline watch);
- the open transfer legs by agency and due date.

PostgreSQL and SQLite both build partial indexes (``CREATE INDEX … WHERE …``). The indexes are created
here only, not declared on the models (``models.py`` belongs to the dossier spine), hence
``SeparateDatabaseAndState`` with database operations alone: ``makemigrations`` stays clean. The list of open
statuses is frozen here as it was when written; a new status needs a new migration.
"""

from django.db import migrations, models

OPEN_STATUSES = [
    "submitted",
    "supplement_requested",
    "supplement_received",
    "accepted",
    "processing",
    "consulting",
    "transferred",
    "paused",
    "awaiting_payment",
    "extension_requested",
    "pending_approval",
    "approved",
    "resolved",
]
OPEN = models.Q(status__in=OPEN_STATUSES)
# Columns the lists' conditions and filters read, carried in the agency indexes (PostgreSQL ``INCLUDE``; SQLite
# builds the same indexes without them) so that a list or a count never visits the table for them.
CARRIED = [
    "accepted_at",
    "clock_started_at",
    "competent_received_at",
    "boundary_free",
    "assignee",
    "channel",
    "procedure",
    "submitted_at",
    "extension_count",
]


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_drafts_attachments_evaluations")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[],
            database_operations=[
                migrations.AddIndex(
                    model_name="dossier",
                    index=models.Index(
                        fields=["competent_agency", "status", "due_at", "code", "id"],
                        name="dossier_wl_competent_idx",
                        condition=OPEN,
                        include=CARRIED,
                    ),
                ),
                migrations.AddIndex(
                    model_name="dossier",
                    index=models.Index(
                        fields=["receiving_agency", "status", "due_at", "code", "id"],
                        name="dossier_wl_receiving_idx",
                        condition=OPEN,
                        include=CARRIED,
                    ),
                ),
                migrations.AddIndex(
                    model_name="dossier",
                    index=models.Index(
                        fields=["status", "due_at", "code", "id"],
                        name="dossier_wl_status_due_idx",
                        condition=OPEN,
                    ),
                ),
                migrations.AddIndex(
                    model_name="dossierleg",
                    index=models.Index(
                        fields=["agency", "due_at"],
                        name="dossierleg_open_idx",
                        condition=models.Q(completed_at__isnull=True),
                    ),
                ),
            ],
        ),
    ]
