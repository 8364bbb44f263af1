"""The merchant API: a program's server sends messages to the program's users.

Mounted by the web host at `/merchant` (any embedder can mount
`create_merchant_app(host)`); described at `/merchant/openapi.json`.

Each request carries one of the program's server keys
(`Authorization: Bearer capsule-mk.<id>.<secret>`), which the program's owner
made at the registry (see keys.py and registry_keys.py); the key decides the
program, so a key can only ever reach its own program's users,
by the pairwise ids that program knows. The API is for servers: a request
that a browser made (it carries `Origin` or `Sec-Fetch-Site`) is refused,
so a key pasted into a web page is of no use to another site, and no page
can make a signed-in user's browser act here.

Sends answer 202 once the message is committed to the database (never
before), and take an `Idempotency-Key` header: a retry with the same key
delivers nothing twice.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import BadMessage, MessagesError
from .keys import KeyCheckUnavailable, KeyRefused, KeyVerifier, ServerKey
from .openapi import merchant_openapi
from .pairwise import PairwiseIds
from .templates import BODY_MAX, TITLE_MAX, check_fields, check_target, check_text, find_template, template_title

if TYPE_CHECKING:
    from ...app import InstalledApp
    from ...host import Host
    from ...services import HostServices

#: The largest request body read.
MAX_BODY = 64 * 1024
_IDEMPOTENCY = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")
_TAG = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_TAG_USERS = 1000
MAX_PAGE = 1000

Handler = Callable[[Request, ServerKey, "InstalledApp"], Any]


class Problem(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def create_merchant_app(host: "Host", keys: KeyVerifier | None = None) -> Starlette:
    """The merchant API of `host`: its messages store and installed programs.

    `keys` checks server keys: the web host passes its registry's
    (`RegistryServerKeys`); without one, only the host operator's own keys
    (`capsule messages key create --operator`) are accepted.
    """
    return merchant_app(host.services, host.app, keys)


def merchant_app(
    services: "HostServices", programs: Callable[[str], "InstalledApp"], keys: KeyVerifier | None = None
) -> Starlette:
    """The API over `services`; `programs(app_id)` is the installed program (raises when there is none)."""
    store = services.messages
    verifier: KeyVerifier = keys if keys is not None else services.server_keys
    pairwise = PairwiseIds(services)

    def endpoint(handler: Handler, status: int = 200) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                if request.headers.get("origin") is not None or request.headers.get("sec-fetch-site") is not None:
                    raise Problem(
                        403, "browser-origin",
                        "the merchant API is for servers: a request from a web page (Origin or Sec-Fetch-Site) is refused",
                    )
                _bearer(request)  # no key at all: refused before the body is read
                request.state.body = await _body(request) if request.method == "POST" else None
                # One trip to a worker thread for the key, the program and the work: each trip is a
                # wait for a free thread and the GIL, which is what a message's time to screen is made of.
                result = await run_in_threadpool(_handle, handler, request)
            except Problem as problem:
                return _problem(problem.status, problem.code, str(problem))
            except MessagesError as error:
                return _problem(error.status, error.code, str(error))
            return JSONResponse(result, status_code=status)

        return run

    def _handle(handler: Handler, request: Request) -> Any:
        key = _authenticate(request)
        return handler(request, key, _program(key))

    def _bearer(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "no-key", "send the program's server key as `Authorization: Bearer capsule-mk...`; "
                                         "the program's owner creates one with `capsule messages key create APP_ID`")
        return token.strip()

    def _authenticate(request: Request) -> ServerKey:
        token = _bearer(request)
        try:
            return verifier.verify(token)
        except KeyRefused as error:
            raise Problem(401, "bad-key", str(error)) from None
        except KeyCheckUnavailable as error:
            raise Problem(503, "key-check-unavailable", str(error)) from None

    def _program(key: ServerKey) -> "InstalledApp":
        try:
            app = programs(key.app_id)
        except Exception:  # noqa: BLE001 - not installed (or no longer): the key reaches nothing
            raise Problem(404, "no-program", f"{key.app_id} is not installed on this host") from None
        if app.manifest.permission("messages") is None:
            raise Problem(403, "not-declared", f"{app.id}'s manifest does not declare messages; add the section and publish")
        return app

    def _idempotency(request: Request) -> str | None:
        value = request.headers.get("idempotency-key")
        if value is None:
            return None
        if not _IDEMPOTENCY.fullmatch(value):
            raise BadMessage("Idempotency-Key must be 1 to 80 letters, digits, '.', '_', ':' or '-'")
        return value

    def send(request: Request, key: ServerKey, app: "InstalledApp") -> Any:
        body = _object(request)
        template = find_template(app.manifest, _text_field(body, "template_id", 64))
        fields = check_fields(template, body.get("fields", {}))
        page, params = check_target(app.manifest, body.get("page"), body.get("params"))
        user = pairwise.user_for(app, body.get("user_id"))
        return store.send_template(
            app_id=app.id, user=user, template_id=template.id, title=template_title(app.manifest, template),
            fields=fields, page=page, params=params, actor=f"merchant:{key.key_id}",
            idempotency_key=_idempotency(request),
        )

    def update(request: Request, key: ServerKey, app: "InstalledApp") -> Any:
        body = _object(request)
        declared = app.manifest.permission("messages")
        if not getattr(declared, "follow", False):
            raise Problem(403, "not-declared", 'service updates need "follow": true in the manifest\'s messages section')
        title = check_text(body.get("title"), "title", TITLE_MAX)
        text = check_text(body.get("body", ""), "body", BODY_MAX, empty=True)
        page, params = check_target(app.manifest, body.get("page"), body.get("params"))
        tag = body.get("tag")
        if tag is not None and (not isinstance(tag, str) or not _TAG.fullmatch(tag)):
            raise BadMessage("tag must be 1 to 40 letters, digits, '_' or '-'")
        return store.push_update(
            app_id=app.id, title=title, body=text, page=page, params=params, tag=tag,
            actor=f"merchant:{key.key_id}", idempotency_key=_idempotency(request),
        )

    def reply(request: Request, key: ServerKey, app: "InstalledApp") -> Any:
        body = _object(request)
        if not getattr(app.manifest.permission("messages"), "chat", False):
            raise Problem(403, "not-declared", 'chat replies need "chat": true in the manifest\'s messages section')
        text = check_text(body.get("text"), "text", BODY_MAX)
        user = pairwise.user_for(app, request.path_params["user_id"])
        return store.reply(app_id=app.id, user=user, text=text, actor=f"merchant:{key.key_id}",
                           idempotency_key=_idempotency(request))

    def chats(request: Request, key: ServerKey, app: "InstalledApp") -> Any:
        since = _number(request.query_params.get("since", "0"), "since")
        to_id = pairwise.ids_for(app)
        found = store.chat_messages(app.id, since=since, limit=MAX_PAGE)
        return {"messages": [{"user_id": to_id(m.user), "text": m.body, "at": m.at} for m in found]}

    def followers(request: Request, key: ServerKey, app: "InstalledApp") -> Any:
        query = request.query_params
        tag = query.get("tag") or None
        if tag is not None and not _TAG.fullmatch(tag):
            raise BadMessage("tag must be 1 to 40 letters, digits, '_' or '-'")
        offset = int(_number(query.get("offset", "0"), "offset", whole=True))
        limit = int(_number(query.get("limit", "100"), "limit", whole=True))
        if not 1 <= limit <= MAX_PAGE:
            raise BadMessage(f"limit must be 1 to {MAX_PAGE}")
        users = store.followers(app.id, tag=tag, limit=offset + limit + 1)[offset:]
        to_id = pairwise.ids_for(app)
        page = [to_id(u) for u in users[:limit]]
        return {"followers": page, "next_offset": offset + limit if len(users) > limit else None}

    def tag_followers(request: Request, key: ServerKey, app: "InstalledApp") -> Any:
        body = _object(request)
        tag = body.get("tag")
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise BadMessage("tag must be 1 to 40 letters, digits, '_' or '-'")
        ids = body.get("user_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_TAG_USERS:
            raise BadMessage(f"user_ids must be a list of 1 to {MAX_TAG_USERS} ids")
        remove = body.get("remove", False)
        if not isinstance(remove, bool):
            raise BadMessage("remove must be true or false")
        users = list(dict.fromkeys(pairwise.user_for(app, i) for i in ids))
        return {"tag": tag, "changed": store.tag(app.id, users, tag, remove=remove)}

    async def openapi(request: Request) -> Response:
        return JSONResponse(merchant_openapi())

    return Starlette(routes=[
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/v1/messages", endpoint(send, 202), methods=["POST"]),
        Route("/v1/updates", endpoint(update, 202), methods=["POST"]),
        Route("/v1/chats", endpoint(chats), methods=["GET"]),
        Route("/v1/chats/{user_id}/replies", endpoint(reply, 202), methods=["POST"]),
        Route("/v1/followers", endpoint(followers), methods=["GET"]),
        Route("/v1/followers/tags", endpoint(tag_followers), methods=["POST"]),
    ])


async def _body(request: Request) -> Any:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Problem(415, "json-only", "send the request body as application/json")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise Problem(413, "too-large", f"the body is larger than {MAX_BODY} bytes")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "bad-json", "the body is not JSON") from None


def _object(request: Request) -> dict[str, Any]:
    body = request.state.body
    if not isinstance(body, dict):
        raise BadMessage("send a JSON object")
    return body


def _text_field(body: dict[str, Any], name: str, most: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not 1 <= len(value) <= most:
        raise BadMessage(f"{name} must be text of 1 to {most} characters")
    return value


def _number(text: str, what: str, *, whole: bool = False) -> float:
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise BadMessage(f"{what} must be a {'whole ' if whole else ''}number, got {text[:20]!r}") from None
    if value < 0 or value != value or value > time.time() * 10:
        raise BadMessage(f"{what} must be 0 or more")
    return value


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)
