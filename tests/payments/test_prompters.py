"""The confirm-with-secret step in the prompters a host gets from Capsule."""

from __future__ import annotations

import io

from capsule.runtime import Approval, ConfirmRequest, Money, PolicyPrompter, TerminalPrompter
from capsule.runtime.prompter import SECRET_NEW_PIN, SECRET_PIN
from capsule.runtime.webhost.prompter import with_secret


def sheet(**kw) -> ConfirmRequest:
    return ConfirmRequest(
        user="alice", app_id="a.b", app_name="Shop", title="Confirm payment", message="Flat white",
        confirm_label="Pay", kind="payment", details=(("Amount", Money(1250, "CNY")),), amount=Money(1250, "CNY"), **kw,
    )


class Keyboard(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_terminal_asks_for_the_pin_and_shows_amounts_as_text():
    out = io.StringIO()
    answer = TerminalPrompter(Keyboard("135790\n"), out).confirm(sheet(secret=SECRET_PIN), 5)
    assert answer == Approval("135790") and "135790" not in repr(answer)
    assert "Amount: 12.50 CNY" in out.getvalue() and "PIN for Pay 12.50 CNY" in out.getvalue()
    assert TerminalPrompter(Keyboard("\n"), io.StringIO()).confirm(sheet(secret=SECRET_PIN), 5) is False


def test_the_terminal_asks_for_a_new_pin_twice():
    assert TerminalPrompter(Keyboard("111222\n111222\n"), io.StringIO()).confirm(sheet(secret=SECRET_NEW_PIN), 5) == Approval("111222")
    assert TerminalPrompter(Keyboard("111222\n111223\n"), io.StringIO()).confirm(sheet(secret=SECRET_NEW_PIN), 5) is False


def test_the_terminal_without_a_terminal_says_no():
    assert TerminalPrompter(io.StringIO("135790\n"), io.StringIO()).confirm(sheet(secret=SECRET_PIN), 5) is False


def test_a_policy_types_its_pin_once_and_never_after_a_problem():
    policy = PolicyPrompter(pin="135790")
    assert policy.confirm(sheet(secret=SECRET_PIN), 5) == Approval("135790")
    assert policy.confirm(sheet(secret=SECRET_PIN, problem="Wrong PIN. 4 tries left"), 5) is False
    assert PolicyPrompter().confirm(sheet(secret=SECRET_PIN), 5) is False
    assert PolicyPrompter(confirms={"payment": False}, pin="135790").confirm(sheet(secret=SECRET_PIN), 5) is False
    assert PolicyPrompter().confirm(sheet(), 5) is True


def test_a_tabs_answer_carries_a_bounded_pin_only_with_a_yes():
    assert with_secret(True, "135790") == Approval("135790")
    assert with_secret(False, "135790") is False
    assert with_secret(True, "1" * 65) is True  # too long to be a PIN: no PIN at all
    assert with_secret(True, {"pin": 1}) is True
