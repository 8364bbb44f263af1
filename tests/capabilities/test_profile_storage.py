"""Pseudonymous ids, developer links and the storage provider on both databases."""

from __future__ import annotations

import pytest

from capsule.runtime.capabilities.profile.links import DeveloperLinks, LinkRefused
from capsule.runtime.capabilities.storage.provider import DatabaseStorage, QuotaExceeded
from capsule.runtime.services import Identities, _metadata as services_tables


def test_ids_are_stable_per_program_and_unlinkable_across(database):
    database.ensure(services_tables)
    ids = Identities(b"s" * 32, database)
    links = DeveloperLinks(database)
    taxi = ids.user_id(links.scope("dev.a.taxi", "key-a"), "alice")
    assert taxi == ids.user_id(links.scope("dev.a.taxi", "key-a"), "alice")
    assert taxi != ids.user_id(links.scope("dev.a.food", "key-a"), "alice")
    assert taxi != ids.user_id(links.scope("dev.a.taxi", "key-a"), "bob")
    assert Identities(b"t" * 32).user_id("dev.a.taxi", "alice") != taxi  # another host secret


def test_linked_programs_share_ids_only_with_the_same_key(database):
    database.ensure(services_tables)
    ids = Identities(b"s" * 32, database)
    links = DeveloperLinks(database)
    links.link("acme", "dev.a.taxi", "key-a")
    links.link("acme", "dev.a.food", "key-a")
    assert ids.user_id(links.scope("dev.a.taxi", "key-a"), "alice") == ids.user_id(
        links.scope("dev.a.food", "key-a"), "alice"
    )
    with pytest.raises(LinkRefused, match="another developer key"):
        links.link("acme", "dev.mallory.spy", "key-m")
    # A program that changed hands (new key) falls back to its own scope.
    assert links.scope("dev.a.taxi", "key-other") == "dev.a.taxi"
    assert links.unlink("dev.a.food") and links.scope("dev.a.food", "key-a") == "dev.a.food"


def test_storage_is_atomic_under_its_quota(database):
    store = DatabaseStorage(database)
    store.set("app", "alice", "a", "12345", quota=20)
    store.set("app", "alice", "a", "123456789", quota=20)  # replace: counts once
    assert store.usage("app", "alice").used_bytes == 10
    with pytest.raises(QuotaExceeded):
        store.set("app", "alice", "b", "x" * 20, quota=20)
    assert store.get("app", "alice", "b") is None and store.usage("app", "alice").keys == 1
    assert store.keys("app", "alice", "", 10) == ["a"]
    assert store.delete("app", "alice", "a") and not store.delete("app", "alice", "a")
    assert store.usage("app", "alice").used_bytes == 0


def test_storage_prefixes_are_literal(database):
    store = DatabaseStorage(database)
    for key in ["100%", "10_0", "1000", "A", "a"]:
        store.set("app", "alice", key, "v", quota=1000)
    assert store.keys("app", "alice", "10", 10) == ["100%", "1000", "10_0"]
    assert store.keys("app", "alice", "100%", 10) == ["100%"]
    assert store.keys("app", "alice", "a", 10) == ["a"]
    assert store.keys("app", "bob", "", 10) == []
