"""Kill a process that is moving money with SIGKILL at random instants; the books still hold."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime.capabilities.payments import EmbeddedProvider, ReceiptSigner
from capsule.runtime.database import Database

from .crash_child import KEY
from .invariants import assert_books_hold

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 8


def test_sigkill_at_random_instants_loses_and_creates_nothing(database_url):
    signer = ReceiptSigner(Ed25519PrivateKey.from_private_bytes(KEY))
    rng = random.Random()
    for round_ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), database_url, str(round_)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(rng.uniform(0.05, 0.6))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        database = Database.open(database_url)
        try:
            provider = EmbeddedProvider(database, signer)
            assert_books_hold(provider, signer.public_key_b64)
        finally:
            database.close()
    # The children did move money: the test is not vacuous.
    database = Database.open(database_url)
    try:
        assert EmbeddedProvider(database, signer).check().total_topups.get("CNY", 0) > 0
    finally:
        database.close()
