"""Developer mode: run a program folder with hot reload, no package, no per-edit build.

    dev = host.install_dev("my-program")
    session = host.launch(dev.id, user="developer")
    dev.watch(on_reload=lambda result: ...)      # or: async for result in dev.reloads()
    dev.inspector.subscribe(lambda entry: ...)   # capability calls, log lines, builds

Every program runs on one prebuilt developer component that loads the
program's source from a read-only mount (`component`); the linker follows the
manifest (`linker`); see "Developer mode" in docs/architecture.md.
"""

from .component import DeveloperComponent, ensure_component
from .inspector import DevEntry, Inspector
from .problems import DevProblem
from .program import DevBuild, DevProgram
from .watch import FileChange, Watcher, awatch_program

__all__ = [
    "DevBuild",
    "DevEntry",
    "DevProblem",
    "DevProgram",
    "DeveloperComponent",
    "FileChange",
    "Inspector",
    "Watcher",
    "awatch_program",
    "ensure_component",
]
