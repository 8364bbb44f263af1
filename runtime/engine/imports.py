"""A component's imports, compared with what its manifest declares.

The imports are the audit: a program can only reach what it imports, and the
loader refuses an import the manifest does not declare before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import wasmtime
from wasmtime.component import Component

#: The version of the `capsule:app` WIT package this host implements.
CONTRACT_VERSION = "0.1.0"
CONTRACT_PACKAGE = "capsule:app"

#: Capabilities every program may use without declaring them.
ALWAYS_AVAILABLE = frozenset({"ui", "log"})
#: Interfaces that only carry types.
TYPE_ONLY = frozenset({"types"})
#: Capabilities a manifest can declare (one WIT interface each).
DECLARABLE = frozenset({"storage", "payments", "profile", "location", "media", "qr", "network", "messages"})

#: WASI 0.2 interfaces the engine provides, locked down: no preopened
#: directories, an empty environment, no arguments, sockets refused. Python
#: guests need clocks and randomness from here, so WASI stays (see docs).
WASI_PROVIDED = frozenset(
    {
        "wasi:cli/environment",
        "wasi:cli/exit",
        "wasi:cli/stdin",
        "wasi:cli/stdout",
        "wasi:cli/stderr",
        "wasi:cli/terminal-input",
        "wasi:cli/terminal-output",
        "wasi:cli/terminal-stdin",
        "wasi:cli/terminal-stdout",
        "wasi:cli/terminal-stderr",
        "wasi:clocks/monotonic-clock",
        "wasi:clocks/wall-clock",
        "wasi:filesystem/types",
        "wasi:filesystem/preopens",
        "wasi:io/error",
        "wasi:io/poll",
        "wasi:io/streams",
        "wasi:random/random",
        "wasi:random/insecure",
        "wasi:random/insecure-seed",
        "wasi:sockets/network",
        "wasi:sockets/instance-network",
        "wasi:sockets/udp",
        "wasi:sockets/udp-create-socket",
        "wasi:sockets/tcp",
        "wasi:sockets/tcp-create-socket",
        "wasi:sockets/ip-name-lookup",
    }
)


def interface_name(capability: str) -> str:
    """The fully qualified import name of a capability's interface."""
    return f"{CONTRACT_PACKAGE}/{capability}@{CONTRACT_VERSION}"


@dataclass(frozen=True)
class ImportAudit:
    """What a component imports, sorted into what is allowed and what is not."""

    capabilities: list[str] = field(default_factory=list)
    platform: list[str] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    declared_unused: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[str]:
        return self.undeclared + self.unknown

    @property
    def ok(self) -> bool:
        return not self.refused


def component_imports(engine: wasmtime.Engine, component: Component) -> list[str]:
    return sorted(component.type.imports(engine))


def audit_imports(imports: list[str], declared: set[str]) -> ImportAudit:
    """Sort import names into allowed capabilities, platform WASI, and refusals."""
    capabilities: list[str] = []
    platform: list[str] = []
    undeclared: list[str] = []
    unknown: list[str] = []
    for name in imports:
        base, _, version = name.partition("@")
        namespace_package, _, iface = base.partition("/")
        if namespace_package == CONTRACT_PACKAGE and version == CONTRACT_VERSION:
            if iface in TYPE_ONLY:
                continue
            if iface in ALWAYS_AVAILABLE or iface in declared:
                capabilities.append(iface)
            elif iface in DECLARABLE:
                undeclared.append(name)
            else:
                unknown.append(name)
        elif base in WASI_PROVIDED and version.startswith("0.2."):
            platform.append(name)
        else:
            unknown.append(name)
    unused = sorted(set(declared) - set(capabilities))
    return ImportAudit(sorted(capabilities), platform, undeclared, unknown, unused)
