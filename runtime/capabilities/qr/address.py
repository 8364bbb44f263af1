"""`capsule://` launch addresses: which program, which page, which scene parameters.

    capsule://com.example.food/menu?scene=qr&table=12

The shape follows W3C MiniApp Addressing (a scheme, the app id as the host,
the page as the path, parameters as the query). Parameters are bounded and use
a safe alphabet, so a printed code cannot smuggle markup, paths or long
payloads into a program's launch: the program still validates what it gets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

SCHEME = "capsule"
MAX_PARAMS = 8
MAX_ADDRESS_CHARS = 512
_APP_ID = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,}$")
_PAGE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_VALUE = re.compile(r"^[A-Za-z0-9._~-]{0,64}$")
_SCENE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class AddressError(ValueError):
    """What is wrong with a launch target or address, in words a developer can act on."""


@dataclass(frozen=True)
class LaunchTarget:
    app_id: str
    page: str = ""
    scene: str = "qr"
    params: dict[str, str] = field(default_factory=dict)

    def check(self) -> "LaunchTarget":
        if not _APP_ID.fullmatch(self.app_id) or len(self.app_id) > 128:
            raise AddressError(f"app id {self.app_id!r} is not a reverse-DNS id such as com.example.food")
        if self.page and not _PAGE.fullmatch(self.page):
            raise AddressError(f"page {self.page!r} must be a page name: lowercase letters, digits, _ or -")
        if not _SCENE.fullmatch(self.scene):
            raise AddressError(f"scene {self.scene!r} must be 1 to 32 lowercase letters, digits, _ or -")
        if len(self.params) > MAX_PARAMS:
            raise AddressError(f"at most {MAX_PARAMS} parameters, got {len(self.params)}")
        for key, value in self.params.items():
            if not _KEY.fullmatch(key) or key == "scene":
                raise AddressError(
                    f"parameter name {key!r} must be 1 to 32 lowercase letters, digits or _ "
                    "(starting with a letter; 'scene' is reserved)"
                )
            if not _VALUE.fullmatch(value):
                raise AddressError(
                    f"parameter {key}={value!r} must be at most 64 characters from A-Z a-z 0-9 . _ ~ -"
                )
        if len(format_address(self, checked=True)) > MAX_ADDRESS_CHARS:
            raise AddressError(f"the address would be longer than {MAX_ADDRESS_CHARS} characters")
        return self


def format_address(target: LaunchTarget, *, checked: bool = False) -> str:
    if not checked:
        target.check()
    query = urlencode([("scene", target.scene), *sorted(target.params.items())])
    return f"{SCHEME}://{target.app_id}/{target.page}?{query}"


def parse_address(text: str) -> LaunchTarget | None:
    """The target of a Capsule launch address; None for any other text.

    Raises AddressError, and nothing else, for a `capsule://` address that
    breaks the rules, whatever the text.
    """
    prefix = f"{SCHEME}://"
    if not text.startswith(prefix):
        return None
    if len(text) > MAX_ADDRESS_CHARS:
        raise AddressError(f"the address is longer than {MAX_ADDRESS_CHARS} characters")
    rest = text[len(prefix):]
    location, _, query = rest.partition("?")
    app_id, _, page = location.partition("/")
    if query.count("&") > MAX_PARAMS:
        raise AddressError(f"at most {MAX_PARAMS} parameters besides the scene")
    try:
        # strict: a field without "=" or with bad %-escapes is an error, not skipped or guessed.
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query), errors="strict")
    except ValueError:
        raise AddressError(
            f"the address's query {query[:80]!r} must be name=value pairs joined by &, e.g. ?scene=qr&table=12"
        ) from None
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise AddressError("a parameter appears twice in the address")
    params = dict(pairs)
    scene = params.pop("scene", "qr")
    return LaunchTarget(app_id, page.rstrip("/"), scene, params).check()
