"""The registry: accounts, signed uploads, review, release and download.
See docs/registry.md."""

from .countersign import RegistryKey, verify_countersignature
from .errors import RegistryError
from .service import Registry

__all__ = ["Registry", "RegistryError", "RegistryKey", "verify_countersignature"]
