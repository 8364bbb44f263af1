"""The registry's tables, on the shared `Database` (SQLite or PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

accounts = sa.Table(
    "registry_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("roles", sa.String(64), nullable=False),  # space separated
    # SHA-256 of the token: tokens are 256 random bits, so no slow hash is needed,
    # and a leaked table gives no usable token.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
)

keys = sa.Table(
    "registry_keys",
    metadata,
    sa.Column("key_id", sa.String(80), primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("registry_accounts.id"), nullable=False),
    sa.Column("public_key", sa.String(64), nullable=False),
)

#: Challenges handed out for proof of possession of a key; each answered once.
key_challenges = sa.Table(
    "registry_key_challenges",
    metadata,
    sa.Column("challenge", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("registry_accounts.id"), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)

#: The first publisher of an app id owns it.
apps = sa.Table(
    "registry_apps",
    metadata,
    sa.Column("app_id", sa.String(255), primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("registry_accounts.id"), nullable=False),
)

#: One row per uploaded version; a review is a version with its status.
versions = sa.Table(
    "registry_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.String(255), sa.ForeignKey("registry_apps.app_id"), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("digest", sa.String(80), nullable=False),
    sa.Column("key_id", sa.String(80), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    # auditing -> pending -> approved | rejected; approved -> rolled-back | yanked
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("manifest", sa.JSON, nullable=False),
    sa.Column("audit", sa.JSON, nullable=True),
    sa.Column("uploaded_at", sa.Float, nullable=False),
    sa.Column("reviewed_at", sa.Float, nullable=True),
    sa.UniqueConstraint("app_id", "version", name="registry_versions_app_version"),
)

#: What is live per app: `version` for `percent` of users, `previous` for the rest.
releases = sa.Table(
    "registry_releases",
    metadata,
    sa.Column("app_id", sa.String(255), sa.ForeignKey("registry_apps.app_id"), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("percent", sa.Integer, nullable=False),
    sa.Column("previous", sa.String(64), nullable=True),
    sa.Column("released_at", sa.Float, nullable=False),
)

#: The registry's countersignature of an approved version, with its issue time
#: (a table of its own, so registries made before issue times were signed keep opening).
countersignatures = sa.Table(
    "registry_countersignatures",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("registry_versions.id"), primary_key=True),
    sa.Column("issued_at", sa.BigInteger, nullable=False),
    sa.Column("signature", sa.String(128), nullable=False),
)

#: Launches counted for ranking: at most one per (host, user pseudonym, app, UTC day).
#: Only the last two days are kept; older rows cannot collide with a new count.
launch_counts = sa.Table(
    "registry_launch_counts",
    metadata,
    sa.Column("host_id", sa.Integer, sa.ForeignKey("registry_accounts.id"), primary_key=True),
    sa.Column("app_id", sa.String(255), primary_key=True),
    sa.Column("user", sa.String(128), primary_key=True),
    sa.Column("day", sa.Integer, primary_key=True, index=True),
)

#: Merchant server keys of an app (its owner makes them; hosts check them by
#: the key's signed record, see merchant_keys.py). Only a hash of the secret is kept.
merchant_keys = sa.Table(
    "registry_merchant_keys",
    metadata,
    sa.Column("key_id", sa.String(40), primary_key=True),
    sa.Column("app_id", sa.String(255), sa.ForeignKey("registry_apps.app_id"), nullable=False, index=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("label", sa.String(80), nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("registry_accounts.id"), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float, nullable=True),
)
