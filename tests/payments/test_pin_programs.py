"""The payment PIN with real programs: the coffee shop's sheet, Go Dutch's transfer and red envelope.

The program never sees the PIN: it hears `cancelled` or `declined`, and the
user hears the rest from the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from capsule.runtime import Approval, ConfirmRequest, Host, PolicyPrompter
from capsule.runtime.prompter import SECRET_NEW_PIN, SECRET_PIN
from capsule.sdk.toolchain.build import build_program

from ..conftest import texts
from .programs import COFFEE, GO_DUTCH
from .test_go_dutch import query_of, qr_texts

pytestmark = pytest.mark.slow
COFFEE_APP = "dev.capsule.samples.coffee"
GO_DUTCH_APP = "dev.capsule.samples.godutch"


@dataclass
class Typist:
    """A user who types these answers into successive sheets (None: presses Cancel)."""

    answers: list[str | None]
    asked: list[ConfirmRequest] = field(default_factory=list)

    def ask_consent(self, request, timeout):
        return True

    def confirm(self, request: ConfirmRequest, timeout: float):
        self.asked.append(request)
        if request.kind == "notice":
            return True
        typed = self.answers.pop(0) if self.answers else None
        return Approval(typed) if typed is not None else False

    def pick(self, request, timeout):
        return []


@pytest.fixture(scope="session")
def coffee_package(home, tmp_path_factory):
    return build_program(COFFEE, home=home, out_dir=tmp_path_factory.mktemp("coffee-pin")).package


@pytest.fixture(scope="session")
def go_dutch_package(home, tmp_path_factory):
    return build_program(GO_DUTCH, home=home, out_dir=tmp_path_factory.mktemp("godutch-pin")).package


@pytest.fixture
def host(home, coffee_package, go_dutch_package, database_url):
    h = Host(home, prompter=PolicyPrompter(), database_url=database_url)
    h.install(coffee_package)
    h.install(go_dutch_package)
    h.capabilities["payments"].provider.topup("alice", 50_000, "CNY")
    yield h
    h.close()


def checkout(host: Host, prompter, user: str = "alice") -> list[str]:
    session = host.launch(COFFEE_APP, user=user, prompter=prompter)
    session.dispatch("add", {"item": "flat-white"})
    session.dispatch("checkout")
    return texts(session.view)


def balance(host: Host, user: str = "alice") -> int:
    return host.capabilities["payments"].provider.balance(user, "CNY")


def test_a_user_without_a_pin_chooses_one_on_the_sheet_and_it_is_asked_next_time(host):
    first = Typist(["135790"])
    assert "Paid" in checkout(host, first)
    assert [sheet.secret for sheet in first.asked] == [SECRET_NEW_PIN]
    assert host.capabilities["payments"].pins.status("alice").is_set
    second = Typist(["135790"])
    assert "Paid" in checkout(host, second)
    assert [sheet.secret for sheet in second.asked] == [SECRET_PIN]
    assert balance(host) == 50_000 - 2 * 1250


def test_approving_without_a_pin_pays_nothing(host):
    # An embedder's prompter that only says yes: the runtime, not the prompter, decides.
    shown = checkout(host, PolicyPrompter())
    assert "Payment cancelled." in shown and "Paid" not in shown
    assert balance(host) == 50_000


def test_a_wrong_pin_asks_again_saying_so_and_the_right_one_pays(host):
    host.capabilities["payments"].pins.set("alice", "135790")
    typist = Typist(["000000", "135790"])
    assert "Paid" in checkout(host, typist)
    assert [sheet.problem for sheet in typist.asked] == [None, typist.asked[1].problem]
    assert typist.asked[1].problem.startswith("Wrong PIN. 4 tries left")
    assert balance(host) == 50_000 - 1250


def test_five_wrong_pins_lock_payments_across_sessions_with_the_time_shown(host):
    pins = host.capabilities["payments"].pins
    pins.set("alice", "135790")
    typist = Typist(["000001", "000002", None])
    assert "Payment cancelled." in checkout(host, typist)
    locker = Typist(["000003", "000004", "000005", "135790"])
    shown = checkout(host, locker)
    declined = next(t for t in shown if t.startswith("Payment declined:"))
    assert "locked after 5 wrong PINs, until" in declined and "UTC" in declined
    assert "alice" not in declined and "500.00" not in declined  # no user id, no balance
    notice = locker.asked[-1]
    assert notice.kind == "notice" and "until" in notice.message
    assert locker.answers == ["135790"]  # never asked again once locked
    # A new session, even with the right PIN: no sheet, declined, money untouched.
    later = Typist(["135790"])
    assert any(t.startswith("Payment declined:") for t in checkout(host, later))
    assert [sheet.kind for sheet in later.asked] == ["notice"]
    assert balance(host) == 50_000
    assert pins.status("alice").locked_until is not None


def test_below_the_users_no_pin_amount_the_sheet_asks_no_pin(host):
    pins = host.capabilities["payments"].pins
    pins.set("alice", "135790")
    pins.set_threshold("alice", "CNY", 2000, "135790")
    plain = PolicyPrompter()
    assert "Paid" in checkout(host, plain)  # 12.50 < 20.00
    assert [sheet.secret for sheet in plain.asked] == [None]
    pins.set_threshold("alice", "CNY", 1250, "135790")
    again = PolicyPrompter()
    assert "Payment cancelled." in checkout(host, again)  # 12.50 is not below 12.50
    assert [sheet.secret for sheet in again.asked] == [SECRET_PIN]


def test_transfers_and_red_envelopes_ask_for_the_pin(host):
    wallet = host.capabilities["payments"].provider
    host.capabilities["payments"].pins.set("bob", "246802")
    wallet.topup("bob", 10_000, "CNY")
    organizer = host.launch(GO_DUTCH_APP, user="alice", prompter=Typist([]))
    organizer.dispatch("split", {"total": "30.00", "people": "2"})
    page, query = query_of(qr_texts(organizer.view)[0])
    wrong = Typist(["111111", None])
    friend = host.launch(GO_DUTCH_APP, user="bob", page=page, query=query, prompter=wrong)
    friend.dispatch("pay")
    assert "Paid" not in texts(friend.view) and wallet.balance("bob", "CNY") == 10_000
    assert [s.secret for s in wrong.asked] == [SECRET_PIN, SECRET_PIN] and wrong.asked[0].title == "Confirm transfer"
    right = Typist(["246802"])
    friend = host.launch(GO_DUTCH_APP, user="bob", page=page, query=query, prompter=right)
    friend.dispatch("pay")
    assert "Paid" in texts(friend.view) and wallet.balance("bob", "CNY") == 10_000 - 1500

    envelope = Typist(["246802"])
    sender = host.launch(GO_DUTCH_APP, user="bob", page="envelope", prompter=envelope)
    sender.dispatch("send", {"total": "10.00", "shares": "2"})
    assert len(qr_texts(sender.view)) == 1
    assert [(s.title, s.secret) for s in envelope.asked] == [("Send a red envelope", SECRET_PIN)]
    assert wallet.balance("bob", "CNY") == 10_000 - 1500 - 1000
