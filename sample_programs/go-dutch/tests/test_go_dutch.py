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
