"""Run with `pytest sample_programs/hello/tests` (builds the program first)."""

from pathlib import Path

from capsule.sdk.toolchain.testing import launch_program

PROGRAM = Path(__file__).resolve().parents[1]


def texts(view):
    return [node["text"] for node in view["children"] if node["type"] == "text"]


def test_counter_counts():
    session = launch_program(PROGRAM, query={"name": "Ada"})
    assert "Hello, Ada!" in texts(session.view)
    session.dispatch("increment")
    session.dispatch("increment")
    assert "You pressed the button 2 times." in texts(session.view)
