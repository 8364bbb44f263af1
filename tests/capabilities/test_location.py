"""Fuzzy grids, the GCJ-02 conversion and the default provider."""

from __future__ import annotations

import math
import random

import pytest

from capsule.runtime.capabilities.location import fuzzy
from capsule.runtime.capabilities.location.datum import gcj02_to_wgs84, outside_china, wgs84_to_gcj02
from capsule.runtime.capabilities.location.provider import ConfiguredLocation, along

SECRET = b"k" * 32


def metres(a, b):
    x = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6_371_000 * math.hypot(x, math.radians(b[0] - a[0]))


def test_gcj02_matches_the_reference_vector():
    # The vector every public implementation (coordtransform, eviltransform) agrees on.
    lat, lon = wgs84_to_gcj02(39.915, 116.404)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)


def test_gcj02_round_trips_and_is_identity_outside_china():
    for lat, lon in [(39.915, 116.404), (31.2304, 121.4737), (22.5431, 114.0579)]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
        assert back == pytest.approx((lat, lon), abs=1e-8)
    assert outside_china(52.37, 4.89) and wgs84_to_gcj02(52.37, 4.89) == (52.37, 4.89)


def test_fuzzy_positions_stay_within_the_cell():
    rng = random.Random(7)
    offset = fuzzy.grid_offset(SECRET, "alice", "dev.example.taxi")
    for _ in range(500):
        point = (rng.uniform(-60, 60), rng.uniform(-179, 179))
        centre = fuzzy.snap(*point, offset)
        assert metres(point, centre) <= fuzzy.accuracy() * 1.01


def test_repetition_and_small_moves_cannot_refine_a_fuzzy_position():
    offset = fuzzy.grid_offset(SECRET, "alice", "dev.example.taxi")
    home = (52.3731, 4.8922)
    centre = fuzzy.snap(*home, offset)
    assert all(fuzzy.snap(*home, offset) == centre for _ in range(100))
    # Every point of the cell answers the same centre: walking around inside it reveals nothing.
    rng = random.Random(1)
    same = [p for p in ((home[0] + rng.uniform(-0.005, 0.005), home[1] + rng.uniform(-0.005, 0.005)) for _ in range(200))]
    answers = {fuzzy.snap(*p, offset) for p in same}
    assert len(answers) <= 4  # at most the neighbouring cells, never a finer answer
    assert all(metres(a, home) > 1 for a in answers)


def test_grids_differ_between_programs_and_users():
    a = fuzzy.grid_offset(SECRET, "alice", "dev.example.taxi")
    b = fuzzy.grid_offset(SECRET, "alice", "dev.example.food")
    c = fuzzy.grid_offset(SECRET, "bob", "dev.example.taxi")
    assert len({a, b, c}) == 3
    assert fuzzy.grid_offset(SECRET, "alice", "dev.example.taxi") == a


def test_the_default_provider_follows_a_route_or_stands_still(tmp_path, monkeypatch):
    monkeypatch.delenv("CAPSULE_LOCATION", raising=False)
    route = [(0.0, 0.0), (0.0, 0.01)]  # about 1.1 km east along the equator
    assert along(route, 0) == (0.0, 0.0)
    lat, lon = along(route, 556)
    assert lat == 0.0 and lon == pytest.approx(0.005, abs=1e-4)
    (tmp_path / "location.json").write_text('{"position": [48.8584, 2.2945]}')
    fix = ConfiguredLocation(tmp_path / "location.json").position("alice")
    assert (fix.latitude, fix.longitude) == (48.8584, 2.2945)
    moving = ConfiguredLocation(tmp_path / "absent.json", clock=lambda: 1000.0).position("alice")
    assert moving is not None and 52.3 < moving.latitude < 52.4
