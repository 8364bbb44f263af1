"""Host side of `capsule:app/location`: as precisely as the user allows, and rate limited.

Scopes: `location.fuzzy` (a ~2 km grid cell) and `location.precise`. A user
who granted precise has granted fuzzy too; a user who allows only fuzzy is
refused precise and can still be served fuzzy. The manifest's `precision` is
the most the program may ever ask for.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Callable, Mapping

from ..base import CallContext, Capability, HostFunction, LimitReached, NotDeclared, Unavailable
from ..wit import record
from . import fuzzy
from .datum import wgs84_to_gcj02
from .provider import LocationProvider

if TYPE_CHECKING:
    from ...consent import ConsentGate

#: Positions a program may read per user in `RATE_WINDOW_S` seconds.
RATE_LIMIT = 30
RATE_WINDOW_S = 60.0


class LocationCapability(Capability):
    name = "location"

    def __init__(
        self,
        provider: LocationProvider,
        consent: "ConsentGate",
        secret: Callable[[], bytes],
        *,
        rate_limit: int = RATE_LIMIT,
        rate_window_s: float = RATE_WINDOW_S,
        cell_meters: float = fuzzy.CELL_METERS,
    ) -> None:
        self.provider = provider
        self.consent = consent
        self.secret = secret
        self.rate_limit = rate_limit
        self.rate_window_s = rate_window_s
        self.cell_meters = cell_meters
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def functions(self) -> Mapping[str, HostFunction]:
        return {"get-position": self.get_position}

    def get_position(self, ctx: CallContext, precision: object, datum: object):
        precise = _tag(precision) == "precise"
        declared = getattr(ctx.app.manifest.permission("location"), "precision", "fuzzy")
        if precise and declared != "precise":
            raise NotDeclared('precise location needs "precision": "precise" in the manifest\'s location section')
        self._count(ctx)
        self._require(ctx, precise)
        fix = self.provider.position(ctx.user)
        if fix is None:
            raise Unavailable("the device has no position now; try again later")
        lat, lon, accuracy = fix.latitude, fix.longitude, fix.accuracy_meters
        if not precise:
            offset = fuzzy.grid_offset(self.secret(), ctx.user, ctx.app.id)
            lat, lon = fuzzy.snap(lat, lon, offset, self.cell_meters)
            accuracy = max(accuracy, fuzzy.accuracy(self.cell_meters))
        if _tag(datum) == "gcj02":
            lat, lon = wgs84_to_gcj02(lat, lon)
        return record(
            latitude=lat,
            longitude=lon,
            accuracy_meters=float(accuracy),
            datum=_tag(datum),
            precision="precise" if precise else "fuzzy",
            measured_at=fix.measured_at_ms,
        )

    def _require(self, ctx: CallContext, precise: bool) -> None:
        if not precise:
            # The stronger grant covers the lighter one.
            from ...consent.grants import GrantState

            if self.consent.store.get(ctx.user, ctx.app.id, "location.precise").effective() is GrantState.GRANTED:
                ctx.scope = "location.fuzzy"
                return
        self.consent.require(ctx, "location.precise" if precise else "location.fuzzy")

    def _count(self, ctx: CallContext) -> None:
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault((ctx.app.id, ctx.user), deque())
            while calls and now - calls[0] > self.rate_window_s:
                calls.popleft()
            if len(calls) >= self.rate_limit:
                raise LimitReached(
                    f"more than {self.rate_limit} positions in {self.rate_window_s:.0f} s; "
                    "keep the last position and ask again later"
                )
            calls.append(now)


def _tag(value: object) -> str:
    """An enum case from wasmtime-py: its WIT name, as text."""
    return str(getattr(value, "name", value)).replace("_", "-").lower()
