"""The Messages tab and Me's messages sections: the signed-in user's own inbox.

Threads per program and per contact, a composer (customer-service chats and
contacts), mute/unfollow/report per program, subscriptions and follows with
revoke, contacts by personal QR code. Every route acts for the signed-in
account only and, when it changes something, only from the host's own pages
(the app's `signed_in` wrapper and the SameOrigin middleware). New messages
reach the user's open tabs over their socket (`LiveInbox`).

Everything a program, a merchant or a contact wrote is sent as data; the
shell shows it with text nodes only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..capabilities.messages.errors import MessagesError
from ..capabilities.messages.provider import Message, MessagesProvider, Thread
from ..capabilities.messages.templates import BODY_MAX, check_text, find_template
from ..capabilities.qr.address import LaunchTarget, format_address
from ..capabilities.qr.codes import qr_svg
from .problem import problem

if TYPE_CHECKING:
    from .signins import SignIn
    from .state import WebHost

#: What a personal contact code says; the rest is the user's random code.
CONTACT_PREFIX = "capsule-contact:"
REPORT_MAX = 300
#: Message ids a host remembers having pushed (far more than arrive during a catch-up's window).
PUSHED_REMEMBERED = 20_000


class InboxError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def message_json(web: "WebHost", message: Message) -> dict[str, Any]:
    """A message as the shell gets it; a card carries the address it opens."""
    data = message.as_dict()
    data.pop("user")
    data["app_name"] = _app_name(web, message.app_id) if message.app_id else ""
    address = None
    if message.app_id and message.kind in ("template", "update", "share"):
        try:
            address = format_address(LaunchTarget(message.app_id, message.page, "message", dict(message.params)))
        except ValueError:
            address = None
    data["address"] = address
    # Each field's kind (amount, time, number, text, code): the shell shows money, times and
    # numbers in the reader's locale. Empty when the template is gone (the values show as sent).
    data["field_kinds"] = _field_kinds(web, message) if message.fields else {}
    return data


def _field_kinds(web: "WebHost", message: Message) -> dict[str, str]:
    try:
        template = find_template(web.host.app(message.app_id).manifest, message.template_id)
    except Exception:  # noqa: BLE001 - uninstalled since, or the template was removed
        return {}
    return dict(template.fields)


def _app_name(web: "WebHost", app_id: str) -> str:
    try:
        return web.host.app(app_id).name
    except Exception:  # noqa: BLE001 - uninstalled since: its id names it
        return app_id


def _display(web: "WebHost", user: str) -> str:
    account = web.accounts.get(user)
    return account.display if account else user


def _thread_json(web: "WebHost", thread: Thread) -> dict[str, Any]:
    kind, _, name = thread.thread.partition(":")
    return {
        "thread": thread.thread,
        "kind": kind,
        "title": _app_name(web, name) if kind == "program" else _display(web, name),
        "app_id": name if kind == "program" else None,
        "unread": 0 if thread.muted else thread.unread,
        "muted": thread.muted,
        "last": message_json(web, thread.last),
    }


class LiveInbox:
    """Pushes each new message to the recipient's open tabs, and a program's open-chat to its tab.

    A message can come twice (an event and the catch-up after the events
    listener's break both name it); the ids recently pushed keep a tab from
    showing it twice."""

    def __init__(self, web: "WebHost") -> None:
        self.web = web
        self._pushed: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def users(self) -> set[str]:
        """The users with a tab open on this host."""
        return {c.user for c in list(self.web.connections)}

    def deliver(self, message: Message) -> None:
        tabs = [c for c in list(self.web.connections) if c.user == message.user]
        if not tabs or not self._first_push(message.id):
            return
        payload = {"type": "message", "message": message_json(self.web, message), "unread": self.web.messages.unread(message.user)}
        for tab in tabs:
            tab.send(payload)

    def _first_push(self, message_id: str) -> bool:
        with self._lock:
            if message_id in self._pushed:
                return False
            self._pushed[message_id] = None
            if len(self._pushed) > PUSHED_REMEMBERED:
                self._pushed.popitem(last=False)
            return True

    def open_chat(self, session: Any, app_id: str) -> None:
        for tab in list(self.web.connections):
            if session.id in tab.live:
                tab.send({"type": "open_chat", "thread": f"program:{app_id}", "app_id": app_id})


def inbox_routes(web: "WebHost", signed_in: Callable[..., Any]) -> list[Route]:
    store: MessagesProvider = web.messages

    def read(handler: Callable[[Request, str], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request, sign_in: "SignIn") -> Response:
            try:
                return JSONResponse(await run_in_threadpool(handler, request, sign_in.user))
            except InboxError as error:
                return problem(error.status, error.code, str(error))

        return signed_in(endpoint)

    def write(handler: Callable[[dict[str, Any], str], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request, sign_in: "SignIn") -> Response:
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return problem(415, "json-only", "send application/json")
            try:
                body = await request.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return problem(400, "bad-request", "send a JSON object")
            try:
                return JSONResponse(await run_in_threadpool(handler, body, sign_in.user))
            except InboxError as error:
                return problem(error.status, error.code, str(error))
            except MessagesError as error:
                return problem(error.status, error.code, str(error))

        return signed_in(endpoint)

    def threads(request: Request, user: str) -> Any:
        return {"threads": [_thread_json(web, t) for t in store.threads(user)], "unread": store.unread(user)}

    def thread(request: Request, user: str) -> Any:
        name = _thread_name(request.query_params.get("thread"))
        messages = store.thread(user, name)
        store.mark_read(user, name)
        kind, _, other = name.partition(":")
        title = _app_name(web, other) if kind == "program" else _display(web, other)
        answer = {"thread": name, "title": title, "messages": [message_json(web, m) for m in messages], "unread": store.unread(user)}
        if kind == "program":
            answer["chat"] = _chat(user, other)
        return answer

    def _chat(user: str, app_id: str) -> dict[str, Any]:
        """Whether the program offers a chat and until when it may reply (48 hours after the user's last message)."""
        try:
            offered = bool(getattr(web.host.app(app_id).manifest.permission("messages"), "chat", False))
        except Exception:  # noqa: BLE001 - uninstalled since: no chat
            offered = False
        return {"offered": offered, "reply_until": store.reply_until(user, app_id) if offered else None}

    def send(body: dict[str, Any], user: str) -> Any:
        name = _thread_name(body.get("thread"))
        try:
            text = check_text(body.get("text"), "text", BODY_MAX)
        except MessagesError as error:
            raise InboxError(400, "bad-request", str(error)) from None
        kind, _, other = name.partition(":")
        if kind == "program":
            declared = _declared(other)
            if not getattr(declared, "chat", False):
                raise InboxError(403, "no-chat", "this program offers no customer-service chat")
            message = store.user_chat(user, other, text)
            return {"message": message_json(web, message), "chat": _chat(user, other)}
        message = store.send_to_contact(from_user=user, to_user=other, kind="text", text=text)
        return {"message": message_json(web, message)}

    def _declared(app_id: str) -> Any:
        try:
            return web.host.app(app_id).manifest.permission("messages")
        except Exception:  # noqa: BLE001
            raise InboxError(404, "no-program", f"{app_id[:100]} is not installed") from None

    def program(body: dict[str, Any], user: str) -> Any:
        app_id, action = body.get("app_id"), body.get("action")
        if not isinstance(app_id, str) or len(app_id) > 200:
            raise InboxError(400, "bad-request", "send app_id")
        if action == "mute":
            done = store.set_muted(user, app_id, True)
        elif action == "unmute":
            done = store.set_muted(user, app_id, False)
        elif action == "unfollow":
            done = store.unfollow(user, app_id)
        elif action == "report":
            reason = body.get("reason") if isinstance(body.get("reason"), str) else "spam"
            store.report(user, app_id, reason[:REPORT_MAX])
            done = True
        else:
            raise InboxError(400, "bad-request", "action is mute, unmute, unfollow or report")
        if not done:
            raise InboxError(404, "not-following", "you do not follow this program")
        return {"app_id": app_id, "action": action}

    def me(request: Request, user: str) -> Any:
        subscriptions = [
            {"app_id": s["app_id"], "app_name": _app_name(web, s["app_id"]), "template_id": s["template_id"],
             "always": s["always"], "remaining": s["remaining"], "title": _template_title(s["app_id"], s["template_id"])}
            for s in store.subscriptions(user)
        ]
        follows = [{**f, "app_name": _app_name(web, f["app_id"])} for f in store.follows(user)]
        return {
            "subscriptions": subscriptions,
            "follows": follows,
            "contacts": [{"user": c, "display": _display(web, c)} for c in store.contacts(user)],
            "requests": [{"user": r["from_user"], "display": _display(web, r["from_user"]), "at": r["at"]} for r in store.contact_requests(user)],
            "code": CONTACT_PREFIX + store.contact_code(user),
        }

    def _template_title(app_id: str, template_id: str) -> str:
        try:
            from ..capabilities.messages.templates import find_template, template_title

            manifest = web.host.app(app_id).manifest
            return template_title(manifest, find_template(manifest, template_id))
        except Exception:  # noqa: BLE001 - the program or template is gone: its id names it
            return template_id

    def revoke(body: dict[str, Any], user: str) -> Any:
        app_id, template_id = body.get("app_id"), body.get("template_id")
        if not isinstance(app_id, str) or not isinstance(template_id, str):
            raise InboxError(400, "bad-request", "send app_id and template_id")
        if not store.revoke_subscription(user, app_id, template_id):
            raise InboxError(404, "not-subscribed", "no such subscription of yours")
        return {"revoked": True}

    def code_svg(request: Request, user: str) -> Response:
        return Response(qr_svg(CONTACT_PREFIX + store.contact_code(user), 240), media_type="image/svg+xml",
                        headers={"Cache-Control": "private, no-store"})

    async def code_endpoint(request: Request, sign_in: "SignIn") -> Response:
        return await run_in_threadpool(code_svg, request, sign_in.user)

    def request_contact(body: dict[str, Any], user: str) -> Any:
        code = body.get("code")
        if not isinstance(code, str) or not code.startswith(CONTACT_PREFIX) or len(code) > 100:
            raise InboxError(400, "bad-request", f"send the scanned code ({CONTACT_PREFIX}...)")
        other = store.user_for_code(code[len(CONTACT_PREFIX):])
        if other is None:
            raise InboxError(404, "unknown-code", "this contact code belongs to nobody on this host")
        if other == user:
            raise InboxError(400, "own-code", "that is your own code; let a friend scan it")
        return {"status": store.request_contact(user, other), "display": _display(web, other)}

    def answer_contact(body: dict[str, Any], user: str) -> Any:
        other, accept = body.get("user"), body.get("accept")
        if not isinstance(other, str) or not isinstance(accept, bool):
            raise InboxError(400, "bad-request", "send user and accept (true or false)")
        if not store.answer_contact(user, other, accept):
            raise InboxError(404, "no-request", "no contact request from that person is waiting")
        return {"user": other, "contact": accept}

    return [
        Route("/api/messages/threads", read(threads)),
        Route("/api/messages/thread", read(thread)),
        Route("/api/messages/send", write(send), methods=["POST"]),
        Route("/api/messages/program", write(program), methods=["POST"]),
        Route("/api/me/messages", read(me)),
        Route("/api/me/messages/revoke", write(revoke), methods=["POST"]),
        Route("/api/me/contact-code.svg", signed_in(code_endpoint)),
        Route("/api/contacts/request", write(request_contact), methods=["POST"]),
        Route("/api/contacts/answer", write(answer_contact), methods=["POST"]),
    ]


def _thread_name(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 260 or not value.startswith(("program:", "contact:")):
        raise InboxError(400, "bad-request", 'thread is "program:<app id>" or "contact:<user>"')
    return value


