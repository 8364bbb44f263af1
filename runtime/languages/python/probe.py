"""Running a program on the runtime without a user: to check it, or to get it ready.

`check` is what `capsule build` and developer mode ask before a version may
run: every module compiles, app.py loads, the manifest's pages exist. It
raises what the program raised (a `ProgramError` with the traceback, file
and line) or a `SessionEnded` for a breached limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...app import InstalledApp
from ...engine.limits import TurnLimits
from ...prompter import PolicyPrompter
from ...session import Session
from .component import CHECK_SCENE

if TYPE_CHECKING:
    from ...engine.engine import Engine

#: The user of a session that only checks a program; it can call no capability.
PROBE_USER = "capsule-probe"


def check(engine: "Engine", app: InstalledApp, limits: TurnLimits | None = None) -> None:
    """Compile every module of `app`, load it and check its pages, in a throwaway session."""
    engine.ensure_ticking()  # the load's CPU budget needs the epoch ticker
    probe = Session(
        app,
        engine.wasmtime,
        user=PROBE_USER,
        prompter=PolicyPrompter(),
        limits=limits or TurnLimits(),
        mounts=app.mounts,
    )
    try:
        probe.start("", CHECK_SCENE, {})
    finally:
        probe.close()
