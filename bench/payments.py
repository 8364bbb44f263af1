"""Payment figures for `capsule bench`: durable payments per second, request-payment latency.

Durable: 8 threads pay distinct orders through the embedded provider on a fresh
SQLite database (WAL, synchronous=FULL: every payment is on disk when it
returns), the daily limit checked as the host does. Latency: a real component
calls request-payment with the sheet confirmed at once (the human excluded),
timed at the host boundary by an observer.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.capabilities.payments import Charge, EmbeddedProvider, PaymentLimits, ReceiptSigner
from capsule.runtime.database import Database
from capsule.runtime.home import Home
from capsule.sdk.toolchain.build import build_program

from .programs import PAYMENTS_PROGRAM

PAYERS = 8
TARGET_PAYMENTS_PER_S = 1000.0


def durable_payments_per_s(total: int, directory: Path, signer: ReceiptSigner) -> float:
    database = Database.open(f"sqlite:///{directory / 'ledger.db'}")
    provider = EmbeddedProvider(database, signer)
    per_day = PaymentLimits().per_day
    for payer in range(PAYERS):
        provider.topup(f"payer{payer}", 10**9, "CNY")

    def pay(payer: int) -> None:
        for n in range(total // PAYERS):
            provider.charge(Charge("dev.bench", f"payer{payer}", f"p{payer}", f"o{payer}-{n}", 100, "CNY", "bench", daily_limit=per_day))

    started = time.perf_counter()
    with ThreadPoolExecutor(PAYERS) as pool:
        list(pool.map(pay, range(PAYERS)))
    elapsed = time.perf_counter() - started
    audit = provider.check()
    database.close()
    if not audit.ok:
        raise RuntimeError(f"the ledger does not balance after the benchmark: {audit.problems}")
    return (total // PAYERS) * PAYERS / elapsed


def guest_latency_ms(n: int, directory: Path, home: Home) -> list[float]:
    built = build_program(PAYMENTS_PROGRAM, home=home)
    host = Host(home, prompter=PolicyPrompter(), database_url=f"sqlite:///{directory / 'guest.db'}")
    samples: list[float] = []
    host.observers.append(
        lambda record: samples.append(record.duration_us / 1000) if record.function == "request-payment" else None
    )
    app = host.install(built.package, rebuilt=True)
    host.capabilities["payments"].provider.topup("bench", 10**9, "CNY")
    # The figure is the payment path, not the PIN's ~60 ms argon2id check:
    # the bench user pays 1.00 CNY below their own no-PIN amount.
    pins = host.capabilities["payments"].pins
    pins.set("bench", "000000")
    pins.set_threshold("bench", "CNY", 10_000, "000000")
    session = host.launch(app.id, user="bench")
    for _ in range(n):
        session.dispatch("pay")
    host.close()
    return samples


def payment_figures(*, quick: bool, home: Home | None = None) -> dict[str, Any]:
    total, n_latency = (400, 50) if quick else (4000, 500)
    home = home or Home.resolve()
    signer = ReceiptSigner(Ed25519PrivateKey.generate())
    with tempfile.TemporaryDirectory(prefix="capsule-bench-pay-") as tmp:
        rate = durable_payments_per_s(total, Path(tmp), signer)
        latency = sorted(guest_latency_ms(n_latency, Path(tmp), home))
    return {
        "durable_payments_per_s": round(rate, 1),
        "payment_latency_ms_p50": round(statistics.median(latency), 3),
        "payment_latency_ms_p99": round(latency[min(len(latency) - 1, int(len(latency) * 0.99))], 3),
        "payment_iterations": {"durable": total, "latency": n_latency, "payers": PAYERS},
    }
