"""The consent and audit tables, on their own metadata (see `Database.ensure`)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: One row per (user, program, scope) the user has decided on; no row means "not asked".
grants = sa.Table(
    "consent_grants",
    metadata,
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("scope", sa.String(100), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),  # granted, denied, revoked
    sa.Column("decided_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=True),  # None: until changed
)

#: Every capability call, newest last; pruned after the retention period.
audit = sa.Table(
    "audit_trail",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("app_id", sa.String(200), nullable=False),
    sa.Column("app_version", sa.String(64), nullable=False),
    sa.Column("session_id", sa.String(32), nullable=False),
    sa.Column("capability", sa.String(32), nullable=False),
    sa.Column("function", sa.String(64), nullable=False),
    sa.Column("scope", sa.String(100), nullable=True),
    sa.Column("decision", sa.String(32), nullable=False),
    sa.Column("bytes_out", sa.Integer, nullable=False),
    sa.Index("audit_by_user", "user", "app_id", "at"),
)
