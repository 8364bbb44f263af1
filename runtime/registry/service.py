"""The registry's operations, independent of HTTP: every one takes the acting
account (or none, for public reads) and checks its authorization first."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..audit import audit_package
from ..database import Database
from ..engine.engine import Engine
from ..errors import DocumentError, PackageError
from ..events import STAMP_MARGIN
from ..home import Home
from ..manifest import Manifest, load_manifest
from ..package import PackageLimits, open_package
from ..search import SearchIndex, document_from_manifest
from . import accounts, merchant_keys, reports, tables
from ..blobs import BlobStore, default_blob_store
from .blobs import DiskPackages, SharedPackages
from .countersign import RegistryKey
from .errors import RegistryError, conflict, forbidden, invalid, not_found
from .launches import check_pseudonym, utc_day
from .review import audit_changes, source_changes
from .rollout import gets_new_version
from .status import signed_status

#: The topic registry processes tell each other of release changes on (see runtime.events).
PEER_TOPIC = "registry"
#: Hosts sharing the database hear a merchant key's id here when it is revoked.
KEY_TOPIC = "registry-keys"
#: Statuses a download is allowed from: reviewed and released once, not yanked.
DOWNLOADABLE = ("approved", "rolled-back")


class Registry:
    def __init__(
        self,
        home: Home,
        database: Database,
        *,
        blobs: Path | None = None,
        blob_store: BlobStore | None = None,
        limits: PackageLimits | None = None,
        engine: Engine | None = None,
        self_review: bool = False,
    ) -> None:
        """`self_review=True` lets a reviewer approve or reject versions of apps
        their own account owns: only for a one-person development registry.

        Packages go to `blob_store` when given (a host's own store), else to the
        operator's (`CAPSULE_BLOBS`, an S3 bucket), else to the database on PostgreSQL (every registry process on it reads
        them), else to the folder `blobs` (default `CAPSULE_HOME/registry/blobs`);
        with a shared store that folder holds only uploads in progress and local copies."""
        self.home = home
        self.self_review = self_review
        self.database = database
        folder = blobs or home.root / "registry" / "blobs"
        shared = blob_store or default_blob_store(database, database.dialect, "packages")
        self.blobs: DiskPackages | SharedPackages = DiskPackages(folder) if shared is None else SharedPackages(folder, shared)
        self.limits = limits or PackageLimits()
        self.key = RegistryKey.shared(database, home)
        self.engine = engine or Engine(home.compile_cache)
        database.ensure(tables.metadata)
        self.search_index = SearchIndex(database)
        #: Called with an app id after its release changed (approve, rollout, rollback, yank),
        #: here and, through the database's peer events, on every host sharing it.
        self._change_listeners: list[Callable[[str], None]] = []
        self._key_listeners: list[Callable[[str], None]] = []
        if self.search_index.written_before_phrases:
            self._reindex_live()
        self._countersign_missing()

    # -- accounts ---------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> accounts.Account:
        with self.database.read() as connection:
            return accounts.authenticate(connection, authorization)

    def create_account(self, actor: accounts.Account | None, name: str, roles: list[str]) -> tuple[accounts.Account, str]:
        """Admins create accounts; `actor=None` is the operator on the command line."""
        if actor is not None:
            actor.require("admin")
        with self.database.transaction() as connection:
            return accounts.create_account(connection, name, roles)

    def key_challenge(self, actor: accounts.Account) -> dict[str, object]:
        """A challenge to sign with the next key `actor` registers (see `proof.py`)."""
        actor.require("developer")
        with self.database.transaction() as connection:
            return {**accounts.issue_challenge(connection, actor), "registry": self.key.key_id}

    def register_key(self, actor: accounts.Account, public_key: object, challenge: object, signature: object) -> str:
        """Register `public_key` once `signature` proves `actor` holds its private half."""
        actor.require("developer")
        with self.database.transaction() as connection:
            expires_at = accounts.take_challenge(connection, actor, challenge)
        with self.database.transaction() as connection:
            return accounts.register_key(
                connection,
                actor,
                public_key,
                registry=self.key.key_id,
                challenge=str(challenge),
                expires_at=expires_at,
                signature=signature,
            )

    # -- publish ----------------------------------------------------------------

    def publish(self, actor: accounts.Account, chunks: Iterable[bytes]) -> tuple[dict[str, Any], bool]:
        """Store an uploaded package for review; (version, created).

        The upload is spooled to a temporary file and checked completely
        before anything is recorded: a refused upload leaves nothing behind.
        """
        actor.require("developer")
        descriptor, spool = self.blobs.spool()
        try:
            with os.fdopen(descriptor, "wb") as out:
                _copy_bounded(chunks, out, self.limits.max_package_bytes)
            return self._publish_file(actor, spool)
        finally:
            spool.unlink(missing_ok=True)

    def _publish_file(self, actor: accounts.Account, spool: Path) -> tuple[dict[str, Any], bool]:
        try:
            package = open_package(spool, self.limits)
            manifest = load_manifest(package.manifest_bytes, source="manifest.json")
        except DocumentError as error:
            raise RegistryError(422, error.code, str(error)) from None
        except PackageError as error:
            raise RegistryError(400, error.code, str(error).replace(str(spool), "the upload")) from None
        app_id, version = manifest.id, str(manifest.version)
        with self.database.transaction() as connection:
            if package.key_id not in accounts.account_keys(connection, actor):
                raise forbidden(
                    f"{app_id} {version} is signed by key {package.key_id}, which is not registered to account "
                    f"{actor.name!r}; register it with `capsule registry add-key` or sign with a registered key"
                )
            self._claim(connection, actor, app_id)
            existing = connection.execute(
                sa.select(tables.versions).where(tables.versions.c.app_id == app_id, tables.versions.c.version == version)
            ).first()
            if existing is not None:
                if existing.digest == package.digest:
                    return _version(existing), False
                raise conflict(
                    f"{app_id} {version} was already published with digest {existing.digest}; versions are "
                    "immutable: raise the version in manifest.json and publish again"
                )
            self.blobs.keep(spool, package.digest)
            result = connection.execute(
                tables.versions.insert().values(
                    app_id=app_id,
                    version=version,
                    digest=package.digest,
                    key_id=package.key_id,
                    size=package.size,
                    status="auditing",
                    manifest=json.loads(package.manifest_bytes),
                    uploaded_at=time.time(),
                )
            )
            row = connection.execute(
                sa.select(tables.versions).where(tables.versions.c.id == result.inserted_primary_key[0])
            ).one()
            return _version(row), True

    def _claim(self, connection: Connection, actor: accounts.Account, app_id: str) -> None:
        owner = connection.execute(sa.select(tables.apps.c.owner_id).where(tables.apps.c.app_id == app_id)).scalar()
        if owner is None:
            connection.execute(tables.apps.insert().values(app_id=app_id, owner_id=actor.id))
        elif owner != actor.id:
            raise forbidden(f"app id {app_id} belongs to another account; publish under an app id you own")

    def audit_version(self, version_id: int) -> None:
        """Audit and precompile an upload (run in the background after publish):
        the compiled artifact lands in the compile cache, so no host compiles on a launch."""
        with self.database.read() as connection:
            row = connection.execute(sa.select(tables.versions).where(tables.versions.c.id == version_id)).first()
        if row is None or row.status != "auditing":
            return
        try:
            report = audit_package(self.blobs.path(row.digest), home=self.home, engine=self.engine, limits=self.limits)
            audit, ok = report.as_dict(), report.ok
            reason = None if ok else "the component imports capabilities its manifest does not declare: " + ", ".join(
                report.imports.undeclared + report.imports.unknown
            )
        except Exception as error:  # noqa: BLE001 - e.g. wasmtime refusing bytes that are no component
            # Whatever failed, the version must leave "auditing": a reviewer sees why.
            audit, ok, reason = None, False, f"the audit failed: {error}"
        with self.database.transaction() as connection:
            connection.execute(
                tables.versions.update()
                .where(tables.versions.c.id == version_id, tables.versions.c.status == "auditing")
                .values(status="pending" if ok else "rejected", audit=audit, reason=reason, reviewed_at=None if ok else time.time())
            )

    # -- review -----------------------------------------------------------------

    def reviews(self, actor: accounts.Account, status: str | None = "pending") -> list[dict[str, Any]]:
        actor.require("reviewer")
        query = sa.select(tables.versions).order_by(tables.versions.c.id)
        if status:
            query = query.where(tables.versions.c.status == status)
        with self.database.read() as connection:
            return [_version(row) for row in connection.execute(query)]

    def review(self, actor: accounts.Account, version_id: int) -> dict[str, Any]:
        actor.require("reviewer")
        with self.database.read() as connection:
            row = self._version_row(connection, version_id)
            previous = connection.execute(
                sa.select(tables.versions.c.audit, tables.versions.c.digest)
                .where(
                    tables.versions.c.app_id == row.app_id,
                    tables.versions.c.status.in_(DOWNLOADABLE),
                    tables.versions.c.id < row.id,
                )
                .order_by(tables.versions.c.id.desc())
                .limit(1)
            ).first()
        return {
            **_version(row),
            "audit": row.audit,
            "changes": audit_changes(previous.audit if previous else None, row.audit),
            "source_changes": self._source_changes(previous.digest if previous else None, row.digest),
        }

    def _source_changes(self, previous_digest: str | None, digest: str) -> dict[str, Any] | None:
        """What changed in a source package's files since the last downloadable version (None for components)."""
        current = open_package(self.blobs.path(digest), self.limits)
        if current.component is not None:
            return None
        def readable(package: Any) -> dict[str, bytes]:
            return {**package.files, "manifest.json": package.manifest_bytes}

        before = readable(open_package(self.blobs.path(previous_digest), self.limits)) if previous_digest else None
        return source_changes(before, readable(current))

    def approve(self, actor: accounts.Account, version_id: int, percent: int = 100) -> dict[str, Any]:
        """Approve, countersign and release a pending version to `percent`% of users."""
        actor.require("reviewer")
        percent = _check_percent(percent)
        now = time.time()
        with self.database.transaction() as connection:
            row = self._version_row(connection, version_id)
            self._require_independent(connection, actor, row, "approve")
            if row.status != "pending":
                raise conflict(f"review {version_id} is {row.status}, not pending; only pending versions can be approved")
            connection.execute(
                tables.versions.update()
                .where(tables.versions.c.id == version_id)
                .values(status="approved", reviewed_at=now, reason=None)
            )
            self._countersign(connection, row, int(now))
            release = self._release_row(connection, row.app_id)
            previous = None if release is None else (release.version if release.percent >= 100 else release.previous)
            values = {"version": row.version, "percent": percent, "previous": previous, "released_at": now}
            if release is None:
                connection.execute(tables.releases.insert().values(app_id=row.app_id, **values))
            else:
                connection.execute(tables.releases.update().where(tables.releases.c.app_id == row.app_id).values(**values))
        self._reindex(row.app_id)
        return self.release(row.app_id)

    def reject(self, actor: accounts.Account, version_id: int, reason: object) -> dict[str, Any]:
        actor.require("reviewer")
        if not isinstance(reason, str) or not reason.strip():
            raise invalid("a rejection needs a reason the developer can act on, e.g. --reason 'explain why location is needed'")
        with self.database.transaction() as connection:
            row = self._version_row(connection, version_id)
            self._require_independent(connection, actor, row, "reject")
            if row.status not in ("pending", "auditing"):
                raise conflict(f"review {version_id} is {row.status}; only pending versions can be rejected")
            connection.execute(
                tables.versions.update()
                .where(tables.versions.c.id == version_id)
                .values(status="rejected", reason=reason.strip()[:2000], reviewed_at=time.time())
            )
            row = self._version_row(connection, version_id)
        return _version(row)

    # -- release ----------------------------------------------------------------

    def set_rollout(self, actor: accounts.Account, app_id: str, percent: int) -> dict[str, Any]:
        percent = _check_percent(percent)
        with self.database.transaction() as connection:
            self._require_manager(connection, actor, app_id)
            if self._release_row(connection, app_id) is None:
                raise not_found(f"{app_id} has no released version; a reviewer approves one first")
            values: dict[str, Any] = {"percent": percent}
            if percent >= 100:
                values["previous"] = None
            connection.execute(tables.releases.update().where(tables.releases.c.app_id == app_id).values(**values))
        self._changed(app_id)
        return self.release(app_id)

    def rollback(self, actor: accounts.Account, app_id: str) -> dict[str, Any]:
        """Send everyone back to the previous approved version (or take the app offline)."""
        with self.database.transaction() as connection:
            self._require_manager(connection, actor, app_id)
            release = self._release_row(connection, app_id)
            if release is None:
                raise not_found(f"{app_id} has no released version to roll back")
            self._set_status(connection, app_id, release.version, "rolled-back")
            self._fall_back(connection, app_id)
        self._reindex(app_id)
        return self.release(app_id)

    def yank(self, actor: accounts.Account, app_id: str, version: str, reason: str | None = None) -> dict[str, Any]:
        """Withdraw a version for good: no download, no release; the release falls back if it was live."""
        with self.database.transaction() as connection:
            self._require_manager(connection, actor, app_id)
            row = connection.execute(
                sa.select(tables.versions).where(tables.versions.c.app_id == app_id, tables.versions.c.version == version)
            ).first()
            if row is None:
                raise not_found(f"{app_id} has no version {version}")
            connection.execute(
                tables.versions.update().where(tables.versions.c.id == row.id).values(status="yanked", reason=reason)
            )
            release = self._release_row(connection, app_id)
            if release is not None and release.version == version:
                self._fall_back(connection, app_id)
            elif release is not None and release.previous == version:
                connection.execute(tables.releases.update().where(tables.releases.c.app_id == app_id).values(previous=None))
        self._reindex(app_id)
        return {"id": app_id, "version": version, "status": "yanked"}

    def _fall_back(self, connection: Connection, app_id: str) -> None:
        """Release the newest still-approved version to everyone, or nothing."""
        newest = connection.execute(
            sa.select(tables.versions.c.version)
            .where(tables.versions.c.app_id == app_id, tables.versions.c.status == "approved")
            .order_by(tables.versions.c.id.desc())
            .limit(1)
        ).scalar()
        if newest is None:
            connection.execute(tables.releases.delete().where(tables.releases.c.app_id == app_id))
        else:
            connection.execute(
                tables.releases.update()
                .where(tables.releases.c.app_id == app_id)
                .values(version=newest, percent=100, previous=None, released_at=time.time())
            )

    # -- public reads -----------------------------------------------------------

    def release(self, app_id: str) -> dict[str, Any]:
        with self.database.read() as connection:
            release = self._release_row(connection, app_id)
        if release is None:
            raise not_found(f"{app_id} has no live version")
        return {"id": app_id, "version": release.version, "percent": release.percent, "previous": release.previous}

    def resolve(self, app_id: str, version: str | None = None, user: str | None = None) -> dict[str, Any]:
        """The version to download: `version` if given, else the live one for `user`."""
        with self.database.read() as connection:
            if version is None:
                release = self._release_row(connection, app_id)
                if release is None:
                    raise not_found(f"{app_id} has no live version")
                version = release.version if gets_new_version(app_id, user, release.percent) else release.previous
                if version is None:
                    raise not_found(f"{app_id} is in a phased rollout that does not include this user yet")
            row = connection.execute(
                sa.select(tables.versions, tables.countersignatures.c.issued_at, tables.countersignatures.c.signature)
                .join(tables.countersignatures, tables.countersignatures.c.version_id == tables.versions.c.id)
                .where(tables.versions.c.app_id == app_id, tables.versions.c.version == version)
            ).first()
        if row is None or row.status not in DOWNLOADABLE:
            raise not_found(f"{app_id} {version} is not available for download (never released, rejected or yanked)")
        return {
            "id": app_id,
            "version": row.version,
            "digest": row.digest,
            "size": row.size,
            "countersignature": row.signature,
            "countersigned_at": row.issued_at,
            "registry_key": self.key.public_key,
        }

    def status(self, app_id: str, version: str) -> dict[str, Any]:
        """The version's status now, signed by the registry key with the time (see `status.py`):
        what an installer checks before trusting a countersignature, however the package reached it."""
        with self.database.read() as connection:
            row = connection.execute(
                sa.select(tables.versions.c.digest, tables.versions.c.status).where(
                    tables.versions.c.app_id == app_id, tables.versions.c.version == version
                )
            ).first()
        if row is None:
            raise not_found(f"{app_id} has no version {version}")
        return signed_status(self.key, app_id, version, row.digest, row.status)

    def package_path(self, app_id: str, version: str) -> tuple[Path, dict[str, Any]]:
        info = self.resolve(app_id, version)
        return self.blobs.path(info["digest"]), info

    def download(self, app_id: str, version: str, target: Path) -> None:
        """Copy a downloadable version's package to `target` (the in-process `RegistrySource`)."""
        shutil.copyfile(self.package_path(app_id, version)[0], target)

    def compiled_path(self, app_id: str, version: str) -> tuple[Path, dict[str, Any]]:
        info = self.resolve(app_id, version)
        path = self.engine.cache.path_for(info["digest"])
        if not path.exists():
            raise not_found(
                f"no precompiled artifact of {app_id} {version} for this engine build: a source package needs none "
                "(it runs on the host's shared runtime), a component gets one after its audit; download the package"
            )
        return path, info

    def record_launch(self, actor: accounts.Account, app_id: str, user: object, now: float | None = None) -> bool:
        """Count `user` (a host's pseudonym, see `launches.py`) launching `app_id` on
        `actor`'s host; False when that was counted already today."""
        actor.require("host")
        user = check_pseudonym(user)
        now = time.time() if now is None else now
        day = utc_day(now)
        counts = tables.launch_counts
        with self.database.transaction() as connection:
            if self._release_row(connection, app_id) is None:
                raise not_found(f"{app_id} has no live version")
            connection.execute(counts.delete().where(counts.c.day < day - 1))
            seen = connection.execute(
                sa.select(counts.c.day).where(
                    counts.c.host_id == actor.id, counts.c.app_id == app_id, counts.c.user == user, counts.c.day == day
                )
            ).first()
            if seen is not None:
                return False
            try:
                with connection.begin_nested():
                    connection.execute(counts.insert().values(host_id=actor.id, app_id=app_id, user=user, day=day))
            except sa.exc.IntegrityError:
                return False  # the same launch reported twice at once: the other one counted
        self.search_index.record_launch(app_id, now=now)
        return True

    # -- reports -----------------------------------------------------------------

    def report(self, actor: accounts.Account, app_id: str, user: object, reason: object, details: object = "") -> dict[str, Any]:
        """A user's report about `app_id`, filed by their host (host role) under the user's pseudonym."""
        actor.require("host")
        user = check_pseudonym(user)
        reason, details = reports.check_reason(reason), reports.check_details(details)
        with self.database.transaction() as connection:
            release = self._release_row(connection, app_id)
            if release is None:
                raise not_found(f"{app_id} has no live version to report")
            return reports.file_report(
                connection, app_id=app_id, version=release.version, host_id=actor.id, user=user,
                reason=reason, details=details, now=time.time(),
            )

    def reports(self, actor: accounts.Account, *, status: str | None = "open", app_id: str | None = None) -> list[dict[str, Any]]:
        """Reports for reviewers, newest first (`status` None: open and closed)."""
        actor.require("reviewer")
        with self.database.read() as connection:
            return reports.listing(connection, status=status, app_id=app_id)

    def close_report(self, actor: accounts.Account, report_id: int, note: object) -> dict[str, Any]:
        actor.require("reviewer")
        with self.database.transaction() as connection:
            return reports.close(connection, report_id, note)

    # -- merchant keys -------------------------------------------------------------

    def create_merchant_key(self, actor: accounts.Account, app_id: str, label: object = "") -> dict[str, Any]:
        """A merchant server key for `app_id`, made by its owner only (not even an admin may
        send as someone else's program); the whole key is in "key", shown once."""
        with self.database.transaction() as connection:
            self._require_manager(connection, actor, app_id, "create its merchant keys", admin=False)
            return merchant_keys.create(connection, actor.id, app_id, label, time.time())

    def merchant_keys(self, actor: accounts.Account, app_id: str) -> list[dict[str, Any]]:
        with self.database.read() as connection:
            self._require_manager(connection, actor, app_id, "list its merchant keys")
            return merchant_keys.listing(connection, app_id)

    def revoke_merchant_key(self, actor: accounts.Account, app_id: str, key_id: str) -> dict[str, Any]:
        """The owner, or an admin stopping abuse, revokes a key: hosts refuse it at their next check."""
        with self.database.transaction() as connection:
            self._require_manager(connection, actor, app_id, "revoke its merchant keys")
            revoked = merchant_keys.revoke(connection, app_id, key_id, time.time())
        self._tell(self._key_listeners, KEY_TOPIC, key_id)
        return revoked

    def on_key_revoked(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call `listener(key_id)` when a merchant key is revoked, here or by another process on
        the same database (a host drops what it kept of the key: `RegistryServerKeys.forget`);
        returns the unsubscribe. After this process's events listener was disconnected, `listener`
        hears each key revoked since it last listened."""
        return self._listen(self._key_listeners, KEY_TOPIC, listener, self._revoked_keys_since)

    def merchant_key(self, key_id: str) -> dict[str, Any]:
        """The key's signed record (public: it holds a hash of the secret, never the secret)."""
        with self.database.read() as connection:
            return merchant_keys.signed_record(connection, self.key, key_id)

    def live_programs(self) -> list[dict[str, Any]]:
        """Every app with a released version, by name: what a catalog lists before anyone types."""
        query = sa.select(tables.versions.c.app_id, tables.versions.c.version, tables.versions.c.manifest).join(
            tables.releases,
            sa.and_(tables.releases.c.app_id == tables.versions.c.app_id, tables.releases.c.version == tables.versions.c.version),
        )
        with self.database.read() as connection:
            rows = connection.execute(query).all()
        found = [
            {"id": row.app_id, "version": row.version, "category": row.manifest["category"], "name": _default_name(row.manifest)}
            for row in rows
        ]
        return sorted(found, key=lambda hit: hit["name"].casefold())

    def live_manifest(self, app_id: str) -> Manifest:
        """The manifest of the version released to everyone (the one search shows)."""
        with self.database.read() as connection:
            release = self._release_row(connection, app_id)
            if release is None:
                raise not_found(f"{app_id} has no live version")
            manifest = connection.execute(
                sa.select(tables.versions.c.manifest).where(
                    tables.versions.c.app_id == app_id, tables.versions.c.version == release.version
                )
            ).scalar_one()
        return load_manifest(manifest)

    def search(self, query: str, **options: Any) -> list[dict[str, Any]]:
        return [hit.as_dict() for hit in self.search_index.search(query, **options)]

    # -- helpers ----------------------------------------------------------------

    def _reindex_live(self) -> None:
        """Every live program indexed again from its manifest (a search index written by an older version)."""
        with self.database.read() as connection:
            app_ids = list(connection.execute(sa.select(tables.releases.c.app_id)).scalars())
        for app_id in app_ids:
            self._reindex_only(app_id)

    def on_change(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call `listener(app_id)` when an app's release changes, on this registry or on another
        process on the same database; returns the unsubscribe. After this process's events
        listener was disconnected, `listener` hears every app once (a yank leaves no trace to ask
        "what changed since", and hearing an unchanged app costs a listener one look)."""
        return self._listen(self._change_listeners, PEER_TOPIC, listener, self._every_app)

    def _listen(
        self, listeners: list[Callable[[str], None]], topic: str, listener: Callable[[str], None],
        missed: Callable[[float], list[str]],
    ) -> Callable[[], None]:
        """`listener` hears the ids told to `listeners` in this process and to `topic` by others, and
        after this process's events listener was disconnected, the ids `missed(since)` names."""
        listeners.append(listener)

        def heard(name: Any) -> None:
            if isinstance(name, str) and len(name) <= 200:
                listener(name)

        def catch_up(since: float) -> None:
            for name in missed(since):
                listener(name)

        unsubscribe_peers = self.database.events.subscribe(topic, heard)
        unsubscribe_catch_up = self.database.events.on_reconnect(catch_up)

        def unsubscribe() -> None:
            unsubscribe_peers()
            unsubscribe_catch_up()
            if listener in listeners:
                listeners.remove(listener)

        return unsubscribe

    def _every_app(self, since: float) -> list[str]:
        with self.database.read() as connection:
            return list(connection.execute(sa.select(tables.apps.c.app_id).order_by(tables.apps.c.app_id)).scalars())

    def _revoked_keys_since(self, since: float) -> list[str]:
        keys = tables.merchant_keys
        with self.database.read() as connection:
            # `revoked_at` is the revoking process's clock; `since` the database's.
            return list(connection.execute(sa.select(keys.c.key_id).where(keys.c.revoked_at >= since - STAMP_MARGIN)).scalars())

    def _tell(self, listeners: list[Callable[[str], None]], topic: str, name: str) -> None:
        for listener in list(listeners):
            listener(name)
        self.database.events.publish(topic, name)

    def _changed(self, app_id: str) -> None:
        self._tell(self._change_listeners, PEER_TOPIC, app_id)

    def _reindex(self, app_id: str) -> None:
        """Search shows exactly the released version of each app (and everyone hears it changed)."""
        self._reindex_only(app_id)
        self._changed(app_id)

    def _reindex_only(self, app_id: str) -> None:
        with self.database.read() as connection:
            release = self._release_row(connection, app_id)
            row = None
            if release is not None:
                row = connection.execute(
                    sa.select(tables.versions).where(
                        tables.versions.c.app_id == app_id, tables.versions.c.version == release.version
                    )
                ).first()
        if row is None:
            self.search_index.remove(app_id)
        else:
            self.search_index.put(document_from_manifest(load_manifest(row.manifest), release.released_at))

    def _require_independent(self, connection: Connection, actor: accounts.Account, row: sa.Row, verb: str) -> None:
        """A reviewer never decides on a version of an app their own account owns."""
        owner = connection.execute(sa.select(tables.apps.c.owner_id).where(tables.apps.c.app_id == row.app_id)).scalar()
        if owner == actor.id and not self.self_review:
            raise forbidden(
                f"account {actor.name!r} owns {row.app_id}, so it cannot {verb} its versions; another reviewer must "
                "(only a one-person development registry turns this off: `capsule registry serve --dev`)"
            )

    def _countersign(self, connection: Connection, row: sa.Row, issued_at: int) -> None:
        signature = self.key.countersign(row.app_id, row.version, row.digest, issued_at)
        connection.execute(tables.countersignatures.insert().values(version_id=row.id, issued_at=issued_at, signature=signature))

    def _countersign_missing(self) -> None:
        """Countersign, as of now, released versions that have no countersignature with an
        issue time (a registry made before issue times were signed)."""
        signed = sa.select(tables.countersignatures.c.version_id)
        with self.database.transaction() as connection:
            rows = connection.execute(
                sa.select(tables.versions).where(
                    tables.versions.c.status.in_(DOWNLOADABLE), tables.versions.c.id.not_in(signed)
                )
            ).all()
            for row in rows:
                self._countersign(connection, row, int(time.time()))

    def _require_manager(
        self, connection: Connection, actor: accounts.Account, app_id: str, verb: str = "change its release",
        *, admin: bool = True,
    ) -> None:
        """Raise unless `actor` owns `app_id` (or, when `admin`, is a registry admin)."""
        owner = connection.execute(sa.select(tables.apps.c.owner_id).where(tables.apps.c.app_id == app_id)).scalar()
        if owner is None:
            raise not_found(f"no app {app_id} in this registry; its first publisher owns it")
        if owner != actor.id and not (admin and "admin" in actor.roles):
            who = "its owner or an admin" if admin else "its owner"
            raise forbidden(
                f"app {app_id} belongs to another account, not {actor.name!r}; only {who} can {verb} "
                "(sign in as the owner with `capsule registry login`)"
            )

    def _version_row(self, connection: Connection, version_id: int) -> sa.Row:
        row = connection.execute(sa.select(tables.versions).where(tables.versions.c.id == version_id)).first()
        if row is None:
            raise not_found(f"no review {version_id}; list them with `capsule review list`")
        return row

    def _release_row(self, connection: Connection, app_id: str) -> sa.Row | None:
        return connection.execute(sa.select(tables.releases).where(tables.releases.c.app_id == app_id)).first()

    def _set_status(self, connection: Connection, app_id: str, version: str, status: str) -> None:
        connection.execute(
            tables.versions.update()
            .where(tables.versions.c.app_id == app_id, tables.versions.c.version == version)
            .values(status=status)
        )


def _default_name(manifest: dict[str, Any]) -> str:
    names = manifest["name"]
    return str(names.get(manifest.get("default_locale", "en")) or next(iter(names.values())))


def _version(row: sa.Row) -> dict[str, Any]:
    return {
        "review_id": row.id,
        "id": row.app_id,
        "version": row.version,
        "digest": row.digest,
        "key_id": row.key_id,
        "size": row.size,
        "status": row.status,
        "reason": row.reason,
        "uploaded_at": row.uploaded_at,
    }


def _check_percent(percent: object) -> int:
    # JSON has one number type: 50.0 is the whole number 50.
    if isinstance(percent, float) and percent.is_integer():
        percent = int(percent)
    if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 100:
        raise invalid(f"percent must be a whole number from 1 to 100; got {percent!r}")
    return percent


def _copy_bounded(chunks: Iterable[bytes], out: BinaryIO, limit: int) -> None:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise RegistryError(
                413, "too-large", f"the package is larger than this registry's limit of {limit} bytes; make it smaller"
            )
        out.write(chunk)
    if total == 0:
        raise invalid("the upload is empty; send the .capsule file as the request body", code="empty-upload")
