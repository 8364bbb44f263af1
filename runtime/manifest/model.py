"""The manifest: `manifest.json` at the root of a program."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ..views.documents import NotNull
from .developer import Developer
from .fields import AppId, AssetPath
from .locale import Keywords, Locale, LocalizedDescription, LocalizedName, pick_text
from .pages import Page
from .permission import Permission
from .permissions import Permissions
from .places import MAX_PLACES, Place
from .practices import DataPractices
from .version import Version

Category = Literal[
    "food",
    "shopping",
    "travel",
    "transport",
    "finance",
    "tools",
    "education",
    "games",
    "health",
    "lifestyle",
    "social",
    "entertainment",
    "government",
    "utilities",
]
CATEGORIES: tuple[str, ...] = Category.__args__


class Manifest(BaseModel):
    """What a program is, what it may touch, and why. Field names are snake_case."""

    # frozen: one manifest is shared by every session of the program.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    schema_uri: Annotated[
        str | None,
        NotNull(),
        Field(alias="$schema", description="The schema this file follows, for editors; ignored by hosts."),
    ] = None
    id: AppId = Field(description="The program's id in reverse-DNS form, e.g. com.example.hello. Never changes once published.")
    version: Version = Field(description="The program's version, semver 2.0 (MAJOR.MINOR.PATCH).")
    # Declared before the localized fields: their checks read it.
    default_locale: Locale = Field(
        description="The BCP 47 tag of the locale every localized text must include; used when the user's locale is missing."
    )
    name: LocalizedName = Field(description="The program's name per locale, at most 40 characters each.")
    description: LocalizedDescription = Field(description="What the program does, per locale, at most 400 characters each.")
    keywords: Annotated[
        Keywords | None,
        NotNull(),
        Field(description="Search terms per locale: up to 20 each, at most 32 characters each."),
    ] = None
    category: Category = Field(description="Where the program is listed.")
    icon: Annotated[AssetPath | None, NotNull(), Field(description='The icon, a file under "assets/" in the package.')] = None
    pages: Annotated[list[Page], Field(min_length=1)] = Field(
        description="The program's pages; the first is the entry page. Names are unique."
    )
    permissions: Permissions = Field(
        default_factory=Permissions,
        description="Capabilities beyond ui and log, keyed by capability name, each with a reason.",
    )
    data_practices: Annotated[
        DataPractices | None,
        NotNull(),
        Field(description="What the program does with users' data."),
    ] = None
    min_host_version: Version = Field(
        Version(0, 1, 0), description="The oldest Capsule host version that can run the program."
    )
    developer: Annotated[Developer | None, NotNull(), Field(description="Who made the program.")] = None
    places: Annotated[
        list[Place] | None,
        NotNull(),
        Field(
            max_length=MAX_PLACES,
            description="Where the program serves people in person (shops, restaurants); search lists it as nearby there.",
        ),
    ] = None

    # -- rules that need more than one field -------------------------------------

    @field_validator("name", "description")
    @classmethod
    def _has_default_locale(cls, texts: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        _require_locale(texts, info.data.get("default_locale"), "")
        return texts

    @field_validator("pages")
    @classmethod
    def _pages_are_consistent(cls, pages: list[Page], info: ValidationInfo) -> list[Page]:
        first_index: dict[str, int] = {}
        for index, page in enumerate(pages):
            if page.name in first_index:
                raise PydanticCustomError(
                    "duplicate_page",
                    'expected a page name used once; "{name}" is already the name of /pages/{first}',
                    {"name": page.name, "first": first_index[page.name], "at": f"/{index}/name"},
                )
            first_index[page.name] = index
            if page.title is not None:
                _require_locale(page.title, info.data.get("default_locale"), f"/{index}/title")
        return pages

    # -- convenience ------------------------------------------------------------

    @property
    def entry_page(self) -> str:
        """The name of the page a launch opens when it names none."""
        return self.pages[0].name

    def declared_capabilities(self) -> set[str]:
        """The capabilities under `permissions` (ui and log are not listed)."""
        return {name for name, _ in self.permissions.items()}

    def permissions_items(self) -> list[tuple[str, Permission]]:
        """(capability, section) for every declared capability."""
        return self.permissions.items()

    def permission(self, capability: str) -> Permission | None:
        """The manifest section of `capability`, or None when it is not declared."""
        return dict(self.permissions.items()).get(capability)

    def page(self, name: str) -> Page | None:
        return next((page for page in self.pages if page.name == name), None)

    def localized(self, field: Literal["name", "description"], locale: str | None = None) -> str:
        """`name` or `description` for `locale`: the exact tag, else the same
        language, else the default locale."""
        texts = getattr(self, field)
        if not isinstance(texts, dict):
            raise ValueError(f"{field!r} is not a localized field; use 'name' or 'description'")
        return pick_text(texts, locale, self.default_locale)

    def page_title(self, name: str, locale: str | None = None) -> str:
        """A page's title for `locale`, falling back to the program's name."""
        page = self.page(name)
        if page is None or page.title is None:
            return self.localized("name", locale)
        return pick_text(page.title, locale, self.default_locale)


def _require_locale(texts: dict[str, str], default_locale: str | None, at: str) -> None:
    # default_locale is absent from `info.data` when it failed its own check;
    # that error is reported already.
    if default_locale is not None and default_locale not in texts:
        raise PydanticCustomError(
            "default_locale_missing",
            'expected a text for the default locale "{locale}"; found only {found}',
            {"locale": default_locale, "found": ", ".join(f'"{tag}"' for tag in texts), "at": at},
        )
