"""Monitoring tables: the per-dossier projection, the aggregates, and the data that give indicators meaning
(the Decision 766 index versions, targets, published figures, import batches)."""

from motcua.monitoring.models.aggregates import (
    DossierFact,
    ScopeDayCounts,
    ScopeOffer,
    ScopeProcedureDayCounts,
    ScopeProcedureYearActivity,
)
from motcua.monitoring.models.reference import (
    Comparison,
    HistoricalImport,
    IndexCriterion,
    IndexVersion,
    PublishedFigure,
    PublishedIndexScore,
    Target,
)

__all__ = [
    "Comparison",
    "DossierFact",
    "HistoricalImport",
    "IndexCriterion",
    "IndexVersion",
    "PublishedFigure",
    "PublishedIndexScore",
    "ScopeDayCounts",
    "ScopeOffer",
    "ScopeProcedureDayCounts",
    "ScopeProcedureYearActivity",
    "Target",
]
