"""`/metrics` on a registry served on its own: searches in the histogram, the operator alone reads it."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from capsule.runtime.metrics.endpoint import MetricsAccess
from capsule.runtime.registry.app import create_app

TOKEN = "registry-operator-token-0123"


def searches_counted(text: str) -> float:
    return next(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "capsule_search_seconds_count"
    )


def test_a_local_scraper_sees_searches_counted(registry) -> None:
    with TestClient(create_app(registry, metrics=MetricsAccess()), base_url="http://127.0.0.1:8470", client=("127.0.0.1", 5000)) as local:
        before = searches_counted(local.get("/metrics").text)
        assert local.get("/search", params={"q": "coffee"}).status_code == 200
        answer = local.get("/metrics")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert searches_counted(answer.text) == before + 1
        # Another origin's page, a proxied request: refused even from loopback.
        assert local.get("/metrics", headers={"origin": "https://evil.example"}).status_code == 403
        assert local.get("/metrics", headers={"x-forwarded-for": "198.51.100.1"}).status_code == 403
    # A DNS-rebound name (this server has no Host check of its own): refused.
    with TestClient(create_app(registry, metrics=MetricsAccess()), base_url="http://rebound.example", client=("127.0.0.1", 5000)) as rebound:
        assert rebound.get("/metrics").json()["error"] == "not-local"
    with TestClient(create_app(registry, metrics=MetricsAccess()), base_url="http://127.0.0.1:8470") as remote:
        assert remote.get("/metrics").status_code == 403


def test_with_a_token_a_remote_scraper_needs_it(registry) -> None:
    with TestClient(create_app(registry, metrics=MetricsAccess(TOKEN)), base_url="http://registry.example") as remote:
        assert remote.get("/metrics").status_code == 401
        assert remote.get("/metrics", headers={"authorization": "Bearer not-the-token-000000"}).status_code == 401
        assert remote.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_without_metrics_access_there_is_no_route(client) -> None:
    # The registry mounted inside a web host: the web host serves its own /metrics.
    assert client.get("/metrics").status_code == 404
