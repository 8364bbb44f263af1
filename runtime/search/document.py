"""What the index keeps of a program: its searchable text, per field."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..manifest import Manifest

#: Declared keywords that count, per language: the first ones in the manifest.
#: The rest are ignored by search, so stuffing a manifest with keywords finds
#: nothing more (see docs/registry.md, "How search ranks programs").
KEYWORDS_COUNTED = 10
#: Indexed page titles that count, in page order.
TITLES_COUNTED = 5


@dataclass(frozen=True)
class SearchDocument:
    """One live program as search sees it: each name and keyword on its own
    (exact matches compare whole names and keywords), descriptions as text."""

    app_id: str
    version: str
    category: str
    names: tuple[str, ...]  # one per language
    keywords: tuple[str, ...]  # the counted keywords of every language, then page titles
    descriptions: str  # every language's description, joined
    released_at: float  # seconds since the epoch, for freshness
    display: dict[str, str] = field(default_factory=dict)  # locale -> name, shown in results
    places: tuple[tuple[float, float], ...] = ()  # (lat, lon) in WGS-84 degrees


def document_from_manifest(manifest: Manifest, released_at: float) -> SearchDocument:
    """The searchable text of `manifest`: every language, the first
    `KEYWORDS_COUNTED` keywords of each, and the titles of the first
    `TITLES_COUNTED` pages that did not opt out with `"indexed": false`."""
    pages = [page for page in manifest.pages if page.indexed and page.title][:TITLES_COUNTED]
    titles = [text for page in pages for text in page.title.values()]
    keywords = [word for words in (manifest.keywords or {}).values() for word in words[:KEYWORDS_COUNTED]]
    return SearchDocument(
        app_id=manifest.id,
        version=str(manifest.version),
        category=manifest.category,
        names=tuple(manifest.name.values()),
        keywords=tuple(keywords + titles),
        descriptions=" ".join(manifest.description.values()),
        released_at=released_at,
        display=dict(manifest.name),
        places=tuple((place.lat, place.lon) for place in manifest.places or ()),
    )
