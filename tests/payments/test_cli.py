"""The developer's flow through the command line: top up, run the shop, read statements."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ..conftest import texts
from .programs import COFFEE

pytestmark = pytest.mark.slow
CAPSULE = [str(Path(sys.executable).with_name("capsule"))]
APP = "dev.capsule.samples.coffee"


def capsule(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*CAPSULE, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def env(home, database_url):
    return {**os.environ, "CAPSULE_HOME": str(home.root), "CAPSULE_DATABASE_URL": database_url}


def test_topup_run_coffee_shop_and_statements(env):
    user = f"alice-{uuid.uuid4().hex[:6]}"
    done = capsule("wallet", "topup", "--user", user, "50.00", "CNY", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["balance"] == 5000

    def checkout(pin: str | None) -> list[str]:
        ran = capsule(
            "run", str(COFFEE), "--user", user, "--grant", "payments", "--json",
            "--tap", "add", "--data", '{"item": "flat-white"}', "--tap", "checkout",
            env={**env, "CAPSULE_PAYMENT_PIN": pin} if pin else env,
        )
        assert ran.returncode == 0, ran.stderr
        return texts(json.loads(ran.stdout.strip().splitlines()[-1]))

    # Without a PIN the payment is refused; the first PIN typed becomes the user's PIN.
    assert "Paid" not in checkout(None)
    assert "Paid" in checkout("246810")
    assert "Paid" not in checkout("111111")
    shown = checkout("246810")
    assert "Paid" in shown
    tx = next(t for t in shown if t.startswith("Transaction "))[len("Transaction "):]

    balance = json.loads(capsule("wallet", "balance", "--user", user, "--json", env=env).stdout)
    assert balance["balances"] == {"CNY": 2500}
    lines = json.loads(capsule("wallet", "statement", "--user", user, "--json", env=env).stdout)["lines"]
    assert [line["kind"] for line in lines] == ["payment", "payment", "topup"] and lines[0]["transaction_id"] == tx
    merchant = json.loads(capsule("wallet", "merchant", APP, "--json", env=env).stdout)
    assert tx in [line["transaction_id"] for line in merchant["lines"]]
    assert json.loads(capsule("wallet", "check", "--json", env=env).stdout)["ok"]


def test_bad_amounts_are_refused_with_a_reason(env):
    done = capsule("wallet", "topup", "--user", "x", "1.234", "CNY", env=env)
    assert done.returncode == 2 and "2 decimals" in done.stderr
    done = capsule("wallet", "topup", "--user", "x", "5", "ABC", env=env)
    assert done.returncode == 2 and "ISO 4217" in done.stderr


def test_without_grant_payments_the_sheet_is_answered_no(env):
    user = f"bob-{uuid.uuid4().hex[:6]}"
    capsule("wallet", "topup", "--user", user, "50.00", "CNY", env=env)
    ran = capsule(
        "run", str(COFFEE), "--user", user, "--json", "--tap", "add", "--data", '{"item": "latte"}', "--tap", "checkout",
        env=env,
    )
    assert "Payment cancelled." in texts(json.loads(ran.stdout.strip().splitlines()[-1]))
    assert json.loads(capsule("wallet", "balance", "--user", user, "--json", env=env).stdout)["balances"] == {"CNY": 5000}
