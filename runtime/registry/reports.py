"""Reports: a user's "something is wrong with this program", kept for the registry's reviewers.

A host files a report for one of its users (under its `host` account, with
the user's pseudonym for that program, never their name), naming why
(`REASONS`) and, optionally, what happened in the user's words. Reviewers
read them with the review queue (`capsule review reports`, `review show`)
and close them with what they did. Every text field is bounded here and
printed literally by the CLI: a report is as hostile as a manifest.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables
from .errors import conflict, invalid, not_found

#: Why a user reports a program (the shell's menu offers these, in this order).
REASONS = ("scam", "offensive", "privacy", "broken", "other")
MAX_DETAILS = 1000
#: Reports one user may file about one program in a day: enough to add detail, not to flood the queue.
MAX_PER_USER_DAY = 3

reports = sa.Table(
    "registry_reports",
    tables.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.String(255), nullable=False, index=True),
    #: The version live for the user when they reported (what the reviewer should look at).
    sa.Column("version", sa.String(64), nullable=True),
    sa.Column("host_id", sa.Integer, sa.ForeignKey("registry_accounts.id"), nullable=False),
    sa.Column("user", sa.String(128), nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    #: "open" until a reviewer closes it with a note of what they did.
    sa.Column("status", sa.String(16), nullable=False, default="open"),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("closed_at", sa.Float, nullable=True),
)


def check_reason(reason: object) -> str:
    if reason not in REASONS:
        raise invalid(f"reason must be one of {', '.join(REASONS)}; got {str(reason)[:40]!r}")
    return str(reason)


def check_details(details: object) -> str:
    """The user's words: up to 1000 characters, line breaks allowed, no other control characters."""
    if details is None:
        return ""
    if not isinstance(details, str) or len(details) > MAX_DETAILS:
        raise invalid(f"details are up to {MAX_DETAILS} characters of text")
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in details):
        raise invalid("details may not hold control characters (line breaks and tabs are fine)")
    return details.strip()


def file_report(
    connection: Connection, *, app_id: str, version: str | None, host_id: int, user: str, reason: str, details: str, now: float
) -> dict[str, Any]:
    since = now - 86400
    filed = connection.execute(
        sa.select(sa.func.count())
        .select_from(reports)
        .where(reports.c.app_id == app_id, reports.c.host_id == host_id, reports.c.user == user, reports.c.created_at > since)
    ).scalar_one()
    if filed >= MAX_PER_USER_DAY:
        raise conflict(f"this user reported {app_id} {MAX_PER_USER_DAY} times today already; the reviewers have them")
    report_id = connection.execute(
        reports.insert().values(
            app_id=app_id, version=version, host_id=host_id, user=user, reason=reason, details=details, created_at=now, status="open"
        )
    ).inserted_primary_key[0]
    return get(connection, report_id)


def get(connection: Connection, report_id: int) -> dict[str, Any]:
    row = connection.execute(sa.select(reports).where(reports.c.id == report_id)).first()
    if row is None:
        raise not_found(f"no report {report_id}")
    return as_dict(row)


def listing(connection: Connection, *, status: str | None, app_id: str | None, limit: int = 200) -> list[dict[str, Any]]:
    query = sa.select(reports).order_by(reports.c.id.desc()).limit(limit)
    if status:
        query = query.where(reports.c.status == status)
    if app_id:
        query = query.where(reports.c.app_id == app_id)
    return [as_dict(row) for row in connection.execute(query)]


def close(connection: Connection, report_id: int, note: object) -> dict[str, Any]:
    if not isinstance(note, str) or not note.strip() or len(note) > MAX_DETAILS:
        raise invalid(f"close a report with a note of what you did (1 to {MAX_DETAILS} characters)")
    report = get(connection, report_id)
    if report["status"] != "open":
        raise conflict(f"report {report_id} is closed already")
    connection.execute(
        reports.update().where(reports.c.id == report_id).values(status="closed", note=note.strip(), closed_at=time.time())
    )
    return get(connection, report_id)


def as_dict(row: sa.Row) -> dict[str, Any]:
    return {
        "report_id": row.id,
        "app_id": row.app_id,
        "version": row.version,
        "reason": row.reason,
        "details": row.details,
        "created_at": row.created_at,
        "status": row.status,
        "note": row.note,
    }
