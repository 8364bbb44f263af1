"""Fuzzy positions: the centre of a grid cell of about 2 km.

The grid is shifted by an offset derived (keyed hash under the host secret)
from the user and the program, so cell edges fall in different places for
different programs, and the same program always gets the same cell for the
same place. Asking again returns the same centre: repetition tells nothing new.

Why the offset does not also change every day: with a new random grid each
day, a program could average a stay-at-home user's daily centres and close in
on the true position (the error shrinks with the square root of the days). A
grid stable per (user, program) is stable per day too, and averaging it gains
nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import math

#: The cell's edge in metres (the issue asks for 1 to 5 km).
CELL_METERS = 2000.0
_METERS_PER_DEGREE_LAT = 111_320.0


def grid_offset(secret: bytes, user: str, app_id: str) -> tuple[float, float]:
    """Two fractions in [0, 1): where this (user, program)'s grid starts inside a cell."""
    digest = hmac.new(secret, f"capsule/location-grid/v1\0{app_id}\0{user}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64, int.from_bytes(digest[8:16], "big") / 2**64


def snap(lat: float, lon: float, offset: tuple[float, float], cell_meters: float = CELL_METERS) -> tuple[float, float]:
    """The centre of the cell holding (lat, lon)."""
    dlat = cell_meters / _METERS_PER_DEGREE_LAT
    row = math.floor(lat / dlat - offset[0])
    centre_lat = (row + 0.5 + offset[0]) * dlat
    # Cells keep their width in metres: the longitude step depends on the row, not the point.
    dlon = dlat / max(math.cos(math.radians(centre_lat)), 0.01)
    column = math.floor(lon / dlon - offset[1])
    centre_lon = (column + 0.5 + offset[1]) * dlon
    return max(-90.0, min(90.0, centre_lat)), ((centre_lon + 180.0) % 360.0) - 180.0


def accuracy(cell_meters: float = CELL_METERS) -> float:
    """The farthest the true position can be from a centre: half the cell's diagonal."""
    return cell_meters * math.sqrt(2) / 2
