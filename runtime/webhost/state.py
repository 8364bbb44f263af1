"""What one running web host holds: the runtime, the embedded registry, the open tabs."""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..host import Host
from ..metrics.endpoint import MetricsAccess
from ..metrics.figures import watch_sockets
from ..prompter import Prompter
from ..registry import Registry
from ..session import Session
from .accounts import Accounts
from .catalog import Catalog
from .demo import DEMO_USERS, DemoUser
from .origin import allowed_host_names
from .language import AccountLanguage, Languages
from .prompter import PendingPrompt
from .shelf import Shelf
from .signins import SessionPolicy, SignIns
from .throttle import Throttle

if TYPE_CHECKING:
    from .connection import TabConnection


#: Session threads beyond one per admitted session: launches not yet admitted run on them.
SESSION_THREADS_SPARE = 16


@dataclass
class WebHost:
    """The shell's state. `mode` is "host" (the super app) or "dev" (`capsule dev`)."""

    host: Host
    registry: Registry
    #: Demo accounts (`--demo`), or developer mode's personas (the first is the developer).
    users: tuple[DemoUser, ...] = DEMO_USERS
    mode: str = "host"
    #: `capsule host --demo`: the sign-in page offers the demo accounts.
    demo: bool = False
    #: Host header names this host answers to (DNS rebinding stops here).
    allowed_hosts: frozenset[str] = field(default_factory=lambda: allowed_host_names("127.0.0.1"))
    #: Developer mode: this start's secret; `/dev/signin?key=...` signs the developer in.
    dev_key: str | None = None
    session_policy: SessionPolicy = field(default_factory=SessionPolicy)
    #: Prompts waiting for an answer, by their unguessable id, across every tab.
    pending: dict[str, PendingPrompt] = field(default_factory=dict)
    connections: set["TabConnection"] = field(default_factory=set)
    #: Developer mode: the program being developed (see runtime.devmode); None in host mode.
    dev: Any = None
    #: Servers started beside the host (the demo's coffee merchant): each `stop()`ped at close.
    companions: list[Any] = field(default_factory=list)
    #: Programs one account keeps open in the background, across all its tabs and
    #: devices; putting one more away ends the one hidden longest ago.
    max_background: int = 5
    #: Who may read `/metrics` (an operator token from the environment, else loopback only).
    metrics_access: MetricsAccess = field(default_factory=MetricsAccess.from_environment)

    def __post_init__(self) -> None:
        self.catalog = Catalog(self.host, self.registry)
        watch_sockets(self, "connections")
        database = self.host.services.database
        self.accounts = Accounts(database)
        self.signins = SignIns(database, self.session_policy)
        self.shelf = Shelf(database)
        self.languages = Languages(database)
        profile = self.host.capabilities.get("profile")
        if profile is not None and self.mode == "host":
            # Programs see the language the shell speaks (developer mode keeps its locale preset).
            profile.provider = AccountLanguage(profile.provider, self.languages)  # type: ignore[attr-defined]
        self.throttle = Throttle(database)
        # Messages reach the recipient's open tabs as they are stored (inbox.py).
        from .inbox import LiveInbox

        self.messages = self.host.services.messages
        # Merchant keys: the program owners' keys at the embedded registry, then the operator's own.
        from ..capabilities.messages.keys import OPERATOR_ID_PREFIX, REGISTRY_ID_PREFIX, KeyChain
        from ..capabilities.messages.registry_keys import RegistryServerKeys

        registry_keys = RegistryServerKeys(self.registry, self.registry.key.public_key)
        self._unsubscribe_keys = self.registry.on_key_revoked(registry_keys.forget)
        self.merchant_keys = KeyChain({
            REGISTRY_ID_PREFIX: registry_keys,
            OPERATOR_ID_PREFIX: self.host.services.server_keys,
        })
        self.live_inbox = LiveInbox(self)
        self.messages.listen(self.live_inbox.deliver)
        # Messages stored by another host on the same database, for a user with a tab here.
        # (A host application's own messages backend carries its own events, if any.)
        peers = getattr(self.messages, "listen_to_peers", None)
        self._unsubscribe_peers = peers(self.live_inbox.serves, self.live_inbox.deliver) if peers else (lambda: None)
        chat = self.host.capabilities.get("messages")
        if chat is not None and hasattr(chat, "chat_openers"):
            chat.chat_openers.append(self.live_inbox.open_chat)
        self._pick_folders: list[Path] = []
        # Every live session may be blocked on its person at once (a prompt), so as many
        # threads as the host admits sessions, and a few for launches in flight.
        self.session_threads = ThreadPoolExecutor(
            max_workers=self.host.caps.per_host + SESSION_THREADS_SPARE, thread_name_prefix="capsule-session"
        )

    def pick_folder(self) -> Path:
        """A new folder for files a user hands a picker; the capability copies what it admits
        into memory during the pick, and `close` removes the folders."""
        folder = Path(tempfile.mkdtemp(prefix="pick-", dir=self.host.home.root))
        self._pick_folders.append(folder)
        return folder

    def close(self) -> None:
        self.session_threads.shutdown(wait=False, cancel_futures=True)
        self._unsubscribe_peers()
        self._unsubscribe_keys()
        self.catalog.close()
        for companion in self.companions:
            companion.stop()
        for folder in self._pick_folders:
            shutil.rmtree(folder, ignore_errors=True)
        if self.dev is not None:
            self.dev.close()
        self.host.close()

    def trim_background(self, user: str) -> None:
        """End `user`'s oldest background sessions beyond `max_background` (on the event loop)."""
        hidden = [
            (live.hidden_at, connection, live)
            for connection in list(self.connections)
            if connection.user == user
            for live in list(connection.live.values())
            if live.hidden_at is not None
        ]
        hidden.sort(key=lambda item: item[0])
        for _, connection, live in hidden[: max(0, len(hidden) - self.max_background)]:
            connection.end_background(live, self.max_background)

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
        self.shelf.opened(user, app_id)  # Home's recents, on every device of this account
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
