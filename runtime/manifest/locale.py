"""Language tags and text given once per language."""

from __future__ import annotations

from typing import Annotated, Mapping

from pydantic import Field, StringConstraints

from ..views.documents import UniqueItems, text_pattern

#: A BCP 47 tag in its usual spelling: language, optional Script, optional
#: REGION. Fixed case keeps "en-US" and "en-us" from becoming two keys.
Locale = Annotated[
    str,
    text_pattern(
        r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$",
        'a BCP 47 language tag such as "en", "nl-NL", "zh-Hans-CN" or "es-419" '
        "(language in lowercase, optional Script in title case, optional REGION in uppercase or 3 digits)",
        max_length=16,
    ),
]


NAME_MAX_CHARS = 40
DESCRIPTION_MAX_CHARS = 400
TITLE_MAX_CHARS = 40
KEYWORD_MAX_CHARS = 32
KEYWORDS_PER_LOCALE = 20

# Localized text is an object mapping locale -> text. Whether it holds the
# manifest's default locale is checked by the manifest, which knows that locale.
LocalizedName = Annotated[
    dict[Locale, Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_CHARS)]], Field(min_length=1)
]
LocalizedDescription = Annotated[
    dict[Locale, Annotated[str, StringConstraints(min_length=1, max_length=DESCRIPTION_MAX_CHARS)]], Field(min_length=1)
]
LocalizedTitle = Annotated[
    dict[Locale, Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX_CHARS)]], Field(min_length=1)
]
Keywords = dict[
    Locale,
    Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=KEYWORD_MAX_CHARS)]],
        Field(min_length=1, max_length=KEYWORDS_PER_LOCALE),
        UniqueItems(),
    ],
]


def pick_text(texts: Mapping[str, str], locale: str | None, default_locale: str) -> str:
    """The text for `locale`: exact tag, then same language, then the default."""
    if locale:
        if locale in texts:
            return texts[locale]
        language = locale.split("-", 1)[0]
        for tag, text in texts.items():
            if tag.split("-", 1)[0] == language:
                return text
    return texts[default_locale]
