"""docs/capabilities.md names every SDK function, every type it returns, each field and each enum value.

Read from the SDK's source (it only imports inside a component), so a
function or field added to the SDK and left out of the reference fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from capsule.sdk import PYTHON_SDK_DIR

DOC = Path(__file__).resolve().parents[2] / "docs" / "capabilities.md"
SDK = PYTHON_SDK_DIR / "capsule_sdk"
CAPABILITIES = ["ui", "log", "storage", "payments", "profile", "location", "media", "qr", "network", "messages"]


def section(name: str) -> str:
    """The reference's section for one capability."""
    text = DOC.read_text()
    found = re.search(rf"^## {name}\b.*?(?=^## )", text, re.S | re.M)
    assert found, f"docs/capabilities.md has no section for {name}"
    return found.group(0)


def parsed(module: str) -> ast.Module:
    return ast.parse((SDK / f"{module}.py").read_text())


def public_functions(module: str) -> list[str]:
    return [n.name for n in parsed(module).body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def exported_types(module: str) -> list[str]:
    """The names in the module's `__all__` that are types (capitalised)."""
    for node in parsed(module).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return [e.value for e in node.value.elts if e.value[:1].isupper()]  # type: ignore[attr-defined]
    return []


def type_members() -> dict[str, list[str]]:
    """Each class of capsule_sdk.types: its dataclass fields, or its enum values."""
    members = {}
    for node in parsed("types").body:
        if isinstance(node, ast.ClassDef):
            fields = [s.target.id for s in node.body if isinstance(s, ast.AnnAssign)]  # type: ignore[attr-defined]
            constants = [s.value for s in node.body if isinstance(s, ast.Assign)]
            values = [c.value for c in constants if isinstance(c, ast.Constant)]
            members[node.name] = fields or values
    return members


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_every_function_type_field_and_value_is_in_the_reference(capability):
    text = section(capability)
    for function in public_functions(capability):
        if capability == "log":
            assert f"log.{function}" in text, function
        else:
            assert f"`{capability}.{function}(" in text, f"{capability}.{function} is not in docs/capabilities.md"
    members = type_members()
    for name in exported_types(capability):
        assert re.search(rf"\b{name}\b", text), f"{name} is not in the {capability} section"
        for member in members[name]:
            assert re.search(rf"`{re.escape(member)}\b", text), f"{name}.{member} is not in the {capability} section"


def test_every_sdk_type_belongs_to_a_capability():
    exported = {name for capability in CAPABILITIES for name in exported_types(capability)}
    assert set(type_members()) - {"WitEnum"} <= exported
