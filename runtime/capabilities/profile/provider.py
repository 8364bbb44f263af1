"""Who users are: the protocol a host's identity store implements, and a default.

The default reads `CAPSULE_HOME/profiles.json`:

    {"alice": {"nickname": "Alice", "avatar_url": "", "locale": "nl-NL", "phone": "+31600000000"}}

A user it does not list gets their user name as nickname, locale "en" and no phone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class UserProfile:
    nickname: str
    avatar_url: str = ""
    locale: str = "en"
    phone: str | None = None


class ProfileProvider(Protocol):
    def profile(self, user: str) -> UserProfile: ...


class ConfiguredProfiles:
    """Profiles from a JSON file (read on each call, so edits apply at once) or a dict."""

    def __init__(self, path: Path | None = None, profiles: dict[str, UserProfile] | None = None) -> None:
        self.path = path
        self.profiles = dict(profiles or {})

    def profile(self, user: str) -> UserProfile:
        if user in self.profiles:
            return self.profiles[user]
        if self.path is not None and self.path.exists():
            entry = json.loads(self.path.read_text()).get(user)
            if isinstance(entry, dict):
                return UserProfile(
                    nickname=str(entry.get("nickname", user)),
                    avatar_url=str(entry.get("avatar_url", "")),
                    locale=str(entry.get("locale", "en")),
                    phone=entry.get("phone"),
                )
        return UserProfile(nickname=user)
