"""The search interface: index live programs, count launches, answer queries.

Ranking = text relevance x usage x freshness:
- relevance: BM25 (SQLite) or ts_rank (PostgreSQL), a name match weighing most;
- usage: launch counts decayed with a half-life of `LAUNCH_HALF_LIFE_DAYS`, on a
  log scale so a popular program cannot bury a better match;
- freshness: a small bonus for a recent release, fading over ~90 days.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..database import Database
from . import tables
from .backends import Alternative, full_text_for
from .document import SearchDocument
from .text import edit_distance, query_words, terms, typo_budget

LAUNCH_HALF_LIFE_DAYS = 14.0
FRESHNESS_DAYS = 90.0
MAX_QUERY_WORDS = 8
MAX_LIMIT = 100
#: How many text matches are re-ranked with usage and freshness.
CANDIDATES = 200


@dataclass(frozen=True)
class SearchHit:
    app_id: str
    version: str
    category: str
    name: str
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"id": self.app_id, "version": self.version, "category": self.category, "name": self.name, "score": round(self.score, 4)}


class SearchIndex:
    """Search over one `Database`; the same behaviour on SQLite and PostgreSQL."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.full_text = full_text_for(database.dialect)
        database.ensure(tables.metadata)
        with database.transaction() as connection:
            self.full_text.ensure(connection)

    # -- writing ----------------------------------------------------------------

    def put(self, document: SearchDocument) -> None:
        """Index (or re-index) the live version of a program."""
        names, keywords, descriptions = (" ".join(terms(t)) for t in (document.names, document.keywords, document.descriptions))
        row = {
            "app_id": document.app_id,
            "version": document.version,
            "category": document.category,
            "released_at": document.released_at,
            "display": document.display,
            "names": names,
            "keywords": keywords,
            "descriptions": descriptions,
        }
        vocabulary = sorted({t for t in f"{names} {keywords} {descriptions}".split() if len(t) > 1})
        with self.database.transaction() as connection:
            connection.execute(tables.documents.delete().where(tables.documents.c.app_id == document.app_id))
            connection.execute(tables.documents.insert().values(**row))
            self.full_text.put(connection, document.app_id, names, keywords, descriptions)
            if vocabulary:
                connection.execute(
                    self._insert_ignore(tables.vocabulary), [{"term": t, "length": len(t)} for t in vocabulary]
                )

    def remove(self, app_id: str) -> None:
        """Take a program out of search (nothing of it is live any more)."""
        with self.database.transaction() as connection:
            connection.execute(tables.documents.delete().where(tables.documents.c.app_id == app_id))
            self.full_text.remove(connection, app_id)

    def record_launch(self, app_id: str, *, now: float | None = None) -> None:
        """Count one launch (no user id is kept)."""
        now = time.time() if now is None else now
        with self.database.transaction() as connection:
            row = connection.execute(sa.select(tables.launches).where(tables.launches.c.app_id == app_id)).first()
            if row is None:
                connection.execute(tables.launches.insert().values(app_id=app_id, score=1.0, at=now))
            else:
                score = _decayed(row.score, now - row.at) + 1.0
                connection.execute(
                    tables.launches.update().where(tables.launches.c.app_id == app_id).values(score=score, at=now)
                )

    # -- reading ----------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        language: str | None = None,
        category: str | None = None,
        limit: int = 20,
        now: float | None = None,
    ) -> list[SearchHit]:
        """The best live programs for `query`, best first."""
        now = time.time() if now is None else now
        limit = max(1, min(limit, MAX_LIMIT))
        words = query_words(query)[:MAX_QUERY_WORDS]
        if not words:
            return []
        with self.database.read() as connection:
            expanded = [self._alternatives(connection, word) for word in words]
            matches = dict(self.full_text.match(connection, expanded, CANDIDATES))
            if not matches and len(expanded) > 1:
                # No program has every word: rank those that have some.
                for alternatives in expanded:
                    for app_id, relevance in self.full_text.match(connection, [alternatives], CANDIDATES):
                        matches[app_id] = matches.get(app_id, 0.0) + relevance
            if not matches:
                return []
            documents = tables.documents.c
            selection = sa.select(tables.documents, tables.launches.c.score, tables.launches.c.at).outerjoin(
                tables.launches, tables.launches.c.app_id == documents.app_id
            ).where(documents.app_id.in_(list(matches)))
            if category:
                selection = selection.where(documents.category == category)
            rows = connection.execute(selection).all()
        hits = []
        for row in rows:
            launches = _decayed(row.score, now - row.at) if row.score is not None else 0.0
            age_days = max(0.0, now - row.released_at) / 86400
            score = matches[row.app_id] * (1 + 0.15 * math.log1p(launches)) * (1 + 0.1 * math.exp(-age_days / FRESHNESS_DAYS))
            hits.append(SearchHit(row.app_id, row.version, row.category, _display_name(row.display, language), score))
        hits.sort(key=lambda hit: (-hit.score, hit.app_id))
        return hits[:limit]

    def _alternatives(self, connection: sa.Connection, word: list[str]) -> list[Alternative]:
        if len(word) > 1:  # a CJK phrase
            return [(tuple(word), False)]
        (text,) = word
        alternatives: list[Alternative] = [((text,), True)]
        budget = typo_budget(text)
        if budget:
            near = [t for t in self.full_text.near_terms(connection, text, budget) if t != text]
            alternatives += [((t,), False) for t in near if edit_distance(text, t, budget) <= budget][:20]
        return alternatives

    def _insert_ignore(self, table: sa.Table) -> sa.Insert:
        if self.database.dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()


def open_index(database: Database) -> SearchIndex:
    return SearchIndex(database)


def _decayed(score: float, seconds: float) -> float:
    return score * 0.5 ** (max(0.0, seconds) / 86400 / LAUNCH_HALF_LIFE_DAYS)


def _display_name(display: dict[str, str], language: str | None) -> str:
    if language:
        if language in display:
            return display[language]
        for tag, name in display.items():
            if tag.split("-")[0] == language.split("-")[0]:
                return name
    return next(iter(display.values()), "")
