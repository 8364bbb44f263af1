"""Run with `pytest sample_programs/go-dutch/tests` (builds the program first)."""

from pathlib import Path

from capsule.runtime import PolicyPrompter
from capsule.sdk.toolchain.testing import launch_program

PROGRAM = Path(__file__).resolve().parents[1]


def test_split_shows_each_friends_share(tmp_path):
    session = launch_program(PROGRAM, user="alice", home=tmp_path, prompter=PolicyPrompter(pin="123456"))
    session.dispatch("split", {"total": "10.00", "people": "4"})
    prices = [n for n in session.view["children"] if n["type"] == "price"]
    assert [p["amount"] for p in prices] == [250, 250, 250, 250]


def test_a_share_request_and_a_red_envelope_go_to_a_contact(tmp_path):
    prompter = PolicyPrompter(pin="123456", contact_picks=["bob", "bob"])
    session = launch_program(PROGRAM, user="alice", home=tmp_path, prompter=prompter)
    host = session.host
    inbox = host.services.messages
    inbox.request_contact("bob", "alice")
    inbox.answer_contact("alice", "bob", accept=True)
    session.dispatch("split", {"total": "10.00", "people": "2"})
    session.dispatch("send_share", {"amount": 500})
    [card] = inbox.thread("bob", "contact:alice")
    assert (card.kind, card.page, card.params["amount"]) == ("share", "pay", "500")
    assert card.params["to"].startswith("u_")  # alice's id in Go Dutch, as the QR code carries it
    host.capabilities["payments"].provider.topup("alice", 10_000, "CNY")
    session.dispatch("envelopes")
    session.dispatch("send", {"total": "8.88", "shares": "2"}, page="envelope")
    session.dispatch("send_envelope", page="envelope")
    envelope = inbox.thread("bob", "contact:alice")[-1]
    assert (envelope.page, envelope.title) == ("envelope", "A red envelope for you") and envelope.params["id"]
