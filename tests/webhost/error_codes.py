"""Every error code the web host can send to the shell, found in the source.

Read by the tests that check each code has words in every message file
(tests/webhost/test_error_codes.py). Codes are found where they are written:

- a literal code given to a refusal (`problem(403, "csrf", ...)`, `Refused(...)`,
  `InboxError(...)`, `RegistryError(...)`), a `code="..."` argument, a
  `"code": "..."` in a socket message, in the web host and the registry;
- the class-level `code` of every error class the shell can meet: every
  `CapsuleError` (an instance with another `code`, such as a package check's
  `digest-mismatch`, falls back to its class's code: its `family`), the
  messages store's refusals and the payment PIN's errors.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"
#: Source the shell's answers come from: its own routes and socket, and the embedded registry
#: it calls in-process. Not the registry's HTTP face for developers' tools (`capsule publish`:
#: its routes, its developer accounts, the client), which the shell never calls.
SCANNED = [RUNTIME / "webhost", RUNTIME / "registry"]
NOT_THE_SHELLS = {RUNTIME / "registry" / name for name in ("app.py", "accounts.py", "client.py")}
#: Calls whose first string argument (after an HTTP status) is a code.
REFUSALS = {"problem", "Refused", "InboxError", "RegistryError", "invalid"}


def literal_codes(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in REFUSALS:
                strings = [arg.value for arg in node.args[:2] if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
                # `invalid(message, code)`: the code is the second string (the default otherwise).
                if name == "invalid":
                    strings = strings[1:]
                if strings:
                    found.add(strings[0])
            found |= {kw.value.value for kw in node.keywords if kw.arg == "code" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)}
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in ("code", "error") and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.add(value.value)
        elif isinstance(node, ast.FunctionDef) and node.name == "invalid":
            found |= {d.value for d in node.args.defaults if isinstance(d, ast.Constant) and isinstance(d.value, str)}
    return found


def class_codes() -> set[str]:
    """The class-level code of every error class the shell can meet."""
    from capsule.runtime.capabilities.base import CapabilityError
    from capsule.runtime.capabilities.messages.errors import MessagesError
    from capsule.runtime.errors import CapsuleError

    import capsule.runtime as runtime

    for module in pkgutil.walk_packages(runtime.__path__, "capsule.runtime."):
        if ".languages." in module.name or module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)

    def every(cls: type) -> list[type]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in every(child))]

    found = {cls.code for cls in every(CapsuleError)} | {cls.code for cls in every(MessagesError)}
    # Capability errors reach the shell (changing the PIN on Me) by their code, or their WIT tag without one.
    found |= {cls.code or cls.tag for cls in every(CapabilityError)} | {cls.tag for cls in every(CapabilityError)}
    return found


def shell_codes() -> set[str]:
    found: set[str] = set()
    for folder in SCANNED:
        for path in folder.rglob("*.py"):
            if path in NOT_THE_SHELLS:
                continue
            found |= literal_codes(ast.parse(path.read_text(), str(path)))
    return found | class_codes()
