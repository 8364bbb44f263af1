"""Which capabilities a JavaScript program's source uses: what a reviewer checks against its manifest.

As for Python (`languages/python/analysis.py`) this is not the enforcement
(the linker answers an undeclared capability "not declared"); it tells the
developer at build time and the reviewer at review time what the code reaches
for, file and line, and flags what static reading cannot see through: a
`require` of a computed name, the SDK indexed by a computed key.

It reads the forms the SDK documents:

    const { storage, payments } = require("capsule");      // destructured
    const capsule = require("capsule"); capsule.storage.get("k")
    const storage = require("capsule/storage");

after blanking comments (so a commented-out call does not count).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...engine.imports import ALWAYS_AVAILABLE
from ..python.analysis import SourceAudit

SDK = "capsule"
_NAME = r"[A-Za-z_$][\w$]*"
_REQUIRE_MODULE = re.compile(r"""require\s*\(\s*(['"`])capsule/([\w-]+)\1\s*\)""")
_DESTRUCTURED = re.compile(r"""(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\s*\(\s*(['"`])capsule\2\s*\)""")
_ALIASED = re.compile(rf"""(?:const|let|var)\s+({_NAME})\s*=\s*require\s*\(\s*(['"`])capsule\2\s*\)""")
_REQUIRE_ANY = re.compile(r"""\brequire\s*\(\s*([^)\s][^)]*)\)""")


def capability_names() -> set[str]:
    """Capabilities a manifest can declare (the contract's, as the runtime imports them)."""
    from .component import contract_interfaces

    return set(contract_interfaces()) - set(ALWAYS_AVAILABLE)


def blank_comments(source: str, *, strings: bool = False) -> str:
    """`source` with comments replaced by spaces (newlines kept); string contents too when `strings`."""
    out: list[str] = []
    i, n = 0, len(source)
    quote: str | None = None
    while i < n:
        c = source[i]
        if quote is not None:
            if c == "\\" and i + 1 < n:
                out.append("  " if strings and source[i + 1] != "\n" else source[i : i + 2])
                i += 2
                continue
            if c == quote:
                quote = None
                out.append(c)
            else:
                out.append(" " if strings and c != "\n" else c)
            i += 1
        elif c in "'\"`":
            quote = c
            out.append(c)
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append(re.sub(r"[^\n]", " ", source[i:end]))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def analyse(files: Mapping[str, bytes]) -> SourceAudit:
    """Read every `.js` file of a program (member name -> bytes)."""
    names = capability_names()
    used: dict[str, list[str]] = {}
    dynamic: list[str] = []
    unreadable: list[str] = []
    sources: list[tuple[str, int]] = []
    for name in sorted(files):
        if not name.endswith((".js", ".ts")) or name.endswith(".d.ts"):
            continue
        data = files[name]
        sources.append((name, len(data)))
        try:
            text = blank_comments(data.decode("utf-8"))
        except UnicodeDecodeError as error:
            unreadable.append(f"{name}: not UTF-8 text ({error.reason})")
            continue

        def line(offset: int) -> str:
            return f"{name}:{text.count(chr(10), 0, offset) + 1}"

        def use(capability: str, offset: int) -> None:
            if capability in names:
                used.setdefault(capability, []).append(line(offset))

        for match in _REQUIRE_MODULE.finditer(text):
            use(match.group(2), match.start())
        for match in _DESTRUCTURED.finditer(text):
            for part in match.group(1).split(","):
                key = part.split(":")[0].strip()
                use(key, match.start())
        aliases = [m.group(1) for m in _ALIASED.finditer(text)]
        code = blank_comments(text, strings=True)
        for alias in aliases:
            for match in re.finditer(rf"(?<![\w$.]){re.escape(alias)}\s*(?:\.\s*({_NAME})|(\[))", code):
                if match.group(1):
                    use(match.group(1), match.start())
                else:
                    dynamic.append(f"{line(match.start())}: {alias}[...] reaches the SDK by a computed name")
        for match in _REQUIRE_ANY.finditer(text):
            argument = match.group(1).strip()
            if not re.fullmatch(r"""(['"])[^'"`]*\1|`[^`$]*`""", argument):
                dynamic.append(f"{line(match.start())}: require({argument[:40]}) loads a module by a computed name")
    return SourceAudit({k: used[k] for k in sorted(used)}, dynamic, unreadable, sources)
