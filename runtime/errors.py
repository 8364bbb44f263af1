"""Every error Capsule raises on purpose.

Each message names what is wrong and what to do about it; `code` is a stable,
machine-readable name for tests, JSON output and HTTP answers. `params` holds
the values the message names (a count, a limit), so a client can say the same
thing in its reader's language: the web shell looks up `code.<code>` in its
message files (docs/webhost.md) and keeps the English message for a code it
does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


class CapsuleError(Exception):
    """Base class: `code` is stable, the message is for people, `params` are the values it names."""

    code: str = "capsule-error"
    #: Read-only default for subclasses that build their message themselves.
    params: Mapping[str, object] = {}

    def __init__(self, message: str, *, code: str | None = None, params: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params = dict(params or {})

    @property
    def family(self) -> str:
        """The class's own code: what a client says when it has no words for this instance's `code`."""
        return type(self).code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, located by a JSON pointer."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


class DocumentError(CapsuleError):
    """A JSON document (manifest, view) that does not follow its schema."""

    document: str = "document"

    def __init__(self, problems: list[Problem], *, source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid {self.document}{where}:\n{lines}")


class ManifestError(DocumentError):
    code = "invalid-manifest"
    document = "manifest"


class ViewError(DocumentError):
    code = "invalid-view"
    document = "view"


class PackageError(CapsuleError):
    """A package that cannot be trusted or read. `code` says which check failed."""

    code = "invalid-package"


class AuditError(CapsuleError):
    """A component imports something its manifest does not declare."""

    code = "undeclared-import"

    def __init__(self, message: str, *, undeclared: list[str]) -> None:
        super().__init__(message)
        self.undeclared = undeclared


class BuildError(CapsuleError):
    code = "build-failed"


class NotInstalled(CapsuleError):
    code = "not-installed"


class BlobStoreError(CapsuleError):
    """The operator's blob store is misconfigured or unreachable (`CAPSULE_BLOBS`, an S3 bucket).

    The message names the store and what to check; the service's own error
    stays in `__cause__` for the log, never in front of a user.
    """

    code = "blob-store-unavailable"


class TooManySessions(CapsuleError):
    """A launch refused because the host, or this user, has as many live sessions as allowed.

    `cap` names the setting that was reached (`per_user`, `per_host`, `memory_bytes`).
    """

    code = "too-many-sessions"

    def __init__(self, cap: str, message: str, *, count: int | None = None) -> None:
        super().__init__(message, params={"cap": cap, **({"count": count} if count is not None else {})})
        self.cap = cap


class ProgramError(CapsuleError):
    """The program raised an exception in a turn; the session goes on."""

    code = "program-error"

    def __init__(self, kind: str, message: str, traceback: str) -> None:
        super().__init__(f"the program raised {kind}: {message}", params={"kind": kind, "detail": message})
        self.kind = kind
        self.traceback = traceback


class SessionEnded(CapsuleError):
    """The session was torn down: a limit was breached or the program trapped.

    The host and every other session go on; this one cannot be used again.
    """

    code = "session-ended"


class LimitExceeded(SessionEnded):
    """A bounded turn ran past one of its limits (`limit` names which)."""

    code = "limit-exceeded"

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(message, params={"limit": limit})
        self.limit = limit


class ProgramTrapped(SessionEnded):
    code = "trapped"
