"""Binding capabilities into a wasmtime linker: the shared plumbing.

Every host function goes through one wrapper that finds the turn and the
session, counts the call against the turn's limit, turns `CapabilityError`
into the WIT error variant, and tells the host's observers (audit trail,
developer inspector) what happened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Callable

from wasmtime.component import FuncType, LinkerInstance

from ..engine.turn import current_turn
from ..metrics.figures import CAPABILITY_CALLS
from .base import CallContext, Capability, CapabilityError, HostFunction


@dataclass(frozen=True)
class CallRecord:
    """One capability call, as observers see it."""

    session_id: str
    app_id: str
    app_version: str
    user: str
    capability: str
    function: str
    decision: str  # "ok" or the error tag
    duration_us: int
    at: float
    scope: str | None = None
    bytes_out: int = 0
    #: The WIT arguments as received, only in the records of observers that
    #: set `wants_args` (the developer inspector); others get records without.
    args: tuple[Any, ...] = ()


#: An observer may set `ignores` (capabilities it is not told about) and
#: `wants_args = True` (its records carry the call's arguments).
Observer = Callable[[CallRecord], None]


def error_shapes(interface_type: Any, engine: Any) -> dict[str, str]:
    """Per function of an imported interface: how its errors are shaped."""
    shapes: dict[str, str] = {}
    for name, item in interface_type.exports(engine).items():
        ty = getattr(item, "ty", item)
        if not isinstance(ty, FuncType):
            continue
        result = ty.result
        err = getattr(result, "err", None)
        cases = [case for case, _ in getattr(err, "cases", [])]
        shapes[name] = "payment-error" if "failed" in cases else "error"
    return shapes


def bind(
    instance: LinkerInstance,
    capability: Capability,
    shapes: dict[str, str],
    observers: list[Observer],
) -> None:
    """Define every function of `capability` that the component imports."""
    implementations = capability.functions()
    for name, shape in shapes.items():
        implementation = implementations.get(name)
        if implementation is None:
            raise RuntimeError(f"capability {capability.name} has no host function {name}")
        instance.add_func(name, _wrap(capability.name, name, shape, implementation, observers))


def _wrap(
    capability: str, function: str, shape: str, implementation: HostFunction, observers: list[Observer]
) -> Callable[..., Any]:
    qualified = f"{capability}.{function}"
    # Bound once here: on the call path a count is one lock and one add.
    counted = {outcome: CAPABILITY_CALLS.labels(capability, outcome) for outcome in ("ok", "error", "breach")}

    def host_function(_store: Any, *args: Any) -> Any:
        turn = current_turn()
        turn.enter_host(qualified)
        started = time.perf_counter()
        decision = "ok"
        session = turn.session
        context = CallContext(session, capability, function)
        # Observers may ignore a capability (the audit trail skips ui and log): then
        # the hot path builds no record at all.
        listening = [o for o in observers if capability not in getattr(o, "ignores", ())] if observers else observers
        try:
            result = implementation(context, *args)
            if listening and context.bytes_out is None:
                context.bytes_out = measure(result)
            return result
        except CapabilityError as error:
            decision = error.tag
            return error.lower(shape)
        except BaseException:
            decision = "breach"
            raise
        finally:
            turn.leave_host()
            counted["ok" if decision == "ok" else "breach" if decision == "breach" else "error"].inc()
            if listening:
                record = CallRecord(
                    session.id,
                    session.app.id,
                    session.app.version,
                    session.user,
                    capability,
                    function,
                    decision,
                    int((time.perf_counter() - started) * 1e6),
                    time.time(),
                    context.scope,
                    context.bytes_out or 0,
                )
                with_args = None
                for observer in listening:
                    if getattr(observer, "wants_args", False):
                        if with_args is None:
                            with_args = replace(record, args=args)
                        observer(with_args)
                    else:
                        observer(record)

    return host_function


def measure(value: Any) -> int:
    """Roughly how many bytes a result hands to the program (text as UTF-8)."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode())
    if isinstance(value, (int, float)):
        return 8
    if isinstance(value, (list, tuple)):
        return sum(measure(item) for item in value)
    if hasattr(value, "__dict__"):
        return sum(measure(item) for item in vars(value).values())
    return 0
