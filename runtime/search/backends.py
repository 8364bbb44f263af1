"""The full-text part of search, per database: SQLite FTS5 and PostgreSQL tsvector.

Both receive already-normalized terms (see text.py), so "koffie", "Koffie"
and "kóffie" mean the same on both, and Chinese needs no database support.
"""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# How much a match in each field counts: a name beats a keyword beats a description.
NAME_WEIGHT, KEYWORD_WEIGHT, DESCRIPTION_WEIGHT = 10.0, 5.0, 1.0

#: One query word: alternatives (OR), each a phrase of terms; `prefix` marks the typed word.
Alternative = tuple[tuple[str, ...], bool]


class FullText(Protocol):
    def ensure(self, connection: Connection) -> None: ...
    def put(self, connection: Connection, app_id: str, names: str, keywords: str, descriptions: str) -> None: ...
    def remove(self, connection: Connection, app_id: str) -> None: ...
    def match(self, connection: Connection, words: list[list[Alternative]], limit: int) -> list[tuple[str, float]]:
        """(app_id, relevance >= 0) of documents matching every word."""
        ...

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        """Vocabulary terms that may be within `budget` edits of `word` (checked after)."""
        ...


class SqliteFullText:
    """FTS5 with the unicode61 tokenizer over pre-normalized terms."""

    def ensure(self, connection: Connection) -> None:
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
            "app_id UNINDEXED, names, keywords, descriptions, tokenize='unicode61 remove_diacritics 2')"
        )

    def put(self, connection: Connection, app_id: str, names: str, keywords: str, descriptions: str) -> None:
        self.remove(connection, app_id)
        connection.exec_driver_sql(
            "INSERT INTO search_fts (app_id, names, keywords, descriptions) VALUES (?, ?, ?, ?)",
            (app_id, names, keywords, descriptions),
        )

    def remove(self, connection: Connection, app_id: str) -> None:
        connection.exec_driver_sql("DELETE FROM search_fts WHERE app_id = ?", (app_id,))

    def match(self, connection: Connection, words: list[list[Alternative]], limit: int) -> list[tuple[str, float]]:
        expression = " AND ".join(
            "(" + " OR ".join(_fts_phrase(terms, prefix) for terms, prefix in alternatives) + ")"
            for alternatives in words
        )
        rows = connection.exec_driver_sql(
            "SELECT app_id, bm25(search_fts, 0, ?, ?, ?) AS rank FROM search_fts "
            "WHERE search_fts MATCH ? ORDER BY rank LIMIT ?",
            (NAME_WEIGHT, KEYWORD_WEIGHT, DESCRIPTION_WEIGHT, expression, limit),
        ).all()
        # bm25 is negative, more negative is better.
        return [(app_id, -rank) for app_id, rank in rows]

    def near_terms(self, connection: Connection, word: str, budget: int) -> list[str]:
        rows = connection.execute(
            sa.text("SELECT term FROM search_vocabulary WHERE length BETWEEN :low AND :high"),
            {"low": len(word) - budget, "high": len(word) + budget},
        )
        return [term for (term,) in rows]


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

    def put(self, connection: Connection, app_id: str, names: str, keywords: str, descriptions: str) -> None:
        lexemes, position = [], 1
        for text, weight in ((names, "A"), (keywords, "B"), (descriptions, "D")):
            for term in text.split():
                lexemes.append(f"'{term}':{position}{weight}")
                position = min(position + 1, 16383)
            position = min(position + 100, 16383)  # fields never form one phrase
        connection.execute(
            sa.text(
                "INSERT INTO search_fts (app_id, vector) VALUES (:id, CAST(:vector AS tsvector)) "
                "ON CONFLICT (app_id) DO UPDATE SET vector = excluded.vector"
            ),
            {"id": app_id, "vector": " ".join(lexemes)},
        )

    def remove(self, connection: Connection, app_id: str) -> None:
        connection.execute(sa.text("DELETE FROM search_fts WHERE app_id = :id"), {"id": app_id})

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


def _ts_phrase(terms: tuple[str, ...], prefix: bool) -> str:
    phrase = " <-> ".join(f"'{term}'" for term in terms)
    return phrase + ":*" if prefix and len(terms) == 1 else phrase


def full_text_for(dialect: str) -> FullText:
    return PostgresFullText() if dialect == "postgresql" else SqliteFullText()
