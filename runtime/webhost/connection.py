"""One browser tab's WebSocket: its sessions, their workers, its prompts.

Calls into a program block (a turn, or a prompt waiting for the user), so
each session has a worker of its own (`serial.SerialWorker`, on the web
host's shared threads): its calls run in order, a prompt blocks only that
session, and the socket keeps reading (answers to prompts included) and
writing for every other session. Replies are queued
and written by one writer task, so threads never touch the socket.

The socket belongs to one sign-in: it closes at sign-out, and when the
sign-in has expired (checked at most once a minute, as messages arrive).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import CapsuleError, ProgramError, SessionEnded
from ..session import Session
from .problem import coded
from .prompter import BrowserPrompter, answer, cancel_sessions, with_secret
from .serial import SerialWorker
from .signins import SignIn

if TYPE_CHECKING:
    from .state import WebHost

#: Live programs one tab may keep open (hidden ones included).
MAX_SESSIONS_PER_TAB = 12
#: The largest message a tab may send (event data is small; files go by HTTP).
MAX_MESSAGE_BYTES = 256 * 1024
#: Seconds between checks that the socket's sign-in is still live.
SIGN_IN_CHECK_SECONDS = 60.0
#: Close code when the sign-in ended (an application code: 4000-4999).
SIGNED_OUT = 4401
#: Queued to the writer: close the socket.
_CLOSE: dict[str, Any] = {"type": "_close"}

_log = logging.getLogger("capsule.webhost")


class BadMessage(ValueError):
    """A message from the tab that does not follow docs/webhost.md."""


@dataclass
class LiveSession:
    session: Session
    worker: SerialWorker
    app_id: str
    #: Views rendered when the tab last got one: send a view only when it changed.
    views_sent: int = -1
    #: When the tab put it in the background (`hide`), by time.monotonic(); None while shown.
    hidden_at: float | None = None


class TabConnection:
    def __init__(self, web: "WebHost", websocket: WebSocket, sign_in: SignIn) -> None:
        self.web = web
        self.websocket = websocket
        self.sign_in = sign_in
        #: The signed-in account: fixed for the socket's life.
        self.user = sign_in.user
        self._checked_at = time.monotonic()
        self.live: dict[str, LiveSession] = {}
        self._outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    # -- the socket --------------------------------------------------------------

    async def run(self) -> None:
        await self.websocket.accept()
        writer = asyncio.create_task(self._write())
        self.web.connections.add(self)
        try:
            while True:
                text = await self.websocket.receive_text()
                if not await self._still_signed_in():
                    self.sign_out()
                    continue
                try:
                    self._handle(_parse(text))
                except BadMessage as error:
                    self.send({"type": "error", "code": "bad-message", "message": str(error)})
        except WebSocketDisconnect:
            pass
        finally:
            self.web.connections.discard(self)
            await self._close_all()
            self._outbox.put_nowait(None)
            await writer

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message for the tab; safe from any thread."""
        self._loop.call_soon_threadsafe(self._outbox.put_nowait, message)

    def sign_out(self) -> None:
        """The sign-in ended: tell the tab, then close the socket (its sessions close with it)."""
        self.send({"type": "signed_out", "message": "you are signed out; sign in again to go on"})
        self.send(_CLOSE)

    async def _still_signed_in(self) -> bool:
        if time.monotonic() - self._checked_at < SIGN_IN_CHECK_SECONDS:
            return True
        self._checked_at = time.monotonic()
        found = await asyncio.to_thread(self.web.signins.find, self.sign_in.token)
        return found is not None  # (developer mode may move the sign-in to another persona: this socket keeps its own)

    async def _write(self) -> None:
        while (message := await self._outbox.get()) is not None:
            if message is _CLOSE:
                try:
                    await self.websocket.close(code=SIGNED_OUT, reason="signed out")
                except Exception:  # noqa: BLE001 - closed already
                    pass
                return
            try:
                await self.websocket.send_text(json.dumps(message, separators=(",", ":"), default=str))
            except Exception:  # noqa: BLE001 - the tab is gone; the reader notices and cleans up
                return

    # -- messages from the tab -------------------------------------------------

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "launch":
            query = message.get("query") or {}
            if not isinstance(query, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in query.items()):
                raise BadMessage("launch `query` must be an object of strings")
            self._start(
                _text(message, "app_id"),
                lambda prompter: self.web.launch(
                    _text(message, "app_id"),
                    user=self.user,
                    scene=_text(message, "scene", "launch"),
                    query=query,
                    page=_text(message, "page", "") or None,
                    prompter=prompter,
                ),
            )
        elif kind == "open":
            address = _text(message, "address")
            self._start(address, lambda prompter: self.web.open_address(address, user=self.user, prompter=prompter))
        elif kind == "event":
            data = message.get("data") or {}
            if not isinstance(data, dict):
                raise BadMessage("event `data` must be a JSON object")
            handler, page = _text(message, "handler"), _text(message, "page", "") or None
            self._on_session(message, lambda session: session.dispatch(handler, data, page=page))
        elif kind in ("show", "hide"):
            live = self.live.get(_text(message, "session"))
            if live is not None:
                live.hidden_at = time.monotonic() if kind == "hide" else None
            self._on_session(message, lambda session: getattr(session, kind)())
            if kind == "hide":
                self.web.trim_background(self.user)
        elif kind == "close":
            live = self.live.pop(_text(message, "session"), None)
            if live is not None:
                self._spawn(self._close(live))
        elif kind == "answer":
            value = message.get("value")
            if not isinstance(value, bool):
                raise BadMessage("`answer` takes `value` true or false (files for a pick go to /api/prompts/{id}/files)")
            answer(self.web.pending, _text(message, "prompt"), with_secret(value, message.get("secret"), message.get("choice")), user=self.user)
        else:
            raise BadMessage(f"unknown message type {kind!r}; see docs/webhost.md")

    def _start(self, what: str, launch: Callable[[BrowserPrompter], Session]) -> None:
        if len(self.live) >= MAX_SESSIONS_PER_TAB:
            self.send({
                "type": "error", "code": "too-many-sessions", "params": {"cap": "per_tab", "count": MAX_SESSIONS_PER_TAB},
                "message": f"close a program first: at most {MAX_SESSIONS_PER_TAB} stay open",
            })
            return
        holder: dict[str, str] = {"id": ""}
        prompter = BrowserPrompter(self.send, lambda: holder["id"], self.web.pending)
        worker = SerialWorker(self.web.session_threads)

        def start() -> None:
            try:
                session = launch(prompter)
            except CapsuleError as error:
                self.send(self._error(None, error))
                worker.shutdown()
                return
            except Exception:
                # Anything else would vanish into the worker's future and leave the tab
                # waiting for ever: say so to the tab, and to the operator's log.
                _log.exception("launching a program failed")
                self.send({"type": "error", "session": None, "code": "unavailable", "message": "the program could not be opened; try again"})
                worker.shutdown()
                return
            holder["id"] = session.id
            if self._closed:  # the tab went away while the program launched
                session.close()
                worker.shutdown()
                return
            live = LiveSession(session, worker, session.app.id)
            self.live[session.id] = live
            self.send({
                "type": "launched",
                "session": session.id,
                "app_id": session.app.id,
                # In the account's shell language where the manifest has it (the program bar, the switcher).
                "app_name": session.app.manifest.localized("name", self.web.languages.get(self.user)),
                "icon": f"/api/apps/{session.app.id}/icon" if session.app.manifest.icon else None,
            })
            self._after(live)

        worker.submit(start)

    def _on_session(self, message: dict[str, Any], call: Callable[[Session], Any]) -> None:
        session_id = _text(message, "session")
        live = self.live.get(session_id)
        if live is None:
            self.send({"type": "ended", "session": session_id, "code": "no-session", "message": "this program is not running any more; open it again"})
            return

        def run() -> None:
            try:
                call(live.session)
            except CapsuleError as error:
                self.send(self._error(live.session.id, error))
                if isinstance(error, SessionEnded):
                    self.live.pop(live.session.id, None)
                    live.worker.shutdown()  # nothing more runs for it
                    return
            except Exception:
                _log.exception("serving a program's event failed")  # as a launch (above): never silent
                self.send({"type": "error", "session": live.session.id, "code": "unavailable", "message": "that did not work; try again"})
            self._after(live)

        live.worker.submit(run)

    def _after(self, live: LiveSession) -> None:
        """After a turn: the new view, if it changed, and what the program said meanwhile."""
        session = live.session
        for kind, text in session.toasts:
            self.send({"type": "toast", "session": session.id, "kind": kind, "message": text})
        session.toasts.clear()
        # Developer mode streams log lines as they are written (the inspector); nobody else reads them here.
        session.logs.clear()
        if session.view is not None and session.views_rendered != live.views_sent:
            live.views_sent = session.views_rendered
            self.send({"type": "view", "session": session.id, "view": session.view})

    # -- closing ---------------------------------------------------------------

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close(self, live: LiveSession) -> None:
        cancel_sessions(self.web.pending, {live.session.id})
        await asyncio.wrap_future(live.worker.submit(live.session.close))
        live.worker.shutdown()

    async def _close_all(self) -> None:
        self._closed = True
        lives, self.live = list(self.live.values()), {}
        cancel_sessions(self.web.pending, {live.session.id for live in lives})
        await asyncio.gather(*(self._close(live) for live in lives), return_exceptions=True)

    def _error(self, session_id: str | None, error: CapsuleError) -> dict[str, Any]:
        kind = "ended" if isinstance(error, SessionEnded) else "error"
        message: dict[str, Any] = {"type": kind, "session": session_id, **coded(error)}
        if isinstance(error, ProgramError):
            message["traceback"] = error.traceback
        if self.web.dev is not None:
            message.update(self.web.dev.locate(error))  # the file and line in the program folder
        return message

    def end_background(self, live: LiveSession, bound: int) -> None:
        """End a background session to keep the account within its bound; the tab hears why."""
        if self.live.pop(live.session.id, None) is None:
            return
        self.send({
            "type": "ended",
            "session": live.session.id,
            "code": "background-limit",
            "params": {"count": bound},
            "message": f"closed to make room: at most {bound} programs stay open in the background; open it again to restart it",
        })
        self._spawn(self._close(live))

    def relaunch_all(self, app_id: str) -> None:
        """Developer mode: the program changed; every tab showing it relaunches it."""
        for session_id, live in list(self.live.items()):
            if live.app_id == app_id:
                self.send({"type": "reload", "session": session_id})


def _parse(text: str) -> dict[str, Any]:
    if len(text) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"message of {len(text)} characters; the limit is {MAX_MESSAGE_BYTES}")
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadMessage(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(message, dict):
        raise BadMessage("a message is a JSON object with a `type`")
    return message


def _text(message: dict[str, Any], key: str, default: str | None = None) -> str:
    value = message.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise BadMessage(f"`{message.get('type')}` needs `{key}` as a non-empty string")
    if len(value) > 2_000:
        raise BadMessage(f"`{key}` is longer than 2000 characters")
    return value
