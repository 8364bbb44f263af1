"""Run with `pytest sample_programs/bill-pay/tests` (builds the program first; needs node once)."""

from pathlib import Path

from capsule.runtime import PolicyPrompter
from capsule.sdk.toolchain.testing import launch_program

PROGRAM = Path(__file__).resolve().parents[1]


def test_scan_and_pay_the_electricity_bill(tmp_path):
    prompter = PolicyPrompter(pin="123456", picks=[[PROGRAM / "assets" / "electricity-bill.png"]])
    session = launch_program(PROGRAM, user="alice", home=tmp_path, prompter=prompter)
    session.host.capabilities["payments"].provider.topup("alice", 50000, "CNY")
    session.dispatch("scan")
    assert session.page == "bill"
    session.dispatch("pay")
    assert session.page == "receipt"
