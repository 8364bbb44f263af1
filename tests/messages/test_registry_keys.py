"""The merchant API with the keys a program's owner made at the registry, as the web host wires it:
the owner's key sends, a stranger cannot make one, revocation is honoured, and an unreachable
registry is a 503 once the kept record is too old."""

from __future__ import annotations

import base64
import time

import pytest
from starlette.testclient import TestClient

from capsule.runtime.capabilities.messages.api import create_merchant_app
from capsule.runtime.capabilities.messages.keys import (
    OPERATOR_ID_PREFIX, REGISTRY_ID_PREFIX, KeyChain, KeyCheckUnavailable, KeyRefused,
)
from capsule.runtime.capabilities.messages.registry_keys import RegistryServerKeys
from capsule.runtime.package import load_signing_key
from capsule.runtime.package.keys import raw_public_key
from capsule.runtime.prompter import Choice
from capsule.runtime.registry import Registry, RegistryError
from capsule.runtime.registry.client import RegistryClient
from capsule.runtime.registry.proof import sign_proof

from .conftest import PROBE_ID, result
from .test_api import ORDER


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Reachable:
    """The registry, until `down` is set: then a real client of a port nobody listens on."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.down = False

    def merchant_key(self, key_id: str):  # noqa: ANN201 - the KeyRecords protocol
        if self.down:
            return RegistryClient("http://127.0.0.1:9", timeout=2).merchant_key(key_id)
        return self.registry.merchant_key(key_id)


@pytest.fixture
def registry(messages_host, messages_probe, home, tmp_path):
    """A registry on the host's database where `shop` published the probe (so owns it), and `mallory`."""
    registry = Registry(home, messages_host.services.database, blobs=tmp_path / "blobs", engine=messages_host.engine)
    shop, _ = registry.create_account(None, "shop", ["developer"])
    key = load_signing_key(home)
    challenge = registry.key_challenge(shop)
    proof = sign_proof(key, str(challenge["registry"]), shop.name, str(challenge["challenge"]))
    registry.register_key(shop, base64.b64encode(raw_public_key(key.public_key())).decode(), challenge["challenge"], proof)
    registry.publish(shop, [messages_probe.package.read_bytes()])
    registry.mallory, _ = registry.create_account(None, "mallory", ["developer"])  # type: ignore[attr-defined]
    registry.shop = shop  # type: ignore[attr-defined]
    return registry


def test_the_owners_registry_key_sends_and_a_revoked_or_unreachable_one_is_refused(messages_host, registry, prompter):
    with pytest.raises(RegistryError, match="belongs to another account, not 'mallory'"):
        registry.create_merchant_key(registry.mallory, PROBE_ID)
    key = registry.create_merchant_key(registry.shop, PROBE_ID, "till")
    clock, source = Clock(), Reachable(registry)
    checked = RegistryServerKeys(source, registry.key.public_key, fresh=60, grace=3600, clock=clock)
    chain = KeyChain({REGISTRY_ID_PREFIX: checked, OPERATOR_ID_PREFIX: messages_host.services.server_keys})
    merchant = TestClient(create_merchant_app(messages_host, chain), headers={"Authorization": f"Bearer {key['key']}"})

    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("whoami")
    user_id = result(session)
    prompter.confirms["subscribe"] = Choice("always")
    session.dispatch("subscribe", {"templates": ["order-ready"]})
    assert merchant.post("/v1/messages", json={**ORDER, "user_id": user_id}).status_code == 202
    audit = messages_host.services.messages.audit_entries(app_id=PROBE_ID)
    assert audit[0]["actor"] == f"merchant:{key['key_id']}"

    # The registry goes out of reach: the kept record counts for the grace period, then 503.
    source.down = True
    clock.now += 120
    assert merchant.post("/v1/messages", json={**ORDER, "user_id": user_id}).status_code == 202
    clock.now += 3600
    late = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id})
    assert late.status_code == 503 and late.json()["error"] == "key-check-unavailable"
    with pytest.raises(KeyCheckUnavailable, match="cannot check the key"):
        checked.verify(key["key"])

    # Back in reach, the owner revokes: refused from the next check on.
    source.down = False
    registry.revoke_merchant_key(registry.shop, PROBE_ID, key["key_id"])
    clock.now += 61
    revoked = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id})
    assert revoked.status_code == 401 and "revoked by the program's owner" in revoked.json()["message"]
    # The host operator's own keys still work beside the registry's.
    _, operator = messages_host.services.server_keys.create(PROBE_ID)
    assert merchant.post("/v1/messages", json={**ORDER, "user_id": user_id},
                         headers={"Authorization": f"Bearer {operator}"}).status_code == 202


def test_a_revoked_key_is_refused_at_once_where_the_registry_is_heard(registry):
    """The kept record would count for an hour; the registry's revocation drops it now."""
    key = registry.create_merchant_key(registry.shop, PROBE_ID, "till")
    checked = RegistryServerKeys(registry, registry.key.public_key, fresh=3600, grace=3600, clock=Clock())
    unsubscribe = registry.on_key_revoked(checked.forget)
    try:
        assert checked.verify(key["key"]).app_id == PROBE_ID  # fetched and kept
        registry.revoke_merchant_key(registry.shop, PROBE_ID, key["key_id"])
        with pytest.raises(KeyRefused, match="revoked by the program's owner"):
            checked.verify(key["key"])
    finally:
        unsubscribe()
