"""Reads of the catalogue: search that forgives missing diacritics, case and NFD input; details.

Folding is done once, in Python, when a procedure is loaded (``Procedure.search_text``), so SQLite and
PostgreSQL match the same way. On PostgreSQL a ``pg_trgm`` GIN index serves the substring filter and,
when no procedure contains every word, a trigram word-similarity fallback (query folded server-side
with ``unaccent``) still finds names with a typo. On every database, a word that appears in no procedure
name is first corrected to the closest word of the catalogue's vocabulary (one or two edits), so
"dang ky khai snh" finds "Đăng ký khai sinh" on SQLite too. Ranking: the whole query as a phrase first, then
names that start with it (after "Thủ tục"), then the shortest name.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.utils import translation

from motcua.agencies.models import Agency
from motcua.catalogue.forms import FormSchema, generic_schema, parse_schema
from motcua.catalogue.models import Field, FormSchemaRecord, OnlineMode, Procedure, ProcedureOffering
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
    rows = _containing_all(words)
    corrected = correct_words(words)
    if corrected != words:
        rows = _containing_all(corrected) or rows
        phrase = " ".join(corrected) if rows else phrase
    if not rows and connection.vendor == "postgresql":
        rows = _trigram_candidates(phrase)
    ranked = sorted(rows, key=lambda row: (_rank(row[1], phrase), row[0]))[:limit]
    order = [row[0] for row in ranked]
    found = Procedure.objects.select_related("field").in_bulk(order)
    return [found[pid] for pid in order]


def _containing_all(words: list[str]) -> list[tuple[int, str]]:
    candidates = Procedure.objects.all()
    for word in words:
        candidates = candidates.filter(search_text__contains=word)
    return list(candidates.values_list("id", "search_text"))


def _catalogue_stamp() -> tuple[int, int]:
    newest = Procedure.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return Procedure.objects.count(), newest


@lru_cache(maxsize=2)
def _word_sets(stamp: tuple[int, int]) -> tuple[Counter[str], list[frozenset[str]]]:
    counts: Counter[str] = Counter()
    names: list[frozenset[str]] = []
    for text in Procedure.objects.values_list("search_text", flat=True).iterator(chunk_size=2000):
        words = frozenset(text.split())
        counts.update(words)
        names.append(words)
    return counts, names


def _edits1(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return deletes | swaps | replaces | inserts


def _spelling_variants(word: str) -> set[str]:
    """i and y are interchangeable at the end of a Vietnamese syllable (ký/kí, lý/lí, mỹ/mĩ)."""
    if word.endswith("i"):
        return {word[:-1] + "y"}
    if word.endswith("y"):
        return {word[:-1] + "i"}
    return set()


def correct_words(words: list[str]) -> list[str]:
    """Replace each word unknown to the catalogue by a neighbour that is: an i/y spelling variant, else a
    word within one edit (two for words of six letters or more). Among neighbours, prefer the one that
    appears in most procedure names together with the other words typed, then the most frequent."""
    vocabulary, names = _word_sets(_catalogue_stamp())
    known = [w for w in words if w in vocabulary]
    corrected = []
    for word in words:
        if word in vocabulary or word.isdigit():
            corrected.append(word)
            continue
        near = {w for w in _spelling_variants(word) if w in vocabulary}
        if not near and len(word) >= 3:
            near = {w for w in _edits1(word) if w in vocabulary}
        if not near and len(word) >= 6:
            near = {w2 for w1 in _edits1(word) for w2 in _edits1(w1) if w2 in vocabulary}
        if not near:
            corrected.append(word)
            continue

        def score(candidate: str) -> tuple[int, int, str]:
            together = sum(1 for name in names if candidate in name and all(k in name for k in known))
            return together, vocabulary[candidate], candidate

        corrected.append(max(near, key=score))
    return corrected


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


def form_schema_for(procedure: Procedure, *, version: int | None = None) -> FormSchema:
    """The newest (or the given) version of the procedure's form schema; a generic one if it has none."""
    records = FormSchemaRecord.objects.filter(procedure=procedure)
    if version is not None:
        records = records.filter(version=version)
    record = records.order_by("-version").first()
    if record is None:
        return generic_schema(procedure.national_code)
    return parse_schema(record.definition)


@dataclass(frozen=True)
class LifeEvent:
    """A moment in a person's life and the procedures it usually calls for (browse by life event)."""

    slug: str
    title_vi: str
    title_en: str
    summary_vi: str
    summary_en: str
    icon: str
    procedure_codes: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.title_en if (translation.get_language() or "vi").startswith("en") else self.title_vi

    @property
    def summary(self) -> str:
        return self.summary_en if (translation.get_language() or "vi").startswith("en") else self.summary_vi


@lru_cache(maxsize=1)
def life_events() -> tuple[LifeEvent, ...]:
    path = resources.files("motcua.catalogue") / "data" / "life_events.json"
    if not path.is_file():
        return ()
    return tuple(
        LifeEvent(
            slug=e["slug"],
            title_vi=e["title_vi"],
            title_en=e["title_en"],
            summary_vi=e.get("summary_vi", ""),
            summary_en=e.get("summary_en", ""),
            icon=e.get("icon", ""),
            procedure_codes=tuple(e["procedures"]),
        )
        for e in json.loads(path.read_text(encoding="utf-8"))
    )


def life_event(slug: str) -> tuple[LifeEvent, list[Procedure]]:
    event = next((e for e in life_events() if e.slug == slug), None)
    if event is None:
        raise NotFound(
            "life_event_not_found", "Không tìm thấy nhóm thủ tục này.", "No such life event.", field="slug"
        )
    found = Procedure.objects.select_related("field").in_bulk(
        list(event.procedure_codes), field_name="national_code"
    )
    return event, [found[c] for c in event.procedure_codes if c in found]


def fields_with_counts() -> QuerySet[Field]:
    return (
        Field.objects.annotate(procedure_count=Count("procedures"))
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


def procedures_in_field(field_id: int, *, limit: int = 200) -> tuple[Field, list[Procedure]]:
    found = Field.objects.filter(id=field_id).first()
    if found is None:
        raise NotFound("field_not_found", "Không tìm thấy lĩnh vực này.", "No such field.", field="field")
    return found, list(found.procedures.order_by("name")[:limit])


def procedures_offered_by(agency_ids: list[int], *, online_only: bool = True) -> QuerySet[Procedure]:
    offerings = ProcedureOffering.objects.filter(agency_id__in=agency_ids)
    if online_only:
        offerings = offerings.exclude(online_mode=OnlineMode.NONE)
    return Procedure.objects.filter(offerings__in=offerings).distinct().order_by("name")


def online_procedure_ids(procedure_ids: list[int]) -> set[int]:
    """Which of these procedures some agency offers online."""
    return set(
        ProcedureOffering.objects.filter(procedure_id__in=procedure_ids)
        .exclude(online_mode=OnlineMode.NONE)
        .values_list("procedure_id", flat=True)
    )


def agencies_offering_online() -> list[Agency]:
    """Agencies with at least one procedure online, by place in the tree."""
    ids = ProcedureOffering.objects.exclude(online_mode=OnlineMode.NONE).values_list("agency_id", flat=True)
    return list(Agency.objects.filter(id__in=ids).order_by("path"))


def procedures_offered_in_subtree(agency_code: str, *, limit: int = 200) -> tuple[Agency, list[Procedure]]:
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise NotFound("agency_not_found", "Không tìm thấy cơ quan này.", "No such agency.", field="code")
    subtree = list(Agency.objects.subtree_of(agency).values_list("id", flat=True))
    return agency, list(procedures_offered_by(subtree)[:limit])


def online_offerings(procedure: Procedure) -> list[ProcedureOffering]:
    """Agencies that take this procedure online, nearest the root of the tree first."""
    return list(
        procedure.offerings.select_related("agency")
        .exclude(online_mode=OnlineMode.NONE)
        .order_by("agency__depth", "agency__name")
    )


__all__ = [
    "agencies_offering_online",
    "correct_words",
    "fields_with_counts",
    "form_schema_for",
    "life_event",
    "life_events",
    "offerings_of",
    "online_offerings",
    "online_procedure_ids",
    "procedure_by_code",
    "procedure_detail",
    "procedures_in_field",
    "procedures_offered_by",
    "procedures_offered_in_subtree",
    "search_procedures",
]
