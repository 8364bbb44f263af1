"""The programs the benchmarks run."""

from __future__ import annotations

from pathlib import Path

from capsule.runtime.webhost.demo import SAMPLES_DIR

HERE = Path(__file__).resolve().parent
#: A page with a text, two buttons and a host-call loop: the runtime part's program.
RUNTIME_PROGRAM = HERE / "program"
#: A program that requests payments: the payments part's latency program.
PAYMENTS_PROGRAM = HERE / "payments_program"
#: The hello sample (developer mode, registry and web parts).
HELLO = SAMPLES_DIR / "hello"
HELLO_JS = SAMPLES_DIR / "hello-js"
COFFEE = SAMPLES_DIR / "coffee-shop"
