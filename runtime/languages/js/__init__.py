"""The JavaScript runtime: one component every JS program runs on, from its source.

A `js` package carries the program's source; the host serves its files to
this shared runtime (`runtime.JsRuntime`), StarlingMonkey built once per
machine and Capsule version by componentize-js (`component`, `toolchain`),
with a linker that follows the manifest (`linker`). `capsule build` checks
a program on it (the Python runtime's `probe` works for both) and reviewers
read which capabilities its source uses (`analysis`).
"""

from .component import CHECK_SCENE, LOAD_SCENE, RUNTIME_ID, RuntimeComponent, ensure_component
from .runtime import JsRuntime

__all__ = ["CHECK_SCENE", "LOAD_SCENE", "RUNTIME_ID", "JsRuntime", "RuntimeComponent", "ensure_component"]
