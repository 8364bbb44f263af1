"""The search tables both backends share (the full-text part is per backend)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

#: One row per live program: what results show and what ranking reads.
documents = sa.Table(
    "search_documents",
    metadata,
    sa.Column("app_id", sa.String(255), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("released_at", sa.Float, nullable=False),
    sa.Column("display", sa.JSON, nullable=False),
    # The document's terms per field: names and keywords one phrase a line
    # (text.phrase), descriptions space separated (see text.terms).
    sa.Column("names", sa.Text, nullable=False),
    sa.Column("keywords", sa.Text, nullable=False),
    sa.Column("descriptions", sa.Text, nullable=False),
)

#: Every term any live document uses: where typo tolerance looks for near words.
vocabulary = sa.Table(
    "search_vocabulary",
    metadata,
    sa.Column("term", sa.String(255), primary_key=True),
    sa.Column("length", sa.Integer, nullable=False, index=True),
)

#: Where programs serve people in person (manifest `places`), for "nearby".
places = sa.Table(
    "search_places",
    metadata,
    sa.Column("app_id", sa.String(255), nullable=False, index=True),
    sa.Column("lat", sa.Float, nullable=False, index=True),
    sa.Column("lon", sa.Float, nullable=False),
)

#: Launch counts with exponential decay: a count and when it was last decayed.
#: Counts only: no user id is ever stored here.
launches = sa.Table(
    "search_launches",
    metadata,
    sa.Column("app_id", sa.String(255), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

#: Longer names and keywords are cut (a name is at most 40 characters, a keyword 32).
MAX_PHRASE = 255

#: Every name and counted keyword as a whole phrase (text.phrase): where an
#: exact match of the whole query, or a name starting with it, is looked up
#: without reading the full-text index. Compared byte by byte on both
#: databases ("C" collation on PostgreSQL), so a name-start is a range scan.
phrases = sa.Table(
    "search_phrases",
    metadata,
    sa.Column("phrase", sa.String(MAX_PHRASE).with_variant(postgresql.VARCHAR(MAX_PHRASE, collation="C"), "postgresql"), primary_key=True),
    sa.Column("field", sa.String(8), primary_key=True),  # name or keyword
    sa.Column("app_id", sa.String(255), primary_key=True),
    sa.Index("search_phrases_app_id", "app_id"),
)
