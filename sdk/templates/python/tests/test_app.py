from pathlib import Path

from capsule.sdk.toolchain.testing import launch_program

PROGRAM = Path(__file__).resolve().parents[1]


def test_button_counts():
    session = launch_program(PROGRAM)
    session.dispatch("increment")
    texts = [node.get("text") for node in session.view["children"]]
    assert "Pressed 1 time." in texts
