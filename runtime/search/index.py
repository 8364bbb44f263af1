"""The search interface: index live programs, count launches, answer queries.

Ranking = text relevance x usage x freshness (ranking.py):
- relevance: BM25 (SQLite) or ts_rank (PostgreSQL), a name match weighing most;
- usage: launch counts decayed with a half-life of `LAUNCH_HALF_LIFE_DAYS`, on a
  log scale so a popular program cannot bury a better match;
- freshness: a small bonus for a recent release, fading over ~90 days.
The database scores the candidates with the whole formula (backends.py).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..database import Database
from . import tables
from .backends import Alternative, FullTextRow, full_text_for
from .document import SearchDocument
from .ranking import FRESHNESS_DAYS, LAUNCH_HALF_LIFE_DAYS, decayed
from .ranking import score as ranking_score
from .text import edit_distance, query_words, terms, typo_budget

__all__ = ["FRESHNESS_DAYS", "LAUNCH_HALF_LIFE_DAYS", "SearchHit", "SearchIndex", "open_index"]

MAX_QUERY_WORDS = 8
MAX_LIMIT = 100
DEFAULT_RADIUS_KM = 5.0
MAX_RADIUS_KM = 100.0

# Nearby without a query: what ranking reads of each program close by, with
# the display name left as text (only the shown hits are decoded).
_RANK_SQL = (
    "SELECT d.app_id, d.version, d.category, d.released_at, d.display, l.score, l.at "
    f"FROM {tables.documents.name} d LEFT JOIN {tables.launches.name} l ON l.app_id = d.app_id WHERE d.app_id IN :ids"
)
_RANK = sa.text(_RANK_SQL).bindparams(sa.bindparam("ids", expanding=True))
_RANK_IN_CATEGORY = sa.text(_RANK_SQL + " AND d.category = :category").bindparams(sa.bindparam("ids", expanding=True))


@dataclass(frozen=True)
class SearchHit:
    app_id: str
    version: str
    category: str
    name: str
    score: float
    distance_km: float | None = None

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"id": self.app_id, "version": self.version, "category": self.category, "name": self.name, "score": round(self.score, 4)}
        if self.distance_km is not None:
            found["distance_km"] = round(self.distance_km, 3)
        return found


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
        self.put_many([document])

    def put_many(self, documents: list[SearchDocument]) -> None:
        """Index (or re-index) several programs in one transaction.

        One statement per table for the whole batch: loading a large catalogue
        one document per transaction would pay a commit (an fsync) each.
        """
        rows, places, vocabulary = [], [], set()
        # The last document of an app id wins, as it would with one put each.
        for document in {document.app_id: document for document in documents}.values():
            names, keywords, descriptions = (" ".join(terms(t)) for t in (document.names, document.keywords, document.descriptions))
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
            connection.execute(tables.places.delete().where(tables.places.c.app_id == sa.bindparam("id")), ids)
            if places:
                connection.execute(tables.places.insert(), places)
            new_terms = sorted(vocabulary - self._known_terms(connection, vocabulary))
            if new_terms:
                connection.execute(
                    self._insert_ignore(tables.vocabulary), [{"term": t, "length": len(t)} for t in new_terms]
                )
                self.full_text.add_terms(connection, new_terms)

    def _known_terms(self, connection: sa.Connection, candidates: set[str]) -> set[str]:
        known: set[str] = set()
        ordered = sorted(candidates)
        for start in range(0, len(ordered), 500):  # well under any database's limit on bound parameters
            chunk = ordered[start : start + 500]
            known.update(connection.execute(sa.select(tables.vocabulary.c.term).where(tables.vocabulary.c.term.in_(chunk))).scalars())
        return known

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
            self.full_text.remove(connection, app_id)

    def record_launch(self, app_id: str, *, now: float | None = None) -> None:
        """Count one launch (no user id is kept)."""
        now = time.time() if now is None else now
        with self.database.transaction() as connection:
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
    ) -> list[SearchHit]:
        """The best live programs for `query`, best first.

        With `near` (lat, lon), only programs with a place within `radius_km`
        count, and closer ones rank higher; an empty query then lists them all
        by distance ("nearby").
        """
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
            expanded = [self._alternatives(connection, word) for word in words]
            options = {
                "category": category,
                "only": set(distances) if distances is not None else None,
                "now": now,
                # Distance changes the order: nearby, every match comes back.
                "limit": limit if distances is None else None,
            }
            found = self.full_text.ranked(connection, expanded, every_word=True, **options)
            if not found and len(expanded) > 1:
                # No program has every word: rank those that have some.
                found = self.full_text.ranked(connection, expanded, every_word=False, **options)
        scored = [(hit.score, None, hit) for hit in found]
        if distances is not None:
            scored = [(score * (1 + 1 / (1 + distances[hit.app_id])), distances[hit.app_id], hit) for score, _, hit in scored]
            scored.sort(key=lambda item: (-item[0], item[2].app_id))
        return [
            SearchHit(hit.app_id, hit.version, hit.category, _display_name(_json(hit.display), language), score, distance)
            for score, distance, hit in scored[:limit]
        ]

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

    def _alternatives(self, connection: sa.Connection, word: list[str]) -> list[Alternative]:
        if len(word) > 1:  # a CJK phrase
            return [(tuple(word), False)]
        (text,) = word
        alternatives: list[Alternative] = [((text,), True)]
        budget = typo_budget(text)
        if budget:
            distances = {t: edit_distance(text, t, budget) for t in self.full_text.near_terms(connection, text, budget) if t != text}
            # Closest first, so the cap keeps the likeliest meanings whatever order the database answered in.
            near = sorted((distance, t) for t, distance in distances.items() if distance <= budget)
            alternatives += [((t,), False) for _, t in near[:20]]
        return alternatives

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
