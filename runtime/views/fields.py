"""The constrained values view nodes are made of, each with its rule in words."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .documents import text_pattern
from .limits import MAX_TEXT_CHARS

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"

#: Handler and input names: they travel back to the program in events.
Identifier = Annotated[
    str,
    text_pattern(
        IDENTIFIER_PATTERN,
        'an identifier: a letter or "_" followed by up to 63 letters, digits, "_", "." or "-", such as "add_item"',
    ),
]

#: Any text shown to the user. Shown as it is: markup is never interpreted.
PlainText = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]

#: Where an image comes from: the package's assets or the host's media store,
#: never another scheme (no javascript:, data:, http:).
ImageSource = Annotated[
    str,
    text_pattern(
        r"^(assets|/media)(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$",
        'a package asset path such as "assets/logo.png" or a host media path such as "/media/3f2a.jpg" '
        '(no scheme such as "https:" or "javascript:", no name starting with a dot)',
        max_length=1_024,
    ),
]

CurrencyCode = Annotated[
    str,
    text_pattern(r"^[A-Z]{3}$", 'an ISO 4217 currency code: three capital letters such as "CNY", "EUR" or "USD"'),
]

#: Space between children, in the host's spacing units.
Gap = Annotated[int, Field(ge=0, le=64)]
#: Pixels.
Dimension = Annotated[int, Field(ge=1, le=4_096)]
#: Minor units (cents, fen); at most 2^53 - 1 so every JSON reader keeps it exact.
Amount = Annotated[int, Field(ge=0, le=2**53 - 1)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
