"""Template sends on SQLite: every send waiting at once handled in one transaction,
in a handful of statements per batch instead of five or six per send.

A merchant's sends arrive on many threads. The first to find no batch running
leads (payments' `BatchCommit`): it takes every send queued, and in one
transaction
1. reads the batch's idempotency records and subscriptions (one SELECT each),
2. decides each send in order in Python, exactly as one send at a time would:
   a retry answers the first result (and a changed request is a conflict), a
   one-time subscription is used once (a second send for it in the same
   batch is refused), no subscription is `not-subscribed`;
3. writes the subscriptions used, the messages, the audit rows (refusals
   included) and the idempotency records with one multi-row statement each,
and commits once. Nobody hears an answer before that commit, so a send
reported accepted is on disk (`synchronous=FULL`); if the commit fails, every
send of the batch gets the error and none is delivered.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from .errors import IdempotencyConflict, MessagesError, NotSubscribed

#: SQLite's bound-parameter limit is 32,766 (3.32+); a batch reads in chunks well below it.
_CHUNK = 300


@dataclass(frozen=True)
class TemplateSend:
    """One send as the store received it; `row` is the message's row (columns in `MESSAGE_COLUMNS`' order)."""

    app_id: str
    user: str
    template_id: str
    key: str | None
    digest: str
    row: tuple[Any, ...]
    audit: tuple[float, str, str, str, str]  # at, user, app_id, actor, carried (JSON)
    message: Any


MESSAGE_COLUMNS = ("id", "user", "thread", "app_id", "direction", "kind", "template_id", "title", "body", "fields",
                   "page", "params", "at", "read")
_INSERT_MESSAGES = (
    f"INSERT INTO messages ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in MESSAGE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(MESSAGE_COLUMNS))})"
)
_INSERT_AUDIT = ('INSERT INTO message_audit ("at", "user", "app_id", "actor", "action", "decision", "carried") '
                 "VALUES (?, ?, ?, ?, 'send', ?, ?)")
_INSERT_SENDS = 'INSERT INTO message_sends ("app_id", "idempotency_key", "digest", "result", "at") VALUES (?, ?, ?, ?, ?)'
_USE_SUBSCRIPTIONS = ('UPDATE message_subscriptions SET "remaining" = ?, "updated_at" = ? '
                      'WHERE "user" = ? AND "app_id" = ? AND "template_id" = ?')


def not_subscribed(template_id: str) -> NotSubscribed:
    return NotSubscribed(
        f"the user has no subscription to template {template_id!r} (never given, revoked, or its one "
        f"message was already sent); ask them to subscribe again in the program"
    )


def conflict(key: str) -> IdempotencyConflict:
    return IdempotencyConflict(f"idempotency key {key!r} was used for a different send; use a new key for a new message")


def _grouped(pairs: set[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[Any]]:
    """Last values grouped by the rest: (a, b, x), (a, b, y) -> {(a, b): [x, y]}, so each
    lookup is `a = ? AND b = ? AND last IN (...)`, which the primary key's index answers
    (a row-value `IN (VALUES ...)` makes SQLite scan the table)."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for values in pairs:
        groups.setdefault(values[:-1], []).append(values[-1])
    return groups


def _earlier_sends(conn: Connection, sends: list[TemplateSend]) -> dict[tuple[str, str], tuple[str, str]]:
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for (app_id,), keys in _grouped({(s.app_id, s.key) for s in sends if s.key}).items():
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            rows = conn.exec_driver_sql(
                'SELECT "idempotency_key", "digest", "result" FROM message_sends '
                f'WHERE "app_id" = ? AND "idempotency_key" IN ({", ".join("?" * len(chunk))})',
                (app_id, *chunk),
            ).all()
            found.update({(app_id, r[0]): (r[1], r[2]) for r in rows})
    return found


def _subscriptions(conn: Connection, sends: list[TemplateSend]) -> dict[tuple[str, str, str], list[Any]]:
    found: dict[tuple[str, str, str], list[Any]] = {}
    for (app_id, template_id), users in _grouped({(s.app_id, s.template_id, s.user) for s in sends}).items():
        for start in range(0, len(users), _CHUNK):
            chunk = users[start:start + _CHUNK]
            rows = conn.exec_driver_sql(
                'SELECT "user", "always", "remaining" FROM message_subscriptions '
                f'WHERE "app_id" = ? AND "template_id" = ? AND "user" IN ({", ".join("?" * len(chunk))})',
                (app_id, template_id, *chunk),
            ).all()
            # always, remaining, used by this batch
            found.update({(r[0], app_id, template_id): [bool(r[1]), int(r[2]), False] for r in rows})
    return found


def process(conn: Connection, sends: list[TemplateSend]) -> list[tuple[Any, BaseException | None]]:
    """Decide and write a batch of sends; one (answer, delivered message or None) or error each."""
    earlier = _earlier_sends(conn, sends)
    subscriptions = _subscriptions(conn, sends)
    outcomes: list[tuple[Any, BaseException | None]] = []
    messages, audits, records = [], [], []
    now = time.time()
    for send in sends:
        if send.key and (send.app_id, send.key) in earlier:
            digest, result = earlier[(send.app_id, send.key)]
            if digest != send.digest:
                outcomes.append((None, conflict(send.key)))
            else:
                outcomes.append(((json.loads(result), None), None))
            continue
        subscription = subscriptions.get((send.user, send.app_id, send.template_id))
        if subscription is None or (not subscription[0] and subscription[1] <= 0):
            error: MessagesError = not_subscribed(send.template_id)
            audits.append((*send.audit[:4], str(error), send.audit[4]))
            outcomes.append((None, error))
            continue
        if not subscription[0]:
            subscription[1] -= 1
            subscription[2] = True
        answer = {"message_id": send.row[0], "status": "accepted"}
        messages.append(send.row)
        audits.append((*send.audit[:4], "ok", send.audit[4]))
        if send.key:
            result = json.dumps(answer)
            records.append((send.app_id, send.key, send.digest, result, now))
            earlier[(send.app_id, send.key)] = (send.digest, result)  # a retry later in this batch
        outcomes.append(((answer, send.message), None))
    used = [(s[1], now, *triple) for triple, s in subscriptions.items() if s[2]]
    for sql, rows in ((_USE_SUBSCRIPTIONS, used), (_INSERT_MESSAGES, messages), (_INSERT_AUDIT, audits),
                      (_INSERT_SENDS, records)):
        if rows:
            conn.exec_driver_sql(sql, rows)
    return outcomes
