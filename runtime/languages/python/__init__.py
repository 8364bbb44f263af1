"""The Python runtime: one component every Python program runs on, from its source.

A `python` package carries the program's source; the host mounts it read-only
on this shared runtime (`runtime.PythonRuntime`), built once per machine and
Capsule version (`component`), with a linker that follows the manifest
(`linker`). `capsule build` checks a program on it (`probe`) and reviewers
read which capabilities its source uses (`analysis`).
"""

from .component import CHECK_SCENE, LOAD_SCENE, PROGRAM_MOUNT, RUNTIME_ID, STDLIB_MOUNT, RuntimeComponent, ensure_component
from .runtime import PythonRuntime

__all__ = [
    "CHECK_SCENE",
    "LOAD_SCENE",
    "PROGRAM_MOUNT",
    "RUNTIME_ID",
    "STDLIB_MOUNT",
    "PythonRuntime",
    "RuntimeComponent",
    "ensure_component",
]
