"""Developer mode: run a program folder with hot reload, no package, no per-edit build.

    dev = DevProgram(host, "my-program")
    session = host.launch(dev.id, user="developer")
    dev.watch(on_reload=lambda result: ...)      # or: async for result in dev.reloads()
    dev.inspector.subscribe(lambda entry: ...)   # capability calls, log lines, builds

The folder is mounted on the host's shared Python runtime, the same runtime
and the same checks its built package gets (`capsule.runtime.languages.python`);
see "Developer mode" in docs/architecture.md.
"""

from .inspector import DevEntry, Inspector
from .problems import DevProblem
from .program import DevBuild, DevProgram
from .watch import FileChange, Watcher, awatch_program

__all__ = [
    "DevBuild",
    "DevEntry",
    "DevProblem",
    "DevProgram",
    "FileChange",
    "Inspector",
    "Watcher",
    "awatch_program",
]
