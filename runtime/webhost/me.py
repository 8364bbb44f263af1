"""The "Me" page: a user's own wallet, payment PIN, permissions, activity and uploads.

Every function takes the user from the request's cookie and reads only that
user's rows; nothing here is reachable by a program.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from ..capabilities.payments.embedded import EmbeddedProvider
from ..capabilities.payments.pin import PinStore
from ..consent.grants import GrantState
from ..errors import CapsuleError, NotInstalled
from ..manifest import Manifest

if TYPE_CHECKING:
    from .state import WebHost

#: How far back the activity list goes.
ACTIVITY_DAYS = 30
ACTIVITY_LIMIT = 300


def wallet(web: "WebHost", user: str) -> dict[str, Any]:
    provider = web.host.capabilities["payments"].provider  # type: ignore[attr-defined]
    if not isinstance(provider, EmbeddedProvider):
        return {"balances": {}, "statement": [], "note": "this host's payment processor keeps the wallet"}
    account = f"user:{user}"
    lines = provider.statement(account, limit=100)
    return {
        "balances": provider.balances(account),
        "statement": [
            {
                "at": line.at,
                "kind": line.kind,
                "amount": line.amount,
                "currency": line.currency,
                "memo": line.memo,
                "app_id": line.app_id,
                "app_name": _app_name(web, line.app_id) if line.app_id else None,
            }
            for line in lines
        ],
    }


#: Months the spending chart covers, the current one included.
SPENDING_MONTHS = 12
#: Ledger lines read for the charts (a person's year of payments is far fewer).
SPENDING_LINES = 20_000


def spending(web: "WebHost", user: str, locale: str | None = None) -> dict[str, Any]:
    """What the user spent, per currency: by calendar month (UTC, the last 12, oldest first)
    and by program (most first). Spent is payments less refunds, in minor units, from the ledger."""
    provider = web.host.capabilities["payments"].provider  # type: ignore[attr-defined]
    if not isinstance(provider, EmbeddedProvider):
        return {"currencies": {}, "note": "this host's payment processor keeps the wallet"}
    now = time.gmtime()
    months = []
    year, month = now.tm_year, now.tm_mon
    for _ in range(SPENDING_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    by_month: dict[str, dict[str, int]] = {}
    by_program: dict[str, dict[str, int]] = {}
    for line in provider.statement(f"user:{user}", limit=SPENDING_LINES):
        if line.kind not in ("payment", "refund"):
            continue  # top-ups are not spending
        spent = -line.amount  # a payment leaves the wallet (negative); a refund comes back
        at = time.gmtime(line.at / 1000)
        key = f"{at.tm_year:04d}-{at.tm_mon:02d}"
        if key in months:
            by_month.setdefault(line.currency, {}).setdefault(key, 0)
            by_month[line.currency][key] += spent
        if line.app_id:
            by_program.setdefault(line.currency, {}).setdefault(line.app_id, 0)
            by_program[line.currency][line.app_id] += spent
    currencies = sorted(set(by_month) | set(by_program))
    return {
        "currencies": {
            currency: {
                "by_month": [{"month": key, "amount": by_month.get(currency, {}).get(key, 0)} for key in months],
                "by_program": [
                    {"app_id": app_id, "name": _app_name(web, app_id, locale), "amount": amount}
                    for app_id, amount in sorted(by_program.get(currency, {}).items(), key=lambda item: (-item[1], item[0]))
                ],
            }
            for currency in currencies
        }
    }


def _pins(web: "WebHost") -> PinStore:
    return web.host.capabilities["payments"].pins  # type: ignore[attr-defined]


def pin_status(web: "WebHost", user: str) -> dict[str, Any]:
    """Is a PIN set, are payments locked (until when), which amounts need none."""
    return _pins(web).status(user).as_dict()


def set_pin(web: "WebHost", user: str, body: dict[str, Any]) -> dict[str, Any]:
    """The first PIN, or a new one with `old_pin`; the PIN is never sent back."""
    _pins(web).set(user, body.get("pin"), old_pin=body.get("old_pin"))
    return pin_status(web, user)


def set_no_pin_below(web: "WebHost", user: str, body: dict[str, Any]) -> dict[str, Any]:
    """Payments below `amount` minor units of `currency` need no PIN (0: always ask); needs the PIN."""
    _pins(web).set_threshold(user, body.get("currency"), body.get("amount"), body.get("pin"))
    return pin_status(web, user)


def permissions(web: "WebHost", user: str) -> dict[str, Any]:
    by_app: dict[str, list[dict[str, Any]]] = {}
    for grant in web.host.services.consent_store.list(user=user):
        state = grant.effective()
        if state is GrantState.NOT_ASKED:
            continue
        by_app.setdefault(grant.app_id, []).append(
            {"scope": grant.scope, "state": state.value, "decided_at": grant.decided_at, "reason": _reason(web, grant.app_id, grant.scope)}
        )
    return {
        "apps": [
            {"app_id": app_id, "name": _app_name(web, app_id), "grants": sorted(grants, key=lambda g: g["scope"])}
            for app_id, grants in sorted(by_app.items())
        ]
    }


def revoke(web: "WebHost", user: str, app_id: str, scope: str) -> dict[str, Any]:
    """Takes effect on the program's next call, in sessions already open too."""
    changed = web.host.services.consent_store.revoke(user, app_id, scope)
    if not changed:
        raise CapsuleError(f"{app_id} holds no {scope!r} permission of yours to revoke", code="not-granted")
    return {"revoked": [grant.as_dict() for grant in changed]}


def ask_again(web: "WebHost", user: str, app_id: str, scope: str) -> dict[str, Any]:
    """Forget a decision (a denial, say): the program's next call asks the user again."""
    if not web.host.services.consent_store.reset(user, app_id, scope):
        raise CapsuleError(f"you made no decision about {scope!r} for {app_id} to forget", code="not-decided")
    return {"reset": {"app_id": app_id, "scope": scope}}


def activity(web: "WebHost", user: str, app_id: str | None = None) -> dict[str, Any]:
    """The program's capability calls and the messages sent to this user, newest first."""
    since = time.time() - ACTIVITY_DAYS * 86400
    entries = web.host.services.audit.entries(user=user, app_id=app_id or None, since=since, limit=100_000)
    calls = [
        {
            "at": entry.at,
            "app_id": entry.app_id,
            "capability": entry.capability,
            "function": entry.function,
            "scope": entry.scope,
            "decision": entry.decision,
            "bytes_out": entry.bytes_out,
        }
        for entry in entries
    ]
    newest = sorted(calls + _messages_activity(web, user, app_id, since), key=lambda entry: entry["at"], reverse=True)
    return {"entries": [{**entry, "app_name": _app_name(web, entry["app_id"])} for entry in newest[:ACTIVITY_LIMIT]]}


def _messages_activity(web: "WebHost", user: str, app_id: str | None, since: float) -> list[dict[str, Any]]:
    # What the program's merchant sent this user (and what the user decided about its
    # messages) is in the messages audit, not the calls' trail: the user reads both here.
    rows = web.messages.audit_entries(user=user, app_id=app_id or None, limit=ACTIVITY_LIMIT)
    return [
        {
            "at": row["at"],
            "app_id": row["app_id"],
            "capability": "messages",
            "function": row["action"],
            "scope": "messages",
            "decision": row["decision"],
            "bytes_out": len(json.dumps(row["carried"], ensure_ascii=False).encode()),
        }
        for row in rows
        if row["at"] >= since and row["app_id"]
    ]


def uploads(web: "WebHost", user: str) -> dict[str, Any]:
    log = getattr(web.host.capabilities.get("media"), "uploads", None)
    items = log.of(user) if log is not None else []
    return {"items": [{**item.as_dict(), "app_name": _app_name(web, item.app_id)} for item in items]}


def _manifest(web: "WebHost", app_id: str) -> Manifest | None:
    if web.dev is not None and app_id == web.dev.app_id:
        return web.dev.manifest
    try:
        return web.host.app(app_id).manifest
    except (NotInstalled, CapsuleError, OSError):
        return None


def _app_name(web: "WebHost", app_id: str, locale: str | None = None) -> str:
    manifest = _manifest(web, app_id)
    return manifest.localized("name", locale) if manifest is not None else app_id


def _reason(web: "WebHost", app_id: str, scope: str) -> str | None:
    manifest = _manifest(web, app_id)
    if manifest is None:
        return None
    section = manifest.permission(scope.split(".", 1)[0])
    return section.reason if section is not None else None
