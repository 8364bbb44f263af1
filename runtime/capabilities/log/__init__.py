"""log: diagnostics for the program's developer. Always available."""

from .host import LogCapability

__all__ = ["LogCapability"]
