"""Checks on arguments before they cross into the host.

A WIT `u32` or `u64` cannot hold a negative number, 2**64 or a float: handed
to the bindings, such a value fails while it is lowered, outside any `try`,
and ends the session. Checked here first, it is an `InvalidArgument` the
program can catch.
"""

from __future__ import annotations

from .errors import InvalidArgument

U32 = 2**32 - 1
U64 = 2**64 - 1


def whole(value: object, name: str, *, most: int = U64) -> int:
    """`value` as an int in 0..most, or InvalidArgument naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name} must be a whole number, got {type(value).__name__}")
    if not 0 <= value <= most:
        shown = str(value) if abs(value) < 10**30 else f"{str(value)[:12]}... ({len(str(value))} digits)"
        raise InvalidArgument(f"{name} must be 0 to {most}, got {shown}")
    return value
