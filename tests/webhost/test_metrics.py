"""`/metrics` on the web host: the platform's figures in the Prometheus text format, for the operator only."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from capsule.runtime.metrics.endpoint import MetricsAccess, MetricsTokenError
from capsule.runtime.webhost.app import create_app

from .conftest import origin_of, signed_in, socket_url
from .test_api import COFFEE, Tab, pin_of_alice

TOKEN = "operator-token-0123456789"


def figures(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def local_scraper(web, **headers: str) -> TestClient:
    """A scraper on the host's own machine: a loopback address, the loopback name."""
    return TestClient(create_app(web), base_url=origin_of(web), client=("127.0.0.1", 40000), headers=headers)


def scrape(web) -> dict:
    with local_scraper(web) as scraper:
        answer = scraper.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return figures(answer.text)


def test_the_figures_follow_a_launch_a_payment_and_a_search_and_name_nobody(web) -> None:
    before = scrape(web)
    pin = pin_of_alice(web)
    with signed_in(web, "alice") as client, client.websocket_connect(socket_url(client)) as socket:
        tab = Tab(socket)
        session, _ = tab.launch(COFFEE)
        tab.tap(session, "add", {"item": "flat-white"})
        tab.until("view")
        tab.tap(session, "checkout")
        sheet = tab.until("prompt")
        tab.send(type="answer", prompt=sheet["prompt"], value=True, secret=pin)
        tab.until("view")
        assert client.get("/api/search", params={"q": "coffee"}).status_code == 200
        with local_scraper(web) as scraper:
            text = scraper.get("/metrics").text
        during = figures(text)
    assert during[("capsule_live_sessions", ())] >= 1 and during[("capsule_open_sockets", ())] >= 1
    assert during[("capsule_payments_total", (("currency", "CNY"),))] == before.get(("capsule_payments_total", (("currency", "CNY"),)), 0) + 1
    assert during[("capsule_payment_amount_total", (("currency", "CNY"),))] == before.get(("capsule_payment_amount_total", (("currency", "CNY"),)), 0) + 1250
    assert during[("capsule_turns_total", ())] >= before.get(("capsule_turns_total", ()), 0) + 4  # launch, add, checkout, ...
    payments_ok = ("capsule_capability_calls_total", (("capability", "payments"), ("outcome", "ok")))
    assert during[payments_ok] >= before.get(payments_ok, 0) + 1
    assert during[("capsule_search_seconds_count", ())] >= before.get(("capsule_search_seconds_count", ()), 0) + 1
    assert during[("process_resident_memory_bytes", ())] > 0 and ("process_cpu_seconds_total", ()) in during
    # Nothing about anyone: no account, no program, no order.
    for private in ("alice", COFFEE, "flat-white", "Alice"):
        assert private not in text
    assert scrape(web)[("capsule_open_sockets", ())] == during[("capsule_open_sockets", ())] - 1


def test_another_origins_page_a_remote_caller_and_a_proxied_request_are_refused(web) -> None:
    with local_scraper(web, origin="https://evil.example") as scraper:
        assert scraper.get("/metrics").status_code == 403
        assert "access-control-allow-origin" not in scraper.get("/metrics").headers
    with local_scraper(web, **{"sec-fetch-site": "cross-site"}) as scraper:
        assert scraper.get("/metrics").json()["error"] == "browser-page"
    with local_scraper(web, **{"sec-fetch-site": "same-origin"}) as scraper:
        assert scraper.get("/metrics").status_code == 403  # even the host's own pages: no person needs it
    with TestClient(create_app(web), base_url=origin_of(web), client=("203.0.113.9", 40000)) as remote:
        refused = remote.get("/metrics")
        assert refused.status_code == 403 and refused.json()["error"] == "not-local"
        assert "CAPSULE_METRICS_TOKEN" in refused.json()["message"]
    with local_scraper(web, **{"x-forwarded-for": "203.0.113.9"}) as scraper:
        assert scraper.get("/metrics").json()["error"] == "forwarded"
    # A DNS-rebound name on loopback is refused before the route (unknown host).
    with TestClient(create_app(web), base_url="http://rebound.example:80", client=("127.0.0.1", 40000)) as rebound:
        assert rebound.get("/metrics").status_code == 400


def test_with_an_operator_token_only_its_holder_reads_from_anywhere(web) -> None:
    saved = web.metrics_access
    web.metrics_access = MetricsAccess(TOKEN)
    try:
        app = create_app(web)
    finally:
        web.metrics_access = saved
    with TestClient(app, base_url=origin_of(web), client=("203.0.113.9", 40000)) as remote:
        missing = remote.get("/metrics")
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        assert remote.get("/metrics", headers={"authorization": "Bearer wrong-token-0123456789"}).status_code == 401
        assert remote.get("/metrics", headers={"authorization": f"Basic {TOKEN}"}).status_code == 401
        assert remote.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
        # A page that somehow holds the token is still a page.
        assert remote.get("/metrics", headers={"authorization": f"Bearer {TOKEN}", "origin": "https://evil.example"}).status_code == 403
    with TestClient(app, base_url=origin_of(web), client=("127.0.0.1", 40000)) as local:
        assert local.get("/metrics").status_code == 401  # with a token set, loopback needs it too


def test_a_short_token_is_refused_at_start_saying_what_to_do(monkeypatch) -> None:
    monkeypatch.setenv("CAPSULE_METRICS_TOKEN", "short")
    with pytest.raises(MetricsTokenError, match="use at least 16"):
        MetricsAccess.from_environment()
    monkeypatch.setenv("CAPSULE_METRICS_TOKEN", TOKEN)
    assert MetricsAccess.from_environment().token == TOKEN
