"""The constrained strings a manifest is made of, each with its rule in words."""

from __future__ import annotations

from typing import Annotated

from ..views.documents import text_pattern

#: Reverse-DNS program id, e.g. "com.example.hello".
AppId = Annotated[
    str,
    text_pattern(
        r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,}$",
        'a reverse-DNS id such as "com.example.hello": at least 3 labels separated by dots, '
        "each a lowercase letter followed by lowercase letters, digits or hyphens",
        max_length=128,
    ),
]

#: A page name; events and launch addresses refer to pages by it.
PageName = Annotated[
    str,
    text_pattern(
        r"^[a-z][a-z0-9_-]*$",
        'a page name: a lowercase letter followed by lowercase letters, digits, "_" or "-", such as "index"',
        max_length=64,
    ),
]

#: A file of the package; only `assets/` is packed besides the component.
AssetPath = Annotated[
    str,
    text_pattern(
        r"^assets(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$",
        'a path inside the package under "assets/", such as "assets/icon.svg" '
        '(letters, digits, ".", "_", "-"; no name may start with a dot, so no "..")',
        max_length=256,
    ),
]

#: An https address: programs never point users at plain http.
HttpsUrl = Annotated[
    str,
    text_pattern(
        r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\s]*)?$",
        'an https:// address such as "https://example.com/privacy" (no spaces)',
        max_length=2048,
    ),
]

#: Just enough to catch a name or a URL typed in the wrong field.
Email = Annotated[
    str,
    text_pattern(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", 'an e-mail address such as "dev@example.com"', max_length=254),
]
