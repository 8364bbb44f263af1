"""What one running web host holds: the runtime, the embedded registry, the open tabs."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..host import Host
from ..prompter import Prompter
from ..registry import Registry
from ..session import Session
from .catalog import Catalog
from .demo import DEMO_USERS, DemoUser
from .prompter import PendingPrompt

if TYPE_CHECKING:
    from .connection import TabConnection


@dataclass
class WebHost:
    """The shell's state. `mode` is "host" (the super app) or "dev" (`capsule dev`)."""

    host: Host
    registry: Registry
    users: tuple[DemoUser, ...] = DEMO_USERS
    mode: str = "host"
    #: Prompts waiting for an answer, by their unguessable id, across every tab.
    pending: dict[str, PendingPrompt] = field(default_factory=dict)
    connections: set["TabConnection"] = field(default_factory=set)
    #: Developer mode: the program being developed (see runtime.devmode); None in host mode.
    dev: Any = None

    def __post_init__(self) -> None:
        self.catalog = Catalog(self.host, self.registry)
        self._pick_folders: list[Path] = []

    def pick_folder(self) -> Path:
        """A new folder for files a user hands a picker; the capability copies what it admits
        into memory during the pick, and `close` removes the folders."""
        folder = Path(tempfile.mkdtemp(prefix="pick-", dir=self.host.home.root))
        self._pick_folders.append(folder)
        return folder

    def close(self) -> None:
        for folder in self._pick_folders:
            shutil.rmtree(folder, ignore_errors=True)
        if self.dev is not None:
            self.dev.close()
        self.host.close()

    def user_names(self) -> list[str]:
        return [user.name for user in self.users]

    def launch(
        self, app_id: str, *, user: str, scene: str, query: dict[str, str], page: str | None, prompter: Prompter
    ) -> Session:
        if self.dev is not None and app_id == self.dev.app_id:
            return self.dev.launch(user=user, scene=scene, query=query, page=page, prompter=prompter)
        self.catalog.ensure_installed(app_id, user)
        session = self.host.launch(app_id, user=user, scene=scene, query=query, page=page, prompter=prompter)
        self.catalog.record_launch(app_id, user)
        return session

    def open_address(self, address: str, *, user: str, prompter: Prompter) -> Session:
        """Launch from a scanned `capsule://` code."""
        from ..capabilities.qr.address import AddressError, parse_address
        from ..errors import CapsuleError

        try:
            target = parse_address(address)
        except AddressError as error:
            raise CapsuleError(str(error), code="bad-address") from None
        if target is None:
            raise CapsuleError(f"{address[:80]!r} is not a capsule:// launch address", code="bad-address")
        return self.launch(
            target.app_id, user=user, scene=target.scene, query=dict(target.params), page=target.page or None, prompter=prompter
        )
