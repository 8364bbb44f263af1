"""The payment figures of `capsule bench` are produced (never asserted as timings)."""

import pytest

from capsule.bench.payments import payment_figures

pytestmark = pytest.mark.slow


def test_payment_figures_are_reported(home):
    figures = payment_figures(quick=True, home=home)  # raises if the ledger does not balance afterwards
    for key in ("durable_payments_per_s", "payment_latency_ms_p50", "payment_latency_ms_p99"):
        assert isinstance(figures[key], float) and figures[key] > 0
    assert figures["payment_latency_ms_p99"] >= figures["payment_latency_ms_p50"]
