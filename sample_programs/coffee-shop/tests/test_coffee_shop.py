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
