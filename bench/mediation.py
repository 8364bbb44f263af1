"""The host-side cost of mediating one capability call: consent check plus audit record.

Measured on a real `HostServices` (SQLite in a temporary home) with the grant
already given, as on every call after the first: `capsule bench` reports it as
`capability_mediation_us`.
"""

from __future__ import annotations

import tempfile
import time
from types import SimpleNamespace

from capsule.runtime.capabilities.base import CallContext
from capsule.runtime.capabilities.binding import CallRecord
from capsule.runtime.home import Home
from capsule.runtime.services import HostServices


def mediation_us(iterations: int = 20_000) -> float:
    """Microseconds per call for `ConsentGate.require` + `AuditTrail.record`."""
    with tempfile.TemporaryDirectory() as root:
        services = HostServices(Home.resolve(root), database_url=f"sqlite:///{root}/bench.db")
        try:
            services.consent_store.grant("bench-user", "dev.capsule.bench", "location.fuzzy")
            app = SimpleNamespace(id="dev.capsule.bench", name="Bench", version="1.0.0")
            session = SimpleNamespace(id="s", user="bench-user", app=app)
            gate, audit = services.consent, services.audit
            started = time.perf_counter()
            for _ in range(iterations):
                ctx = CallContext(session, "location", "get-position")  # type: ignore[arg-type]
                gate.require(ctx, "location.fuzzy")
                audit.record(
                    CallRecord("s", app.id, app.version, session.user, "location", "get-position", "ok", 0,
                               time.time(), ctx.scope, 64)
                )
            elapsed = time.perf_counter() - started
        finally:
            services.close()
    return elapsed / iterations * 1e6
