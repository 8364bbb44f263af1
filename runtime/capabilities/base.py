"""What every capability shares: its errors, its call context, its shape.

A capability is one WIT interface. Its folder holds the same parts each time:
`permission.py` (its manifest section), `host.py` (the host side of the
interface: declaration, consent, limits) and, where a host application brings
its own backend, `provider.py` (the protocol plus an embedded default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping

from .wit import variant

if TYPE_CHECKING:
    from ..session import Session


class CapabilityError(Exception):
    """A capability call that did not succeed; becomes the WIT `error` variant."""

    tag: ClassVar[str] = "unavailable"
    #: What the web shell looks up in its message files when the user sees this error
    #: (`code.<code>`, docs/webhost.md); errors a program alone sees need none.
    code: ClassVar[str | None] = None
    #: The values the message names, for the shell to say them in the reader's language.
    params: Mapping[str, object] = {}

    def coded(self) -> dict[str, Any]:
        """{"code", "params"}: what a prompter needs to say this error in the user's language."""
        return {"code": self.code or self.tag, "params": dict(self.params)}

    def lower(self, shape: str = "error") -> Any:
        error = variant(self.tag, str(self))
        if shape == "payment-error":
            return variant("failed", error)
        return error


class Refused(CapabilityError):
    tag = "refused"


class NotDeclared(CapabilityError):
    tag = "not-declared"


class LimitReached(CapabilityError):
    """A per-call quota or rate was reached; the session goes on."""

    tag = "limit-exceeded"


class Unavailable(CapabilityError):
    tag = "unavailable"


class InvalidArgument(CapabilityError):
    tag = "invalid-argument"


@dataclass
class CallContext:
    """What a host function knows about the call it serves."""

    session: "Session"
    capability: str
    function: str
    #: The consent scope the call needed, set by `ConsentGate` (for the audit trail).
    scope: str | None = None
    #: Bytes of user data the call handed to the program; measured from the
    #: result when the host function leaves it at None.
    bytes_out: int | None = None

    @property
    def user(self) -> str:
        return self.session.user

    @property
    def app(self):  # -> InstalledApp
        return self.session.app


#: A host function: the call context, then the WIT arguments in order.
HostFunction = Callable[..., Any]


class Capability:
    """The host side of one WIT interface."""

    #: The interface name in `capsule:app` (e.g. "ui").
    name: ClassVar[str]
    #: How errors of this interface are shaped in WIT ("error" or "payment-error").
    error_shape: ClassVar[str] = "error"

    def functions(self) -> Mapping[str, HostFunction]:
        """WIT function name -> implementation taking (context, *args)."""
        raise NotImplementedError


class NotYetAvailable(Capability):
    """A declared capability whose host side has not been built: every call
    answers "unavailable", so programs can handle it and keep running."""

    def __init__(self, name: str, function_names: list[str], error_shape: str = "error") -> None:
        self.name = name  # type: ignore[misc]
        self.error_shape = error_shape  # type: ignore[misc]
        self._names = function_names

    def functions(self) -> Mapping[str, HostFunction]:
        def unavailable(ctx: CallContext, *args: Any) -> Any:
            raise Unavailable(f"the host does not provide {ctx.capability}.{ctx.function} yet")

        return {name: unavailable for name in self._names}
