"""The per-dossier projection (``DossierFact``) and the aggregates kept from it.

Every aggregate row is the sum of the contributions (``monitoring.contributions``) of the dossiers whose
competent agency is the row's scope or lies below it. They are changed only by ``monitoring.maintain``
(in the transaction of the change that causes it) and rebuilt by ``manage.py rebuild_monitoring``.
"""

from __future__ import annotations

from django.db import models

from motcua.agencies.models import Agency
from motcua.catalogue.models import Procedure
from motcua.monitoring import measures


class DossierFact(models.Model):
    """What monitoring knows of one dossier, derived from its events and related rows (``monitoring.facts``).

    Kept so that a change can subtract the dossier's previous contribution exactly, and so that every counter
    can list the dossiers behind it. ``agency`` is the competent (processing) agency, never the reception
    point (spec §4.4). Days are local dates (UTC+7). A dossier never received (rejected at the counter,
    withdrawn before acceptance, still a draft) has no ``received_on`` and counts nowhere.
    """

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, primary_key=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16)
    received_on = models.DateField(null=True, blank=True)
    finished_on = models.DateField(null=True, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    evaluated_on = models.DateField(null=True, blank=True)
    #: a decision was made (result or refusal); outcome in the legal view: early, on_time, late
    resolved = models.BooleanField(default=False)
    outcome = models.CharField(max_length=8, blank=True)
    outcome_766 = models.CharField(max_length=8, blank=True)
    #: in progress and late (legal / 766 view) at the start of every day after this one
    late_mark_on = models.DateField(null=True, blank=True)
    late_766_mark_on = models.DateField(null=True, blank=True)
    processing_centidays = models.IntegerField(null=True, blank=True)
    online_mode = models.CharField(max_length=8, blank=True, help_text="of the offering when received")
    historical_level = models.PositiveSmallIntegerField(null=True, blank=True)
    full_online_eligible = models.BooleanField(default=False)
    with_fee = models.BooleanField(default=False)
    paid_online = models.BooleanField(default=False)
    with_files = models.BooleanField(default=False)
    digitized = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    population_data = models.BooleanField(default=False)
    e_result = models.BooleanField(default=False)
    delivery = models.CharField(max_length=8, blank=True)
    postal_any = models.BooleanField(default=False)
    satisfaction = models.CharField(max_length=24, blank=True)
    ci1 = models.SmallIntegerField(null=True, blank=True)
    ci2 = models.SmallIntegerField(null=True, blank=True)
    ci3 = models.SmallIntegerField(null=True, blank=True)
    ci4 = models.SmallIntegerField(null=True, blank=True)
    ci6 = models.SmallIntegerField(null=True, blank=True)
    ci7 = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "received_on"], name="fact_agency_received_idx"),
            models.Index(fields=["agency", "finished_on"], name="fact_agency_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"fact of dossier {self.dossier_id}"


class ScopeDayCounts(models.Model):
    """The counters of ``measures.ALL`` for one agency scope (the agency and everything under it) and day."""

    scope = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="unique_scope_day")]
        indexes = [
            # the stocks before a day are read from this index alone (PostgreSQL covering index; SQLite has
            # none, and the unique index above cannot carry them there)
            models.Index(fields=["scope", "day"], include=list(measures.STOCKS), name="scope_day_stocks_idx")
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.day}"


for _name in measures.ALL:
    ScopeDayCounts.add_to_class(_name, models.IntegerField(default=0))


class ScopeProcedureDayCounts(models.Model):
    """The counters of ``measures.PER_PROCEDURE`` per scope, procedure and day: average time per procedure
    and the indicators that count distinct procedures ("services with online dossiers")."""

    scope = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "procedure", "day"], name="unique_scope_procedure_day")
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.procedure_id} {self.day}"


for _name in measures.PER_PROCEDURE:
    ScopeProcedureDayCounts.add_to_class(_name, models.IntegerField(default=0))


#: Bits of a ``DayBitsField``: one per day of a year, day 1 January = bit 0 (a leap year uses all 366).
DAYS_IN_BITS = 366


class DayBitsField(models.Field):
    """The days of one year as a PostgreSQL ``bit(366)`` string (read as ``"0101…"``): bit *i* is day *i*."""

    description = "one bit per day of a year"

    def db_type(self, connection: object) -> str:
        return f"bit({DAYS_IN_BITS})"


class ScopeProcedureYearActivity(models.Model):
    """On which days of ``year`` the scope had dossiers of the procedure, one bit per day and per activity
    (``measures.ACTIVITY``): "services with online dossiers" and the other distinct-procedure indicators of
    any period are then read from one row per active procedure and year, whatever the size of the scope.

    Bit *d* of a column is 1 exactly when that ``ScopeProcedureDayCounts`` counter of day *d* is above zero:
    it changes only when a counter crosses zero (``maintain``, same transaction) and is rebuilt from the
    per-day rows (``maintain.rebuild_activity``). Kept on PostgreSQL only (its bit strings); the embedded
    SQLite database reads the per-day rows instead (ADR 0010)."""

    #: no index of its own: the unique (scope, year, procedure) index, which the queries read, leads with it
    scope = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_index=False)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    year = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "year", "procedure"],
                include=list(measures.ACTIVITY),
                name="unique_scope_year_procedure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.procedure_id} {self.year}"


for _name in measures.ACTIVITY:
    ScopeProcedureYearActivity.add_to_class(_name, DayBitsField())


class ScopeOffer(models.Model):
    """A procedure offered somewhere in a scope, with the best online mode and level offered there
    (a procedure offered by several agencies counts once, at its highest level — 766 criterion 3.1)."""

    scope = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    online_mode = models.CharField(max_length=8)
    historical_level = models.PositiveSmallIntegerField(null=True, blank=True)
    has_fee = models.BooleanField(default=False)
    full_online_eligible = models.BooleanField(default=False)
    for_citizens = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "procedure"], name="unique_scope_offer"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} offers {self.procedure_id} ({self.online_mode})"
