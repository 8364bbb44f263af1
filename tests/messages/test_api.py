"""The merchant API over HTTP: keys, each refusal, each limit, revocation, idempotency."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from capsule.runtime.capabilities.messages.api import create_merchant_app
from capsule.runtime.prompter import Choice

from .conftest import PROBE_ID, result


@pytest.fixture
def merchant(messages_host):
    key, secret = messages_host.services.server_keys.create(PROBE_ID, "test")
    client = TestClient(create_merchant_app(messages_host))
    client.headers["Authorization"] = f"Bearer {secret}"
    client.key = key
    return client


@pytest.fixture
def alice(messages_host, prompter):
    """Alice opened the probe: its id for her, and a session to subscribe with."""
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("whoami")
    return result(session), session


ORDER = {"template_id": "order-ready", "fields": {"order": "A17", "total": "1250 CNY", "note": "<b>oat</b>"},
         "page": "receipt", "params": {"order": "A17"}}


def test_a_subscribed_user_gets_one_message_then_the_limit(messages_host, merchant, alice):
    user_id, session = alice
    refused = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id})
    assert refused.status_code == 403 and refused.json()["error"] == "not-subscribed"
    session.dispatch("subscribe", {"templates": ["order-ready"]})
    sent = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id})
    assert sent.status_code == 202, sent.text
    [message] = messages_host.services.messages.thread("alice", f"program:{PROBE_ID}")
    assert message.title == "Your order is ready" and message.fields["note"] == "<b>oat</b>"  # kept as text
    assert (message.page, message.params) == ("receipt", {"order": "A17"})
    again = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id})
    assert again.status_code == 403 and "already sent" in again.json()["message"]
    audit = messages_host.services.messages.audit_entries(app_id=PROBE_ID)
    assert [e["decision"] == "ok" for e in audit if e["action"] == "send"] == [False, True, False]
    assert all(e["actor"] == f"merchant:{merchant.key.key_id}" for e in audit if e["action"] == "send")


def test_after_revoking_the_next_send_is_refused(messages_host, merchant, alice, prompter):
    user_id, session = alice
    prompter.confirms["subscribe"] = Choice("always")
    session.dispatch("subscribe", {"templates": ["order-ready"]})
    assert merchant.post("/v1/messages", json={**ORDER, "user_id": user_id}).status_code == 202
    assert merchant.post("/v1/messages", json={**ORDER, "user_id": user_id}).status_code == 202
    messages_host.services.messages.revoke_subscription("alice", PROBE_ID, "order-ready")
    assert merchant.post("/v1/messages", json={**ORDER, "user_id": user_id}).json()["error"] == "not-subscribed"


def test_a_retry_with_the_same_key_is_delivered_once(messages_host, merchant, alice, prompter):
    user_id, session = alice
    prompter.confirms["subscribe"] = Choice("always")
    session.dispatch("subscribe", {"templates": ["order-ready"]})
    headers = {"Idempotency-Key": "order-A17-ready"}
    first = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id}, headers=headers)
    second = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id}, headers=headers)
    assert first.status_code == second.status_code == 202 and first.json() == second.json()
    assert len(messages_host.services.messages.thread("alice", f"program:{PROBE_ID}")) == 1
    changed = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id, "params": {}}, headers=headers)
    assert changed.status_code == 409 and changed.json()["error"] == "idempotency-conflict"


@pytest.mark.parametrize(
    "change, words",
    [
        ({"template_id": "free-money"}, "not declared"),
        ({"fields": {"order": "A17"}}, "missing"),
        ({"page": "admin"}, "not a page"),
        ({"params": {"order": "<script>"}}, "params"),
        ({"user_id": "u_0000"}, "no user"),
        ({"user_id": "alice"}, "user_id must be"),
    ],
)
def test_bad_sends_are_named(merchant, alice, change, words):
    user_id, _ = alice
    answer = merchant.post("/v1/messages", json={**ORDER, "user_id": user_id, **change})
    assert answer.status_code in (404, 422) and words in answer.json()["message"]


def test_every_endpoint_refuses_a_missing_bad_or_revoked_key_and_a_browser(messages_host, merchant, alice):
    user_id, _ = alice
    calls = [
        ("post", "/v1/messages", {**ORDER, "user_id": user_id}),
        ("post", "/v1/updates", {"title": "News"}),
        ("get", "/v1/chats", None),
        ("post", f"/v1/chats/{user_id}/replies", {"text": "hi"}),
        ("get", "/v1/followers", None),
        ("post", "/v1/followers/tags", {"tag": "vip", "user_ids": [user_id]}),
    ]
    secret = merchant.headers["Authorization"]
    bare = TestClient(create_merchant_app(messages_host))
    for method, path, body in calls:
        kwargs = {"json": body} if body is not None else {}
        missing = getattr(bare, method)(path, **kwargs)
        assert missing.status_code == 401 and missing.json()["error"] == "no-key", path
        forged = getattr(bare, method)(path, headers={"Authorization": secret[:-4] + "AAAA"}, **kwargs)
        assert forged.status_code == 401 and forged.json()["error"] == "bad-key", path
        browser = getattr(merchant, method)(path, headers={"Origin": "https://evil.example"}, **kwargs)
        assert browser.status_code == 403 and browser.json()["error"] == "browser-origin", path
        fetched = getattr(merchant, method)(path, headers={"Sec-Fetch-Site": "cross-site"}, **kwargs)
        assert fetched.status_code == 403, path
    assert messages_host.services.server_keys.revoke(PROBE_ID, merchant.key.key_id)
    for method, path, body in calls:
        revoked = getattr(merchant, method)(path, **({"json": body} if body is not None else {}))
        assert revoked.status_code == 401 and "revoked" in revoked.json()["message"], path


def test_service_updates_to_followers_two_a_week(messages_host, merchant, alice):
    user_id, session = alice
    session.dispatch("follow")
    assert merchant.get("/v1/followers").json() == {"followers": [user_id], "next_offset": None}
    for _ in range(2):
        sent = merchant.post("/v1/updates", json={"title": "New beans", "body": "Kenya AA", "page": "index"})
        assert sent.status_code == 202 and sent.json()["delivered"] == 1
    third = merchant.post("/v1/updates", json={"title": "Again"})
    assert third.status_code == 429 and third.json()["error"] == "weekly-limit"


def test_tags_group_followers_by_pairwise_id(messages_host, merchant, alice):
    user_id, session = alice
    not_following = merchant.post("/v1/followers/tags", json={"tag": "vip", "user_ids": [user_id]})
    assert not_following.status_code == 403 and not_following.json()["error"] == "not-following"
    session.dispatch("follow")
    assert merchant.post("/v1/followers/tags", json={"tag": "vip", "user_ids": [user_id]}).json()["changed"] == 1
    assert merchant.get("/v1/followers", params={"tag": "vip"}).json()["followers"] == [user_id]
    assert merchant.get("/v1/followers", params={"tag": "other"}).json()["followers"] == []
    assert merchant.post("/v1/updates", json={"title": "VIP only", "tag": "vip"}).json()["delivered"] == 1


def test_chat_replies_within_48_hours_only(messages_host, merchant, alice):
    user_id, _ = alice
    closed = merchant.post(f"/v1/chats/{user_id}/replies", json={"text": "Hello?"})
    assert closed.status_code == 403 and closed.json()["error"] == "chat-closed"
    messages_host.services.messages.user_chat("alice", PROBE_ID, "Is my oat latte ready?")
    assert merchant.get("/v1/chats").json()["messages"][0] == {
        "user_id": user_id, "text": "Is my oat latte ready?", "at": pytest.approx(__import__("time").time(), abs=60)
    }
    assert merchant.post(f"/v1/chats/{user_id}/replies", json={"text": "Two minutes"}).status_code == 202
    thread = messages_host.services.messages.thread("alice", f"program:{PROBE_ID}")
    assert [(m.direction, m.body) for m in thread] == [("out", "Is my oat latte ready?"), ("in", "Two minutes")]


def test_bodies_must_be_bounded_json(merchant, alice):
    assert merchant.post("/v1/messages", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert merchant.post("/v1/messages", content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    big = merchant.post("/v1/updates", json={"title": "x", "body": "y" * 70000})
    assert big.status_code == 413


