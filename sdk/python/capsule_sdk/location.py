"""The user's position, fuzzy (a few km) unless they allow precise."""

from __future__ import annotations

from typing import Any

from ._bindings import call, interface


def get_position(precise: bool = False, datum: str = "wgs84") -> Any:
    m = interface("location")
    precision = m.Precision.PRECISE if precise else m.Precision.FUZZY
    return call("location", "get_position", precision, getattr(m.Datum, datum.upper()))
