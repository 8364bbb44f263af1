"""Merchant server keys at the registry: only the app's owner makes them, hosts check them by
their signed record, and `capsule messages key` acts as the signed-in owner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from capsule.cli.main import app as cli
from capsule.runtime.capabilities.messages.keys import KeyRefused
from capsule.runtime.capabilities.messages.registry_keys import RegistryServerKeys
from capsule.runtime.registry.app import create_app
from capsule.runtime.registry.merchant_keys import check_record

from ..conftest import served
from .conftest import fixed_key, public_b64, publish

APP = "com.example.coffee"
KEYS = f"/apps/{APP}/merchant-keys"


@pytest.fixture
def owned(client, actors, make_package):
    """alice published the coffee app first: she owns it."""
    assert publish(client, actors["alice"], make_package(actors["alice"].key)).status_code == 201
    return actors


def test_only_the_owner_creates_keys_and_the_owner_or_an_admin_revokes(client, owned, registry) -> None:
    alice, bob, admin = owned["alice"], owned["bob"], owned["admin"]
    created = client.post(KEYS, json={"label": "till 1"}, headers=alice.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["key"].startswith(f"capsule-mk.{body['key_id']}.") and body["key_id"].startswith("rk_")
    for stranger in (bob, admin):  # an admin may stop a key, never send as someone's program
        refused = client.post(KEYS, json={}, headers=stranger.headers)
        assert refused.status_code == 403, refused.text
        assert "belongs to another account" in refused.json()["message"] and "only its owner" in refused.json()["message"]
    assert client.post(KEYS, json={}).status_code == 401
    assert client.post("/apps/com.example.absent/merchant-keys", json={}, headers=alice.headers).status_code == 404
    assert client.get(KEYS, headers=bob.headers).status_code == 403
    listed = client.get(KEYS, headers=admin.headers).json()["keys"]
    assert [k["key_id"] for k in listed] == [body["key_id"]] and "key" not in listed[0] and "secret_hash" not in listed[0]
    assert client.post(f"{KEYS}/{body['key_id']}/revoke", headers=bob.headers).status_code == 403
    assert client.post(f"{KEYS}/{body['key_id']}/revoke", headers=admin.headers).status_code == 200
    again = client.post(f"{KEYS}/{body['key_id']}/revoke", headers=alice.headers)
    assert again.status_code == 404 and "no live merchant key" in again.json()["message"]
    long_label = client.post(KEYS, json={"label": "x" * 81}, headers=alice.headers)
    assert long_label.status_code == 400 and "label" in long_label.json()["message"]


def test_a_host_honours_live_keys_by_their_signed_record_and_refuses_revoked_ones(client, owned, registry) -> None:
    alice = owned["alice"]
    key = client.post(KEYS, json={"label": "till"}, headers=alice.headers).json()
    record = client.get(f"/merchant-keys/{key['key_id']}").json()
    assert record["status"] == "live" and record["app_id"] == APP and key["key"].split(".")[2] not in json.dumps(record)
    assert check_record(registry.key.public_key, record, key["key_id"]) == record
    with pytest.raises(ValueError, match="not signed"):
        check_record(registry.key.public_key, {**record, "app_id": "com.example.other"}, key["key_id"])
    with pytest.raises(ValueError, match="not signed"):
        check_record(public_b64(fixed_key("mallory")), record, key["key_id"])
    with pytest.raises(ValueError, match="another key"):
        check_record(registry.key.public_key, record, "rk_0000")

    host_keys = RegistryServerKeys(registry, registry.key.public_key, fresh=0)
    assert host_keys.verify(key["key"]).app_id == APP
    with pytest.raises(KeyRefused, match="unknown"):
        host_keys.verify(key["key"][:-2] + "zz")
    with pytest.raises(KeyRefused, match="unknown"):
        host_keys.verify("capsule-mk.rk_ffffffffffffffff.secret")
    with pytest.raises(KeyRefused, match="not a Capsule merchant key"):
        host_keys.verify("sk_live_123")
    assert client.post(f"{KEYS}/{key['key_id']}/revoke", headers=alice.headers).status_code == 200
    with pytest.raises(KeyRefused, match="revoked"):
        host_keys.verify(key["key"])
    # A host that pins another registry's key believes none of this registry's records.
    with pytest.raises(KeyRefused, match="does not hold"):
        RegistryServerKeys(registry, public_b64(fixed_key("mallory"))).verify(key["key"])


@pytest.fixture
def api(registry):
    with served(create_app(registry)) as url:
        yield url


def test_the_cli_acts_as_the_signed_in_owner_and_names_the_refusal(owned, api) -> None:
    runner = CliRunner()

    def run(actor, *args: str):
        env = {"CAPSULE_REGISTRY_URL": api, "CAPSULE_REGISTRY_TOKEN": owned[actor].token}
        return runner.invoke(cli, ["messages", "key", *args, "--json"], env=env)

    created = run("alice", "create", APP, "--label", "till")
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)
    assert key["key"].startswith("capsule-mk.rk_")
    listed = json.loads(run("alice", "list", APP).stdout)
    assert [k["key_id"] for k in listed["keys"]] == [key["key_id"]]
    refused = run("bob", "create", APP)
    assert refused.exit_code == 1
    error = json.loads(refused.stderr)
    assert error["error"] == "forbidden" and "belongs to another account, not 'bob'" in error["message"]
    assert run("bob", "revoke", APP, key["key_id"]).exit_code == 1
    assert run("alice", "revoke", APP, key["key_id"]).exit_code == 0
    assert json.loads(run("alice", "list", APP).stdout)["keys"][0]["revoked_at"] is not None
