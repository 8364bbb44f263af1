"""The full-text part of search, per database: SQLite FTS5 and PostgreSQL tsvector.

Both receive already-normalized terms (see text.py), so "koffie", "Koffie"
and "kóffie" mean the same on both, and Chinese needs no database support.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .text import deletions, near_keys

# How much a match in each field counts: a name beats a keyword beats a description.
NAME_WEIGHT, KEYWORD_WEIGHT, DESCRIPTION_WEIGHT = 10.0, 5.0, 1.0

#: One query word: alternatives (OR), each a phrase of terms; `prefix` marks the typed word.
Alternative = tuple[tuple[str, ...], bool]
#: What the full-text part stores of a document: app id, then the terms of names, keywords, descriptions.
FullTextRow = tuple[str, str, str, str]


class FullText(Protocol):
    def ensure(self, connection: Connection) -> None: ...
    def put(self, connection: Connection, rows: list[FullTextRow]) -> None:
        """Index (or re-index) documents; each app id appears once in `rows`."""
        ...

    def remove(self, connection: Connection, app_id: str) -> None: ...
    def add_terms(self, connection: Connection, terms: list[str]) -> None:
        """Terms new to the vocabulary (already written to it), for near_terms."""
        ...

    def match(self, connection: Connection, words: list[list[Alternative]], limit: int) -> list[tuple[str, float]]:
        """(app_id, relevance >= 0) of documents matching every word."""
        ...

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        """Vocabulary terms that may be within `budget` edits of `word` (checked after)."""
        ...


class SqliteFullText:
    """FTS5 with the unicode61 tokenizer over pre-normalized terms.

    A row's rowid is a hash of its app id: FTS5 cannot index the app id column
    for equality, so finding a row by it would scan the whole table (tens of
    milliseconds per re-index at 100,000 programs); by rowid it is a lookup.

    Near terms come from `search_near_keys` (see text.near_keys): a few dozen
    key lookups per typo-tolerant word instead of an edit distance against
    every vocabulary term of a similar length (~200 ms at 100,000 programs).
    """

    def ensure(self, connection: Connection) -> None:
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
            "app_id UNINDEXED, names, keywords, descriptions, tokenize='unicode61 remove_diacritics 2')"
        )
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_near_keys (key TEXT NOT NULL, term TEXT NOT NULL, "
            "PRIMARY KEY (key, term)) WITHOUT ROWID"
        )
        first = connection.exec_driver_sql("SELECT rowid, app_id FROM search_fts LIMIT 1").first()
        if first is not None and first[0] != _rowid(first[1]):
            self._rebuild(connection)
        if connection.exec_driver_sql(
            "SELECT NOT EXISTS (SELECT 1 FROM search_near_keys) AND EXISTS (SELECT 1 FROM search_vocabulary)"
        ).scalar():
            # A vocabulary written before near keys existed.
            self.add_terms(connection, [term for (term,) in connection.exec_driver_sql("SELECT term FROM search_vocabulary")])

    def _rebuild(self, connection: Connection) -> None:
        # A table written before rowids were hashes: the documents table keeps
        # every document's terms, so the full-text rows are rebuilt from it.
        connection.exec_driver_sql("DELETE FROM search_fts")
        documents = connection.exec_driver_sql("SELECT app_id, names, keywords, descriptions FROM search_documents").all()
        if documents:
            self._insert(connection, [tuple(row) for row in documents])

    def put(self, connection: Connection, rows: list[FullTextRow]) -> None:
        # The app id check keeps a (vanishingly unlikely) hash collision from
        # deleting another program's row; the insert would then fail loudly.
        connection.exec_driver_sql(
            "DELETE FROM search_fts WHERE rowid = ? AND app_id = ?", [(_rowid(row[0]), row[0]) for row in rows]
        )
        self._insert(connection, rows)

    def _insert(self, connection: Connection, rows: list[FullTextRow]) -> None:
        connection.exec_driver_sql(
            "INSERT INTO search_fts (rowid, app_id, names, keywords, descriptions) VALUES (?, ?, ?, ?, ?)",
            [(_rowid(row[0]), *row) for row in rows],
        )

    def remove(self, connection: Connection, app_id: str) -> None:
        connection.exec_driver_sql("DELETE FROM search_fts WHERE rowid = ? AND app_id = ?", (_rowid(app_id), app_id))

    def add_terms(self, connection: Connection, terms: list[str]) -> None:
        keys = [(key, term) for term in terms for key in near_keys(term)]
        if keys:
            connection.exec_driver_sql("INSERT OR IGNORE INTO search_near_keys (key, term) VALUES (?, ?)", keys)

    def match(self, connection: Connection, words: list[list[Alternative]], limit: int) -> list[tuple[str, float]]:
        expression = " AND ".join(
            "(" + " OR ".join(_fts_phrase(terms, prefix) for terms, prefix in alternatives) + ")"
            for alternatives in words
        )
        # Rank rowids, then read the app ids of the best `limit` only: reading
        # the app id of every match costs as much as ranking it (~2 us a row).
        rows = connection.exec_driver_sql(
            "SELECT f.app_id, best.rank FROM (SELECT rowid AS id, bm25(search_fts, 0, ?, ?, ?) AS rank FROM search_fts "
            "WHERE search_fts MATCH ? ORDER BY rank LIMIT ?) AS best JOIN search_fts AS f ON f.rowid = best.id ORDER BY best.rank",
            (NAME_WEIGHT, KEYWORD_WEIGHT, DESCRIPTION_WEIGHT, expression, limit),
        ).all()
        # bm25 is negative, more negative is better.
        return [(app_id, -rank) for app_id, rank in rows]

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        keys = sorted(deletions(word, budget))
        rows = connection.exec_driver_sql(
            f"SELECT DISTINCT term FROM search_near_keys WHERE key IN ({', '.join('?' * len(keys))})", tuple(keys)
        )
        return [term for (term,) in rows if abs(len(term) - len(word)) <= budget]


def _rowid(app_id: str) -> int:
    """A stable positive 63-bit rowid for `app_id`."""
    return int.from_bytes(hashlib.sha256(app_id.encode()).digest()[:8], "big") >> 1


def _fts_phrase(terms: tuple[str, ...], prefix: bool) -> str:
    # Terms are \w+ only (text.terms), so quoting them is enough.
    phrase = '"' + " ".join(terms) + '"'
    return phrase + "*" if prefix else phrase


class PostgresFullText:
    """A weighted tsvector built from quoted lexemes, and pg_trgm for near words.

    The vector is written as a tsvector literal instead of `to_tsvector`: the
    database's text-search parser depends on its locale and would drop or split
    Chinese; our own terms are the same on every server.
    """

    #: The schema pg_trgm lives in: an extension exists once per database, maybe
    #: outside the search_path of this connection (e.g. a schema per tenant).
    trgm_schema = "public"

    def ensure(self, connection: Connection) -> None:
        schema = connection.exec_driver_sql(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
        ).scalar()
        if schema is None:
            connection.exec_driver_sql("CREATE EXTENSION pg_trgm")
            schema = connection.exec_driver_sql(
                "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
            ).scalar()
        self.trgm_schema = schema
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_fts (app_id varchar(255) PRIMARY KEY, vector tsvector NOT NULL)"
        )
        connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS search_fts_vector ON search_fts USING gin (vector)")
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS search_vocabulary_trgm ON search_vocabulary USING gin (term {self.trgm_schema}.gin_trgm_ops)"
        )

    def put(self, connection: Connection, rows: list[FullTextRow]) -> None:
        connection.execute(
            sa.text(
                "INSERT INTO search_fts (app_id, vector) VALUES (:id, CAST(:vector AS tsvector)) "
                "ON CONFLICT (app_id) DO UPDATE SET vector = excluded.vector"
            ),
            [{"id": app_id, "vector": _tsvector(names, keywords, descriptions)} for app_id, names, keywords, descriptions in rows],
        )

    def remove(self, connection: Connection, app_id: str) -> None:
        connection.execute(sa.text("DELETE FROM search_fts WHERE app_id = :id"), {"id": app_id})

    def add_terms(self, connection: Connection, terms: list[str]) -> None:
        pass  # the pg_trgm index on the vocabulary follows it by itself

    def match(self, connection: Connection, words: list[list[Alternative]], limit: int) -> list[tuple[str, float]]:
        query = " & ".join(
            "(" + " | ".join(_ts_phrase(terms, prefix) for terms, prefix in alternatives) + ")" for alternatives in words
        )
        # ts_rank weights are {D, C, B, A}.
        weights = f"{{{DESCRIPTION_WEIGHT / 10}, 0, {KEYWORD_WEIGHT / 10}, {NAME_WEIGHT / 10}}}"
        rows = connection.execute(
            sa.text(
                "SELECT app_id, ts_rank(CAST(:weights AS float4[]), vector, q) AS rank "
                "FROM search_fts, CAST(:query AS tsquery) AS q WHERE vector @@ q ORDER BY rank DESC LIMIT :limit"
            ),
            {"weights": weights, "query": query, "limit": limit},
        ).all()
        return [(app_id, float(rank) * 100) for app_id, rank in rows]

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        rows = connection.execute(
            sa.text(
                "SELECT term FROM search_vocabulary WHERE length BETWEEN :low AND :high "
                f"AND {self.trgm_schema}.similarity(term, :word) > 0.2"
            ),
            {"low": len(word) - budget, "high": len(word) + budget, "word": word},
        )
        return [term for (term,) in rows]


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
