"""Launch counts for search ranking: only from hosts the registry issued a
`host` token to, at most one per (host, user, program, UTC day), and never
with a user's real id.

A host names the user by a pseudonym: an HMAC of the program id and its own
user id under a secret only the host holds. The registry can tell a repeat
launch from a new user, but cannot learn who launched, nor link one user's
launches of two programs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from ..database import Database
from ..database.secrets import shared_random
from ..home import Home
from .errors import invalid

_PREFIX = b"capsule-launch-pseudonym-v1\n"
#: What a pseudonym looks like: at least 192 bits in base64url or hex, so a
#: plain user name or number is refused (the HMAC below gives 43 characters).
PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
SECRET_FILE = "launch-pseudonyms.secret"
DAY_SECONDS = 86400


def pseudonym(secret: bytes, app_id: str, user: str) -> str:
    """The name a host reports `user` under when they launch `app_id`."""
    mac = hmac.new(secret, _PREFIX + f"{app_id}\n{user}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def check_pseudonym(value: object) -> str:
    if not isinstance(value, str) or not PSEUDONYM.match(value):
        raise invalid(
            "user must be an opaque pseudonym of 32-128 characters A-Z a-z 0-9 _ - (never a user id): "
            "an HMAC of the program id and your user id under a secret only your host keeps "
            "(capsule.runtime.registry.launches.pseudonym)",
            code="invalid-pseudonym",
        )
    return value


def utc_day(now: float) -> int:
    return int(now // DAY_SECONDS)


def host_secret(database: Database, home: Home) -> bytes:
    """The platform's pseudonym secret, one for every host on `database` (a platform secret,
    made on first use; a file an older host kept in `CAPSULE_HOME/keys/` is adopted)."""
    return shared_random(database, "launch-pseudonyms", legacy=home.keys / SECRET_FILE)
