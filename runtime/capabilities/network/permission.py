"""The `network` section of a manifest: the only hosts the program may reach."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from ...manifest.permission import Permission
from ...views.documents import UniqueItems, text_pattern

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
# 1 to 65535, spelled out because a pattern cannot compare numbers.
_PORT = r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"

#: A DNS name of at least two labels, optionally `*.` in front (any subdomain)
#: and `:port` behind. No scheme and no path: the host decides the scheme.
HostPattern = Annotated[
    str,
    text_pattern(
        rf"^(\*\.)?{_LABEL}(\.{_LABEL})+(:{_PORT})?$",
        'a host name such as "api.example.com", "api.example.com:8443" or "*.example.com" '
        "(lowercase, at least two labels, no scheme, no path)",
        max_length=260,
    ),
]


class NetworkPermission(Permission):
    """HTTP requests to the listed hosts, and nowhere else."""

    capability: ClassVar[str] = "network"

    hosts: Annotated[
        list[HostPattern],
        Field(
            min_length=1,
            description='The hosts the program may send requests to. "*.example.com" matches '
            'subdomains of example.com, not example.com itself; list both when you need both.',
        ),
        UniqueItems(),
    ]
