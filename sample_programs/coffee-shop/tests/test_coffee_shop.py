"""Run with `pytest sample_programs/coffee-shop/tests` (builds the program first)."""

from pathlib import Path

from capsule.runtime import PolicyPrompter
from capsule.sdk.toolchain.testing import launch_program

PROGRAM = Path(__file__).resolve().parents[1]


def texts(view):
    found = []

    def walk(node):
        if node.get("type") == "text":
            found.append(node["text"])
        for child in node.get("children", []) + node.get("items", []):
            walk(child)

    walk(view)
    return found


def test_pay_for_a_flat_white(tmp_path):
    session = launch_program(PROGRAM, user="alice", home=tmp_path, prompter=PolicyPrompter(pin="123456"))
    session.host.capabilities["payments"].provider.topup("alice", 5000, "CNY")
    session.dispatch("add", {"item": "flat-white"})
    session.dispatch("checkout")
    assert "Paid" in texts(session.view)


def test_after_paying_the_shop_asks_to_message_and_the_receipt_page_shows_the_order(tmp_path):
    from capsule.runtime.prompter import ConfirmRequest

    prompter = PolicyPrompter(pin="123456")
    session = launch_program(PROGRAM, user="alice", home=tmp_path, prompter=prompter)
    session.host.capabilities["payments"].provider.topup("alice", 5000, "CNY")
    session.dispatch("add", {"item": "latte"})
    session.dispatch("checkout")
    session.dispatch("notify")
    assert "We will message you when it is ready." in texts(session.view)
    assert [q.kind for q in prompter.asked if isinstance(q, ConfirmRequest)] == ["payment", "subscribe"]
    order_id = next(t for t in texts(session.view) if t.startswith("Order ")).removeprefix("Order ")
    receipt = session.host.launch("dev.capsule.samples.coffee", user="alice", page="receipt", query={"order": order_id})
    assert "Your order is ready" in texts(receipt.view) and f"Order {order_id}" in texts(receipt.view)
