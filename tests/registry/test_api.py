"""The registry API, endpoint by endpoint and role by role, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile

import pytest

from capsule.runtime.registry import verify_countersignature
from capsule.runtime.registry.rollout import bucket

from .conftest import publish


def test_openapi_document_is_served(client) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/packages" in document["paths"] and "/search" in document["paths"]


def test_publish_review_approve_download(client, actors, make_package) -> None:
    alice, reviewer = actors["alice"], actors["reviewer"]
    path = make_package(alice.key)
    response = publish(client, alice, path)
    assert response.status_code == 201, response.text
    version = response.json()
    # The audit ran in the background (TestClient runs background tasks before returning).
    queue = client.get("/reviews", headers=reviewer.headers).json()
    assert [row["review_id"] for row in queue] == [version["review_id"]]
    detail = client.get(f"/reviews/{version['review_id']}", headers=reviewer.headers).json()
    assert detail["audit"]["ok"] and detail["audit"]["imports"]["undeclared"] == []
    assert detail["changes"] is None  # first version

    release = client.post(f"/reviews/{version['review_id']}/approve", json={}, headers=reviewer.headers).json()
    assert release == {"id": "com.example.coffee", "version": "1.0.0", "percent": 100, "previous": None}

    info = client.get("/apps/com.example.coffee/latest").json()
    key = client.get("/key").json()["public_key"]
    verify_countersignature(key, info["id"], info["version"], info["digest"], info["countersigned_at"], info["countersignature"])
    package = client.get("/apps/com.example.coffee/versions/1.0.0/package")
    assert package.status_code == 200 and package.content == path.read_bytes()
    assert package.headers["x-capsule-countersignature"] == info["countersignature"]
    compiled = client.get("/apps/com.example.coffee/versions/1.0.0/compiled")
    assert compiled.status_code in (200, 404)  # 404 only when the shared test engine skipped the disk cache


def test_republishing_the_same_package_is_idempotent_and_another_digest_is_409(client, actors, make_package) -> None:
    alice = actors["alice"]
    first = make_package(alice.key)
    assert publish(client, alice, first).status_code == 201
    assert publish(client, alice, first).status_code == 200
    other = make_package(alice.key, keywords={"en": ["different"]})
    response = publish(client, alice, other)
    assert response.status_code == 409 and "immutable" in response.json()["message"]


def test_app_id_belongs_to_its_first_publisher(client, actors, make_package) -> None:
    assert publish(client, actors["alice"], make_package(actors["alice"].key)).status_code == 201
    response = publish(client, actors["bob"], make_package(actors["bob"].key, version="2.0.0"))
    assert response.status_code == 403 and "belongs to another account" in response.json()["message"]


def test_a_package_signed_by_an_unregistered_key_is_refused(client, actors, make_package) -> None:
    response = publish(client, actors["alice"], make_package(actors["bob"].key))
    assert response.status_code == 403 and "not registered" in response.json()["message"]


@pytest.mark.parametrize(
    "body, status",
    [
        (b"", 400),
        (b"not a zip", 400),
        (b"PK\x03\x04" + b"\x00" * 100, 400),
    ],
)
def test_malformed_uploads_are_4xx_and_store_nothing(client, actors, registry, body: bytes, status: int) -> None:
    response = client.post("/packages", content=body, headers=actors["alice"].headers)
    assert response.status_code == status, response.text
    assert not any(p.is_file() for p in registry.blobs.root.rglob("*"))
    assert client.get("/reviews?status=all", headers=actors["reviewer"].headers).json() == []


def test_a_path_traversal_package_is_refused(client, actors, registry) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil", b"x")
        archive.writestr("manifest.json", b"{}")
    response = client.post("/packages", content=buffer.getvalue(), headers=actors["alice"].headers)
    assert response.status_code == 400
    assert not any(p.is_file() for p in registry.blobs.root.rglob("*"))


def test_oversized_uploads_are_413(client, actors, registry) -> None:
    limit = registry.limits.max_package_bytes
    response = client.post("/packages", content=b"\0" * 1024, headers={**actors["alice"].headers, "Content-Length": str(limit + 1)})
    assert response.status_code in (400, 413)
    from dataclasses import replace

    registry.limits = replace(registry.limits, max_package_bytes=100)
    response = client.post("/packages", content=b"\0" * 1000, headers=actors["alice"].headers)
    assert response.status_code == 413 and "limit" in response.json()["message"]


def test_invalid_manifest_is_422(client, actors, make_package) -> None:
    path = make_package(actors["alice"].key, version="not-semver")
    response = publish(client, actors["alice"], path)
    assert response.status_code in (400, 422), response.text


ROLE_MATRIX = [
    # (method, path, body, roles allowed)
    ("GET", "/account", None, {"admin", "reviewer", "alice", "bob"}),
    ("POST", "/accounts", {"name": "carol", "roles": ["developer"]}, {"admin"}),
    ("GET", "/reviews", None, {"reviewer"}),
    ("GET", "/reviews/1", None, {"reviewer"}),
    ("POST", "/account/keys/challenge", None, {"alice", "bob"}),
]


@pytest.mark.parametrize("method, path, body, allowed", ROLE_MATRIX)
def test_each_role_can_do_only_its_own_things(client, actors, make_package, method, path, body, allowed) -> None:
    assert publish(client, actors["alice"], make_package(actors["alice"].key)).status_code == 201
    assert client.request(method, path, json=body).status_code == 401
    assert client.request(method, path, json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    for name, actor in actors.items():
        status = client.request(method, path, json=body, headers=actor.headers).status_code
        if name in allowed:
            assert status < 400 or status == 409, (name, path, status)
        else:
            assert status == 403, (name, path, status)


def test_only_reviewers_approve_and_reject(client, actors, make_package) -> None:
    review = publish(client, actors["alice"], make_package(actors["alice"].key)).json()["review_id"]
    for name in ("admin", "alice", "bob"):
        assert client.post(f"/reviews/{review}/approve", json={}, headers=actors[name].headers).status_code == 403
        assert client.post(f"/reviews/{review}/reject", json={"reason": "x"}, headers=actors[name].headers).status_code == 403
    assert client.post(f"/reviews/{review}/reject", json={"reason": " "}, headers=actors["reviewer"].headers).status_code == 400
    rejected = client.post(f"/reviews/{review}/reject", json={"reason": "explain the location use"}, headers=actors["reviewer"].headers)
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "explain the location use"
    assert client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers).status_code == 409
    assert client.get("/apps/com.example.coffee/latest").status_code == 404
    assert client.get("/apps/com.example.coffee/versions/1.0.0/package").status_code == 404


def _release(client, actors, make_package, version: str, percent: int = 100) -> dict:
    review = publish(client, actors["alice"], make_package(actors["alice"].key, version=version)).json()["review_id"]
    response = client.post(f"/reviews/{review}/approve", json={"percent": percent}, headers=actors["reviewer"].headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_phased_rollout_buckets_users_deterministically(client, actors, make_package) -> None:
    _release(client, actors, make_package, "1.0.0")
    release = _release(client, actors, make_package, "1.1.0", percent=30)
    assert release == {"id": "com.example.coffee", "version": "1.1.0", "percent": 30, "previous": "1.0.0"}
    users = [f"user-{n}" for n in range(200)]
    got = {user: client.get("/apps/com.example.coffee/latest", params={"user": user}).json()["version"] for user in users}
    assert got == {u: "1.1.0" if bucket("com.example.coffee", u) < 30 else "1.0.0" for u in users}
    assert 30 <= sum(v == "1.1.0" for v in got.values()) <= 90  # about 30% of 200
    # Only the owner (or an admin) changes the rollout.
    assert client.post("/apps/com.example.coffee/rollout", json={"percent": 100}, headers=actors["bob"].headers).status_code == 403
    assert client.post("/apps/com.example.coffee/rollout", json={"percent": 0}, headers=actors["alice"].headers).status_code == 400
    done = client.post("/apps/com.example.coffee/rollout", json={"percent": 100}, headers=actors["alice"].headers).json()
    assert done["percent"] == 100
    assert client.get("/apps/com.example.coffee/latest", params={"user": "anyone"}).json()["version"] == "1.1.0"


def test_rollback_and_yank(client, actors, make_package) -> None:
    _release(client, actors, make_package, "1.0.0")
    _release(client, actors, make_package, "1.1.0")
    review = client.get("/reviews/2", headers=actors["reviewer"].headers).json()
    assert review["changes"]["since_version"] == "1.0.0"
    assert client.post("/apps/com.example.coffee/rollback", headers=actors["bob"].headers).status_code == 403
    back = client.post("/apps/com.example.coffee/rollback", headers=actors["alice"].headers).json()
    assert back["version"] == "1.0.0"
    assert client.get("/apps/com.example.coffee/versions/1.1.0").status_code == 200  # still downloadable by version
    assert client.post("/apps/com.example.coffee/versions/1.0.0/yank", json={"reason": "bug"}, headers=actors["bob"].headers).status_code == 403
    assert client.post("/apps/com.example.coffee/versions/1.0.0/yank", json={"reason": "bug"}, headers=actors["admin"].headers).status_code == 200
    assert client.get("/apps/com.example.coffee/versions/1.0.0/package").status_code == 404
    assert client.get("/apps/com.example.coffee").status_code == 404  # nothing approved left live
    assert client.get("/search", params={"q": "hello"}).json()["results"] == []


def test_search_shows_only_live_versions(client, actors, make_package) -> None:
    review = publish(client, actors["alice"], make_package(actors["alice"].key)).json()["review_id"]
    assert client.get("/search", params={"q": "hallo"}).json()["results"] == []
    client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers)
    for query in ("hallo", "hello", "hel", "helol", "你好", "teller"):
        results = client.get("/search", params={"q": query}).json()["results"]
        assert [hit["id"] for hit in results] == ["com.example.coffee"], query
    assert client.get("/search", params={"q": "你好", "language": "zh-CN"}).json()["results"][0]["name"] == "你好"
    assert client.get("/search", params={"q": "hello", "category": "food"}).json()["results"] == []
    assert client.get("/search", params={"q": "x", "limit": "0"}).status_code == 400


def test_a_search_index_written_before_phrases_is_rebuilt_from_the_manifests(registry, client, actors, make_package, home, database, tmp_path) -> None:
    from capsule.runtime.registry import Registry

    review = publish(client, actors["alice"], make_package(actors["alice"].key)).json()["review_id"]
    client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers)
    with database.transaction() as connection:  # as an older version wrote it: names one run, no phrases
        connection.exec_driver_sql("UPDATE search_documents SET names = replace(names, chr(10), ' ')" if database.dialect == "postgresql" else "UPDATE search_documents SET names = replace(names, char(10), ' ')")
        connection.exec_driver_sql("DELETE FROM search_phrases")
    again = Registry(home, database, blobs=tmp_path / "blobs", engine=registry.engine)
    with database.read() as connection:
        names = connection.exec_driver_sql("SELECT phrase FROM search_phrases WHERE field = 'name' ORDER BY phrase").scalars().all()
    assert len(names) > 1 and all("\n" not in name for name in names)  # one phrase per name again
    assert again.search("hallo", explain=True)[0]["explain"]["tier_name"] in ("exact", "name-start")


def test_explain_is_for_registry_operators_only(client, actors, make_package) -> None:
    review = publish(client, actors["alice"], make_package(actors["alice"].key)).json()["review_id"]
    client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers)
    ask = {"q": "helol", "explain": "true"}
    # Score parts show how usage lifts competitors: not for the public, developers or reviewers.
    assert client.get("/search", params=ask).status_code == 401
    assert client.get("/search", params=ask, headers={"Authorization": "Bearer cap_not-a-token"}).status_code == 401
    for name in ("alice", "reviewer"):
        refused = client.get("/search", params=ask, headers=actors[name].headers)
        assert refused.status_code == 403 and "admin" in refused.json()["message"], name
    assert client.get("/search", params={"q": "helol", "explain": "yes"}).status_code == 400
    (hit,) = client.get("/search", params=ask, headers=actors["admin"].headers).json()["results"]
    assert hit["explain"]["tier_name"] == "typos"
    assert hit["explain"]["matched"][0]["how"] == "typo" and hit["explain"]["matched"][0]["word"] == "helol"
    assert {"field", "coverage", "position", "text", "usage", "freshness"} <= set(hit["explain"]["parts"])
    # Without it, nobody's answer carries one, the admin's included.
    for headers in ({}, actors["admin"].headers):
        assert "explain" not in client.get("/search", params={"q": "helol"}, headers=headers).json()["results"][0]


def test_unknown_things_are_404_not_500(client, actors) -> None:
    for path in ("/apps/nope", "/apps/nope/latest", "/apps/nope/versions/1.0.0", "/apps/nope/versions/1.0.0/package", "/apps/nope/versions/1.0.0/compiled"):
        assert client.get(path).status_code == 404
    assert client.get("/reviews/99", headers=actors["reviewer"].headers).status_code == 404
    assert client.get("/reviews/abc", headers=actors["reviewer"].headers).status_code == 400
    assert client.post("/apps/nope/rollback", headers=actors["alice"].headers).status_code == 404
    assert client.post("/accounts", content=b"{bad json", headers=actors["admin"].headers).status_code == 400


def test_nearby_uses_the_places_the_manifest_declares(client, actors, make_package) -> None:
    path = make_package(actors["alice"].key, places=[{"name": "Dam", "lat": 52.3731, "lon": 4.8926}])
    review = publish(client, actors["alice"], path).json()["review_id"]
    client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers)
    found = client.get("/search", params={"near": "52.37,4.89"}).json()["results"]
    assert [hit["id"] for hit in found] == ["com.example.coffee"] and found[0]["distance_km"] < 1
    assert client.get("/search", params={"q": "hello", "near": "52.09,5.12"}).json()["results"] == []  # Utrecht: too far
    for bad in ("52.37", "91,0", "x,y", "52,4;drop"):
        assert client.get("/search", params={"near": bad}).status_code == 400, bad
    assert client.get("/search", params={"near": "52.37,4.89", "radius_km": "0"}).status_code == 400


def test_a_package_whose_component_does_not_compile_is_rejected_with_the_reason(client, actors, tmp_path) -> None:
    import json

    from capsule.runtime.package import pack

    from .conftest import HELLO_MANIFEST

    manifest = {**HELLO_MANIFEST, "id": "com.example.broken"}
    manifest.pop("icon", None)
    path = pack(tmp_path / "broken.capsule", json.dumps(manifest).encode(), b"\0asm not really", None, actors["alice"].key).path
    review = publish(client, actors["alice"], path).json()["review_id"]
    row = client.get(f"/reviews/{review}", headers=actors["reviewer"].headers).json()
    assert row["status"] == "rejected" and row["reason"].startswith("the audit failed")
