"""The registry: accounts, signed uploads, review, release and download.
See docs/registry.md."""

from typing import TYPE_CHECKING

from ..exports import exported_by, lazy_exports

# On first use: the registry's client (the CLI's publish and search) needs
# none of the server side's audit, search index and database.
__getattr__ = lazy_exports(
    __name__,
    {
        **exported_by(".countersign", "RegistryKey", "verify_countersignature"),
        **exported_by(".errors", "RegistryError"),
        **exported_by(".service", "Registry"),
    },
)

if TYPE_CHECKING:
    from .countersign import RegistryKey, verify_countersignature
    from .errors import RegistryError
    from .service import Registry

__all__ = ["Registry", "RegistryError", "RegistryKey", "verify_countersignature"]
