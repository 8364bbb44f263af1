"""Why a send or a request was refused: one class per rule, each with a stable code.

The merchant API answers with the code and the message; the message says what
is wrong and what to do.
"""

from __future__ import annotations

from typing import ClassVar


class MessagesError(Exception):
    """A refusal; `code` is what the merchant API's JSON error carries, `status` its HTTP status."""

    code: ClassVar[str] = "refused"
    status: ClassVar[int] = 403


class NotSubscribed(MessagesError):
    """No subscription (or its one message was used, or the user revoked it)."""

    code = "not-subscribed"


class WeeklyLimit(MessagesError):
    code = "weekly-limit"
    status = 429


class ChatClosed(MessagesError):
    code = "chat-closed"


class NotFollowing(MessagesError):
    code = "not-following"


class UnknownUser(MessagesError):
    code = "unknown-user"
    status = 404


class BadMessage(MessagesError):
    """Fields that do not match the template, an unknown template, text too long."""

    code = "invalid"
    status = 422


class IdempotencyConflict(MessagesError):
    code = "idempotency-conflict"
    status = 409


class NotContacts(MessagesError):
    code = "not-contacts"
