"""The figures `/metrics` shows, one registry per process.

Prometheus scrapes each process: every figure here is this process's, never
one person's. Labels are bounded sets chosen by the platform (capability
names, outcomes, limit names, ISO currency codes), never a user, a program
id or anything a request chose, so the exposition stays small and says
nothing about anyone.

Counters are bumped on hot paths (a capability call, a turn): a prometheus
child counter is a lock and an add, well under a microsecond. Live figures
(sessions, sockets) are read only when scraped.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from ..host import Host

# `_created` series double the exposition and tell an operator nothing a
# process start time does not.
disable_created_metrics()

#: Every figure of this process (not prometheus_client's global registry: an
#: embedding application keeps its own figures apart from ours).
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU seconds, resident memory, open files, start time
PlatformCollector(registry=REGISTRY)  # the Python version
GCCollector(registry=REGISTRY)

TURNS = Counter("capsule_turns", "Turns run: calls from the host into a program (launch, event, lifecycle).", registry=REGISTRY)
LIMIT_BREACHES = Counter(
    "capsule_limit_breaches",
    "Sessions ended because a turn broke a limit, by limit (cpu_ms, wall_ms, memory_bytes, host_calls).",
    ["limit"],
    registry=REGISTRY,
)
CAPABILITY_CALLS = Counter(
    "capsule_capability_calls",
    "Capability calls from programs, by capability and outcome (ok, error: refused or failed, breach: a limit).",
    ["capability", "outcome"],
    registry=REGISTRY,
)
PAYMENTS = Counter("capsule_payments", "Payments committed to the ledger (replays not counted), by currency.", ["currency"], registry=REGISTRY)
PAYMENT_AMOUNT = Counter(
    "capsule_payment_amount",
    "Sum of committed payments in the currency's minor unit (cents), by currency.",
    ["currency"],
    registry=REGISTRY,
)
SEARCH_SECONDS = Histogram(
    "capsule_search_seconds",
    "Time to answer one search of the program index, in seconds.",
    buckets=(0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)

#: Currency labels are ISO 4217 codes; anything else (a provider's odd code) is counted as "other".
_MAX_CURRENCIES = 32


_currencies: set[str] = set()


def currency_label(currency: str) -> str:
    """`currency` when it looks like an ISO 4217 code and the label set is not full, else "other"."""
    if len(currency) == 3 and currency.isascii() and currency.isupper() and currency.isalpha():
        if currency in _currencies or len(_currencies) < _MAX_CURRENCIES:
            _currencies.add(currency)
            return currency
    return "other"


def count_payment(currency: str, amount: int) -> None:
    """One payment committed: its count and amount, under its currency."""
    label = currency_label(currency)
    PAYMENTS.labels(label).inc()
    PAYMENT_AMOUNT.labels(label).inc(amount)


class _Live(Collector):
    """Figures read at scrape time from what is running: sessions and open sockets."""

    def __init__(self) -> None:
        self.hosts: weakref.WeakSet[Host] = weakref.WeakSet()
        self.socket_owners: list[tuple[weakref.ref[Any], str]] = []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        sessions = GaugeMetricFamily("capsule_live_sessions", "Program sessions alive in this process (not ended).")
        sessions.add_metric([], sum(len(host.sessions()) for host in list(self.hosts)))
        yield sessions
        sockets = GaugeMetricFamily("capsule_open_sockets", "Shell WebSockets (browser tabs) open on this process.")
        owners = [(owner, attribute) for ref, attribute in self.socket_owners if (owner := ref()) is not None]
        sockets.add_metric([], sum(len(getattr(owner, attribute)) for owner, attribute in owners))
        yield sockets

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return self.collect()


_LIVE = _Live()
REGISTRY.register(_LIVE)


def watch_host(host: "Host") -> None:
    """Count `host`'s live sessions in `capsule_live_sessions` while it exists."""
    _LIVE.hosts.add(host)


def watch_sockets(owner: object, attribute: str) -> None:
    """Count the open sockets in `owner.<attribute>` (a set) in `capsule_open_sockets` while `owner` exists."""
    _LIVE.socket_owners = [(ref, name) for ref, name in _LIVE.socket_owners if ref() is not None]
    _LIVE.socket_owners.append((weakref.ref(owner), attribute))


def exposition() -> bytes:
    """Every figure in the Prometheus text format (version 0.0.4)."""
    return generate_latest(REGISTRY)
