"""Every route of the web host's API: a page on another origin gets nothing it can use, a signed-out caller a 401.

A state-changing request from another origin is refused outright. A read
is answered without any CORS header, so a browser keeps the answer from the
other origin's page (and the SameSite=Strict cookie is not sent with it).

Walks the app's own route table, so a route added later is covered without
anyone remembering to write its refusal test.
"""

from __future__ import annotations

import re

from starlette.routing import Route

from capsule.runtime.webhost.app import create_app

from .conftest import signed_in

#: Routes open before sign-in by design (signing in, the sign-in pages' own data).
OPEN = re.compile(r"^/api/(signin|signup|signout|accounts/demo)")


def _api_routes(app) -> list[tuple[str, str]]:
    routes = []
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/") and not OPEN.match(route.path):
            path = re.sub(r"\{[^}:]+(:path)?\}", "x", route.path)
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    routes.append((method, path))
    return routes


def test_every_api_route_gives_another_origin_nothing_and_refuses_a_signed_out_caller(web) -> None:
    routes = _api_routes(create_app(web))
    assert len(routes) >= 20 and ("GET", "/api/me/spending") in routes
    with signed_in(web, "alice") as client:
        for method, path in routes:
            foreign = client.request(method, path, json={}, headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"})
            assert "access-control-allow-origin" not in foreign.headers, (method, path)
            if method != "GET":
                assert foreign.status_code == 403, (method, path, foreign.status_code)
        client.cookies.clear()
        for method, path in routes:
            signed_out = client.request(method, path, json={})
            assert signed_out.status_code == 401, (method, path, signed_out.status_code)
