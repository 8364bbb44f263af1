"""Sign-up, sign-in and sign-out: the pages and their JSON endpoints.

The pages are one static document (`static/account.html`, text nodes only,
the shell's Content-Security-Policy). The endpoints take JSON only (a form
on another site cannot send `application/json` without the browser asking
first) and, like every state-changing request, only from the host's own
origin (`origin.SameOrigin`). Every sign-in gets a new cookie (`SignIns`).
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .accounts import MAX_PASSWORD, AccountError
from .auth import COOKIE, Refused, authorise, clear_cookie, current, set_cookie
from .problem import problem
from .throttle import ACCOUNT_LIMIT, ADDRESS_LIMIT, SIGNUP_LIMIT, say_wait

if TYPE_CHECKING:
    from .state import WebHost

STATIC = Path(__file__).with_name("static")
#: A sign-in or sign-up body is a few short strings.
MAX_BODY_BYTES = 4096


def signin_routes(web: "WebHost") -> list[BaseRoute]:
    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "account.html", headers={"Cache-Control": "no-cache"})

    async def options(request: Request) -> Response:
        sign_in = await run_in_threadpool(current, web.signins, request)
        demo = await run_in_threadpool(web.accounts.demo_accounts) if web.demo else []
        return JSONResponse({
            "mode": web.mode,
            "user": sign_in.user if sign_in else None,
            "demo": [{"name": account.name, "display": account.display} for account in demo],
        })

    async def sign_in(request: Request) -> Response:
        body = await read_json_object(request)
        name, password = body.get("name"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
            raise Refused(400, "bad-request", 'send {"name": ..., "password": ...}')
        if len(name) > 64 or len(password) > MAX_PASSWORD:
            raise Refused(401, "wrong-password", "wrong account name or password")
        keys = ((f"account:{name}", ACCOUNT_LIMIT), (f"address:{address(request)}", ADDRESS_LIMIT))
        wait = max([await run_in_threadpool(web.throttle.wait, key, limit) for key, limit in keys])
        if wait > 0:
            raise Refused(
                429, "too-many-attempts",
                f"too many failed sign-ins for this account or from this address; try again in {say_wait(wait)}",
                retry_after=wait,
            )
        account = await run_in_threadpool(web.accounts.verify, name, password)
        if account is None:
            for key, limit in keys:
                await run_in_threadpool(web.throttle.fail, key, limit)
            raise Refused(401, "wrong-password", "wrong account name or password")
        await run_in_threadpool(web.throttle.clear, keys[0][0])
        return await signed_in(request, account.name)

    async def sign_in_demo(request: Request) -> Response:
        body = await read_json_object(request)
        name = body.get("name")
        if not web.demo:
            raise Refused(404, "no-demo", "demo accounts exist only while the host runs with `capsule host --demo`")
        account = await run_in_threadpool(web.accounts.get, name) if isinstance(name, str) and len(name) <= 64 else None
        if account is None or not account.demo:
            raise Refused(404, "no-demo", "no demo account by that name; the sign-in page lists them")
        return await signed_in(request, account.name)

    async def sign_up(request: Request) -> Response:
        body = await read_json_object(request)
        key = f"signup:{address(request)}"
        wait = await run_in_threadpool(web.throttle.wait, key, SIGNUP_LIMIT)
        if wait > 0:
            raise Refused(429, "too-many-attempts", f"too many new accounts from this address; try again in {say_wait(wait)}", retry_after=wait)
        try:
            account = await run_in_threadpool(web.accounts.create, body.get("name"), body.get("password"), body.get("display"))
        except AccountError as error:
            raise Refused(error.status, error.code, str(error), params=error.params) from None
        await run_in_threadpool(web.throttle.fail, key, SIGNUP_LIMIT)  # counts accounts made, not mistakes
        return await signed_in(request, account.name)

    async def sign_out(request: Request) -> Response:
        found = await run_in_threadpool(authorise, web.signins, request)
        await run_in_threadpool(web.signins.end, found.token)
        for tab in list(web.connections):
            if tab.sign_in.id_hash == found.id_hash:
                tab.sign_out()
        response = JSONResponse({"user": None})
        clear_cookie(response, request)
        return response

    async def dev_sign_in(request: Request) -> Response:
        """`capsule dev` prints a URL with this start's key; opening it signs the developer in."""
        if web.dev_key is None:
            raise Refused(404, "not-dev", "this sign-in exists in developer mode only (`capsule dev`)")
        key = f"address:{address(request)}"
        wait = web.throttle.wait(key, ADDRESS_LIMIT)
        if wait > 0:
            raise Refused(429, "too-many-attempts", f"too many wrong keys from this address; try again in {say_wait(wait)}", retry_after=wait)
        sent = request.query_params.get("key", "")[:200]
        if not hmac.compare_digest(sent.encode(), web.dev_key.encode()):
            web.throttle.fail(key, ADDRESS_LIMIT)
            raise Refused(403, "wrong-key", "wrong developer key: open the exact URL `capsule dev` printed when it started")
        new = await run_in_threadpool(web.signins.start, web.users[0].name, replacing=request.cookies.get(COOKIE))
        response = RedirectResponse("/", status_code=303)  # the key leaves the address bar
        set_cookie(response, request, new, web.signins.policy.absolute_seconds)
        return response

    async def signed_in(request: Request, user: str) -> Response:
        new = await run_in_threadpool(web.signins.start, user, replacing=request.cookies.get(COOKIE))
        response = JSONResponse({"user": user, "csrf": new.csrf})
        set_cookie(response, request, new, web.signins.policy.absolute_seconds)
        return response

    return [
        Route("/signin", page),
        Route("/signup", page),
        Route("/signout", page),
        Route("/api/signin", refusals(options), methods=["GET"]),
        Route("/api/signin", refusals(sign_in), methods=["POST"]),
        Route("/api/signin/demo", refusals(sign_in_demo), methods=["POST"]),
        Route("/api/signup", refusals(sign_up), methods=["POST"]),
        Route("/api/signout", refusals(sign_out), methods=["POST"]),
        Route("/dev/signin", refusals(dev_sign_in)),
    ]


def refusals(handler: Any) -> Any:
    """The handler, with `Refused` answered as `{"error", "message"}` and its status."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as refused:
            return refusal(refused)

    return endpoint


def refusal(refused: Refused) -> JSONResponse:
    headers = {"Retry-After": str(int(refused.retry_after) + 1)} if refused.retry_after else None
    return problem(refused.status, refused.code, str(refused), params=refused.params, headers=headers)


def address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: the proxy's, unless uvicorn trusts it)."""
    return request.client.host if request.client else "unknown"


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object; only `application/json`, at most `MAX_BODY_BYTES`."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Refused(415, "json-only", "send the body as JSON (Content-Type: application/json)")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "too-large", f"the body is larger than {MAX_BODY_BYTES} bytes", params={"bytes": MAX_BODY_BYTES})
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise Refused(400, "bad-request", "send a JSON object")
    return value
