"""Where the device is: the protocol a host's GPS implements, and the default.

The default, `ConfiguredLocation`, reads `CAPSULE_HOME/location.json`:

    {"position": [52.3731, 4.8922]}                       # stands still
    {"route": [[52.37, 4.89], [52.36, 4.90]], "speed_mps": 12}   # moves along a route

or the `CAPSULE_LOCATION` variable ("52.3731,4.8922"). Without either it
follows a short simulated route in Amsterdam, so programs work out of the box.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: Dam Square to Amsterdam Centraal and back, about 1.6 km.
SIMULATED_ROUTE = [(52.3731, 4.8926), (52.3766, 4.8985), (52.3791, 4.9003), (52.3731, 4.8926)]


@dataclass(frozen=True)
class Fix:
    """A WGS-84 position as the device measured it."""

    latitude: float
    longitude: float
    accuracy_meters: float
    measured_at_ms: int


class LocationProvider(Protocol):
    def position(self, user: str) -> Fix | None:
        """The user's device position now, or None when it has none."""


class ConfiguredLocation:
    def __init__(self, path: Path | None = None, *, clock=time.time) -> None:
        self.path = path
        self.clock = clock

    def position(self, user: str) -> Fix | None:
        now = self.clock()
        config = self._config()
        if "position" in config:
            lat, lon = config["position"]
            return Fix(float(lat), float(lon), 10.0, int(now * 1000))
        route = [tuple(map(float, p)) for p in config.get("route", SIMULATED_ROUTE)]
        lat, lon = along(route, float(config.get("speed_mps", 1.4)) * now)
        return Fix(lat, lon, 10.0, int(now * 1000))

    def _config(self) -> dict:
        if self.path is not None and self.path.exists():
            return json.loads(self.path.read_text())
        value = os.environ.get("CAPSULE_LOCATION")
        if value:
            lat, _, lon = value.partition(",")
            return {"position": [float(lat), float(lon)]}
        return {}


def along(route: list[tuple[float, float]], metres: float) -> tuple[float, float]:
    """The point `metres` along `route`, looping back to its start."""
    if len(route) == 1:
        return route[0]
    legs = [(a, b, _distance(a, b)) for a, b in zip(route, route[1:])]
    total = sum(length for _, _, length in legs) or 1.0
    remaining = metres % total
    for a, b, length in legs:
        if remaining <= length and length > 0:
            t = remaining / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        remaining -= length
    return route[-1]


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two points (equirectangular: exact enough for a route)."""
    x = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    y = math.radians(b[0] - a[0])
    return 6_371_000 * math.hypot(x, y)
