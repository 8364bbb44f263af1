"""Registering a signing key needs proof of possession: a signature by that key
over a fresh, single-use, short-lived challenge naming this registry and account."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from capsule.runtime.registry import tables
from capsule.runtime.registry.proof import MAX_OPEN_CHALLENGES, sign_proof

from .conftest import fixed_key, public_b64, publish, register_key


def challenge(client, actor) -> dict:
    response = client.post("/account/keys/challenge", headers=actor.headers)
    assert response.status_code == 201, response.text
    return response.json()


def answer(client, actor, key, body: dict, signature: str | None = None):
    signature = signature or sign_proof(key, body["registry"], body["account"], body["challenge"])
    return client.post(
        "/account/keys", json={"public_key": public_b64(key), "challenge": body["challenge"], "signature": signature}, headers=actor.headers
    )


def test_the_challenge_names_this_registry_and_account(client, actors, registry) -> None:
    body = challenge(client, actors["alice"])
    assert body["registry"] == registry.key.key_id and body["account"] == "alice"
    assert len(body["challenge"]) >= 40 and body["challenge"] != challenge(client, actors["alice"])["challenge"]


def test_nobody_can_register_a_key_whose_private_half_they_lack(client, actors, make_package) -> None:
    """The hole: bob registered carol's public key first, then her packages counted as his."""
    bob, carol_key = actors["bob"], fixed_key("carol")
    body = challenge(client, bob)
    # bob has carol's public key, not her private one: he can sign only with his own.
    forged = sign_proof(bob.key, body["registry"], body["account"], body["challenge"])
    refused = answer(client, bob, carol_key, body, signature=forged)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid-proof"
    assert "private half" in refused.json()["message"]
    # Not registered: a package carol signed is not bob's to publish.
    assert publish(client, bob, make_package(carol_key, app_id="com.example.carol")).status_code == 403


def test_a_proof_is_good_once(client, actors) -> None:
    alice, key = actors["alice"], fixed_key("alice-second")
    body = challenge(client, alice)
    signature = sign_proof(key, body["registry"], body["account"], body["challenge"])
    assert answer(client, alice, key, body, signature).status_code == 201
    replayed = answer(client, alice, key, body, signature)
    assert replayed.status_code == 400 and replayed.json()["error"] == "unknown-challenge"
    assert "new one" in replayed.json()["message"]


def test_a_refused_answer_uses_the_challenge_up(client, actors) -> None:
    alice, key = actors["alice"], fixed_key("alice-second")
    body = challenge(client, alice)
    assert answer(client, alice, key, body, signature="A" * 86 + "==").status_code == 400
    again = answer(client, alice, key, body)
    assert again.status_code == 400 and again.json()["error"] == "unknown-challenge"


def test_an_expired_challenge_is_refused(client, actors, registry) -> None:
    alice, key = actors["alice"], fixed_key("alice-second")
    body = challenge(client, alice)
    with registry.database.transaction() as connection:
        connection.execute(
            tables.key_challenges.update().where(tables.key_challenges.c.challenge == body["challenge"]).values(expires_at=0)
        )
    refused = answer(client, alice, key, body)
    assert refused.status_code == 400 and refused.json()["error"] == "expired-challenge"
    assert "new one" in refused.json()["message"]


def test_another_accounts_challenge_is_refused_and_stays_its_owners(client, actors) -> None:
    alice, bob, key = actors["alice"], actors["bob"], fixed_key("alice-second")
    bobs = challenge(client, bob)
    refused = answer(client, alice, key, {**bobs, "account": "alice"})
    assert refused.status_code == 403 and "another account" in refused.json()["message"]
    assert answer(client, bob, fixed_key("bob-second"), bobs).status_code == 201


@pytest.mark.parametrize("field, value", [("registry", "0000000000000000"), ("account", "bob")])
def test_a_proof_made_for_another_registry_or_account_is_refused(client, actors, field: str, value: str) -> None:
    alice, key = actors["alice"], fixed_key("alice-second")
    body = challenge(client, alice)
    elsewhere = sign_proof(key, **{"registry": body["registry"], "account": body["account"], "challenge": body["challenge"], field: value})
    refused = answer(client, alice, key, body, signature=elsewhere)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid-proof"


@pytest.mark.parametrize(
    "body",
    [
        {"public_key": "A" * 43 + "="},
        {"public_key": "A" * 43 + "=", "challenge": "x" * 65, "signature": "A"},
        {"public_key": "A" * 43 + "=", "challenge": 7, "signature": "A"},
        {"public_key": "not base64", "challenge": "x", "signature": "A"},
    ],
)
def test_malformed_registrations_are_400(client, actors, body: dict) -> None:
    assert client.post("/account/keys", json=body, headers=actors["alice"].headers).status_code == 400


def test_only_developers_ask_for_challenges_and_open_ones_are_bounded(client, actors, registry) -> None:
    assert client.post("/account/keys/challenge").status_code == 401
    assert client.post("/account/keys/challenge", headers=actors["reviewer"].headers).status_code == 403
    for _ in range(MAX_OPEN_CHALLENGES + 10):
        challenge(client, actors["alice"])
    with registry.database.read() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(tables.key_challenges)).scalar()
    assert count == MAX_OPEN_CHALLENGES


def test_a_key_of_another_account_stays_theirs(client, actors) -> None:
    refused = register_key(client, actors["bob"], actors["alice"].key)  # bob somehow holds alice's private key
    assert refused.status_code == 409 and "another account" in refused.json()["message"]
