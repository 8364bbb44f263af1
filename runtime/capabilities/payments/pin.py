"""The payment PIN: six digits a user types before money leaves their wallet.

The PIN is kept as an argon2id hash of an HMAC of the PIN under the host's
secret, so a copied database alone does not let anyone try the million PINs
offline. Five wrong PINs in a row lock that user's payments for fifteen
minutes; the count and the lock are rows in the database, so a restart does
not unlock. A user may name, per currency, an amount below which no PIN is
asked (by default the PIN is always asked).

Guessing in parallel cannot beat the count: an attempt is charged before the
hash is compared (one conditional UPDATE) and given back only when the PIN
was right.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ...database import Database
from ..base import CapabilityError, InvalidArgument
from ..deferred import DatabaseSource, DeferredDatabase
from .money import KNOWN_CURRENCIES

#: Wrong PINs in a row before payments lock, and for how long.
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
PIN_DIGITS = 6
_PIN = re.compile(rf"^[0-9]{{{PIN_DIGITS}}}$")
#: How long a check waits for five checks of the same user already running.
CHARGE_WAIT_SECONDS = 10.0
#: Longest text accepted where a PIN is expected: anything longer is refused unread.
MAX_SECRET_CHARS = 64

# OWASP's argon2id profile (19 MiB, 2 passes): ~60 ms here per check. The
# parameters are stored in each hash, so raising them later needs no migration.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

metadata = sa.MetaData()

pins = sa.Table(
    "pay_pins",
    metadata,
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("hash", sa.String(200), nullable=False),
    # Wrong PINs since the last right one (or the last lock).
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    # Milliseconds since the Unix epoch; 0 when not locked.
    sa.Column("locked_until", sa.BigInteger, nullable=False, default=0),
    sa.Column("changed_at", sa.BigInteger, nullable=False),
)

#: Per user and currency: payments below `amount` minor units need no PIN.
pin_free = sa.Table(
    "pay_pin_free",
    metadata,
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("amount", sa.BigInteger, nullable=False),
)


class PinError(CapabilityError):
    """A PIN that was not accepted; the message is for the user."""

    tag = "refused"


class WrongPin(PinError):
    code = "wrong-pin"

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        self.params = {"count": tries_left, "minutes": LOCK_SECONDS // 60}
        super().__init__(
            f"Wrong PIN. {tries_left} {'try' if tries_left == 1 else 'tries'} left before payments lock for "
            f"{LOCK_SECONDS // 60} minutes."
        )


class PinLocked(PinError):
    code = "pin-locked"

    def __init__(self, until_ms: int) -> None:
        self.until_ms = until_ms
        # `until_at`: a time (ms since the epoch) the shell shows in the reader's locale and time zone.
        self.params = {"count": MAX_FAILURES, "until_at": until_ms}
        super().__init__(
            f"Payments are locked after {MAX_FAILURES} wrong PINs, until {until_text(until_ms)}. Try again after that."
        )


class PinAlreadySet(InvalidArgument):
    """Setting a first PIN when one exists (another tab may have set it a moment ago)."""

    code = "pin-already-set"

    def __init__(self) -> None:
        super().__init__("A payment PIN is set already; give the current PIN to change it.")


class PinNotSet(PinError):
    code = "pin-not-set"

    def __init__(self) -> None:
        self.params = {"digits": PIN_DIGITS}
        super().__init__(f"No payment PIN is set yet; set a {PIN_DIGITS}-digit PIN first.")


def until_text(until_ms: int) -> str:
    """"2026-12-04 20:52 UTC": the host does not know the reader's time zone."""
    return datetime.fromtimestamp(until_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


class PinFormat(InvalidArgument):
    """A PIN that is not six digits."""

    code = "pin-format"

    def __init__(self) -> None:
        self.params = {"digits": PIN_DIGITS}
        super().__init__(f"A payment PIN is exactly {PIN_DIGITS} digits (0-9).")


def check_format(pin: object) -> str:
    """The PIN if it is six digits; PinFormat saying so otherwise."""
    if not isinstance(pin, str) or len(pin) > MAX_SECRET_CHARS or not _PIN.match(pin):
        raise PinFormat()
    return pin


@dataclass(frozen=True)
class PinStatus:
    """What the Me page shows: is a PIN set, is it locked, which amounts need none."""

    is_set: bool
    locked_until: int | None
    failures: int
    no_pin_below: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "set": self.is_set,
            "locked_until": self.locked_until,
            "failures": self.failures,
            "no_pin_below": dict(self.no_pin_below),
            "max_failures": MAX_FAILURES,
            "digits": PIN_DIGITS,
        }


class PinStore:
    """Every user's payment PIN on the host's database (SQLite or PostgreSQL)."""

    def __init__(
        self,
        database: DatabaseSource,
        secret: Callable[[], bytes],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = DeferredDatabase(database, metadata)
        self._secret = secret
        self._clock = clock

    @property
    def database(self) -> Database:
        return self._database.get()

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _keyed(self, pin: str) -> str:
        return hmac.new(self._secret(), f"capsule/payment-pin/v1\0{pin}".encode(), hashlib.sha256).hexdigest()

    # -- reading -------------------------------------------------------------------

    def status(self, user: str) -> PinStatus:
        with self.database.read() as db:
            row = db.execute(sa.select(pins.c.failures, pins.c.locked_until).where(pins.c.user == user)).first()
            free = db.execute(sa.select(pin_free.c.currency, pin_free.c.amount).where(pin_free.c.user == user)).all()
        if row is None:
            return PinStatus(False, None, 0, {})
        locked = row.locked_until if row.locked_until > self._now_ms() else None
        return PinStatus(True, locked, 0 if locked else row.failures, {c: a for c, a in free})

    def needs_pin(self, user: str, amount: int, currency: str) -> bool:
        """False only for an amount below the user's own no-PIN amount in that currency."""
        with self.database.read() as db:
            below = db.execute(
                sa.select(pin_free.c.amount).where(pin_free.c.user == user, pin_free.c.currency == currency)
            ).scalar_one_or_none()
        return below is None or amount >= below

    def check_unlocked(self, user: str) -> None:
        """PinLocked while the user's payments are locked."""
        status = self.status(user)
        if status.locked_until is not None:
            raise PinLocked(status.locked_until)

    # -- checking --------------------------------------------------------------------

    def verify(self, user: str, pin: object) -> None:
        """Nothing when `pin` is the user's PIN; WrongPin, PinLocked or PinNotSet otherwise.

        A malformed PIN counts as a wrong one: it was typed where the PIN goes.
        """
        row = self._charge(user)
        if self._matches(row.hash, pin):
            with self.database.transaction() as db:
                db.execute(pins.update().where(pins.c.user == user).values(failures=0))
            return
        if row.failures >= MAX_FAILURES:
            until = self._now_ms() + LOCK_SECONDS * 1000
            with self.database.transaction() as db:
                db.execute(pins.update().where(pins.c.user == user).values(failures=0, locked_until=until))
            raise PinLocked(until)
        raise WrongPin(MAX_FAILURES - row.failures)

    def _charge(self, user: str) -> sa.Row:
        """Count one attempt before the hash is compared, so parallel guesses each use one up.

        When every attempt is already in flight (five at once), wait for them:
        they end in a lock, or a right PIN gives the count back.
        """
        deadline = time.monotonic() + CHARGE_WAIT_SECONDS
        while True:
            now = self._now_ms()
            with self.database.transaction() as db:
                charged = db.execute(
                    pins.update()
                    .where(pins.c.user == user, pins.c.locked_until <= now, pins.c.failures < MAX_FAILURES)
                    .values(failures=pins.c.failures + 1)
                ).rowcount
                row = db.execute(
                    sa.select(pins.c.hash, pins.c.failures, pins.c.locked_until).where(pins.c.user == user)
                ).first()
            if row is None:
                raise PinNotSet()
            if charged:
                return row
            if row.locked_until > now:
                raise PinLocked(row.locked_until)
            if time.monotonic() > deadline:
                raise PinLocked(now + LOCK_SECONDS * 1000)
            time.sleep(0.05)

    def _matches(self, stored: str, pin: object) -> bool:
        if not isinstance(pin, str) or not _PIN.match(pin):
            return False
        try:
            return _HASHER.verify(stored, self._keyed(pin))
        except (VerificationError, InvalidHashError):
            return False

    # -- changing ------------------------------------------------------------------------

    def set(self, user: str, pin: object, *, old_pin: object = None) -> None:
        """Set the first PIN, or change it with the old one (which is checked, and counted)."""
        new = self._hash(check_format(pin))
        now = self._now_ms()
        if self.status(user).is_set:
            if old_pin is None:
                raise PinAlreadySet()
            self.verify(user, old_pin)
            with self.database.transaction() as db:
                db.execute(pins.update().where(pins.c.user == user).values(hash=new, failures=0, changed_at=now))
            return
        try:
            with self.database.transaction() as db:
                db.execute(pins.insert().values(user=user, hash=new, failures=0, locked_until=0, changed_at=now))
        except sa.exc.IntegrityError:
            # Another tab set one a moment ago: this one must not overwrite it unchecked.
            raise PinAlreadySet() from None

    def set_threshold(self, user: str, currency: str, amount: int, pin: object) -> None:
        """Below `amount` minor units of `currency`, pay without the PIN; 0 removes the exemption.

        Needs the PIN: whoever could lower the bar could spend without it.
        """
        if currency not in KNOWN_CURRENCIES:
            raise InvalidArgument(f"{str(currency)[:8]!r} is not a currency this host serves; use a code such as CNY")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= 10**12:
            raise InvalidArgument("The no-PIN amount is a whole number of minor units, 0 or more (0: always ask).")
        self.verify(user, pin)
        with self.database.transaction() as db:
            db.execute(pin_free.delete().where(pin_free.c.user == user, pin_free.c.currency == currency))
            if amount > 0:
                db.execute(pin_free.insert().values(user=user, currency=currency, amount=amount))

    def _hash(self, pin: str) -> str:
        return _HASHER.hash(self._keyed(pin))
