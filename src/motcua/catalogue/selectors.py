"""Reads of the catalogue: search that forgives missing diacritics, case and NFD input; details.

Folding is done once, in Python, when a procedure is loaded (``Procedure.search_text``), so SQLite and
PostgreSQL match the same way. On PostgreSQL a ``pg_trgm`` GIN index serves the substring filter and,
when no procedure contains every word, a trigram word-similarity fallback (query folded server-side
with ``unaccent``) still finds names with a typo. Ranking: the whole query as a phrase first, then
names that start with it (after "Thủ tục"), then the shortest name.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Prefetch, QuerySet

from motcua.catalogue.models import OnlineMode, Procedure, ProcedureOffering
from motcua.core.errors import DomainError, NotFound
from motcua.core.text import tokens

MAX_RESULTS = 100
_PREFIX = "thu tuc "


def _rank(search_text: str, phrase: str) -> tuple[int, int, int]:
    body = search_text.removeprefix(_PREFIX)
    return (
        0 if phrase in search_text else 1,
        0 if body.startswith(phrase) else 1,
        len(body),
    )


def search_procedures(query: str, *, limit: int = 20) -> list[Procedure]:
    """Procedures matching every word of ``query`` (folded), best first."""
    words = tokens(query)
    if not words:
        raise DomainError(
            "search_query_empty",
            "Vui lòng nhập tên hoặc mã thủ tục cần tìm.",
            "Please type the name or code of a procedure.",
            field="q",
        )
    limit = max(1, min(limit, MAX_RESULTS))
    phrase = " ".join(words)
    by_code = Procedure.objects.filter(national_code=query.strip())
    if by_code.exists():
        return list(by_code)
    candidates = Procedure.objects.all()
    for word in words:
        candidates = candidates.filter(search_text__contains=word)
    rows = list(candidates.values_list("id", "search_text"))
    if not rows and connection.vendor == "postgresql":
        rows = _trigram_candidates(phrase)
    ranked = sorted(rows, key=lambda row: (_rank(row[1], phrase), row[0]))[:limit]
    order = [row[0] for row in ranked]
    found = Procedure.objects.select_related("field").in_bulk(order)
    return [found[pid] for pid in order]


def _trigram_candidates(phrase: str) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, search_text FROM catalogue_procedure "
            "WHERE word_similarity(lower(unaccent(%s)), search_text) >= 0.6 "
            "ORDER BY word_similarity(lower(unaccent(%s)), search_text) DESC LIMIT 200",
            [phrase, phrase],
        )
        return [(int(pid), str(text)) for pid, text in cursor.fetchall()]


def _procedure_not_found(national_code: str, field: str) -> NotFound:
    return NotFound(
        "procedure_not_found",
        f"Không tìm thấy thủ tục có mã {national_code}.",
        f"No procedure has the code {national_code}.",
        field=field,
    )


def procedure_detail(national_code: str) -> Procedure:
    """One procedure with its channels, documents, results and online offerings."""
    try:
        return (
            Procedure.objects.select_related("field")
            .prefetch_related(
                "channels",
                "documents",
                "results",
                Prefetch(
                    "offerings",
                    queryset=ProcedureOffering.objects.select_related("agency").exclude(
                        online_mode=OnlineMode.NONE
                    ),
                ),
            )
            .get(national_code=national_code)
        )
    except Procedure.DoesNotExist as exc:
        raise _procedure_not_found(national_code, "code") from exc


def procedure_by_code(national_code: str) -> Procedure:
    """One procedure without its related rows (for writes that only need the row)."""
    procedure = Procedure.objects.filter(national_code=national_code).first()
    if procedure is None:
        raise _procedure_not_found(national_code, "procedure_code")
    return procedure


def offerings_of(procedure: Procedure) -> QuerySet[ProcedureOffering]:
    return procedure.offerings.select_related("agency").order_by("agency__path")


__all__ = ["offerings_of", "procedure_by_code", "procedure_detail", "search_procedures"]
