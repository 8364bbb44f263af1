"""A reviewer cannot approve or reject a version of a program their own account
owns; a one-person development registry may turn that off."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from capsule.runtime.registry import Registry
from capsule.runtime.registry.app import create_app

from .conftest import Actor, fixed_key, publish, register_key


def solo(registry: Registry, client: TestClient) -> Actor:
    """One account that both develops and reviews."""
    _, token = registry.create_account(None, "solo", ["developer", "reviewer"])
    actor = Actor("solo", token, fixed_key("solo"))
    assert register_key(client, actor, actor.key).status_code == 201
    return actor


def test_a_reviewer_cannot_approve_or_reject_their_own_program(client, actors, registry, make_package) -> None:
    me = solo(registry, client)
    review = publish(client, me, make_package(me.key, app_id="com.example.solo")).json()["review_id"]
    for verb, body in (("approve", {}), ("reject", {"reason": "looks fine to me"})):
        refused = client.post(f"/reviews/{review}/{verb}", json=body, headers=me.headers)
        assert refused.status_code == 403, refused.text
        assert "owns com.example.solo" in refused.json()["message"] and "another reviewer" in refused.json()["message"]
    assert client.get("/apps/com.example.solo/latest").status_code == 404  # nothing went live
    # Another reviewer can.
    assert client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers).status_code == 200


@pytest.mark.parametrize("verb, body", [("approve", {}), ("reject", {"reason": "needs a privacy note"})])
def test_a_one_person_registry_may_allow_self_review(home, database, tmp_path, shared_engine, make_package, verb, body) -> None:
    registry = Registry(home, database, blobs=tmp_path / "blobs", engine=shared_engine, self_review=True)
    client = TestClient(create_app(registry))
    me = solo(registry, client)
    review = publish(client, me, make_package(me.key, app_id="com.example.solo")).json()["review_id"]
    assert client.post(f"/reviews/{review}/{verb}", json=body, headers=me.headers).status_code == 200


def test_the_web_hosts_embedded_registry_allows_self_review(home, tmp_path) -> None:
    from capsule.runtime.webhost.server import open_web_host

    web = open_web_host(home.sharing_caches(tmp_path / "web"), url="http://127.0.0.1:8000", samples=[])
    try:
        assert web.registry.self_review is True
    finally:
        web.close()
