"""The full-text part of search, per database: SQLite FTS5 and PostgreSQL tsvector.

Both receive already-normalized terms (see text.py), so "koffie", "Koffie"
and "kóffie" mean the same on both, and Chinese needs no database support.
Both find the candidates and order them inside the database by full-text
relevance x usage x freshness (ranking.sql_score), so only a short list comes
back to Python, where relevance.judge puts each in its tier (index.py).
"""

from __future__ import annotations

import hashlib
import json
import math as _math
import sqlite3
import time
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .ranking import sql_score, static_tier
from .text import deletions, near_keys

# How much a match in each field counts: a name beats a keyword beats a description.
NAME_WEIGHT, KEYWORD_WEIGHT, DESCRIPTION_WEIGHT = 10.0, 5.0, 1.0

#: One query word: alternatives (OR), each a phrase of terms; `prefix` marks the typed word.
Alternative = tuple[tuple[str, ...], bool]


class FullTextRow(NamedTuple):
    """What the full-text part stores of a document: its terms per field, and what ranking reads."""

    app_id: str
    names: str
    keywords: str
    descriptions: str
    category: str
    released_at: float


class RankedHit(NamedTuple):
    """A candidate: what results show, what relevance.judge reads, what ranking.py reads."""

    app_id: str
    version: str
    category: str
    display: Any  # JSON text (SQLite) or the decoded object (PostgreSQL)
    names: str  # phrases, one a line (text.phrase)
    keywords: str
    descriptions: str
    released_at: float
    launch_score: float | None
    launched_at: float | None


class FullText(Protocol):
    def ensure(self, connection: Connection) -> None: ...
    def put(self, connection: Connection, rows: list[FullTextRow], now: float) -> None:
        """Index (or re-index) documents; each app id appears once in `rows`."""
        ...

    def remove(self, connection: Connection, app_id: str) -> None: ...
    def launched(self, connection: Connection, app_id: str, score: float, at: float) -> None:
        """The launch count of `app_id` is now `score` as of `at` (already written to search_launches)."""
        ...

    def add_terms(self, connection: Connection, terms: list[str]) -> None:
        """Terms new to the vocabulary (already written to it), for near_terms."""
        ...

    def optimize(self, connection: Connection) -> None:
        """Compact the full-text index after a bulk load."""
        ...

    def ranked(
        self,
        connection: Connection,
        words: list[list[Alternative]],
        *,
        every_word: bool,
        category: str | None,
        only: set[str] | None,
        now: float,
        limit: int | None,
    ) -> list[RankedHit]:
        """The best documents matching every word (or any, if not `every_word`)
        by full-text relevance x usage x freshness, best first; at most `limit` (None: all).
        `only` keeps those app ids alone (nearby)."""
        ...

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        """Vocabulary terms that may be within `budget` edits of `word` (checked after)."""
        ...


#: How many matches SQLite scores with the whole formula when a query matches
#: more programs than that (a common word, a short prefix). Rows are numbered
#: in order of usage x freshness, so these are the matches that part of the
#: formula favours; one left out would need a text relevance well above
#: theirs to rank above them. (On the bench's 100,000 programs, where 3 in 4
#: queries match more than 500, the top 20 are 99.8 % those of the formula
#: over every match.)
SQLITE_SCORED = 500

_TIER_SHIFT = 57  # a rowid is tier << 57 | 57 bits of a hash of the app id
_HASH_MASK = (1 << _TIER_SHIFT) - 1
_CHUNK = 500  # bound parameters per IN list, well under SQLite's limit

_FTS_ARGUMENTS = (
    "app_id UNINDEXED, names, keywords, descriptions, tokenize='unicode61 remove_diacritics 2', prefix='2 3'"
)


class SqliteFullText:
    """FTS5 over pre-normalized terms, its rows numbered by usage and freshness.

    Ranking every match with BM25 costs about 2 us a row in SQLite, and a
    common word matches thousands of programs (a 3-letter prefix tens of
    thousands). So a row's rowid is its tier (ranking.static_tier: how much
    usage x freshness lift it) followed by a hash of its app id: FTS5 reads
    matches in rowid order, and the first `SQLITE_SCORED` of them are the
    ones that formula favours most. Those, or every match when there are
    fewer, are scored with BM25 x usage x freshness in one statement, and
    only the shown hits are read. `search_fts_rank` maps rowids to app ids
    and holds what the formula reads (release time, launch count), one
    primary-key lookup per scored row. A program moves tier when a launch
    changes it (rarely: tiers are 2 % apart).

    `prefix='2 3'` keeps prefix indexes for 2 and 3 letters, the prefixes
    typed most as people type (a 3-letter prefix otherwise merges the
    doclists of hundreds of terms on every query).

    Near terms come from `search_near_keys` (see text.near_keys): a few dozen
    key lookups per typo-tolerant word instead of an edit distance against
    every vocabulary term of a similar length (~200 ms at 100,000 programs).
    """

    def ensure(self, connection: Connection) -> None:
        existing = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").scalar()
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_fts_rank (id INTEGER PRIMARY KEY, app_id TEXT NOT NULL UNIQUE, "
            "category TEXT NOT NULL, released_at REAL NOT NULL, launch_score REAL, launched_at REAL)"
        )
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_near_keys (key TEXT NOT NULL, term TEXT NOT NULL, "
            "PRIMARY KEY (key, term)) WITHOUT ROWID"
        )
        if existing is None:
            connection.exec_driver_sql(f"CREATE VIRTUAL TABLE search_fts USING fts5({_FTS_ARGUMENTS})")
        if (existing is not None and not existing.rstrip().endswith(f"fts5({_FTS_ARGUMENTS})")) or not self._consistent(connection):
            self._rebuild(connection)
        if connection.exec_driver_sql(
            "SELECT NOT EXISTS (SELECT 1 FROM search_near_keys) AND EXISTS (SELECT 1 FROM search_vocabulary)"
        ).scalar():
            # A vocabulary written before near keys existed.
            self.add_terms(connection, [term for (term,) in connection.exec_driver_sql("SELECT term FROM search_vocabulary")])

    def _consistent(self, connection: Connection) -> bool:
        # As many rank rows as documents, and the first full-text row is known by its rowid.
        return bool(
            connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM search_fts_rank) = (SELECT count(*) FROM search_documents) "
                "AND NOT EXISTS (SELECT 1 FROM (SELECT rowid, app_id FROM search_fts LIMIT 1) AS f "
                "WHERE NOT EXISTS (SELECT 1 FROM search_fts_rank AS r WHERE r.id = f.rowid AND r.app_id = f.app_id))"
            ).scalar()
        )

    def _rebuild(self, connection: Connection) -> None:
        # A table written by an older version (other options, rowids that were
        # plain hashes or counters): the documents table keeps every
        # document's terms, so the full-text and rank rows are rebuilt from it.
        connection.exec_driver_sql("DROP TABLE search_fts")
        connection.exec_driver_sql(f"CREATE VIRTUAL TABLE search_fts USING fts5({_FTS_ARGUMENTS})")
        connection.exec_driver_sql("DELETE FROM search_fts_rank")
        documents = connection.exec_driver_sql(
            "SELECT app_id, names, keywords, descriptions, category, released_at FROM search_documents"
        ).all()
        for start in range(0, len(documents), 2000):
            self.put(connection, [FullTextRow(*row) for row in documents[start : start + 2000]], time.time())
        self.optimize(connection)

    def put(self, connection: Connection, rows: list[FullTextRow], now: float) -> None:
        cursor = _cursor(connection)
        ids = [row.app_id for row in rows]
        old = _lookup(cursor, "SELECT id, app_id FROM search_fts_rank WHERE app_id IN ({})", ids)
        if old:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = ?", [(rowid,) for rowid, _ in old])
            cursor.executemany("DELETE FROM search_fts_rank WHERE id = ?", [(rowid,) for rowid, _ in old])
        launches = {app_id: (score, at) for app_id, score, at in _lookup(
            cursor, "SELECT app_id, score, at FROM search_launches WHERE app_id IN ({})", ids
        )}
        wanted = []
        for row in rows:
            score, at = launches.get(row.app_id, (None, None))
            wanted.append(_rowid(row.app_id, static_tier(score, at, row.released_at, now)))
        rowids = _free_rowids(cursor, wanted)
        cursor.executemany(
            "INSERT INTO search_fts (rowid, app_id, names, keywords, descriptions) VALUES (?, ?, ?, ?, ?)",
            [(rowid, row.app_id, row.names, row.keywords, row.descriptions) for rowid, row in zip(rowids, rows)],
        )
        cursor.executemany(
            "INSERT INTO search_fts_rank (id, app_id, category, released_at, launch_score, launched_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (rowid, row.app_id, row.category, row.released_at, *launches.get(row.app_id, (None, None)))
                for rowid, row in zip(rowids, rows)
            ],
        )

    def remove(self, connection: Connection, app_id: str) -> None:
        cursor = _cursor(connection)
        found = cursor.execute("SELECT id FROM search_fts_rank WHERE app_id = ?", (app_id,)).fetchone()
        if found is not None:
            cursor.execute("DELETE FROM search_fts WHERE rowid = ?", found)
            cursor.execute("DELETE FROM search_fts_rank WHERE id = ?", found)

    def launched(self, connection: Connection, app_id: str, score: float, at: float) -> None:
        cursor = _cursor(connection)
        found = cursor.execute("SELECT id, released_at FROM search_fts_rank WHERE app_id = ?", (app_id,)).fetchone()
        if found is None:
            return  # not live: its count waits in search_launches for a release
        rowid, released_at = found
        tier = static_tier(score, at, released_at, at)
        if tier != rowid >> _TIER_SHIFT:
            (moved,) = _free_rowids(cursor, [_rowid(app_id, tier)])
            names, keywords, descriptions = cursor.execute(
                "SELECT names, keywords, descriptions FROM search_fts WHERE rowid = ?", (rowid,)
            ).fetchone()
            cursor.execute("DELETE FROM search_fts WHERE rowid = ?", (rowid,))
            cursor.execute(
                "INSERT INTO search_fts (rowid, app_id, names, keywords, descriptions) VALUES (?, ?, ?, ?, ?)",
                (moved, app_id, names, keywords, descriptions),
            )
            cursor.execute("UPDATE search_fts_rank SET id = ? WHERE id = ?", (moved, rowid))
            rowid = moved
        cursor.execute("UPDATE search_fts_rank SET launch_score = ?, launched_at = ? WHERE id = ?", (score, at, rowid))

    def optimize(self, connection: Connection) -> None:
        # One b-tree segment instead of the dozens a bulk load leaves (FTS5
        # merges them over later writes): each query then seeks once per term
        # instead of once per segment, ~10 % less CPU per search at 100,000 programs.
        connection.exec_driver_sql("INSERT INTO search_fts (search_fts) VALUES ('optimize')")

    def add_terms(self, connection: Connection, terms: list[str]) -> None:
        keys = [(key, term) for term in terms for key in near_keys(term)]
        if keys:
            connection.exec_driver_sql("INSERT OR IGNORE INTO search_near_keys (key, term) VALUES (?, ?)", keys)

    def ranked(
        self,
        connection: Connection,
        words: list[list[Alternative]],
        *,
        every_word: bool,
        category: str | None,
        only: set[str] | None,
        now: float,
        limit: int | None,
    ) -> list[RankedHit]:
        cursor = _cursor(connection, math=True)
        expression = (" AND " if every_word else " OR ").join(
            "(" + " OR ".join(_fts_phrase(terms, prefix and not _only_itself(cursor, terms)) for terms, prefix in alternatives) + ")"
            for alternatives in words
        )
        parameters: dict[str, object] = {"expression": expression, "now": now, "category": category}
        if only is None:
            parameters.update(scored=SQLITE_SCORED, limit=-1 if limit is None else limit)
            statement = _SQLITE_RANKED_IN_CATEGORY if category else _SQLITE_RANKED
        else:
            parameters["only"] = json.dumps(sorted(only))
            statement = _SQLITE_RANKED_ONLY_IN_CATEGORY if category else _SQLITE_RANKED_ONLY
        return [RankedHit(*row) for row in cursor.execute(statement, parameters)]

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        keys = sorted(deletions(word, budget))
        rows = _cursor(connection).execute(
            f"SELECT DISTINCT term FROM search_near_keys WHERE key IN ({', '.join('?' * len(keys))})", keys
        )
        return [term for (term,) in rows if abs(len(term) - len(word)) <= budget]


def _only_itself(cursor: Any, terms: tuple[str, ...]) -> bool:
    """Whether the vocabulary's only term starting with this word is the word itself.

    Then the prefix query matches exactly what the word does, and scores the
    same; but FTS5 answers a prefix query (of more letters than its prefix
    indexes) by merging every matching doclist in full first, ~1 ms for a
    word in 9,000 programs, where the word alone is read only as far as needed.
    Every term of 2+ letters of a live document is in the vocabulary.
    """
    if len(terms) != 1 or len(terms[0]) <= 3:
        return False
    (word,) = terms
    after = word[:-1] + chr(ord(word[-1]) + 1)
    found = cursor.execute("SELECT term FROM search_vocabulary WHERE term >= ? AND term < ? LIMIT 2", (word, after)).fetchall()
    return found == [(word,)]


def _sqlite_ranked(category: bool, only: bool) -> str:
    bm25 = f"bm25(search_fts, 0, {NAME_WEIGHT!r}, {KEYWORD_WEIGHT!r}, {DESCRIPTION_WEIGHT!r})"
    in_category = " AND r.category = :category" if category else ""
    if only:
        # Nearby: every match among the nearby programs (usually few), BM25
        # computed for those alone; the caller adds distance and cuts.
        return (
            "SELECT r.app_id, d.version, d.category, d.display, d.names, d.keywords, d.descriptions, "
            "r.released_at, r.launch_score, r.launched_at "
            "FROM search_fts CROSS JOIN search_fts_rank AS r ON r.id = search_fts.rowid "
            "JOIN search_documents AS d ON d.app_id = r.app_id "
            f"WHERE search_fts MATCH :expression AND r.app_id IN (SELECT value FROM json_each(:only)){in_category}"
        )
    # The first `:scored` matches in rowid order (the category's, with one):
    # FTS5 reads them in that order and stops there, BM25 computed for those
    # alone. bm25 is negative, more negative is better.
    if category:
        best = (
            f"SELECT search_fts.rowid AS id, {bm25} AS bm25 FROM search_fts "
            "CROSS JOIN search_fts_rank AS c ON c.id = search_fts.rowid "
            "WHERE search_fts MATCH :expression AND c.category = :category ORDER BY search_fts.rowid LIMIT :scored"
        )
    else:
        best = f"SELECT rowid AS id, {bm25} AS bm25 FROM search_fts WHERE search_fts MATCH :expression ORDER BY rowid LIMIT :scored"
    score = sql_score("sqlite", "-best.bm25", "r.launch_score", "r.launched_at", "r.released_at", ":now")
    return (
        f"WITH best AS MATERIALIZED ({best}), "
        "top AS MATERIALIZED (SELECT r.app_id AS app_id, r.released_at AS released_at, r.launch_score AS launch_score, "
        f"r.launched_at AS launched_at, {score} AS score FROM best "
        "JOIN search_fts_rank AS r ON r.id = best.id ORDER BY score DESC, r.app_id LIMIT :limit) "
        "SELECT top.app_id, d.version, d.category, d.display, d.names, d.keywords, d.descriptions, "
        "top.released_at, top.launch_score, top.launched_at FROM top "
        "JOIN search_documents AS d ON d.app_id = top.app_id ORDER BY top.score DESC, top.app_id"
    )


_SQLITE_RANKED = _sqlite_ranked(category=False, only=False)
_SQLITE_RANKED_IN_CATEGORY = _sqlite_ranked(category=True, only=False)
_SQLITE_RANKED_ONLY = _sqlite_ranked(category=False, only=True)
_SQLITE_RANKED_ONLY_IN_CATEGORY = _sqlite_ranked(category=True, only=True)


def _cursor(connection: Connection, *, math: bool = False) -> Any:
    """The sqlite3 cursor under `connection`, inside its transaction.

    Plain DB-API calls: SQLAlchemy's execution path costs ~0.1 ms a
    statement, as much as some of these statements; sqlite3 keeps the
    prepared statements (its statement cache) across searches. With `math`,
    ln, exp and pow exist on the connection (SQLite builds without its math
    functions get Python's).
    """
    pooled = connection.connection
    driver = pooled.driver_connection
    if math and "capsule_search_math" not in pooled.info:
        try:
            driver.execute("SELECT ln(1.0), exp(0.0), pow(0.5, 1.0)")
        except sqlite3.OperationalError:
            driver.create_function("ln", 1, _math.log, deterministic=True)
            driver.create_function("exp", 1, _math.exp, deterministic=True)
            driver.create_function("pow", 2, _math.pow, deterministic=True)
        pooled.info["capsule_search_math"] = True
    return driver.cursor()


def _lookup(cursor: Any, sql: str, values: list[str]) -> list[tuple]:
    found: list[tuple] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        found += cursor.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall()
    return found


def _rowid(app_id: str, tier: int) -> int:
    """The rowid `app_id` wants in `tier`: the tier, then 57 bits of a hash of the app id."""
    digest = int.from_bytes(hashlib.sha256(app_id.encode()).digest()[:8], "big")
    return tier << _TIER_SHIFT | digest & _HASH_MASK


def _free_rowids(cursor: Any, wanted: list[int]) -> list[int]:
    """`wanted`, each moved on within its tier past rowids already taken (a hash collision: ~never)."""
    taken = {rowid for (rowid,) in _lookup(cursor, "SELECT id FROM search_fts_rank WHERE id IN ({})", wanted)}
    free: list[int] = []
    for rowid in wanted:
        while rowid in taken:
            rowid = rowid >> _TIER_SHIFT << _TIER_SHIFT | (rowid + 1) & _HASH_MASK
            if rowid not in taken and cursor.execute("SELECT 1 FROM search_fts_rank WHERE id = ?", (rowid,)).fetchone():
                taken.add(rowid)
        taken.add(rowid)  # and not for the next row of this batch
        free.append(rowid)
    return free


def _fts_phrase(terms: tuple[str, ...], prefix: bool) -> str:
    # Terms are \w+ only (text.terms), so quoting them is enough.
    phrase = '"' + " ".join(terms) + '"'
    return phrase + "*" if prefix else phrase


#: How many matches PostgreSQL scores with the whole formula: as on SQLite (`SQLITE_SCORED`).
POSTGRES_SCORED = SQLITE_SCORED
#: Where PostgreSQL's full-text index is cut into bands of tiers (ranking.static_tier), each
#: band a partial GIN index. A program never launched sits in tiers 58-63 by its age alone
#: (freshness lifts at most 5 %); launches lift it into the lower ones. On the bench's
#: 100,000 programs the bands hold 7 %, 31 %, 22 % and 40 % of them.
POSTGRES_BANDS = (0, 50, 58, 62, 64)


class PostgresFullText:
    """A weighted tsvector built from quoted lexemes, and deletion keys for near words (as on SQLite).

    The vector is written as a tsvector literal instead of `to_tsvector`: the
    database's text-search parser depends on its locale and would drop or split
    Chinese; our own terms are the same on every server.

    Like SQLite, only the first `POSTGRES_SCORED` matches in order of usage x
    freshness are scored. Each row keeps its `rank_key` (the SQLite rowid:
    ranking.static_tier, then a hash of the app id) and what the formula
    reads (category, release time, launch count). The vector is indexed in
    bands of tiers (`POSTGRES_BANDS`, one partial GIN index each); a search
    reads the bands in order and stops once it has 500 matches, so a common
    word or a short prefix reads the matches of the first band only (1,200
    of the 18,000 programs starting with "par"), and `ts_rank` runs for the
    500 chosen alone. Scoring every match, as before, was 350 ms at p95.
    """

    def ensure(self, connection: Connection) -> None:
        old = connection.exec_driver_sql(
            "SELECT to_regclass('search_fts') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'search_fts' AND column_name = 'rank_key' AND table_schema = current_schema())"
        ).scalar()
        if old:
            connection.exec_driver_sql("DROP TABLE search_fts")  # written before rank keys: rebuilt below
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_fts (app_id varchar(255) PRIMARY KEY, rank_key bigint NOT NULL, "
            "category varchar(32) NOT NULL, released_at float8 NOT NULL, launch_score float8, launched_at float8, "
            "vector tsvector NOT NULL)"
        )
        connection.exec_driver_sql("DROP INDEX IF EXISTS search_fts_vector")  # one index over every band: replaced by the bands'
        for number, (low, high) in enumerate(zip(POSTGRES_BANDS, POSTGRES_BANDS[1:])):
            connection.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS search_fts_band_{number} ON search_fts USING gin (vector) WHERE {_band(low, high)}"
            )
        # Near words came from pg_trgm before the deletion keys: its index only slowed writes since.
        connection.exec_driver_sql("DROP INDEX IF EXISTS search_vocabulary_trgm")
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_near_keys (key varchar(255) COLLATE \"C\" NOT NULL, "
            "term varchar(255) NOT NULL, PRIMARY KEY (key, term))"
        )
        if connection.exec_driver_sql(
            "SELECT NOT EXISTS (SELECT 1 FROM search_near_keys) AND EXISTS (SELECT 1 FROM search_vocabulary)"
        ).scalar():
            # A vocabulary written before near keys existed on PostgreSQL.
            self.add_terms(connection, [term for (term,) in connection.exec_driver_sql("SELECT term FROM search_vocabulary")])
        if old:
            documents = connection.exec_driver_sql(
                "SELECT app_id, names, keywords, descriptions, category, released_at FROM search_documents"
            ).all()
            for start in range(0, len(documents), 2000):
                self.put(connection, [FullTextRow(*row) for row in documents[start : start + 2000]], time.time())

    def put(self, connection: Connection, rows: list[FullTextRow], now: float) -> None:
        launches = {
            app_id: (score, at)
            for app_id, score, at in connection.execute(
                sa.text("SELECT app_id, score, at FROM search_launches WHERE app_id = ANY(:ids)"), {"ids": [row.app_id for row in rows]}
            )
        }
        values = []
        for row in rows:
            score, at = launches.get(row.app_id, (None, None))
            values.append({
                "id": row.app_id,
                "rank_key": _rowid(row.app_id, static_tier(score, at, row.released_at, now)),
                "category": row.category, "released_at": row.released_at, "launch_score": score, "launched_at": at,
                "vector": _tsvector(row.names, row.keywords, row.descriptions),
            })  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO search_fts (app_id, rank_key, category, released_at, launch_score, launched_at, vector) "
                "VALUES (:id, :rank_key, :category, :released_at, :launch_score, :launched_at, CAST(:vector AS tsvector)) "
                "ON CONFLICT (app_id) DO UPDATE SET rank_key = excluded.rank_key, category = excluded.category, "
                "released_at = excluded.released_at, launch_score = excluded.launch_score, "
                "launched_at = excluded.launched_at, vector = excluded.vector"
            ),
            values,
        )

    def remove(self, connection: Connection, app_id: str) -> None:
        connection.execute(sa.text("DELETE FROM search_fts WHERE app_id = :id"), {"id": app_id})

    def launched(self, connection: Connection, app_id: str, score: float, at: float) -> None:
        found = connection.execute(sa.text("SELECT released_at FROM search_fts WHERE app_id = :id"), {"id": app_id}).first()
        if found is None:
            return  # not live: its count waits in search_launches for a release
        connection.execute(
            sa.text("UPDATE search_fts SET rank_key = :rank_key, launch_score = :score, launched_at = :at WHERE app_id = :id"),
            {"rank_key": _rowid(app_id, static_tier(score, at, found.released_at, at)), "score": score, "at": at, "id": app_id},
        )

    def add_terms(self, connection: Connection, terms: list[str]) -> None:
        keys = [{"key": key, "term": term} for term in terms for key in near_keys(term)]
        if keys:
            connection.execute(sa.text("INSERT INTO search_near_keys (key, term) VALUES (:key, :term) ON CONFLICT DO NOTHING"), keys)

    def optimize(self, connection: Connection) -> None:
        # A bulk load leaves new entries in each GIN index's pending list, which
        # every search then scans in full until autovacuum merges it: merge it now
        # (what VACUUM would do, but allowed inside a transaction).
        for number in range(len(POSTGRES_BANDS) - 1):
            connection.exec_driver_sql(f"SELECT gin_clean_pending_list('search_fts_band_{number}'::regclass)")

    def ranked(
        self,
        connection: Connection,
        words: list[list[Alternative]],
        *,
        every_word: bool,
        category: str | None,
        only: set[str] | None,
        now: float,
        limit: int | None,
    ) -> list[RankedHit]:
        query = (" & " if every_word else " | ").join(
            "(" + " | ".join(_ts_phrase(terms, prefix) for terms, prefix in alternatives) + ")" for alternatives in words
        )
        # ts_rank weights are {D, C, B, A}; the GIN index finds the matches and
        # every one is scored (PostgreSQL does that in its own process).
        weights = f"{{{DESCRIPTION_WEIGHT / 10}, 0, {KEYWORD_WEIGHT / 10}, {NAME_WEIGHT / 10}}}"
        if only is None:
            # Band by band, each scoring its first matches and handing over its best
            # `limit`: the best of those are the best of the first 500 matches in all.
            parameters: dict[str, object] = {"weights": weights, "query": query, "now": now, "category": category, "limit": limit}
            found: list[tuple[float, str, RankedHit]] = []
            scored = 0
            for band in _POSTGRES_BANDS_IN_CATEGORY if category else _POSTGRES_BANDS:
                parameters["scored"] = POSTGRES_SCORED - scored
                rows = connection.execute(band, parameters).all()
                found += [(-row[-2], row[0], RankedHit(*row[:-2])) for row in rows]
                scored += rows[0][-1] if rows else 0
                if scored >= POSTGRES_SCORED:
                    break
            found.sort(key=lambda item: item[:2])
            return [hit for _, _, hit in found[:limit]]
        relevance = "CAST(ts_rank(CAST(:weights AS float4[]), f.vector, q) AS float8) * 100"
        score = sql_score("postgresql", relevance, "l.score", "l.at", "d.released_at", "CAST(:now AS float8)")
        sql = (
            "SELECT f.app_id, d.version, d.category, d.display, d.names, d.keywords, d.descriptions, "
            f"d.released_at, l.score, l.at, {score} AS candidate_score "
            "FROM search_fts AS f JOIN search_documents AS d ON d.app_id = f.app_id "
            "LEFT JOIN search_launches AS l ON l.app_id = f.app_id, CAST(:query AS tsquery) AS q WHERE f.vector @@ q"
        )
        parameters: dict[str, object] = {"weights": weights, "query": query, "now": now}
        if category:
            sql += " AND d.category = :category"
            parameters["category"] = category
        if only is not None:
            sql += " AND f.app_id = ANY(:only)"
            parameters["only"] = sorted(only)
        sql += " ORDER BY candidate_score DESC, f.app_id"
        if limit is not None:
            sql += " LIMIT :limit"
            parameters["limit"] = limit
        return [RankedHit(*row[:-1]) for row in connection.execute(sa.text(sql), parameters)]

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        # The deletion keys, as on SQLite: pg_trgm's similarity over the vocabulary
        # took ~30 ms a typo at 100,000 programs, and missed near words with few
        # trigrams in common; the keys find every one within the budget.
        rows = connection.execute(_POSTGRES_NEAR, {"keys": sorted(deletions(word, budget))})
        return [term for (term,) in rows if abs(len(term) - len(word)) <= budget]


def _band(low: int, high: int) -> str:
    """The rank keys of tiers `low` to `high` - 1, as constants (a partial index's predicate must be)."""
    return f"rank_key >= {low << _TIER_SHIFT} AND rank_key < {high << _TIER_SHIFT}" if high < 64 else f"rank_key >= {low << _TIER_SHIFT}"


def _postgres_band(low: int, high: int, category: bool) -> sa.TextClause:
    """One band's first `:scored` matches in rank-key order (the category's, with one), scored
    with the whole formula; its best `:limit` with their documents, their score, and how many were scored."""
    in_category = " AND f.category = :category" if category else ""
    relevance = "CAST(ts_rank(CAST(:weights AS float4[]), best.vector, q.q) AS float8) * 100"
    score = sql_score("postgresql", relevance, "best.launch_score", "best.launched_at", "best.released_at", "CAST(:now AS float8)")
    return sa.text(
        "WITH q AS MATERIALIZED (SELECT CAST(:query AS tsquery) AS q), "
        "best AS MATERIALIZED (SELECT f.app_id, f.released_at, f.launch_score, f.launched_at, f.vector FROM search_fts AS f, q "
        f"WHERE f.vector @@ q.q AND {_band(low, high)}{in_category} ORDER BY f.rank_key LIMIT :scored), "
        "top AS MATERIALIZED (SELECT best.app_id, best.released_at, best.launch_score, best.launched_at, "
        f"{score} AS score FROM best, q ORDER BY score DESC, best.app_id LIMIT :limit) "
        "SELECT top.app_id, d.version, d.category, d.display, d.names, d.keywords, d.descriptions, "
        "top.released_at, top.launch_score, top.launched_at, top.score, (SELECT count(*) FROM best) "
        "FROM top JOIN search_documents AS d ON d.app_id = top.app_id"
    )


_POSTGRES_BANDS = [_postgres_band(low, high, False) for low, high in zip(POSTGRES_BANDS, POSTGRES_BANDS[1:])]
_POSTGRES_BANDS_IN_CATEGORY = [_postgres_band(low, high, True) for low, high in zip(POSTGRES_BANDS, POSTGRES_BANDS[1:])]
_POSTGRES_NEAR = sa.text("SELECT DISTINCT term FROM search_near_keys WHERE key = ANY(:keys)")


def _tsvector(names: str, keywords: str, descriptions: str) -> str:
    lexemes, position = [], 1
    for text, weight in ((names, "A"), (keywords, "B"), (descriptions, "D")):
        for term in text.split():
            lexemes.append(f"'{term}':{position}{weight}")
            position = min(position + 1, 16383)
        position = min(position + 100, 16383)  # fields never form one phrase
    return " ".join(lexemes)


def _ts_phrase(terms: tuple[str, ...], prefix: bool) -> str:
    phrase = " <-> ".join(f"'{term}'" for term in terms)
    return phrase + ":*" if prefix and len(terms) == 1 else phrase


def full_text_for(dialect: str) -> FullText:
    return PostgresFullText() if dialect == "postgresql" else SqliteFullText()
