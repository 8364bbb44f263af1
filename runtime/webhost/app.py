"""The web host's routes: the shell, its JSON API, the socket, media and the registry.

Every API call and the socket act for the signed-in account (`auth`), and
only pages of the host's own origin reach them (`origin`). See
docs/webhost.md for every route and message.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from ..capabilities.base import CapabilityError
from ..capabilities.media.provider import media_app
from ..capabilities.messages.api import create_merchant_app
from ..capabilities.payments.pin import PinLocked, WrongPin
from ..capabilities.qr.address import parse_address
from ..capabilities.qr.codes import ImageRefused, decode, qr_svg
from ..errors import CapsuleError
from ..metrics.endpoint import metrics_route
from ..registry.app import create_app as registry_app
from ..registry.errors import RegistryError
from ..views.limits import MAX_QR_CHARS
from . import about, me
from .auth import Refused, authorise, current
from .boot import Immutable, ShellPage
from .connection import TabConnection
from .headers import SecurityHeaders
from .inbox import inbox_routes
from .language import LanguageError
from .language import pick as pick_language
from .origin import POLICY_VIOLATION, SameOrigin
from .problem import problem, problem_of
from .prompter import answer
from .shelf import ShelfError, check_app_id
from .signin import refusal, signin_routes
from .signins import SignIn
from .state import WebHost

STATIC = Path(__file__).with_name("static")
#: Uploads through the shell (an image to scan, files for a picker).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024

Handler = Callable[[Request], Awaitable[Response]]


def create_app(web: WebHost) -> Starlette:
    shell_page = ShellPage(STATIC)

    def signed_in(handler: Callable[[Request, SignIn], Awaitable[Response]]) -> Handler:
        """An endpoint for the signed-in account only: 401 without a sign-in, 403 without its CSRF token."""

        async def endpoint(request: Request) -> Response:
            try:
                sign_in = await run_in_threadpool(authorise, web.signins, request)
            except Refused as refused:
                return refusal(refused)
            return await handler(request, sign_in)

        return endpoint

    def api(handler: Callable[[Request, str], Any]) -> Handler:
        """A JSON endpoint for the signed-in user, run off the event loop; Capsule errors become 4xx answers."""

        async def endpoint(request: Request, sign_in: SignIn) -> Response:
            try:
                result = await run_in_threadpool(handler, request, sign_in.user)
            except RegistryError as error:
                return problem_of(error.status, error)
            except CapsuleError as error:
                return problem_of(400, error)
            except BadRequest as error:
                return problem(400, "bad-request", str(error))
            return result if isinstance(result, Response) else JSONResponse(result)

        return signed_in(endpoint)

    def config_of(sign_in: SignIn) -> dict[str, Any]:
        """What the shell needs to start: in its page (boot.py) and at /api/config."""
        user = sign_in.user
        account = web.accounts.get(user)
        return {
            "mode": web.mode,
            "user": user,
            "display": account.display if account else user.capitalize(),
            # Only the host's own pages can read this: the token proves a request came from one.
            "csrf": sign_in.csrf,
            # Developer mode's test personas; a host has no user switcher.
            "users": [{"name": u.name, "display": u.display} for u in web.users] if web.dev is not None else [],
            "dev": web.dev.describe(user) if web.dev is not None else None,
            # The account's language (null: not chosen yet; the shell picks one from the browser's).
            "language": web.languages.get(user),
        }

    async def index(request: Request) -> Response:
        sign_in = await run_in_threadpool(current, web.signins, request)
        if sign_in is None:
            return RedirectResponse("/signin", status_code=303)
        settings = await run_in_threadpool(config_of, sign_in)
        language = settings["language"] or pick_language(request.headers.get("accept-language", ""))
        # no-store: the page holds this sign-in's CSRF token.
        return HTMLResponse(shell_page.render(settings, language), headers={"Cache-Control": "no-store"})

    async def config(request: Request, sign_in: SignIn) -> Response:
        return JSONResponse(await run_in_threadpool(config_of, sign_in))

    def search(request: Request, user: str) -> Any:
        params = request.query_params
        limit = _int(params.get("limit", "20"), "limit", 1, 50)
        results = web.catalog.search(
            params.get("q", "")[:200],
            category=params.get("category") or None,
            language=params.get("lang") or None,
            limit=limit,
        )
        return {"results": results, "categories": web.catalog.categories()}

    def icon(request: Request, user: str) -> Any:
        return _package_file(web.catalog.icon(request.path_params["app_id"]))

    def asset(request: Request, user: str) -> Any:
        return _package_file(web.catalog.asset(request.path_params["app_id"], request.path_params["path"]))

    def qr(request: Request, user: str) -> Any:
        text = request.query_params.get("text", "")
        if not 1 <= len(text) <= MAX_QR_CHARS:  # what a view's `qr` node may carry
            raise BadRequest(f"`text` must be 1 to {MAX_QR_CHARS} characters")
        svg = qr_svg(text, 240)
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})

    async def scan(request: Request, sign_in: SignIn) -> Response:
        try:
            data = await _one_upload(request, "image")
            found = await run_in_threadpool(decode, data)
        except BadRequest as error:
            return problem(400, "bad-request", str(error))
        except ImageRefused as error:
            return problem(422, "not-an-image", str(error))
        if not found:
            return problem(422, "no-code", "no QR code or barcode found in that image; try a sharper, closer picture")
        code = found[0]
        target = None
        try:
            parsed = parse_address(code.text)
        except ValueError:
            parsed = None
        if parsed is not None:
            target = {"app_id": parsed.app_id, "page": parsed.page, "scene": parsed.scene, "params": dict(parsed.params)}
        return JSONResponse({"text": code.text, "format": code.format, "target": target})

    async def prompt_files(request: Request, sign_in: SignIn) -> Response:
        prompt_id = request.path_params["prompt_id"]
        prompt = web.pending.get(prompt_id)
        user = sign_in.user
        if prompt is None or prompt.kind != "pick" or prompt.user != user:
            return problem(404, "no-prompt", "nothing is waiting for files under that id; it may have timed out")
        try:
            form = await request.form(max_files=9, max_fields=20, max_part_size=MAX_UPLOAD_BYTES)
        except Exception as error:  # noqa: BLE001 - multipart errors are the client's
            return problem(400, "bad-upload", f"the upload could not be read: {error}")
        files = [item for item in form.getlist("files") if isinstance(item, UploadFile)]
        folder = web.pick_folder()
        paths: list[str] = []
        try:
            for number, upload in enumerate(files):
                target = folder / f"{number}-{Path(upload.filename or 'file').name[:80]}"
                with target.open("wb") as out:
                    await run_in_threadpool(shutil.copyfileobj, upload.file, out)
                if target.stat().st_size > MAX_UPLOAD_BYTES:
                    raise BadRequest(f"{upload.filename} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
                paths.append(str(target))
        except BadRequest as error:
            shutil.rmtree(folder, ignore_errors=True)
            return problem(413, "too-large", str(error))
        finally:
            await form.close()
        if not answer(web.pending, prompt_id, paths, user=user):
            return problem(409, "answered", "that prompt was answered or timed out already")
        return JSONResponse({"files": len(paths)})

    def home(request: Request, user: str) -> Any:
        return web.catalog.shelf(web.shelf, user, request.query_params.get("lang") or None)

    async def change_favourites(request: Request, sign_in: SignIn) -> Response:
        action = request.path_params["action"]
        if action not in ("pin", "unpin", "order"):
            return problem(404, "not-found", "favourites can be pinned (pin), unpinned (unpin) or reordered (order)")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return problem(415, "json-only", "send the change as application/json")
        body = await _json(request)
        if not isinstance(body, dict):
            return problem(400, "bad-request", 'send {"app_id": ...} (or {"order": [...]} to reorder) as JSON')
        shelf, user = web.shelf, sign_in.user
        try:
            if action == "pin":
                # Only a live program can be pinned (an id is checked before the registry sees it).
                await run_in_threadpool(web.registry.live_manifest, check_app_id(body.get("app_id")))
            if action == "order":
                await run_in_threadpool(shelf.order, user, body.get("order"))
            else:
                await run_in_threadpool(getattr(shelf, action), user, body.get("app_id"))
        except ShelfError as error:
            return problem_of(400, error)
        except RegistryError as error:
            return problem_of(error.status, error)
        lang = body.get("lang") if isinstance(body.get("lang"), str) else None
        return JSONResponse(await run_in_threadpool(web.catalog.shelf, shelf, user, lang))

    def app_about(request: Request, user: str) -> Any:
        return about.about(web, user, request.path_params["app_id"], request.query_params.get("lang") or None)

    async def report(request: Request, sign_in: SignIn) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return problem(415, "json-only", "send the report as application/json")
        body = await _json(request)
        if not isinstance(body, dict):
            return problem(400, "bad-request", 'send {"reason": "scam"|"offensive"|"privacy"|"broken"|"other", "details"?: "..."} as JSON')
        try:
            filed = await run_in_threadpool(web.catalog.report, request.path_params["app_id"], sign_in.user, body.get("reason"), body.get("details"))
        except RegistryError as error:
            return problem_of(error.status, error)
        return JSONResponse({"report_id": filed["report_id"], "status": filed["status"]}, status_code=201)

    async def set_language(request: Request, sign_in: SignIn) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return problem(415, "json-only", "send the language as application/json")
        body = await _json(request)
        try:
            language = await run_in_threadpool(web.languages.set, sign_in.user, body.get("language") if isinstance(body, dict) else None)
        except LanguageError as error:
            return problem_of(400, error)
        return JSONResponse({"language": language})

    def wallet(request: Request, user: str) -> Any:
        return me.wallet(web, user)

    def spending(request: Request, user: str) -> Any:
        return me.spending(web, user, request.query_params.get("lang") or None)

    def pin(request: Request, user: str) -> Any:
        return me.pin_status(web, user)

    async def change_pin(request: Request, sign_in: SignIn) -> Response:
        change = {"set": me.set_pin, "no-pin-below": me.set_no_pin_below}.get(request.path_params["action"])
        if change is None:
            return problem(404, "not-found", "the PIN can be set (set) or waived below an amount (no-pin-below)")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return problem(415, "json-only", "send the PIN as application/json")
        body = await _json(request)
        if not isinstance(body, dict):
            return problem(400, "bad-request", 'send {"pin": "123456", ...} as JSON')
        try:
            return JSONResponse(await run_in_threadpool(change, web, sign_in.user, body))
        except PinLocked as error:
            return problem_of(423, error, locked_until=error.until_ms)
        except WrongPin as error:
            return problem_of(403, error, tries_left=error.tries_left)
        except CapabilityError as error:
            return problem_of(400, error)

    def permissions(request: Request, user: str) -> Any:
        return me.permissions(web, user)

    async def change_permission(request: Request, sign_in: SignIn) -> Response:
        change = {"revoke": me.revoke, "reset": me.ask_again}.get(request.path_params["action"])
        if change is None:
            return problem(404, "not-found", "permissions can be revoked or reset")
        body = await _json(request)
        if not isinstance(body, dict) or not isinstance(body.get("app_id"), str) or not isinstance(body.get("scope"), str):
            return problem(400, "bad-request", 'send {"app_id": ..., "scope": ...}')
        try:
            return JSONResponse(await run_in_threadpool(change, web, sign_in.user, body["app_id"], body["scope"]))
        except CapsuleError as error:
            return problem_of(404, error)

    def audit(request: Request, user: str) -> Any:
        return me.activity(web, user, request.query_params.get("app_id"))

    def media(request: Request, user: str) -> Any:
        return me.uploads(web, user)

    async def presets(request: Request, sign_in: SignIn) -> Response:
        if web.dev is None:
            return problem(404, "not-dev", "presets exist in developer mode only (`capsule dev`)")
        body = await _json(request)
        try:
            applied = await run_in_threadpool(web.dev.apply_presets, body, sign_in.user)
        except (CapsuleError, ValueError) as error:
            return problem(400, "bad-preset", str(error))
        if "user" in applied:  # the developer's own sign-in now acts as that persona
            await run_in_threadpool(web.signins.switch_user, sign_in, applied["user"])
        return JSONResponse(applied)

    async def socket(websocket: WebSocket) -> None:
        sign_in = await run_in_threadpool(current, web.signins, websocket)
        if sign_in is None:
            # Before `accept`: the browser sees the handshake refused (HTTP 403).
            await websocket.close(code=POLICY_VIOLATION, reason="sign in first (/signin)")
            return
        await TabConnection(web, websocket, sign_in).run()

    store = web.host.capabilities["media"].store  # type: ignore[attr-defined]
    routes = [
        Route("/", index),
        *signin_routes(web),
        Route("/api/config", signed_in(config)),
        Route("/api/search", api(search)),
        Route("/api/apps/{app_id}/icon", api(icon)),
        Route("/api/apps/{app_id}/assets/{path:path}", api(asset)),
        Route("/api/apps/{app_id}/about", api(app_about)),
        Route("/api/apps/{app_id}/report", signed_in(report), methods=["POST"]),
        Route("/api/qr.svg", api(qr)),
        Route("/api/scan", signed_in(scan), methods=["POST"]),
        Route("/api/prompts/{prompt_id}/files", signed_in(prompt_files), methods=["POST"]),
        Route("/api/home", api(home)),
        Route("/api/home/favourites/{action}", signed_in(change_favourites), methods=["POST"]),
        Route("/api/me/language", signed_in(set_language), methods=["POST"]),
        Route("/api/me/wallet", api(wallet)),
        Route("/api/me/spending", api(spending)),
        Route("/api/me/pin", api(pin)),
        Route("/api/me/pin/{action}", signed_in(change_pin), methods=["POST"]),
        Route("/api/me/permissions", api(permissions)),
        Route("/api/me/permissions/{action}", signed_in(change_permission), methods=["POST"]),
        Route("/api/me/audit", api(audit)),
        Route("/api/me/media", api(media)),
        Route("/api/dev/presets", signed_in(presets), methods=["POST"]),
        *inbox_routes(web, signed_in),
        WebSocketRoute("/ws", socket),
        Mount(shell_page.prefix.rstrip("/"), Immutable(StaticFiles(directory=STATIC))),
        # For the operator's scraper only (runtime/metrics/endpoint.py says who that is).
        metrics_route(web.metrics_access),
        Mount("/static", StaticFiles(directory=STATIC)),
        Mount("/media", SignedInOnly(media_app(store), web)),
        # The embedded registry's own API: `capsule publish --registry http://HOST/registry` works.
        Mount("/registry", registry_app(web.registry)),
        # Programs' merchant servers, with server keys their owners made at the registry (docs/messages.md).
        Mount("/merchant", create_merchant_app(web.host, web.merchant_keys)),
    ]
    app = Starlette(routes=routes)
    # The last added runs first: headers go on every answer, refusals included.
    app.add_middleware(SameOrigin, allowed_hosts=web.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app


class SignedInOnly:
    """ASGI wrapper for a mounted app (the media store): signed-in browsers only."""

    def __init__(self, app: ASGIApp, web: WebHost) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await run_in_threadpool(current, self.web.signins, Request(scope)) is None:
            await problem(401, "not-signed-in", "sign in first (/signin)")(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BadRequest(ValueError):
    """A request that does not follow docs/webhost.md; the message says what to send."""


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def _int(text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(f"`{what}` must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"`{what}` must be {low} to {high}, got {value}")
    return value


def _package_file(found: tuple[Path, str] | None) -> Response:
    if found is None:
        return problem(404, "not-found", "no such file in the program's package")
    path, mime = found
    # A program's SVG is an image, never a document that runs script.
    return FileResponse(path, media_type=mime, headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})


async def _one_upload(request: Request, field: str) -> bytes:
    try:
        form = await request.form(max_files=1, max_fields=5, max_part_size=MAX_UPLOAD_BYTES)
    except Exception as error:  # noqa: BLE001 - multipart errors are the client's
        raise BadRequest(f"send the image as multipart form field `{field}` ({error})") from None
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise BadRequest(f"send the image as multipart form field `{field}`")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise BadRequest(f"the image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        return data
    finally:
        await form.close()
