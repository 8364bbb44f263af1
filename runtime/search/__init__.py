"""In-app search: find live programs by name, description, keywords and page
titles in every language their manifest carries. See docs/registry.md."""

from .document import SearchDocument, document_from_manifest
from .index import SearchHit, SearchIndex, open_index

__all__ = ["SearchDocument", "SearchHit", "SearchIndex", "document_from_manifest", "open_index"]
