"""What the index keeps of a program: its searchable text, per field."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..manifest import Manifest


@dataclass(frozen=True)
class SearchDocument:
    """One live program as search sees it. Text is joined across languages."""

    app_id: str
    version: str
    category: str
    names: str
    keywords: str
    descriptions: str
    released_at: float  # seconds since the epoch, for freshness
    display: dict[str, str] = field(default_factory=dict)  # locale -> name, shown in results
    places: tuple[tuple[float, float], ...] = ()  # (lat, lon) in WGS-84 degrees


def document_from_manifest(manifest: Manifest, released_at: float) -> SearchDocument:
    """The searchable text of `manifest`: every language, and the titles of
    pages that did not opt out with `"indexed": false`."""
    titles = [
        text for page in manifest.pages if page.indexed and page.title for text in page.title.values()
    ]
    keywords = [word for words in (manifest.keywords or {}).values() for word in words]
    return SearchDocument(
        app_id=manifest.id,
        version=str(manifest.version),
        category=manifest.category,
        names=" ".join(manifest.name.values()),
        keywords=" ".join(keywords + titles),
        descriptions=" ".join(manifest.description.values()),
        released_at=released_at,
        display=dict(manifest.name),
        places=tuple((place.lat, place.lon) for place in manifest.places or ()),
    )
