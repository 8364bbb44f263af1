"""What the shell can show and launch: the embedded registry's live programs.

Search goes to the registry's index (only live versions are in it); a launch
installs the version that is live for that user, checked against the
registry's countersignature and signed status exactly as a remote host would
check them, and reports the launch for ranking as any host does: under a
`host` account, with a pseudonym instead of the user's name.
"""

from __future__ import annotations

import mimetypes
import threading
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..app import InstalledApp
from ..errors import NotInstalled
from ..host import Host
from ..registry import Registry, RegistryError
from ..registry.install import install_from_registry
from ..registry.launches import host_secret, pseudonym
from ..registry.server import local_host_account

if TYPE_CHECKING:
    from .shelf import Shelf


class Catalog:
    def __init__(self, host: Host, registry: Registry) -> None:
        self.host = host
        self.registry = registry
        self._lock = threading.Lock()
        self._reporter = local_host_account(registry)
        self._secret = host_secret(registry.database, host.home)
        self._unsubscribe = registry.on_change(self.release_changed)

    def close(self) -> None:
        self._unsubscribe()

    def release_changed(self, app_id: str) -> None:
        """An app's release changed here or on another host: sessions prepared ahead for a
        version that is no longer live are let go (the next launch installs the live one)."""
        app = self.host.loaded(app_id)
        if app is None:
            return
        try:
            live = self.registry.resolve(app_id)["digest"]
        except RegistryError:
            live = None
        if live != app.digest:
            self.host.warm.forget(app)

    # -- finding --------------------------------------------------------------

    def search(self, query: str, *, category: str | None = None, language: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Live programs for `query`, best first; an empty query lists every live program."""
        if query.strip():
            hits = self.registry.search(query, category=category, language=language, limit=limit)
        else:
            hits = [hit for hit in self.registry.live_programs() if not category or hit["category"] == category][:limit]
        cards = []
        for hit in hits:
            try:
                cards.append(self.card(hit["id"], score=hit.get("score"), locale=language))
            except RegistryError:
                pass  # rolled back or yanked between the search and now
        return cards

    def card(self, app_id: str, *, score: float | None = None, locale: str | None = None) -> dict[str, Any]:
        """What a search result shows: name, icon, description, what the program asks for."""
        manifest = self.registry.live_manifest(app_id)
        return {
            "app_id": app_id,
            "name": manifest.localized("name", locale),
            "description": manifest.localized("description", locale),
            "category": manifest.category,
            "icon": f"/api/apps/{app_id}/icon" if manifest.icon else None,
            "permissions": [{"scope": name, "reason": section.reason} for name, section in manifest.permissions_items()],
            "score": score,
        }

    def shelf(self, shelf: "Shelf", user: str, locale: str | None = None) -> dict[str, Any]:
        """Home's top for `user`: favourites in their order, recents newest first, as cards.

        A program that is no longer live (rolled back, yanked) is left out but
        stays on the shelf, so it comes back if it is released again.
        """
        favourites = []
        for app_id in shelf.favourites(user):
            try:
                favourites.append(self.card(app_id, locale=locale))
            except RegistryError:
                pass
        recents = []
        for app_id, opened_at in shelf.recents(user):
            try:
                recents.append({**self.card(app_id, locale=locale), "opened_at": opened_at})
            except RegistryError:
                pass
        return {"favourites": favourites, "recents": recents}

    def categories(self) -> list[str]:
        return sorted({hit["category"] for hit in self.registry.live_programs()})

    # -- launching --------------------------------------------------------------

    def ensure_installed(self, app_id: str, user: str) -> InstalledApp:
        """The version live for `user`, installed from the registry if it is not yet."""
        info = self.registry.resolve(app_id, user=user)
        with self._lock:
            try:
                app = self.host.app(app_id)
                if app.digest == info["digest"]:
                    return app
            except NotInstalled:
                pass
            return install_from_registry(self.host, self.registry, app_id, registry_key=self.registry.key.public_key, user=user)

    def record_launch(self, app_id: str, user: str) -> None:
        """Report `user` launching `app_id` (counted once per user, program and day)."""
        try:
            self.registry.record_launch(self._reporter, app_id, pseudonym(self._secret, app_id, user))
        except RegistryError:
            pass  # a program launched from a local build (developer mode) is not in the registry

    def report(self, app_id: str, user: str, reason: object, details: object) -> dict[str, Any]:
        """File `user`'s report about `app_id` with the registry's reviewers, under their pseudonym."""
        return self.registry.report(self._reporter, app_id, pseudonym(self._secret, app_id, user), reason, details)

    # -- files from installed packages ------------------------------------------

    def icon(self, app_id: str) -> tuple[Path, str] | None:
        app = self._installed(app_id)
        if app is None or not app.manifest.icon:
            return None
        return self._file(app, app.manifest.icon)

    def asset(self, app_id: str, relative: str) -> tuple[Path, str] | None:
        app = self._installed(app_id)
        if app is None:
            return None
        return self._file(app, f"assets/{relative}")

    def _installed(self, app_id: str) -> InstalledApp | None:
        try:
            return self.host.app(app_id)
        except NotInstalled:
            return None

    @staticmethod
    def _file(app: InstalledApp, relative: str) -> tuple[Path, str] | None:
        parts = PurePosixPath(relative).parts
        # Package paths were checked when the package was opened; this guards
        # the request path, which comes from the browser.
        if not parts or parts[0] != "assets" or any(part in ("..", "") or part.startswith(".") for part in parts):
            return None
        path = app.path.joinpath(*parts)
        if not path.is_file():
            return None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return path, mime
