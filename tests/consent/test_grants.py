"""The consent store and gate, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from capsule.runtime.capabilities import Refused
from capsule.runtime.capabilities.base import CallContext
from capsule.runtime.consent import ConsentGate, ConsentStore, GrantState
from capsule.runtime.prompter import PolicyPrompter


def test_states_move_from_not_asked_to_granted_denied_revoked(database):
    store = ConsentStore(database)
    assert store.get("alice", "app", "location.fuzzy").state is GrantState.NOT_ASKED
    store.grant("alice", "app", "location.fuzzy")
    assert store.get("alice", "app", "location.fuzzy").state is GrantState.GRANTED
    assert [g.scope for g in store.revoke("alice", "app")] == ["location.fuzzy"]
    assert store.get("alice", "app", "location.fuzzy").state is GrantState.REVOKED
    store.deny("alice", "app", "location.fuzzy")
    assert store.get("alice", "app", "location.fuzzy").state is GrantState.DENIED
    assert store.reset("alice", "app") == 1
    assert store.get("alice", "app", "location.fuzzy").state is GrantState.NOT_ASKED


def test_grants_are_per_user_program_and_scope(database):
    store = ConsentStore(database)
    store.grant("alice", "app", "profile")
    assert store.get("bob", "app", "profile").state is GrantState.NOT_ASKED
    assert store.get("alice", "other", "profile").state is GrantState.NOT_ASKED
    assert store.get("alice", "app", "profile.phone").state is GrantState.NOT_ASKED
    assert [(g.user, g.scope) for g in store.list(user="alice")] == [("alice", "profile")]


def test_an_expired_grant_counts_as_not_asked(database):
    store = ConsentStore(database)
    grant = store.grant("alice", "app", "profile", ttl_seconds=60)
    assert grant.effective() is GrantState.GRANTED
    assert grant.effective(now=time.time() + 61) is GrantState.NOT_ASKED


class FakeSession:
    """Just enough of a session for the gate: the user, the program, the prompter."""

    def __init__(self, prompter, user="alice"):
        self.user = user
        self.prompter = prompter
        permission = SimpleNamespace(reason="Finds taxis near you.")
        manifest = SimpleNamespace(permission=lambda name: permission)
        self.app = SimpleNamespace(id="dev.example.taxi", name="Taxi", manifest=manifest)

    def ask(self, question):
        return question(self.prompter, 1.0)


def ctx(session, capability="location"):
    return CallContext(session, capability, "get-position")


def test_the_gate_asks_once_with_name_scope_and_reason_then_remembers(database):
    prompter = PolicyPrompter(grants={"location.fuzzy": True})
    gate = ConsentGate(ConsentStore(database))
    session = FakeSession(prompter)
    gate.require(ctx(session), "location.fuzzy")
    gate.require(ctx(session), "location.fuzzy")
    assert len(prompter.asked) == 1
    request = prompter.asked[0]
    assert (request.app_name, request.scope, request.reason) == ("Taxi", "location.fuzzy", "Finds taxis near you.")


def test_a_denial_is_refused_at_once_without_a_new_prompt(database):
    prompter = PolicyPrompter(grants={"location.precise": False})
    gate = ConsentGate(ConsentStore(database))
    session = FakeSession(prompter)
    for _ in range(3):
        with pytest.raises(Refused):
            gate.require(ctx(session), "location.precise")
    assert len(prompter.asked) == 1


def test_a_revocation_is_refused_on_the_next_call(database):
    store = ConsentStore(database)
    gate = ConsentGate(store)
    prompter = PolicyPrompter(default=True)
    session = FakeSession(prompter)
    gate.require(ctx(session), "profile")
    store.revoke("alice", "dev.example.taxi", "profile")
    with pytest.raises(Refused, match="revoked"):
        gate.require(ctx(session), "profile")
    assert len(prompter.asked) == 1


def test_phone_is_asked_on_every_call_and_a_no_is_remembered(database):
    prompter = PolicyPrompter(grants={"profile.phone": True})
    gate = ConsentGate(ConsentStore(database))
    session = FakeSession(prompter)
    gate.require(ctx(session, "profile"), "profile.phone")
    gate.require(ctx(session, "profile"), "profile.phone")
    assert len(prompter.asked) == 2
    prompter.grants["profile.phone"] = False
    with pytest.raises(Refused):
        gate.require(ctx(session, "profile"), "profile.phone")
    with pytest.raises(Refused):
        gate.require(ctx(session, "profile"), "profile.phone")
    assert len(prompter.asked) == 3


def test_an_expired_grant_is_asked_again(database):
    prompter = PolicyPrompter(default=True)
    gate = ConsentGate(ConsentStore(database), grant_ttl_seconds=0.01)
    session = FakeSession(prompter)
    gate.require(ctx(session), "profile")
    time.sleep(0.02)
    gate.require(ctx(session), "profile")
    assert len(prompter.asked) == 2


def test_a_cached_grant_sees_a_revocation_made_by_another_store(tmp_path):
    """Two hosts (or a host and `capsule privacy`) on one SQLite file: the stamp carries the change."""
    from capsule.runtime.database import Database

    url = f"sqlite:///{tmp_path / 'c.db'}"
    stamp = tmp_path / "c.db.consent-stamp"
    running, settings = Database.open(url), Database.open(url)
    host_store = ConsentStore(running, stamp=stamp)
    host_store.grant("alice", "app", "location.fuzzy")
    for _ in range(3):  # served from the cache
        assert host_store.get("alice", "app", "location.fuzzy").state is GrantState.GRANTED
    ConsentStore(settings, stamp=stamp).revoke("alice", "app", "location.fuzzy")
    assert host_store.get("alice", "app", "location.fuzzy").state is GrantState.REVOKED
    ConsentStore(settings, stamp=stamp).grant("alice", "app", "location.fuzzy")
    assert host_store.get("alice", "app", "location.fuzzy").state is GrantState.GRANTED
    running.close()
    settings.close()
