"""Semantic versions (semver 2.0.0): parsed strictly, compared by precedence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from ..views.documents import text_pattern

# [0-9] rather than \d: \d also matches other scripts' digits in Python and Rust.
_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE_PART = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_PART = r"[0-9A-Za-z-]+"
#: The grammar from semver.org, anchored, without lookaround.
SEMVER_PATTERN = (
    rf"^({_NUMBER})\.({_NUMBER})\.({_NUMBER})"
    rf"(?:-({_PRE_PART}(?:\.{_PRE_PART})*))?"
    rf"(?:\+({_BUILD_PART}(?:\.{_BUILD_PART})*))?$"
)
SEMVER_WORDS = 'a semantic version MAJOR.MINOR.PATCH such as "1.0.0" or "2.1.0-beta.1" (no leading zeros, no "v")'
_SEMVER = re.compile(SEMVER_PATTERN)
MAX_VERSION_CHARS = 128


@total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    """A semver version. Ordering and equality follow semver precedence, so
    build metadata (`+...`) is kept for display but never compared."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> "Version":
        # fullmatch: with match(), `$` would also accept a final newline.
        match = _SEMVER.fullmatch(text) if len(text) <= MAX_VERSION_CHARS else None
        if match is None:
            raise ValueError(f"expected {SEMVER_WORDS}; got {text!r}")
        major, minor, patch, pre, build = match.groups()
        return cls(int(major), int(minor), int(patch), tuple(pre.split(".")) if pre else (), tuple(build.split(".")) if build else ())

    def _precedence(self) -> tuple[Any, ...]:
        # A release outranks its pre-releases; numeric identifiers compare as
        # numbers and rank below alphanumeric ones; a longer list wins a tie.
        pre = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in self.prerelease)
        return (self.major, self.minor, self.patch, (1,) if not pre else (0, pre))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence() == other._precedence()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence() < other._precedence()

    def __hash__(self) -> int:
        return hash(self._precedence())

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def __repr__(self) -> str:
        return f"Version({str(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # In JSON a version is a string with the semver pattern; in Python a
        # Version instance is accepted as it is.
        constraints = text_pattern(SEMVER_PATTERN, SEMVER_WORDS, max_length=MAX_VERSION_CHARS)
        from_text = core_schema.no_info_after_validator_function(
            cls.parse,
            core_schema.str_schema(pattern=constraints.pattern, max_length=constraints.max_length),
        )
        return core_schema.json_or_python_schema(
            json_schema=from_text,
            python_schema=core_schema.no_info_before_validator_function(
                lambda value: str(value) if isinstance(value, Version) else value, from_text
            ),
            serialization=core_schema.to_string_ser_schema(),
        )
