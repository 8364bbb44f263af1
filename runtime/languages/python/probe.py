"""Running a program on the runtime without a user: to check it, or to get it ready.

`check` is what `capsule build` and developer mode ask before a version may
run: every module compiles, app.py loads, the manifest's pages exist. It
raises what the program raised (a `ProgramError` with the traceback, file
and line) or a `SessionEnded` for a breached limit. `run_scene` is the
throwaway session under it, which the host's bytecode compile also uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ...app import InstalledApp
from ...engine.limits import TurnLimits
from ...prompter import PolicyPrompter
from ...session import Mount, Session
from .component import CHECK_SCENE

if TYPE_CHECKING:
    from ...engine.engine import Engine

#: The user of a session that only checks a program; it can call no capability.
PROBE_USER = "capsule-probe"


def check(engine: "Engine", app: InstalledApp, limits: TurnLimits | None = None) -> None:
    """Compile every module of `app`, load it and check its pages, in a throwaway session."""
    run_scene(engine, app, CHECK_SCENE, user=PROBE_USER, limits=limits or TurnLimits(), mounts=app.mounts)


def run_scene(
    engine: "Engine", app: InstalledApp, scene: str, *, user: str, limits: TurnLimits, mounts: Sequence[Mount]
) -> None:
    """One `on-launch` of `scene` in a throwaway session of `app` that can call no capability."""
    engine.ensure_ticking()  # the turn's CPU budget needs the epoch ticker
    session = Session(app, engine.wasmtime, user=user, prompter=PolicyPrompter(), limits=limits, mounts=mounts)
    try:
        session.start("", scene, {})
    finally:
        session.close()
