"""The search interface: index live programs, count launches, answer queries.

A search runs in stages, each handing over a short list of candidates
(relevance.py explains the tiers, ranking.py usage and freshness):
1. whole names and keywords equal to the query, and names starting with it
   (`search_phrases`, an index lookup and a range scan);
2. the full-text index, every word whole;
3. then every word also as a prefix;
4. then every word also within its typo budget;
5. if no program has every word, programs with some of them.
A stage runs only while the earlier ones found fewer candidates than the
page holds: what a later stage adds is in a worse tier, so it could only
come after them. Every candidate is judged in Python by the same code on
both databases, and the page is sorted by (tier, text x usage x freshness).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..database import Database
from ..metrics.figures import SEARCH_SECONDS
from . import tables
from .backends import FullTextRow, RankedHit, full_text_for
from .document import SearchDocument
from .ranking import FRESHNESS_DAYS, LAUNCH_HALF_LIFE_DAYS, decayed, final_score, freshness_factor, usage_factor
from .ranking import score as ranking_score
from .relevance import Judgement, Query, judge
from .text import edit_distance, phrase, query_words, terms, typo_budget

__all__ = ["FRESHNESS_DAYS", "LAUNCH_HALF_LIFE_DAYS", "SearchHit", "SearchIndex", "open_index"]

MAX_QUERY_WORDS = 8
MAX_LIMIT = 100
DEFAULT_RADIUS_KM = 5.0
MAX_RADIUS_KM = 100.0
#: Candidates a full-text stage hands over, and phrase matches looked up per kind (equal, name
#: start), at least a page each. Every candidate is judged in Python (~30-50 us each), so these
#: bound the cost of a search; the evaluation set ranks the same with 50 and 40.
SHORTLIST = 20
PHRASE_HITS = 20

# Nearby without a query: what ranking reads of each program close by, with
# the display name left as text (only the shown hits are decoded).
_RANK_SQL = (
    "SELECT d.app_id, d.version, d.category, d.released_at, d.display, l.score, l.at "
    f"FROM {tables.documents.name} d LEFT JOIN {tables.launches.name} l ON l.app_id = d.app_id WHERE d.app_id IN :ids"
)
_RANK = sa.text(_RANK_SQL).bindparams(sa.bindparam("ids", expanding=True))
_RANK_IN_CATEGORY = sa.text(_RANK_SQL + " AND d.category = :category").bindparams(sa.bindparam("ids", expanding=True))


#: A launch counted on PostgreSQL: the first one inserts 1, later ones decay the count and add 1 (ranking.decayed).
_COUNT_LAUNCH = sa.text(
    f"INSERT INTO {tables.launches.name} (app_id, score, at) VALUES (:app_id, 1.0, :now) "
    f"ON CONFLICT (app_id) DO UPDATE SET score = {tables.launches.name}.score "
    f"* power(0.5, greatest(0.0, :now - {tables.launches.name}.at) / :half_life) + 1.0, at = :now RETURNING score"
)


def _phrases_sql(category: bool) -> str:
    join = f" JOIN {tables.documents.name} AS c ON c.app_id = p.app_id AND c.category = :category" if category else ""
    lookups = (
        f"SELECT app_id FROM (SELECT p.app_id FROM {tables.phrases.name} AS p{join} WHERE p.phrase = :whole LIMIT :most) AS e "
        f"UNION SELECT app_id FROM (SELECT p.app_id FROM {tables.phrases.name} AS p{join} "
        "WHERE p.field = 'name' AND p.phrase >= :low AND p.phrase < :high LIMIT :most) AS s"
    )
    return (
        "SELECT d.app_id, d.version, d.category, d.display, d.names, d.keywords, d.descriptions, d.released_at, l.score, l.at "
        f"FROM ({lookups}) AS found JOIN {tables.documents.name} d ON d.app_id = found.app_id "
        f"LEFT JOIN {tables.launches.name} l ON l.app_id = d.app_id"
    )


_PHRASES = sa.text(_phrases_sql(category=False))
_PHRASES_IN_CATEGORY = sa.text(_phrases_sql(category=True))


@dataclass(frozen=True)
class SearchHit:
    app_id: str
    version: str
    category: str
    name: str
    score: float
    distance_km: float | None = None
    #: Why it ranks here (`search(..., explain=True)`): tier, matched terms, score parts.
    explain: dict[str, object] | None = None

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"id": self.app_id, "version": self.version, "category": self.category, "name": self.name, "score": round(self.score, 4)}
        if self.distance_km is not None:
            found["distance_km"] = round(self.distance_km, 3)
        if self.explain is not None:
            found["explain"] = self.explain
        return found


class SearchIndex:
    """Search over one `Database`; the same behaviour on SQLite and PostgreSQL."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.full_text = full_text_for(database.dialect)
        database.ensure(tables.metadata)
        with database.schema_change() as connection:
            self.full_text.ensure(connection)
            #: Whether this index was written before names and keywords were kept one a line:
            #: whoever holds the manifests should `put` every live program again (the registry does).
            self.written_before_phrases = self._backfill_phrases(connection)

    def _backfill_phrases(self, connection: sa.Connection) -> bool:
        """Phrases for an index written before they existed, from the documents table; whether there were any.

        Such a document kept its names (and keywords) as one run of terms, so
        it gets that run as one phrase per field until it is indexed again;
        every other tier works on it as before.
        """
        if connection.execute(sa.select(tables.phrases.c.app_id).limit(1)).first() is not None:
            return False
        rows = connection.execute(sa.select(tables.documents.c.app_id, tables.documents.c.names, tables.documents.c.keywords)).all()
        found = {
            (text[: tables.MAX_PHRASE], field, app_id)
            for app_id, names, keywords in rows
            for field, column in (("name", names), ("keyword", keywords))
            for text in column.split("\n")
            if text
        }
        if found:
            connection.execute(tables.phrases.insert(), [{"phrase": p, "field": f, "app_id": a} for p, f, a in sorted(found)])
        return bool(rows)

    # -- writing ----------------------------------------------------------------

    def put(self, document: SearchDocument) -> None:
        """Index (or re-index) the live version of a program."""
        self.put_many([document])

    def put_many(self, documents: list[SearchDocument]) -> None:
        """Index (or re-index) several programs in one transaction.

        One statement per table for the whole batch: loading a large catalogue
        one document per transaction would pay a commit (an fsync) each.
        """
        rows, places, vocabulary, phrases = [], [], set(), set()
        # The last document of an app id wins, as it would with one put each.
        for document in {document.app_id: document for document in documents}.values():
            name_list = _phrases(document.names)
            keyword_list = _phrases(document.keywords)
            names, keywords = "\n".join(name_list), "\n".join(keyword_list)
            descriptions = " ".join(terms(document.descriptions))
            phrases.update((text, "name", document.app_id) for text in name_list)
            phrases.update((text, "keyword", document.app_id) for text in keyword_list)
            rows.append(
                {
                    "app_id": document.app_id,
                    "version": document.version,
                    "category": document.category,
                    "released_at": document.released_at,
                    "display": document.display,
                    "names": names,
                    "keywords": keywords,
                    "descriptions": descriptions,
                }
            )
            places += [{"app_id": document.app_id, "lat": lat, "lon": lon} for lat, lon in document.places]
            vocabulary.update(t for t in f"{names} {keywords} {descriptions}".split() if len(t) > 1)
        if not rows:
            return
        ids = [{"id": row["app_id"]} for row in rows]
        with self.database.transaction() as connection:
            connection.execute(tables.documents.delete().where(tables.documents.c.app_id == sa.bindparam("id")), ids)
            connection.execute(tables.documents.insert(), rows)
            self.full_text.put(
                connection,
                [
                    FullTextRow(row["app_id"], row["names"], row["keywords"], row["descriptions"], row["category"], row["released_at"])
                    for row in rows
                ],
                time.time(),
            )
            connection.execute(tables.phrases.delete().where(tables.phrases.c.app_id == sa.bindparam("id")), ids)
            if phrases:
                connection.execute(tables.phrases.insert(), [{"phrase": p, "field": f, "app_id": a} for p, f, a in sorted(phrases)])
            connection.execute(tables.places.delete().where(tables.places.c.app_id == sa.bindparam("id")), ids)
            if places:
                connection.execute(tables.places.insert(), places)
            if vocabulary:
                # Every term, skipping those known; the database says which were new. (Asking
                # first with `term IN (...)` took ~15 s a batch on PostgreSQL at 100,000 programs:
                # its planner answers that from the pg_trgm index instead of the primary key.)
                inserted = connection.execute(
                    self._insert_ignore(tables.vocabulary).returning(tables.vocabulary.c.term, sort_by_parameter_order=True),
                    [{"term": t, "length": len(t)} for t in sorted(vocabulary)],
                )
                new_terms = sorted(term for term in inserted.scalars() if term is not None)
                if new_terms:
                    self.full_text.add_terms(connection, new_terms)

    def optimize(self) -> None:
        """Compact the index after a bulk load (`put_many` of a whole catalogue).

        Searches are right without it; on SQLite they are ~10 % cheaper after.
        Ordinary writes (approve, rollback, yank) need none: the index merges
        itself as it goes.
        """
        with self.database.transaction() as connection:
            self.full_text.optimize(connection)

    def remove(self, app_id: str) -> None:
        """Take a program out of search (nothing of it is live any more)."""
        with self.database.transaction() as connection:
            connection.execute(tables.documents.delete().where(tables.documents.c.app_id == app_id))
            connection.execute(tables.places.delete().where(tables.places.c.app_id == app_id))
            connection.execute(tables.phrases.delete().where(tables.phrases.c.app_id == app_id))
            self.full_text.remove(connection, app_id)

    def record_launch(self, app_id: str, *, now: float | None = None) -> None:
        """Count one launch (no user id is kept)."""
        now = time.time() if now is None else now
        if self.database.dialect == "postgresql":
            # One statement: hosts launching the same program at once must neither both
            # insert its first count (a unique violation that failed the launch) nor
            # both add one to the same old count (a lost launch).
            with self.database.transaction() as connection:
                score = connection.execute(_COUNT_LAUNCH, {"app_id": app_id, "now": now, "half_life": LAUNCH_HALF_LIFE_DAYS * 86400}).scalar_one()
                self.full_text.launched(connection, app_id, score, now)
            return
        with self.database.transaction() as connection:  # SQLite: one writer at a time already
            row = connection.execute(sa.select(tables.launches).where(tables.launches.c.app_id == app_id)).first()
            if row is None:
                score = 1.0
                connection.execute(tables.launches.insert().values(app_id=app_id, score=score, at=now))
            else:
                score = decayed(row.score, now - row.at) + 1.0
                connection.execute(
                    tables.launches.update().where(tables.launches.c.app_id == app_id).values(score=score, at=now)
                )
            self.full_text.launched(connection, app_id, score, now)

    def load_launches(self, counts: dict[str, tuple[float, float]]) -> None:
        """Set launch counts in bulk, app id -> (count, as of when): an import or a benchmark.

        One transaction instead of one per launch; ranking reads them as it
        reads counts from `record_launch`.
        """
        if not counts:
            return
        with self.database.transaction() as connection:
            ids = [{"id": app_id} for app_id in counts]
            connection.execute(tables.launches.delete().where(tables.launches.c.app_id == sa.bindparam("id")), ids)
            connection.execute(
                tables.launches.insert(), [{"app_id": app_id, "score": score, "at": at} for app_id, (score, at) in counts.items()]
            )
            for app_id, (score, at) in counts.items():
                self.full_text.launched(connection, app_id, score, at)

    # -- reading ----------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        category: str | None = None,
        near: tuple[float, float] | None = None,
        radius_km: float = DEFAULT_RADIUS_KM,
        limit: int = 20,
        now: float | None = None,
        explain: bool = False,
    ) -> list[SearchHit]:
        """The best live programs for `query`, best first.

        With `near` (lat, lon), only programs with a place within `radius_km`
        count, and closer ones rank higher within a tier; an empty query then
        lists them all by distance ("nearby"). With `explain`, each hit says
        why it ranks where it does (tier, matched terms, score parts).
        """
        started = time.perf_counter()
        try:
            return self._search(query, language, category, near, radius_km, limit, now, explain)
        finally:
            SEARCH_SECONDS.observe(time.perf_counter() - started)

    def _search(
        self,
        query: str,
        language: str | None,
        category: str | None,
        near: tuple[float, float] | None,
        radius_km: float,
        limit: int,
        now: float | None,
        explain: bool,
    ) -> list[SearchHit]:
        now = time.time() if now is None else now
        limit = max(1, min(limit, MAX_LIMIT))
        words = query_words(query)[:MAX_QUERY_WORDS]
        if not words and near is None:
            return []
        with self.database.read() as connection:
            distances = self._distances(connection, near, radius_km) if near is not None else None
            if not words:
                matches = {app_id: 1.0 for app_id in distances or {}}
                return self._rank(connection, matches, distances, language, category, now, limit)
            if distances is not None and not distances:
                return []
            plan = Query.of(words)
            candidates = self._candidates(connection, plan, category, set(distances) if distances is not None else None, now, limit)
        judged = []
        for hit in candidates.values():
            judgement = judge(plan, hit.names.split("\n"), hit.keywords.split("\n"), hit.descriptions)
            usage, freshness = usage_factor(hit.launch_score, hit.launched_at, now), freshness_factor(hit.released_at, now)
            distance = distances[hit.app_id] if distances is not None else None
            nearness = 1 + 1 / (1 + distance) if distance is not None else 1.0  # up to 2x at the door, ~1.2x at 4 km
            within = judgement.text * usage * freshness * nearness
            judged.append((judgement.tier, -within, hit.app_id, hit, judgement, (usage, freshness, nearness), distance))
        judged.sort(key=lambda item: item[:3])
        return [
            SearchHit(
                hit.app_id,
                hit.version,
                hit.category,
                _display_name(_json(hit.display), language),
                final_score(tier, -negative),
                distance,
                _explanation(judgement, factors, final_score(tier, -negative)) if explain else None,
            )
            for tier, negative, _, hit, judgement, factors, distance in judged[:limit]
        ]

    def _candidates(
        self, connection: sa.Connection, plan: Query, category: str | None, only: set[str] | None, now: float, limit: int
    ) -> dict[str, RankedHit]:
        """The programs that may be on the page, stage by stage (see the module's docstring)."""
        found: dict[str, RankedHit] = {}
        enough = limit if only is None else None  # nearby: distance reorders, every match counts

        def add(hits: list[RankedHit]) -> None:
            for hit in hits:
                found.setdefault(hit.app_id, hit)

        add(self._phrase_hits(connection, plan.phrase, category, only, max(PHRASE_HITS, limit)))
        options = {"category": category, "only": only, "now": now, "limit": max(SHORTLIST, limit) if only is None else None}
        exact = [[(word.terms, False)] for word in plan.words]
        stages = [exact]
        if any(word.prefix for word in plan.words):
            stages.append([[(word.terms, word.prefix)] for word in plan.words])
        stages.append(None)  # typos: near terms are looked up only if this stage runs
        widest = exact
        for number, stage in enumerate(stages):
            # Whole words always run: on a large catalogue its short list holds the
            # exact matches usage favours, where phrase matches come in index order.
            if number and enough is not None and len(found) >= enough:
                return found
            if stage is None:
                for word in plan.words:
                    word.near = self._near(connection, word.terms)
                if not any(word.near for word in plan.words):
                    break
                stage = [[(word.terms, word.prefix)] + [((term,), False) for _, term in word.near] for word in plan.words]
            widest = stage
            add(self.full_text.ranked(connection, stage, every_word=True, **options))
        if not found and len(plan.words) > 1:
            # No program has every word: rank those that have some.
            add(self.full_text.ranked(connection, widest, every_word=False, **options))
        return found

    def _phrase_hits(
        self, connection: sa.Connection, whole: str, category: str | None, only: set[str] | None, most: int
    ) -> list[RankedHit]:
        """Programs with a name or counted keyword equal to the query, and names starting with it as whole words.

        One statement: both lookups (each cut at `most`, after the category
        filter) and the documents they found.
        """
        whole = whole[: tables.MAX_PHRASE]
        # Byte order: every phrase starting with "whole " sorts between "whole " and "whole!".
        parameters: dict[str, object] = {"whole": whole, "low": whole + " ", "high": whole + "!", "most": most}
        if category:
            parameters["category"] = category
        hits = [RankedHit(*row) for row in connection.execute(_PHRASES_IN_CATEGORY if category else _PHRASES, parameters)]
        return hits if only is None else [hit for hit in hits if hit.app_id in only]

    def _rank(
        self,
        connection: sa.Connection,
        matches: dict[str, float],
        distances: dict[str, float] | None,
        language: str | None,
        category: str | None,
        now: float,
        limit: int,
    ) -> list[SearchHit]:
        """Nearby without a query: every program close by, ranked here by the same formula."""
        if not matches:
            return []
        statement = _RANK_IN_CATEGORY if category else _RANK
        parameters: dict[str, object] = {"ids": list(matches)}
        if category:
            parameters["category"] = category
        rows = connection.execute(statement, parameters).all()
        scored = []
        for app_id, version, found_category, released_at, display, launch_score, launched_at in rows:
            score = ranking_score(matches[app_id], launch_score, launched_at, released_at, now)
            distance = distances.get(app_id) if distances is not None else None
            if distance is not None:
                score *= 1 + 1 / (1 + distance)  # up to 2x at the door, ~1.2x at 4 km
            scored.append((-score, app_id, version, found_category, display, distance))
        scored.sort(key=lambda hit: hit[:2])
        return [
            SearchHit(app_id, version, found_category, _display_name(_json(display), language), -negative, distance)
            for negative, app_id, version, found_category, display, distance in scored[:limit]
        ]

    def _distances(self, connection: sa.Connection, near: tuple[float, float], radius_km: float) -> dict[str, float]:
        """app id -> km to its closest place within `radius_km` of `near`."""
        lat, lon = near
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"near must be a latitude in [-90, 90] and a longitude in [-180, 180]; got {near!r}")
        radius_km = max(0.0, min(radius_km, MAX_RADIUS_KM))
        span = radius_km / 111.0  # degrees of latitude; the box is refined by the real distance below
        places = tables.places.c
        rows = connection.execute(
            sa.select(places.app_id, places.lat, places.lon).where(places.lat.between(lat - span, lat + span))
        )
        found: dict[str, float] = {}
        for app_id, place_lat, place_lon in rows:
            distance = haversine_km(lat, lon, place_lat, place_lon)
            if distance <= radius_km and distance < found.get(app_id, math.inf):
                found[app_id] = distance
        return found

    def _near(self, connection: sa.Connection, terms: tuple[str, ...]) -> list[tuple[int, str]]:
        """Vocabulary terms within the typo budget of a one-term word, closest first (at most 20)."""
        if len(terms) > 1:  # a Chinese run: no typos
            return []
        (text,) = terms
        budget = typo_budget(text)
        if not budget:
            return []
        distances = {t: edit_distance(text, t, budget) for t in self.full_text.near_terms(connection, text, budget) if t != text}
        # Closest first, so the cap keeps the likeliest meanings whatever order the database answered in.
        return sorted((distance, t) for t, distance in distances.items() if distance <= budget)[:20]

    def _insert_ignore(self, table: sa.Table) -> sa.Insert:
        if self.database.dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()


def open_index(database: Database) -> SearchIndex:
    return SearchIndex(database)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a spherical Earth (good to ~0.5%)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def _json(value: object) -> dict[str, str]:
    # SQLite hands back the JSON text, PostgreSQL's driver the decoded object.
    return json.loads(value) if isinstance(value, (str, bytes)) else value  # type: ignore[return-value]


def _display_name(display: dict[str, str], language: str | None) -> str:
    if language:
        if language in display:
            return display[language]
        for tag, name in display.items():
            if tag.split("-")[0] == language.split("-")[0]:
                return name
    return next(iter(display.values()), "")


def _phrases(texts: tuple[str, ...] | list[str]) -> list[str]:
    """Each text as a phrase (text.phrase), once each, in order, empty ones dropped."""
    found: dict[str, None] = {}
    for text in texts:
        normalized = phrase(text)[: tables.MAX_PHRASE]
        if normalized:
            found.setdefault(normalized)
    return list(found)


def _explanation(judgement: Judgement, factors: tuple[float, float, float], score: float) -> dict[str, object]:
    """Why a hit ranks where it does, for people (capsule search --explain) and operators (explain=true)."""
    usage, freshness, nearness = factors
    parts: dict[str, float] = {
        "field": round(judgement.field, 4),
        "coverage": round(judgement.coverage, 4),
        "position": round(judgement.position, 4),
        "text": round(judgement.text, 4),
        "usage": round(usage, 4),
        "freshness": round(freshness, 4),
    }
    if nearness != 1.0:
        parts["distance"] = round(nearness, 4)
    return {
        "tier": judgement.tier,
        "tier_name": judgement.tier_name,
        "matched": [match.as_dict() for match in judgement.matches],
        "parts": parts,
        "score": round(score, 4),
    }
