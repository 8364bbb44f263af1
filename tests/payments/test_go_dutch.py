"""Go Dutch end to end: shares paid by transfer, a red envelope claimed by friends."""

from __future__ import annotations

import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.sdk.toolchain.build import build_program

from ..conftest import texts
from .programs import GO_DUTCH

pytestmark = pytest.mark.slow
APP = "dev.capsule.samples.godutch"


@pytest.fixture(scope="session")
def go_dutch_package(home, tmp_path_factory):
    return build_program(GO_DUTCH, home=home, out_dir=tmp_path_factory.mktemp("godutch")).package


@pytest.fixture
def host(home, go_dutch_package, database_url):
    h = Host(home, prompter=PolicyPrompter(grants={"profile": True}, pin="123456"), database_url=database_url)
    h.install(go_dutch_package)
    yield h
    h.close()


def qr_texts(view):
    found = []

    def walk(node):
        if node.get("type") == "qr":
            found.append(node["text"])
        for child in node.get("children", []) + node.get("items", []):
            walk(child)

    walk(view)
    return found


def query_of(link):
    page, _, params = link.rsplit("/", 1)[1].partition("?")
    return page, dict(pair.split("=", 1) for pair in params.split("&"))


def test_split_a_bill_and_each_friend_pays_a_share(host):
    wallet = host.capabilities["payments"].provider
    alice = host.launch(APP, user="alice")
    alice.dispatch("split", {"total": "100.00", "people": "3"})
    links = qr_texts(alice.view)
    assert len(links) == 2
    for friend, link in zip(("bob", "carol"), links):
        wallet.topup(friend, 5000, "CNY")
        page, query = query_of(link)
        session = host.launch(APP, user=friend, page=page, query=query)
        session.dispatch("pay")
        assert "Paid" in texts(session.view)
    assert wallet.balance("alice", "CNY") == 3333 * 2
    assert wallet.balance("bob", "CNY") == wallet.balance("carol", "CNY") == 5000 - 3333
    assert wallet.check().ok


def test_a_red_envelope_shared_by_friends(host):
    wallet = host.capabilities["payments"].provider
    wallet.topup("alice", 10_000, "CNY")
    alice = host.launch(APP, user="alice", page="envelope")
    alice.dispatch("send", {"total": "10.00", "shares": "2"})
    [link] = qr_texts(alice.view)
    page, query = query_of(link)
    got = 0
    for friend in ("bob", "carol", "dave"):
        session = host.launch(APP, user=friend, page=page, query=query)
        session.dispatch("claim")
        got += wallet.balance(friend, "CNY")
        if friend == "dave":
            assert any(t.startswith("Not opened:") and "empty" in t for t in texts(session.view))
    assert got == 1000 and wallet.balance("alice", "CNY") == 9000
    assert wallet.check().ok
