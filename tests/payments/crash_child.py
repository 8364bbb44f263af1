"""A process that moves money as fast as it can until it is killed (see test_crash.py)."""

from __future__ import annotations

import random
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime.capabilities import InvalidArgument
from capsule.runtime.capabilities.payments import Charge, EmbeddedProvider, PaymentConflict, PaymentDeclined, ReceiptSigner
from capsule.runtime.database import Database

KEY = bytes(range(32))  # a fixed test key, so the parent can verify receipts


def main(url: str, seed: int) -> None:
    rng = random.Random(seed)
    provider = EmbeddedProvider(Database.open(url), ReceiptSigner(Ed25519PrivateKey.from_private_bytes(KEY)))
    users = ["ann", "ben", "cai"]
    print("ready", flush=True)
    envelopes: list[str] = []
    n = 0
    while True:
        n += 1
        who, other = rng.sample(users, 2)
        try:
            kind = rng.randrange(6)
            if kind == 0:
                provider.topup(who, rng.randint(1, 5000), "CNY")
            elif kind == 1:
                provider.charge(Charge("dev.example.crash", who, who, f"o{seed}-{n % 50}", rng.randint(1, 900), "CNY", "x"))
            elif kind == 2:
                provider.refund("dev.example.crash", f"o{seed}-{rng.randrange(50)}", f"r{seed}-{n}", rng.randint(1, 300), "")
            elif kind == 3:
                provider.transfer("dev.example.crash", who, who, other, other, rng.randint(1, 500), "CNY", "", None)
            elif kind == 4:
                envelopes.append(provider.create_envelope("dev.example.crash", who, rng.randint(3, 900), "CNY", 3, "", 3600, None).envelope_id)
            elif envelopes:
                provider.claim_envelope("dev.example.crash", rng.choice(envelopes), who)
        except (PaymentDeclined, PaymentConflict, InvalidArgument):
            pass


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
