"""The program manifest: models, the JSON Schema they publish, and loading.

    manifest = load_manifest(Path("manifest.json").read_bytes(), source="manifest.json")
    manifest.declared_capabilities()   # {"storage", "location"}
    manifest.localized("name", "nl")   # falls back to the default locale

See docs/manifest.md for every field.
"""

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
