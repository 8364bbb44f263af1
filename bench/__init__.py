"""Capsule's benchmarks: the runtime beside raw wasmtime-py, payments, registry and search, the web shell.

`capsule bench` is the command over them; each part is a module here with a
`*_figures` function returning plain numbers, and `suite` runs the parts.
"""

from .suite import PARTS, meets, missing_tools, run_benchmarks, runnable

__all__ = ["PARTS", "meets", "missing_tools", "run_benchmarks", "runnable"]
