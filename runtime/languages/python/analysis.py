"""Which capabilities a Python program's source uses: what a reviewer checks against its manifest.

The linker already answers an undeclared capability with "not declared", so
this is not the enforcement; it tells the developer at build time and the
reviewer at review time what the code reaches for, file and line, and flags
what static reading cannot see through (computed imports, `getattr` on the
SDK). It reads source with the host's `ast`; a file the host cannot parse is
reported, never skipped silently.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

from ...engine.imports import DECLARABLE

SDK = "capsule_sdk"
#: The raw generated bindings: using them is using the capability too.
BINDINGS = "wit_world.imports"
#: The SDK's own way to call any capability by name.
CALL = ("_bindings", "call")


@dataclass(frozen=True)
class SourceAudit:
    """Capabilities used by a program's source, and what could not be read."""

    #: capability -> places ("app.py:12") where the source uses it.
    used: dict[str, list[str]] = field(default_factory=dict)
    #: Places that reach capabilities in ways static reading cannot resolve.
    dynamic: list[str] = field(default_factory=list)
    #: Files the host's Python could not parse, with why.
    unreadable: list[str] = field(default_factory=list)
    #: Every source file with its size in bytes.
    files: list[tuple[str, int]] = field(default_factory=list)

    def undeclared(self, declared: set[str]) -> list[str]:
        """Used but not declared: an error at build and review."""
        return sorted(set(self.used) - declared)

    def unused(self, declared: set[str]) -> list[str]:
        """Declared but not used: a warning (maybe used through a path this reading cannot see)."""
        return sorted(declared - set(self.used))

    def as_dict(self) -> dict[str, object]:
        return {
            "used": self.used,
            "dynamic": self.dynamic,
            "unreadable": self.unreadable,
            "files": [{"path": path, "bytes": size} for path, size in self.files],
        }


def analyse(files: Mapping[str, bytes]) -> SourceAudit:
    """Read every `.py` file of a program (member name -> bytes)."""
    used: dict[str, list[str]] = {}
    dynamic: list[str] = []
    unreadable: list[str] = []
    sources: list[tuple[str, int]] = []
    for name in sorted(files):
        if not name.endswith(".py"):
            continue
        data = files[name]
        sources.append((name, len(data)))
        try:
            tree = ast.parse(data, filename=name)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None)
            unreadable.append(f"{name}{f':{line}' if line else ''}: {getattr(error, 'msg', error)}")
            continue
        visitor = _Visitor(name)
        visitor.visit(tree)
        for capability, places in visitor.used.items():
            used.setdefault(capability, []).extend(places)
        dynamic += visitor.dynamic
    return SourceAudit({k: used[k] for k in sorted(used)}, dynamic, unreadable, sources)


class _Visitor(ast.NodeVisitor):
    def __init__(self, file: str) -> None:
        self.file = file
        self.used: dict[str, list[str]] = {}
        self.dynamic: list[str] = []
        #: Local names bound to the SDK package or its `_bindings` module.
        self.sdk_names: set[str] = set()
        self.binding_names: set[str] = set()
        self.call_names: set[str] = set()
        #: Local names bound to a capability's module (`from capsule_sdk import payments as pay`).
        self.capability_names: dict[str, str] = {}

    def _use(self, capability: str, node: ast.AST) -> None:
        if capability in DECLARABLE:
            self.used.setdefault(capability, []).append(f"{self.file}:{getattr(node, 'lineno', 0)}")

    def _dynamic(self, node: ast.AST, what: str) -> None:
        self.dynamic.append(f"{self.file}:{getattr(node, 'lineno', 0)}: {what}")

    def _module(self, module: str, node: ast.AST) -> None:
        parts = module.split(".")
        if parts[0] == SDK and len(parts) > 1:
            self._use(parts[1], node)
        elif module.startswith(BINDINGS + ".") and len(parts) > 2:
            self._use(parts[2], node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(alias.name, node)
            parts = alias.name.split(".")
            if alias.asname and len(parts) == 2 and parts[0] == SDK and parts[1] in DECLARABLE:
                self.capability_names[alias.asname] = parts[1]
            if alias.name == SDK:
                self.sdk_names.add(alias.asname or SDK)
            elif alias.name == f"{SDK}._bindings" and alias.asname:
                self.binding_names.add(alias.asname)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            return  # the program's own modules
        self._module(module, node)
        for alias in node.names:
            if module in (SDK, BINDINGS):
                self._use(alias.name, node)
                if alias.name in DECLARABLE:
                    self.capability_names[alias.asname or alias.name] = alias.name
                if alias.name == "_bindings":
                    self.binding_names.add(alias.asname or alias.name)
            elif module == f"{SDK}._bindings" and alias.name in ("call", "interface"):
                self.call_names.add(alias.asname or alias.name)
            if alias.name == "*" and module == SDK:
                self._dynamic(node, f"`from {SDK} import *` brings every capability module into scope")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # capsule_sdk.payments.pay(...) with `import capsule_sdk`
        if isinstance(node.value, ast.Name) and node.value.id in self.sdk_names:
            self._use(node.attr, node)
        # payments.request_payment(...) after `from capsule_sdk import payments`: each call site is listed.
        if isinstance(node.value, ast.Name) and node.value.id in self.capability_names:
            self._use(self.capability_names[node.value.id], node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        is_call = (isinstance(func, ast.Name) and func.id in self.call_names) or (
            isinstance(func, ast.Attribute)
            and func.attr in ("call", "interface")
            and isinstance(func.value, ast.Name)
            and func.value.id in self.binding_names
        )
        if is_call and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                self._use(first.value, node)
            else:
                self._dynamic(node, "a capability called by a computed name")
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in ("import_module", "__import__") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                self._module(first.value, node)
            else:
                self._dynamic(node, f"{name}() with a computed module name")
        if name == "getattr" and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in self.sdk_names:
            second = node.args[1] if len(node.args) > 1 else None
            if isinstance(second, ast.Constant) and isinstance(second.value, str):
                self._use(second.value, node)
            else:
                self._dynamic(node, f"getattr() on {SDK} with a computed name")
        self.generic_visit(node)
