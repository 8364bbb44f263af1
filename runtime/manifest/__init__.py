"""The program manifest: models, the JSON Schema they publish, and loading.

    manifest = load_manifest(Path("manifest.json").read_bytes(), source="manifest.json")
    manifest.declared_capabilities()   # {"storage", "location"}
    manifest.localized("name", "nl")   # falls back to the default locale

See docs/manifest.md for every field.
"""

from typing import TYPE_CHECKING

from ..exports import exported_by, lazy_exports

# On first use: a capability's permission model imports a module of this
# package, and this package's models import every permission model back.
__getattr__ = lazy_exports(
    __name__,
    {
        **exported_by(".developer", "Developer"),
        **exported_by(".loader", "load_manifest"),
        **exported_by(".model", "CATEGORIES", "Category", "Manifest"),
        **exported_by(".pages", "Page"),
        **exported_by(".permission", "Permission"),
        **exported_by(".permissions", "ALWAYS_AVAILABLE", "DECLARABLE", "Permissions"),
        **exported_by(".practices", "DataPractices"),
        **exported_by(".schema", "MANIFEST_SCHEMA_ID", "manifest_schema", "manifest_validator"),
        **exported_by(".version", "Version"),
    },
)

if TYPE_CHECKING:
    from .developer import Developer
    from .loader import load_manifest
    from .model import CATEGORIES, Category, Manifest
    from .pages import Page
    from .permission import Permission
    from .permissions import ALWAYS_AVAILABLE, DECLARABLE, Permissions
    from .practices import DataPractices
    from .schema import MANIFEST_SCHEMA_ID, manifest_schema, manifest_validator
    from .version import Version

__all__ = [
    "ALWAYS_AVAILABLE",
    "CATEGORIES",
    "Category",
    "DECLARABLE",
    "DataPractices",
    "Developer",
    "MANIFEST_SCHEMA_ID",
    "Manifest",
    "Page",
    "Permission",
    "Permissions",
    "Version",
    "load_manifest",
    "manifest_schema",
    "manifest_validator",
]
