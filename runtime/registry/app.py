"""The registry over HTTP (starlette). The API is described at /openapi.json."""

from __future__ import annotations

import json
import os
from typing import Any, Awaitable, Callable

import anyio
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..metrics.endpoint import MetricsAccess, metrics_route
from .accounts import Account
from .errors import RegistryError, invalid
from .openapi import openapi_document
from .service import Registry

Handler = Callable[[Request], Awaitable[Response]]
MAX_JSON_BYTES = 64 * 1024
#: Searches run at once (the rest wait their turn in the event loop). A search
#: is CPU in SQLite, which runs beside the GIL, so a few per core keep the
#: cores busy; forty threads (the default pool) under load only contend: on
#: two cores at 200 searches/s each answer then cost ~7 ms of CPU instead of ~5.5.
SEARCH_THREADS = max(4, 2 * (os.cpu_count() or 1))


def create_app(registry: Registry, *, metrics: MetricsAccess | None = None) -> Starlette:
    """The ASGI app of `registry`. Every route says who may call it.

    With `metrics`, `GET /metrics` serves the process's figures to whoever
    that lets in (a registry served on its own; a web host serves its own).
    """

    def public(handler: Callable[[Request], Any]) -> Handler:
        async def endpoint(request: Request) -> Response:
            return await _answer(run_in_threadpool(handler, request))

        return endpoint

    limiters: list[anyio.CapacityLimiter] = []  # made in the event loop, on the first search

    def searching(handler: Callable[[Request], Any]) -> Handler:
        async def endpoint(request: Request) -> Response:
            if not limiters:
                limiters.append(anyio.CapacityLimiter(SEARCH_THREADS))
            return await _answer(anyio.to_thread.run_sync(handler, request, limiter=limiters[0]))

        return endpoint

    def authenticated(handler: Callable[[Request, Account], Any]) -> Handler:
        # Roles are checked inside each Registry operation, next to what they protect.
        async def endpoint(request: Request) -> Response:
            async def call() -> Any:
                actor = await run_in_threadpool(registry.authenticate, request.headers.get("authorization"))
                body = await _json_body(request) if request.method == "POST" else None
                request.state.body = body
                return await run_in_threadpool(handler, request, actor)

            return await _answer(call())

        return endpoint

    async def publish(request: Request) -> Response:
        async def call() -> Any:
            actor = await run_in_threadpool(registry.authenticate, request.headers.get("authorization"))
            actor.require("developer")
            limit = registry.limits.max_package_bytes
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise RegistryError(413, "too-large", f"the package is larger than this registry's limit of {limit} bytes")
            chunks, total = [], 0
            async for chunk in request.stream():
                total += len(chunk)
                if total > limit:
                    raise RegistryError(413, "too-large", f"the package is larger than this registry's limit of {limit} bytes")
                chunks.append(chunk)
            version, created = await run_in_threadpool(registry.publish, actor, chunks)
            task = BackgroundTask(registry.audit_version, version["review_id"]) if created else None
            return JSONResponse(version, status_code=201 if created else 200, background=task)

        return await _answer(call())

    def me(request: Request, actor: Account) -> Any:
        return actor.as_dict()

    def create_account(request: Request, actor: Account) -> Any:
        body = _object(request.state.body, "name", "roles")
        account, token = registry.create_account(actor, body["name"], body["roles"] if isinstance(body["roles"], list) else [])
        return JSONResponse({**account.as_dict(), "token": token}, status_code=201)

    def key_challenge(request: Request, actor: Account) -> Any:
        return JSONResponse(registry.key_challenge(actor), status_code=201)

    def add_key(request: Request, actor: Account) -> Any:
        body = _object(request.state.body, "public_key", "challenge", "signature")
        key_id = registry.register_key(actor, body["public_key"], body["challenge"], body["signature"])
        return JSONResponse({"key_id": key_id}, status_code=201)

    def reviews(request: Request, actor: Account) -> Any:
        status = request.query_params.get("status", "pending")
        if status not in ("pending", "auditing", "approved", "rejected", "rolled-back", "yanked", "all"):
            raise invalid(f"status must be pending, auditing, approved, rejected, rolled-back, yanked or all; got {status!r}")
        return registry.reviews(actor, None if status == "all" else status)

    def review(request: Request, actor: Account) -> Any:
        return registry.review(actor, _review_id(request))

    def approve(request: Request, actor: Account) -> Any:
        body = request.state.body or {}
        return registry.approve(actor, _review_id(request), body.get("percent", 100) if isinstance(body, dict) else 100)

    def reject(request: Request, actor: Account) -> Any:
        return registry.reject(actor, _review_id(request), _object(request.state.body, "reason")["reason"])

    def rollout(request: Request, actor: Account) -> Any:
        return registry.set_rollout(actor, request.path_params["app_id"], _object(request.state.body, "percent")["percent"])

    def rollback(request: Request, actor: Account) -> Any:
        return registry.rollback(actor, request.path_params["app_id"])

    def yank(request: Request, actor: Account) -> Any:
        body = request.state.body if isinstance(request.state.body, dict) else {}
        reason = body.get("reason")
        return registry.yank(actor, request.path_params["app_id"], request.path_params["version"], reason if isinstance(reason, str) else None)

    def release(request: Request) -> Any:
        return registry.release(request.path_params["app_id"])

    def latest(request: Request) -> Any:
        return registry.resolve(request.path_params["app_id"], user=request.query_params.get("user") or None)

    def version_info(request: Request) -> Any:
        return registry.resolve(request.path_params["app_id"], request.path_params["version"])

    def package(request: Request) -> Any:
        path, info = registry.package_path(request.path_params["app_id"], request.path_params["version"])
        return FileResponse(path, media_type="application/vnd.capsule.package", headers=_signature_headers(info))

    def compiled(request: Request) -> Any:
        path, info = registry.compiled_path(request.path_params["app_id"], request.path_params["version"])
        return FileResponse(path, media_type="application/octet-stream", headers=_signature_headers(info))

    def status(request: Request) -> Any:
        return registry.status(request.path_params["app_id"], request.path_params["version"])

    def launch(request: Request, actor: Account) -> Any:
        user = _object(request.state.body, "user")["user"]
        return {"counted": registry.record_launch(actor, request.path_params["app_id"], user)}

    def report(request: Request, actor: Account) -> Any:
        body = _object(request.state.body, "user", "reason")
        filed = registry.report(actor, request.path_params["app_id"], body["user"], body["reason"], body.get("details", ""))
        return JSONResponse(filed, status_code=201)

    def list_reports(request: Request, actor: Account) -> Any:
        status = request.query_params.get("status", "open")
        if status not in ("open", "closed", "all"):
            raise invalid(f"status must be open, closed or all; got {status!r}")
        return registry.reports(actor, status=None if status == "all" else status, app_id=request.query_params.get("app_id") or None)

    def close_report(request: Request, actor: Account) -> Any:
        return registry.close_report(actor, _int(request.path_params["report_id"], "report id", 1, 2**31 - 1), _object(request.state.body, "note")["note"])

    def search(request: Request) -> Any:
        params = request.query_params
        query = params.get("q", "")
        limit = _int(params.get("limit", "20"), "limit", 1, 100)
        near = _near(params.get("near"))
        radius = _number(params.get("radius_km", "5"), "radius_km", 0.01, 100)
        explain = _flag(params.get("explain", "false"), "explain")
        if explain:
            # Score parts show how usage lifts every program found, competitors'
            # included: registry operators see them, not the public.
            actor = registry.authenticate(request.headers.get("authorization"))
            actor.require("admin")
        return {
            "query": query,
            "results": registry.search(
                query,
                language=params.get("language") or None,
                category=params.get("category") or None,
                near=near,
                radius_km=radius,
                limit=limit,
                explain=explain,
            ),
        }

    def merchant_keys(request: Request, actor: Account) -> Any:
        if request.method == "GET":
            return {"app_id": request.path_params["app_id"], "keys": registry.merchant_keys(actor, request.path_params["app_id"])}
        body = request.state.body if request.state.body is not None else {}
        if not isinstance(body, dict):
            raise invalid("send a JSON object, e.g. {\"label\": \"till 1\"}")
        created = registry.create_merchant_key(actor, request.path_params["app_id"], body.get("label", ""))
        return JSONResponse(created, status_code=201)

    def revoke_merchant_key(request: Request, actor: Account) -> Any:
        return registry.revoke_merchant_key(actor, request.path_params["app_id"], request.path_params["key_id"])

    def merchant_key(request: Request) -> Any:
        return registry.merchant_key(request.path_params["key_id"])

    def key(request: Request) -> Any:
        return {"public_key": registry.key.public_key, "key_id": registry.key.key_id}

    def spec(request: Request) -> Any:
        return openapi_document()

    app_path = "/apps/{app_id}"
    version_path = app_path + "/versions/{version}"
    routes = [
        Route("/openapi.json", public(spec), methods=["GET"]),
        Route("/key", public(key), methods=["GET"]),
        Route("/search", searching(search), methods=["GET"]),
        Route("/account", authenticated(me), methods=["GET"]),
        Route("/accounts", authenticated(create_account), methods=["POST"]),
        Route("/account/keys", authenticated(add_key), methods=["POST"]),
        Route("/account/keys/challenge", authenticated(key_challenge), methods=["POST"]),
        Route("/packages", publish, methods=["POST"]),
        Route("/reviews", authenticated(reviews), methods=["GET"]),
        Route("/reviews/{review_id}", authenticated(review), methods=["GET"]),
        Route("/reviews/{review_id}/approve", authenticated(approve), methods=["POST"]),
        Route("/reviews/{review_id}/reject", authenticated(reject), methods=["POST"]),
        Route(app_path, public(release), methods=["GET"]),
        Route(app_path + "/latest", public(latest), methods=["GET"]),
        Route(app_path + "/rollout", authenticated(rollout), methods=["POST"]),
        Route(app_path + "/rollback", authenticated(rollback), methods=["POST"]),
        Route(app_path + "/launches", authenticated(launch), methods=["POST"]),
        Route(app_path + "/reports", authenticated(report), methods=["POST"]),
        Route(app_path + "/merchant-keys", authenticated(merchant_keys), methods=["GET", "POST"]),
        Route(app_path + "/merchant-keys/{key_id}/revoke", authenticated(revoke_merchant_key), methods=["POST"]),
        Route("/merchant-keys/{key_id}", public(merchant_key), methods=["GET"]),
        Route("/reports", authenticated(list_reports), methods=["GET"]),
        Route("/reports/{report_id}/close", authenticated(close_report), methods=["POST"]),
        Route(version_path, public(version_info), methods=["GET"]),
        Route(version_path + "/status", public(status), methods=["GET"]),
        Route(version_path + "/package", public(package), methods=["GET"]),
        Route(version_path + "/compiled", public(compiled), methods=["GET"]),
        Route(version_path + "/yank", authenticated(yank), methods=["POST"]),
    ]
    if metrics is not None:
        routes.append(metrics_route(metrics))
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_error})


async def _answer(work: Awaitable[Any]) -> Response:
    try:
        result = await work
    except RegistryError as error:
        return JSONResponse({"error": error.code, "message": error.message}, status_code=error.status)
    return result if isinstance(result, Response) else JSONResponse(result)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    # Keep the exception's headers: a 405 must say which methods are `Allow`ed.
    return JSONResponse({"error": "http", "message": str(error.detail)}, status_code=error.status_code, headers=error.headers)


async def _json_body(request: Request) -> Any:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise RegistryError(413, "too-large", f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise invalid("the request body is not JSON; send a JSON object", code="invalid-json") from None


def _object(body: Any, *fields: str) -> dict[str, Any]:
    if not isinstance(body, dict) or any(field not in body for field in fields):
        raise invalid(f"send a JSON object with {', '.join(fields)}")
    return body


def _review_id(request: Request) -> int:
    return _int(request.path_params["review_id"], "review id", 1, 2**31 - 1)


def _int(text: str, what: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise invalid(f"{what} must be a whole number from {low} to {high}; got {text!r}")
    return int(text)


def _flag(text: str, what: str) -> bool:
    if text not in ("true", "false"):
        raise invalid(f"{what} must be true or false; got {text!r}")
    return text == "true"


def _number(text: str, what: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also false for nan
        raise invalid(f"{what} must be a number from {low} to {high}; got {text!r}")
    return value


def _near(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    lat, _, lon = text.partition(",")
    if not lon:
        raise invalid(f"near must be 'latitude,longitude' in WGS-84 degrees, e.g. 52.37,4.89; got {text!r}")
    return _number(lat.strip(), "near latitude", -90, 90), _number(lon.strip(), "near longitude", -180, 180)


def _signature_headers(info: dict[str, Any]) -> dict[str, str]:
    return {
        "X-Capsule-Digest": info["digest"],
        "X-Capsule-Version": info["version"],
        "X-Capsule-Countersignature": info["countersignature"],
        "X-Capsule-Countersigned-At": str(info["countersigned_at"]),
    }
