"""The web host's people: account names, display names and argon2id password hashes.

Accounts live in the host's database (SQLite by default, PostgreSQL by URL),
beside the ledger and the grants they own. The account name is the user id
every capability sees (`user:NAME` in the ledger), so it is short and plain.
A demo account (`capsule host --demo`) has no password: only the sign-in
page's demo button reaches it, and only while the host runs with `--demo`.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..database import Database
from ..errors import CapsuleError

metadata = sa.MetaData()

accounts = sa.Table(
    "web_accounts",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("display", sa.String(60), nullable=False),
    #: argon2id in its encoded form (parameters and salt included); "" for a demo account.
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

#: Lower-case letters, digits, - and _, starting with a letter: safe in ledger ids and logs.
NAME = re.compile(r"[a-z][a-z0-9_-]{2,31}")
MIN_PASSWORD = 10
#: argon2 hashes anything, but a megabyte of "password" is only a way to spend our CPU.
MAX_PASSWORD = 256
MAX_DISPLAY = 60
#: argon2id hashes at once: each takes 64 MiB, so a burst of sign-ins queues instead of taking the memory.
MAX_CONCURRENT_HASHES = 4


class AccountError(CapsuleError):
    """A sign-up or sign-in that cannot go ahead; `status` is the HTTP answer."""

    code = "account"

    def __init__(self, message: str, *, code: str, status: int = 400, params: dict[str, object] | None = None) -> None:
        super().__init__(message, code=code, params=params)
        self.status = status


@dataclass(frozen=True)
class Account:
    name: str
    display: str
    demo: bool = False


class Accounts:
    """Create accounts and check passwords; one instance per web host."""

    def __init__(self, database: Database, hasher: PasswordHasher | None = None) -> None:
        self.database = database
        self.hasher = hasher or PasswordHasher()  # argon2id, RFC 9106's low-memory profile
        self._hashing = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)
        database.ensure(metadata)
        # Checked when the name is unknown, so a wrong name costs as long as a wrong password.
        self._decoy = self.hasher.hash("capsule decoy password")

    def create(self, name: object, password: object, display: object = "") -> Account:
        """A new account; `AccountError` says which field to fix, or that the name is taken."""
        name = check_name(name)
        password = check_password(password)
        display = check_display(display) or name.capitalize()
        with self._hashing:
            password_hash = self.hasher.hash(password)
        with self.database.transaction() as db:
            if db.execute(sa.select(accounts.c.name).where(accounts.c.name == name)).first() is not None:
                raise AccountError(f"the name {name!r} is taken; choose another", code="name-taken", status=409)
            db.execute(
                accounts.insert().values(
                    name=name, display=display, password_hash=password_hash, demo=False, created_at=time.time()
                )
            )
        return Account(name, display)

    def ensure_demo(self, name: str, display: str) -> Account:
        """The demo account `name`, made on first use (no password: the demo button signs in)."""
        with self.database.transaction() as db:
            row = db.execute(sa.select(accounts).where(accounts.c.name == name)).first()
            if row is None:
                db.execute(
                    accounts.insert().values(name=name, display=display, password_hash="", demo=True, created_at=time.time())
                )
                return Account(name, display, demo=True)
        return Account(row.name, row.display, row.demo)

    def verify(self, name: str, password: str) -> Account | None:
        """The account when `password` is its password; None otherwise (same cost either way)."""
        row = self.get_row(name) if NAME.fullmatch(name) else None
        encoded = row.password_hash if row is not None and row.password_hash else self._decoy
        try:
            with self._hashing:
                self.hasher.verify(encoded, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or not row.password_hash:
            return None
        if self.hasher.check_needs_rehash(encoded):  # stronger parameters since it was set
            with self._hashing:
                rehashed = self.hasher.hash(password)
            with self.database.transaction() as db:
                db.execute(accounts.update().where(accounts.c.name == name).values(password_hash=rehashed))
        return Account(row.name, row.display, row.demo)

    def get(self, name: str) -> Account | None:
        row = self.get_row(name)
        return None if row is None else Account(row.name, row.display, row.demo)

    def get_row(self, name: str) -> sa.Row | None:
        with self.database.read() as db:
            return db.execute(sa.select(accounts).where(accounts.c.name == name)).first()

    def demo_accounts(self) -> list[Account]:
        with self.database.read() as db:
            rows = db.execute(sa.select(accounts).where(accounts.c.demo.is_(True)).order_by(accounts.c.created_at)).all()
        return [Account(row.name, row.display, True) for row in rows]


def check_name(name: object) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise AccountError(
            "the account name is 3 to 32 lower-case letters, digits, - or _, starting with a letter (e.g. dana)",
            code="bad-name",
        )
    return name


def check_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"the password is {MIN_PASSWORD} to {MAX_PASSWORD} characters", code="bad-password",
            params={"min": MIN_PASSWORD, "max": MAX_PASSWORD},
        )
    return password


def check_display(display: object) -> str:
    """A display name: up to 60 printable characters (it is shown as text, never markup)."""
    if display is None or display == "":
        return ""
    if not isinstance(display, str) or len(display) > MAX_DISPLAY:
        raise AccountError(f"the display name is up to {MAX_DISPLAY} characters", code="bad-display", params={"max": MAX_DISPLAY})
    if any(unicodedata.category(char)[0] in "CZ" and char != " " for char in display):
        raise AccountError("the display name may not hold control characters, line breaks or odd spaces", code="bad-display")
    return display.strip()
