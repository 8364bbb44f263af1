"""What a user typed, checked before any work starts: paths that are there, scopes Capsule knows."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from .output import fail

PathKind = Literal["file", "folder", "file or folder"]


def existing(path: Path, kind: PathKind, give: str, *, as_json: bool = False) -> Path:
    """`path` when it is there as a `kind`; otherwise exit 2 saying so, and that the user should `give` instead."""
    if not path.exists():
        fail(f"no such {kind}: {path}; give {give}", code=2, as_json=as_json)
    if kind == "file" and path.is_dir():
        fail(f"{path} is a folder; give {give}", code=2, as_json=as_json)
    if kind == "folder" and not path.is_dir():
        fail(f"{path} is not a folder; give {give}", code=2, as_json=as_json)
    return path


def known_scopes(scopes: Iterable[str], known: Iterable[str], option: str = "", *, as_json: bool = False) -> None:
    """Exit 2 naming every scope in `scopes` that is not `known`, with the known ones to choose from."""
    choices = list(known)
    unknown = [scope for scope in scopes if scope not in choices]
    if unknown:
        given = f" for {option}" if option else ""
        fail(f"unknown scope {', '.join(map(repr, unknown))}{given}; known scopes: {', '.join(choices)}", code=2, as_json=as_json)


def free_port(bind: str, port: int) -> None:
    """Exit 1 when nothing can listen on `bind`:`port` (most often another `capsule host` or
    `capsule dev`), before any work starts and before the saved registry address is replaced."""
    import socket

    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server will bind: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bind, port))
        except OSError as error:
            fail(f"cannot listen on {bind}:{port} ({error.strerror or error}); another server uses it "
                 "(a `capsule host` or `capsule dev` still running?): stop it, or pass --port N")
