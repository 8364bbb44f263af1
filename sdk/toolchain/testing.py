"""Run a program in tests: build it, install it in a host, launch a session.

    from capsule.sdk.toolchain.testing import launch_program
    session = launch_program("path/to/program")
    session.dispatch("increment")
"""

from __future__ import annotations

import os
from pathlib import Path

from capsule.runtime import Home, Host, PolicyPrompter, Prompter, Session

from .build import build_program


def launch_program(
    program_dir: str | os.PathLike[str],
    *,
    user: str = "tester",
    home: str | os.PathLike[str] | None = None,
    prompter: Prompter | None = None,
    query: dict[str, str] | None = None,
) -> Session:
    """Build (cached), install and launch; the session's host is `session.host`."""
    resolved = Home.resolve(home)
    result = build_program(Path(program_dir), home=resolved)
    host = Host(resolved, prompter=prompter or PolicyPrompter())
    host.install(result.package, rebuilt=True)  # built from the folder just now
    session = host.launch(result.manifest.id, user=user, query=query)
    session.host = host  # type: ignore[attr-defined]
    return session
