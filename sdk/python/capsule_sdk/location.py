"""The user's position, fuzzy (a grid cell of about 2 km) unless they allow precise."""

from __future__ import annotations

from typing import Any

from ._bindings import call, interface
from .types import Datum, Position, Precision, from_wit

__all__ = ["Datum", "Position", "Precision", "get_position"]


def get_position(precise: bool = False, datum: Datum | str = Datum.WGS84) -> Position:
    """The user's `Position`; asks consent (scope `location.fuzzy`, or `location.precise`) the first time.

    `datum` is "wgs84" (GPS) or "gcj02" (maps in mainland China). Raises
    `Refused`, `NotDeclared` (precise asked but the manifest declares fuzzy),
    `LimitExceeded` (too many positions a minute), `Unavailable`, `InvalidArgument`.
    """
    m = interface("location")
    precision = Precision.PRECISE if precise else Precision.FUZZY
    wanted = Datum.parse(datum, "datum")
    return _position(call("location", "get_position", precision.to_wit(m.Precision), wanted.to_wit(m.Datum)))


def _position(raw: Any) -> Position:
    return from_wit(Position, raw, datum=Datum.from_wit(raw.datum), precision=Precision.from_wit(raw.precision))
