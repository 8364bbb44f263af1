"""Each account's language: the shell speaks it, and programs get it as the profile's locale.

Stored in the host's database (`web_languages`), so it follows the account to
every device. The shell picks one from the browser's languages the first time
and stores it; the switch on Me changes it. `AccountLanguage` wraps the
host's profile provider so a program asking for the user's `locale` (with
consent, as always) gets the language the shell shows, and shows its
localized name and texts in it.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from ..capabilities.profile.provider import ProfileProvider, UserProfile
from ..database import Database
from ..errors import CapsuleError

metadata = sa.MetaData()

languages = sa.Table(
    "web_languages",
    metadata,
    sa.Column("user", sa.String(32), primary_key=True),
    sa.Column("language", sa.String(16), nullable=False),
)

#: The shell's languages (static/i18n/LANG.json): BCP 47 tags.
SUPPORTED = ("en", "zh-CN", "nl", "de", "fr")


def pick(accept_language: str) -> str:
    """The best shell language for an `Accept-Language` header: exact tag, then base language, else English.

    The same choice as the shell's `pickLanguage` makes from `navigator.languages`
    (browsers send that list, in that order), so the first page comes in it.
    """
    wanted = []
    for number, part in enumerate(accept_language[:400].split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, number, tag.strip().lower()))
    for _, _, tag in sorted(wanted):
        for code in SUPPORTED:
            if code.lower() == tag:
                return code
        base = tag.split("-")[0]
        for code in SUPPORTED:
            if code.split("-")[0].lower() == base:
                return code
    return "en"


class LanguageError(CapsuleError):
    code = "bad-language"


class Languages:
    def __init__(self, database: Database) -> None:
        self.database = database
        database.ensure(metadata)

    def get(self, user: str) -> str | None:
        with self.database.read() as db:
            return db.execute(sa.select(languages.c.language).where(languages.c.user == user)).scalar()

    def set(self, user: str, language: object) -> str:
        if language not in SUPPORTED:
            raise LanguageError(f"the shell speaks {', '.join(SUPPORTED)}; got {str(language)[:20]!r}")
        with self.database.transaction() as db:
            if not db.execute(languages.update().where(languages.c.user == user).values(language=language)).rowcount:
                db.execute(languages.insert().values(user=user, language=language))
        return str(language)


    def forget(self, user: str) -> None:
        """Back to the browser's choice at the next visit."""
        with self.database.transaction() as db:
            db.execute(languages.delete().where(languages.c.user == user))


class AccountLanguage:
    """A profile provider whose `locale` is the account's shell language, when it chose one."""

    def __init__(self, inner: ProfileProvider, languages: Languages) -> None:
        self.inner = inner
        self.languages = languages

    def profile(self, user: str) -> UserProfile:
        found = self.inner.profile(user)
        chosen = self.languages.get(user)
        return dataclasses.replace(found, locale=chosen) if chosen else found
