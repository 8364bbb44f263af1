"""The tables of the embedded messages store, in the runtime's shared database.

Users appear as the host's own user names; programs see pairwise ids only
(the merchant API translates at its edge). Times are seconds since the epoch.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: Every message in a user's inbox: from a program (template, service update,
#: chat reply), from a contact (text, shared page), or sent by the user (chat).
messages = sa.Table(
    "messages",
    metadata,
    #: "m_<random>", or for a service update "<update id>:<user>" (made in one INSERT ... SELECT).
    sa.Column("id", sa.String(260), primary_key=True),
    #: The inbox the message is in.
    sa.Column("user", sa.String(200), nullable=False),
    #: "program:<app id>" or "contact:<user>": the thread it belongs to.
    sa.Column("thread", sa.String(260), nullable=False),
    #: The program it is about (a shared card names one too), else "".
    sa.Column("app_id", sa.String(200), nullable=False, default=""),
    #: "in" (to the user) or "out" (the user wrote it).
    sa.Column("direction", sa.String(3), nullable=False),
    #: template | update | chat | share | text
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("template_id", sa.String(64), nullable=False, default=""),
    sa.Column("title", sa.String(200), nullable=False, default=""),
    sa.Column("body", sa.Text, nullable=False, default=""),
    #: JSON object: the template's field values.
    sa.Column("fields", sa.Text, nullable=False, default="{}"),
    sa.Column("page", sa.String(64), nullable=False, default=""),
    #: JSON object: the launch parameters the card opens the page with.
    sa.Column("params", sa.Text, nullable=False, default="{}"),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("read", sa.Boolean, nullable=False, default=False),
    sa.Index("messages_by_thread", "user", "thread", "at"),
    sa.Index("messages_unread", "user", "read"),
)

#: What the user accepted on a subscribe sheet: `remaining` one-time messages,
#: or `always` until revoked. Revoking deletes the row.
subscriptions = sa.Table(
    "message_subscriptions",
    metadata,
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("template_id", sa.String(64), primary_key=True),
    sa.Column("always", sa.Boolean, nullable=False, default=False),
    sa.Column("remaining", sa.Integer, nullable=False, default=0),
    sa.Column("updated_at", sa.Float, nullable=False),
)

#: Who follows which program. The two latest push times enforce "two
#: service updates per follower per rolling week" in one UPDATE per fan-out.
follows = sa.Table(
    "message_follows",
    metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("since", sa.Float, nullable=False),
    sa.Column("muted", sa.Boolean, nullable=False, default=False),
    sa.Column("last_push", sa.Float, nullable=True),
    sa.Column("previous_push", sa.Float, nullable=True),
)

#: A merchant's groups of followers (tags), by user.
tags = sa.Table(
    "message_follower_tags",
    metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
)

#: A customer-service chat: when the user last wrote (replies close 48 h later).
chats = sa.Table(
    "message_chats",
    metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("last_user_message", sa.Float, nullable=True),
)

#: Contacts, stored once per direction: (alice, bob) and (bob, alice).
contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("contact", sa.String(200), primary_key=True),
    sa.Column("since", sa.Float, nullable=False),
)

#: A request from `from_user` (who scanned `to_user`'s code) awaiting an answer.
contact_requests = sa.Table(
    "contact_requests",
    metadata,
    sa.Column("from_user", sa.String(200), primary_key=True),
    sa.Column("to_user", sa.String(200), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)

#: Each user's personal contact code (the QR on Me): random, so it names nobody.
contact_codes = sa.Table(
    "contact_codes",
    metadata,
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
)

#: Sends already accepted, by (program, idempotency key): a retry is answered
#: from here and delivers nothing twice; the digest catches a changed request.
sends = sa.Table(
    "message_sends",
    metadata,
    sa.Column("app_id", sa.String(200), primary_key=True),
    sa.Column("idempotency_key", sa.String(80), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    #: JSON: what the first send answered.
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

#: Every send and consent change, accepted or refused, with what it carried.
audit = sa.Table(
    "message_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("user", sa.String(200), nullable=False, default=""),
    sa.Column("app_id", sa.String(200), nullable=False, default=""),
    #: Who acted: "merchant:<key id>", "user", "program".
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    #: "ok", or why it was refused.
    sa.Column("decision", sa.String(300), nullable=False),
    #: JSON: what it carried (template, fields, page, params, text).
    sa.Column("carried", sa.Text, nullable=False, default="{}"),
    sa.Index("message_audit_by_user", "user", "at"),
)

#: Reports of a program by a user ("this is spam").
reports = sa.Table(
    "message_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("app_id", sa.String(200), nullable=False),
    sa.Column("reason", sa.String(300), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

#: Merchant server keys, per program; only a hash of the secret is kept.
server_keys = sa.Table(
    "message_server_keys",
    metadata,
    sa.Column("key_id", sa.String(40), primary_key=True),
    sa.Column("app_id", sa.String(200), nullable=False, index=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("label", sa.String(80), nullable=False, default=""),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float, nullable=True),
)
