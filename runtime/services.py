"""What the host lends its capabilities: the database, its own keys, user identities.

A capability's host side is built from `HostServices` (see
`capabilities.default_capabilities`), so every capability reaches shared state
the same way and a host application can swap any part (its own database URL,
its own key) in one place. Each part is made on first use: a host that only
runs programs without payments or storage never opens the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .database import DEFAULT_FILE, Database
from .database.secrets import shared_random, shared_signing_key
from .home import Home

if TYPE_CHECKING:
    from .blobs import BlobStore
    from .capabilities.messages.keys import ServerKeys
    from .capabilities.messages.provider import MessagesProvider
    from .consent import AuditTrail, ConsentGate, ConsentStore

#: The receipt key's name among the platform secrets (and its file name in `CAPSULE_HOME/keys/` before them).
HOST_KEY_NAME = "host"
#: The file an older host kept the secret behind pseudonymous user ids in (now a platform secret).
USER_ID_SECRET_FILE = "user-id.secret"

_metadata = sa.MetaData()
#: Two threads asking for the default messages store at once get the same one.
_MESSAGES_LOCK = threading.Lock()

#: Which real user a program-scoped id stands for. Ids are computed, never
#: guessed; this table exists so a capability can resolve one it was handed
#: (a transfer "to" a user the program knows only by its id).
program_users = sa.Table(
    "program_users",
    _metadata,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("program_user_id", sa.String(64), primary_key=True),
    sa.Column("user", sa.String(200), nullable=False),
)


@dataclass
class Identities:
    """Pseudonymous user ids: a keyed hash of (scope, user) under the host's secret.

    The scope is a program id, or a developer's link group when the developer
    has linked programs. The same person gets a stable id within one scope and
    unrelated ids across scopes; without the secret, ids cannot be joined.
    """

    secret: bytes
    database: Database | None = None
    _known: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def user_id(self, scope: str, user: str) -> str:
        digest = hmac.new(self.secret, f"capsule/user-id/v1\0{scope}\0{user}".encode(), hashlib.sha256).digest()
        program_user_id = "u_" + digest[:16].hex()
        if self.database is not None and (scope, user) not in self._known:
            self._remember(scope, program_user_id, user)
            self._known.add((scope, user))
        return program_user_id

    def user_for(self, scope: str, program_user_id: str) -> str | None:
        """The real user behind an id issued in `scope`, or None if none was issued."""
        if self.database is None:
            return None
        with self.database.read() as db:
            return db.execute(
                sa.select(program_users.c.user).where(
                    program_users.c.scope == scope, program_users.c.program_user_id == program_user_id
                )
            ).scalar_one_or_none()

    def _remember(self, scope: str, program_user_id: str, user: str) -> None:
        assert self.database is not None
        with self.database.transaction() as db:
            exists = db.execute(
                sa.select(program_users.c.user).where(
                    program_users.c.scope == scope, program_users.c.program_user_id == program_user_id
                )
            ).first()
            if exists is None:
                db.execute(program_users.insert().values(scope=scope, program_user_id=program_user_id, user=user))


class HostServices:
    """The shared parts behind every capability; made lazily, once per host."""

    def __init__(
        self,
        home: Home,
        *,
        database_url: str | None = None,
        audit_retention_days: float | None = None,
        grant_ttl_seconds: float | None = None,
        messages: "MessagesProvider | None" = None,
        blob_stores: "Callable[[str], BlobStore] | None" = None,
    ) -> None:
        """`messages`: a host application's own messages backend (default: `MessageStore` in the database)."""
        self.home = home
        self.database_url = database_url
        #: The host application's blob stores by namespace (an S3-compatible store, say); see `blob_store`.
        self.blob_stores = blob_stores
        self.audit_retention_days = audit_retention_days
        self.grant_ttl_seconds = grant_ttl_seconds
        self._messages = messages

    @property
    def resolved_url(self) -> str:
        """The database URL this host uses, known without opening it ("" for the default SQLite file)."""
        return self.database_url or os.environ.get("CAPSULE_DATABASE_URL") or ""

    @property
    def shared_database(self) -> bool:
        """True on PostgreSQL: other hosts may share the database, so nothing shared stays on this disk."""
        return self.resolved_url.startswith("postgresql")

    def blob_store(self, namespace: str) -> "BlobStore | None":
        """Where blobs of `namespace` ("media", "packages") go: the host application's store,
        else the operator's (`CAPSULE_BLOBS`), else the database on PostgreSQL (every host
        reaches it), else None (this disk). See `blobs.default_blob_store`."""
        if self.blob_stores is not None:
            return self.blob_stores(namespace)
        from .blobs import default_blob_store

        # The dialect is known from the URL, so the database opens on first use, not here.
        return default_blob_store(lambda: self.database, "postgresql" if self.shared_database else "sqlite", namespace)

    @cached_property
    def database(self) -> Database:
        database = Database.open(self.database_url, home=self.home)
        database.ensure(_metadata)
        return database

    @cached_property
    def host_key(self) -> Ed25519PrivateKey:
        """The platform's Ed25519 receipt key (made on first use, shared by every host on the
        database, so a receipt verifies whichever host signed it)."""
        return shared_signing_key(self.database, HOST_KEY_NAME, legacy=self.home.keys / f"{HOST_KEY_NAME}.key")

    @cached_property
    def consent_store(self) -> "ConsentStore":
        """Every user's grants: the host's privacy settings read and change it."""
        from .consent import ConsentStore

        # On SQLite (one machine) grants are cached, with a stamp file beside the
        # database as the change signal; on PostgreSQL every check reads the database.
        url = self.resolved_url or "sqlite:///"
        stamp = None
        if url.startswith("sqlite"):
            database_file = sa.make_url(url).database
            if not database_file or database_file == ":memory:":
                database_file = str(self.home.data / DEFAULT_FILE)
            stamp = Path(database_file + ".consent-stamp")
        return ConsentStore(lambda: self.database, stamp=stamp)

    @cached_property
    def consent(self) -> "ConsentGate":
        """What capabilities call before they touch user data."""
        from .consent import ConsentGate

        return ConsentGate(self.consent_store, grant_ttl_seconds=self.grant_ttl_seconds)

    @cached_property
    def audit(self) -> "AuditTrail":
        """The audit trail; it opens the database only when the first entry is written."""
        from .consent import AuditTrail
        from .consent.audit import DEFAULT_RETENTION_DAYS

        days = self.audit_retention_days
        if days is None:
            days = float(os.environ.get("CAPSULE_AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
        return AuditTrail(lambda: self.database, retention_days=days)

    @property
    def messages(self) -> "MessagesProvider":
        """Inboxes, subscriptions, follows, chats and contacts: the host's provider, else the
        embedded `MessageStore` (it opens the database on first use)."""
        if self._messages is None:
            from .capabilities.messages.store import MessageStore

            with _MESSAGES_LOCK:
                if self._messages is None:
                    self._messages = MessageStore(lambda: self.database)
        return self._messages

    @cached_property
    def server_keys(self) -> "ServerKeys":
        """Merchant server keys of the messages API."""
        from .capabilities.messages.keys import ServerKeys

        return ServerKeys(lambda: self.database)

    @cached_property
    def identities(self) -> Identities:
        return Identities(self._user_id_secret(), self.database)

    @cached_property
    def secret(self) -> bytes:
        """The host secret behind pseudonymous ids and fuzzy-location grids (keyed hashes)."""
        return self._user_id_secret()

    def _user_id_secret(self) -> bytes:
        # Shared by every host on the database: a user's program-scoped id (and
        # so their storage and payments) must not depend on the host serving them.
        return shared_random(self.database, "user-id", legacy=self.home.keys / USER_ID_SECRET_FILE)

    def close(self) -> None:
        if "audit" in self.__dict__:
            self.audit.close()  # before the database: it writes what is buffered
        if "database" in self.__dict__:
            self.database.close()
