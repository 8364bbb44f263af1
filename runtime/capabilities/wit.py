"""The one typed adapter between Python values and wasmtime-py's component values.

wasmtime-py hands a host function records as objects whose attributes carry the
WIT (kebab-case) names, and lowers a `result` "untagged" when its cases' Python
types are distinct: a plain value for ok, a `Variant` for our error variants.
The contract keeps every result's ok type distinct from `Variant` (no `option`
as an ok type), so ok values pass as they are; this module builds the rest.
"""

from __future__ import annotations

from typing import Any

from wasmtime.component import Record, Variant


def record(**fields: Any) -> Record:
    """A WIT record from snake_case keyword arguments."""
    value = Record()
    for key, item in fields.items():
        setattr(value, key.replace("_", "-"), item)
    return value


def fields(value: Any) -> dict[str, Any]:
    """A WIT record received from the guest, as a dict with snake_case keys."""
    return {key.replace("-", "_"): item for key, item in vars(value).items()}


def variant(tag: str, payload: Any = None) -> Variant:
    return Variant(tag, payload)
