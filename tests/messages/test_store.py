"""The messages store on SQLite and PostgreSQL: each limit, revocation, idempotency, contacts."""

from __future__ import annotations

import time

import pytest

from capsule.runtime.capabilities.messages.errors import (
    ChatClosed, IdempotencyConflict, NotContacts, NotFollowing, NotSubscribed, WeeklyLimit,
)
from capsule.runtime.capabilities.messages.store import CHAT_WINDOW, WEEK, MessageStore

APP = "com.example.coffee"


def send(store: MessageStore, user="alice", key=None, fields=None):
    return store.send_template(
        app_id=APP, user=user, template_id="order-ready", title="Your order is ready",
        fields=fields or {"order": "A17"}, page="receipt", params={"order": "A17"}, actor="merchant:k1",
        idempotency_key=key,
    )


def test_one_message_per_one_time_subscription(database):
    store = MessageStore(database)
    with pytest.raises(NotSubscribed):
        send(store)
    store.subscribe("alice", APP, {"order-ready": "once"})
    assert send(store)["status"] == "accepted"
    with pytest.raises(NotSubscribed, match="already sent"):
        send(store)
    [entry, *_] = store.audit_entries(user="alice")
    assert entry["action"] == "send" and "no subscription" in entry["decision"]
    assert entry["carried"]["fields"] == {"order": "A17"}  # what the refused send carried
    assert len(store.thread("alice", f"program:{APP}")) == 1


def test_always_until_revoked_then_refused(database):
    store = MessageStore(database)
    store.subscribe("alice", APP, {"order-ready": "always"})
    send(store)
    send(store)
    assert store.revoke_subscription("alice", APP, "order-ready")
    with pytest.raises(NotSubscribed):
        send(store)
    assert store.subscriptions("alice") == []


def test_a_retried_send_is_delivered_once(database):
    store = MessageStore(database)
    store.subscribe("alice", APP, {"order-ready": "once"})
    first = send(store, key="order-A17")
    assert send(store, key="order-A17") == first  # the retry answers the same, uses no subscription
    assert len(store.thread("alice", f"program:{APP}")) == 1
    with pytest.raises(IdempotencyConflict):
        send(store, key="order-A17", fields={"order": "B2"})


def test_two_service_updates_per_follower_per_week(database):
    store = MessageStore(database)
    for user in ("alice", "bob"):
        store.follow(user, APP)
    now = time.time()
    push = lambda at, **kw: store.push_update(  # noqa: E731
        app_id=APP, title="News", body="New beans", page="", params={}, actor="merchant:k1", now=at, **kw
    )
    assert push(now)["delivered"] == 2
    assert push(now + 1)["delivered"] == 2
    with pytest.raises(WeeklyLimit, match="2 service updates this week"):
        push(now + 2)
    store.follow("carol", APP)  # a new follower still has budget
    assert push(now + 3) == {"status": "accepted", "delivered": 1, "over_limit": 2}
    assert push(now + WEEK + 1)["delivered"] == 3  # a week after the first: alice and bob again, carol her second


def test_updates_to_a_tag_and_unfollow(database):
    store = MessageStore(database)
    for user in ("alice", "bob", "carol"):
        store.follow(user, APP)
    store.tag(APP, ["alice", "carol"], "vip")
    assert store.followers(APP, tag="vip") == ["alice", "carol"]
    with pytest.raises(NotFollowing):
        store.tag(APP, ["mallory"], "vip")
    assert store.push_update(app_id=APP, title="VIP", body="", page="", params={}, actor="m", tag="vip")["delivered"] == 2
    assert store.threads("bob") == []
    store.unfollow("alice", APP)
    assert store.followers(APP) == ["bob", "carol"] and store.followers(APP, tag="vip") == ["carol"]


def test_chat_replies_only_within_48_hours(database):
    store = MessageStore(database)
    with pytest.raises(ChatClosed, match="has not written"):
        store.reply(app_id=APP, user="alice", text="Hello", actor="m")
    written = store.user_chat("alice", APP, "Where is my coffee?")
    assert store.reply(app_id=APP, user="alice", text="On its way", actor="m")["status"] == "accepted"
    with pytest.raises(ChatClosed, match="48 hours"):
        store.reply(app_id=APP, user="alice", text="Late", actor="m", now=written.at + CHAT_WINDOW + 1)
    assert [m.body for m in store.thread("alice", f"program:{APP}")] == ["Where is my coffee?", "On its way"]
    assert [m.body for m in store.chat_messages(APP)] == ["Where is my coffee?"]


def test_contacts_need_a_request_and_an_acceptance(database):
    store = MessageStore(database)
    with pytest.raises(NotContacts):
        store.send_to_contact(from_user="alice", to_user="bob", kind="text", text="hi")
    assert store.request_contact("alice", "bob") == "requested"
    assert store.contact_requests("bob")[0]["from_user"] == "alice"
    assert not store.answer_contact("alice", "bob", accept=True)  # only the one asked can accept
    assert store.answer_contact("bob", "alice", accept=True)
    assert store.contacts("alice") == ["bob"] and store.contacts("bob") == ["alice"]
    store.send_to_contact(from_user="alice", to_user="bob", kind="text", text="hi")
    assert store.unread("bob") == 1 and store.unread("alice") == 0
    assert store.mark_read("bob", "contact:alice") == 1 and store.unread("bob") == 0


def test_listeners_hear_after_commit_and_muted_threads(database):
    store = MessageStore(database)
    heard = []
    stop = store.listen(lambda m: heard.append((m.user, m.kind)))
    store.subscribe("alice", APP, {"order-ready": "once"})
    send(store)
    assert heard == [("alice", "template")]
    stop()
    store.follow("alice", APP)
    store.set_muted("alice", APP, True)
    assert store.unread("alice") == 0 and store.threads("alice")[0].muted


def test_a_catch_up_reads_the_messages_of_the_users_asked_for_since_a_time(database):
    """What a host reads after its events listener's break: only its users' messages, only the recent ones."""
    store = MessageStore(database)
    store.request_contact("alice", "bob")
    store.answer_contact("bob", "alice", accept=True)
    old = store.send_to_contact(from_user="alice", to_user="bob", kind="text", text="before the break")
    since = old.at + 0.001
    time.sleep(0.01)
    for text in ("one", "two", "three"):
        store.send_to_contact(from_user="alice", to_user="bob", kind="text", text=text)
    found = store.messages_since(["bob", "nobody"], since)
    assert [(m.user, m.body) for m in found] == [("bob", "one"), ("bob", "two"), ("bob", "three")]
    assert [m.body for m in store.messages_since(["bob"], since, limit=2)] == ["two", "three"]  # the newest, in order
    assert {m.user for m in store.messages_since(["alice", "bob"], since)} == {"alice", "bob"}  # the sender's copies too
    assert store.messages_since([], 0.0) == []


def test_concurrent_sends_keep_every_limit_and_idempotency(database):
    """Sends racing on many threads (on SQLite they share batches, sends.py): three one-time
    subscriptions give three messages, a key is delivered once, a changed retry conflicts."""
    from concurrent.futures import ThreadPoolExecutor

    store = MessageStore(database)
    for _ in range(3):
        store.subscribe("alice", APP, {"order-ready": "once"})
    store.subscribe("bob", APP, {"order-ready": "always"})
    heard: list = []
    store.listen(heard.append)

    def attempt(n: int) -> str:
        user, key, fields = ("alice", None, None) if n % 2 else ("bob", f"k{n % 6}", {"order": f"A{n % 6}"})
        if n % 12 == 6:
            fields = {"order": "changed"}  # the same key as n=0 and n=12 with another body
        try:
            return send(store, user=user, key=key, fields=fields)["message_id"]
        except NotSubscribed:
            return "not-subscribed"
        except IdempotencyConflict:
            return "conflict"

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(attempt, range(48)))
    alice = [a for n, a in enumerate(answers) if n % 2]
    assert sum(a.startswith("m_") for a in alice) == 3 and alice.count("not-subscribed") == 21
    assert len(store.thread("alice", f"program:{APP}")) == 3
    bob = {a for n, a in enumerate(answers) if not n % 2 and a.startswith("m_")}
    assert len(bob) == len(store.thread("bob", f"program:{APP}")) == 3  # k0, k2, k4 delivered once each
    for key in (0, 2, 4):  # every retry answered its first send's id, or (k0, the other body) a conflict
        assert len({answers[n] for n in range(key, 48, 6) if not n % 2} - {"conflict"}) == 1
    assert answers.count("conflict") == 4
    assert len(heard) == 6 and store.subscriptions("alice") == []
    sends = [e for e in store.audit_entries(limit=1000) if e["action"] == "send"]
    assert sum(e["decision"] == "ok" for e in sends) == 6 and sum(e["decision"] != "ok" for e in sends) == 21
