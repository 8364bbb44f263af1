"""The embedded messages store: inboxes, subscriptions, follows, chats, contacts.

Every rule that protects users is checked in the same transaction that stores
the message, so two sends racing for one one-time subscription deliver one
message, and a follower's weekly budget cannot be overdrawn by parallel
fan-outs. A send is reported accepted only after its transaction committed
(SQLite `synchronous=FULL`; on SQLite concurrent sends share one commit, see
payments' group_commit.py), so an accepted message survives a crash. Sends
carry an idempotency key per program: a retry with the same key and the same
content answers what the first answered and delivers nothing again.

Listeners (the web host's sockets) hear of each new message after its commit;
hosts sharing the database hear of it as an event (`listen_to_peers`), and a
host whose events listener was disconnected reads what it missed on reconnect.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...events import STAMP_MARGIN
from ..deferred import DeferredDatabase
from ..payments.group_commit import BatchCommit, GroupCommit
from . import sends, tables as t
from .errors import ChatClosed, NotContacts, NotFollowing, NotSubscribed, WeeklyLimit

if TYPE_CHECKING:
    from ...database import Database
    from ..deferred import DatabaseSource

WEEK = 7 * 24 * 3600.0
#: Service updates per follower per rolling week.
UPDATES_PER_WEEK = 2
#: A chat reply must come within this long of the user's last message.
CHAT_WINDOW = 48 * 3600.0
#: Messages a thread listing returns at most.
THREAD_PAGE = 200
#: Messages one catch-up hands on at most (the newest; the inbox shows all of them anyway).
CATCH_UP_PAGE = 1000


@dataclass(frozen=True)
class Message:
    """One message in one user's inbox."""

    id: str
    user: str
    thread: str
    app_id: str
    direction: str
    kind: str
    template_id: str
    title: str
    body: str
    fields: dict[str, Any]
    page: str
    params: dict[str, str]
    at: float
    read: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Thread:
    thread: str
    last: Message
    unread: int
    muted: bool = False


Listener = Callable[[Message], None]
#: The topic other hosts hear new messages on (see runtime.events).
PEER_TOPIC = "messages"


# Statements built once: building `.values(...)` and `.where(...)` per call costs more
# CPU than the SQL itself on the send path; these compile once and are cached.
_FIND_SEND = sa.select(t.sends.c.digest, t.sends.c.result).where(
    t.sends.c.app_id == sa.bindparam("app_id"), t.sends.c.idempotency_key == sa.bindparam("key")
)
_FIND_SUBSCRIPTION = sa.select(t.subscriptions.c.always, t.subscriptions.c.remaining).where(
    t.subscriptions.c.user == sa.bindparam("user"), t.subscriptions.c.app_id == sa.bindparam("app_id"),
    t.subscriptions.c.template_id == sa.bindparam("template_id"),
)
#: Uses one message of a one-time subscription; the condition makes two racing sends use it once.
_USE_SUBSCRIPTION = t.subscriptions.update().where(
    t.subscriptions.c.user == sa.bindparam("b_user"), t.subscriptions.c.app_id == sa.bindparam("b_app_id"),
    t.subscriptions.c.template_id == sa.bindparam("b_template_id"), t.subscriptions.c.remaining > 0,
).values(remaining=t.subscriptions.c.remaining - 1, updated_at=sa.bindparam("b_now"))
_INSERT_MESSAGE = t.messages.insert()
_INSERT_AUDIT = t.audit.insert()
_INSERT_SEND = t.sends.insert()


def program_thread(app_id: str) -> str:
    return f"program:{app_id}"


def contact_thread(user: str) -> str:
    return f"contact:{user}"


def new_id() -> str:
    return "m_" + secrets.token_hex(12)


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _row(message: Message) -> dict[str, Any]:
    row = message.as_dict()
    row["fields"] = json.dumps(message.fields, sort_keys=True)
    row["params"] = json.dumps(message.params, sort_keys=True)
    return row


def _message(row: Any) -> Message:
    data = dict(row._mapping)
    data["fields"] = json.loads(data["fields"] or "{}")
    data["params"] = json.loads(data["params"] or "{}")
    return Message(**data)


class MessageStore:
    """The default store (SQLite or PostgreSQL through the runtime's `Database`)."""

    def __init__(self, database: "DatabaseSource") -> None:
        self._database = DeferredDatabase(database, t.metadata)
        self._listeners: list[Listener] = []
        self._group: GroupCommit | None = None
        self._sends: BatchCommit | None = None
        self._group_lock = threading.Lock()

    @property
    def database(self) -> "Database":
        return self._database.get()

    # -- listeners -----------------------------------------------------------

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each new message after it is committed; returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _tell(self, delivered: Iterable[Message]) -> None:
        delivered = list(delivered)
        for message in delivered:
            for listener in list(self._listeners):
                try:
                    listener(message)
                except Exception:  # noqa: BLE001 - a broken socket must not undo a delivery
                    pass
        if delivered:
            # Hosts sharing the database hear (user, message id) and read the rest from it.
            try:
                self.database.events.publish_batches(PEER_TOPIC, [[m.user, m.id] for m in delivered])
            except Exception:  # noqa: BLE001 - stored is delivered: the inbox shows it on the next look
                pass

    def listen_to_peers(self, served: Callable[[], Collection[str]], listener: Listener) -> Callable[[], None]:
        """Call `listener` with each message another host stored for a user this host serves (one
        `served` names: with an open socket here); returns the unsubscribe. After this host's events
        listener was disconnected, the messages stored meanwhile for those users are read from the
        database and handed on too (the listener may see a message twice; it keeps them apart by id)."""

        def heard(pairs: Any) -> None:
            users = served()
            for pair in pairs if isinstance(pairs, list) else ():
                if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
                    continue
                user, message_id = pair
                if user in users:
                    message = self.message(user, message_id)
                    if message is not None:
                        listener(message)

        def catch_up(since: float) -> None:
            for message in self.messages_since(served(), since - STAMP_MARGIN):
                listener(message)

        events = self.database.events
        unsubscribe_events = events.subscribe(PEER_TOPIC, heard)
        unsubscribe_catch_up = events.on_reconnect(catch_up)

        def unsubscribe() -> None:
            unsubscribe_events()
            unsubscribe_catch_up()

        return unsubscribe

    def messages_since(self, users: Iterable[str], since: float, *, limit: int = CATCH_UP_PAGE) -> list[Message]:
        """The newest `limit` messages stored for `users` at `since` or later, oldest first."""
        wanted = sorted(set(users))
        found: list[Message] = []
        # In slices: a statement's parameters are bounded (SQLite allows 32766).
        for start in range(0, len(wanted), 500):
            with self.database.read() as db:
                rows = db.execute(
                    sa.select(t.messages).where(t.messages.c.user.in_(wanted[start:start + 500]), t.messages.c.at >= since)
                    .order_by(t.messages.c.at.desc()).limit(limit)
                ).all()
            found.extend(_message(r) for r in rows)
        found.sort(key=lambda message: message.at)
        return found[-limit:]

    def _write(self, work: Callable[[Connection], Any]) -> Any:
        """Run `work` in a committed transaction; concurrent SQLite writers share a commit."""
        database = self.database
        if database.dialect != "sqlite":
            with database.transaction() as conn:
                return work(conn)
        with self._group_lock:
            if self._group is None:
                self._group = GroupCommit(database)
        return self._group.run(work)

    # -- audit ---------------------------------------------------------------

    @staticmethod
    def _audit(conn: Connection, *, user: str, app_id: str, actor: str, action: str, decision: str, carried: Any) -> None:
        conn.execute(
            _INSERT_AUDIT,
            {
                "at": time.time(), "user": user, "app_id": app_id, "actor": actor, "action": action, "decision": decision,
                "carried": json.dumps(carried, sort_keys=True, ensure_ascii=False),
            },
        )

    def audit(self, *, action: str, user: str = "", app_id: str = "", actor: str, decision: str, carried: Any) -> None:
        """Record a refusal decided outside a send's own transaction."""
        with self.database.transaction() as conn:
            self._audit(conn, user=user, app_id=app_id, actor=actor, action=action, decision=decision, carried=carried)

    def audit_entries(self, *, user: str | None = None, app_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        query = sa.select(t.audit).order_by(t.audit.c.id.desc()).limit(limit)
        if user is not None:
            query = query.where(t.audit.c.user == user)
        if app_id is not None:
            query = query.where(t.audit.c.app_id == app_id)
        with self.database.read() as db:
            rows = db.execute(query).all()
        return [{**dict(r._mapping), "carried": json.loads(r.carried)} for r in rows]

    # -- idempotent sends ----------------------------------------------------

    def _idempotent(
        self, app_id: str, key: str | None, request: Any, deliver: Callable[[Connection], tuple[Any, list[Message]]],
        refused: Callable[[Connection, Exception], None],
    ) -> Any:
        """Run `deliver` once per (program, key); a retry answers the stored result."""
        request_digest = digest(request)

        def work(conn: Connection) -> tuple[Any, list[Message]]:
            if key:
                found = conn.execute(_FIND_SEND, {"app_id": app_id, "key": key}).first()
                if found is not None:
                    if found.digest != request_digest:
                        raise sends.conflict(key)
                    return json.loads(found.result), []
            try:
                result, delivered = deliver(conn)
            except Exception as error:
                raise error
            if key:
                conn.execute(
                    _INSERT_SEND,
                    {"app_id": app_id, "idempotency_key": key, "digest": request_digest, "result": json.dumps(result), "at": time.time()},
                )
            return result, delivered

        try:
            result, delivered = self._write(work)
        except (NotSubscribed, WeeklyLimit, ChatClosed, NotFollowing) as error:
            # The refusal is audited in a transaction of its own: the send's was rolled back.
            with self.database.transaction() as conn:
                refused(conn, error)
            raise
        except sa.exc.IntegrityError:
            # A concurrent retry with the same key committed first (PostgreSQL): answer what it stored.
            with self.database.read() as db:
                found = db.execute(
                    sa.select(t.sends.c.digest, t.sends.c.result).where(
                        t.sends.c.app_id == app_id, t.sends.c.idempotency_key == key
                    )
                ).first()
            if found is None:
                raise
            if found.digest != request_digest:
                raise sends.conflict(str(key)) from None
            return json.loads(found.result)
        self._tell(delivered)
        return result

    # -- template messages ---------------------------------------------------

    def send_template(
        self, *, app_id: str, user: str, template_id: str, title: str, fields: dict[str, Any], page: str,
        params: dict[str, str], actor: str, idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Deliver one template message if the user's subscription allows it; uses a one-time one."""
        carried = {"template": template_id, "fields": fields, "page": page, "params": params}
        now = time.time()
        message = Message(
            new_id(), user, program_thread(app_id), app_id, "in", "template", template_id, title, "", fields,
            page, params, now,
        )
        if self.database.dialect == "sqlite":
            return self._send_batched(message, carried, actor, idempotency_key)

        def deliver(conn: Connection) -> tuple[Any, list[Message]]:
            sub = conn.execute(_FIND_SUBSCRIPTION, {"user": user, "app_id": app_id, "template_id": template_id}).first()
            if sub is None or (not sub.always and sub.remaining <= 0):
                raise sends.not_subscribed(template_id)
            # Conditional: of two transactions racing for the last one-time message, one updates a row.
            if not sub.always and conn.execute(
                _USE_SUBSCRIPTION, {"b_user": user, "b_app_id": app_id, "b_template_id": template_id, "b_now": now},
            ).rowcount != 1:
                raise sends.not_subscribed(template_id)
            conn.execute(_INSERT_MESSAGE, _row(message))
            self._audit(conn, user=user, app_id=app_id, actor=actor, action="send", decision="ok", carried=carried)
            return {"message_id": message.id, "status": "accepted"}, [message]

        def refused(conn: Connection, error: Exception) -> None:
            self._audit(conn, user=user, app_id=app_id, actor=actor, action="send", decision=str(error), carried=carried)

        return self._idempotent(app_id, idempotency_key, {"send": carried, "user": user}, deliver, refused)

    def _send_batched(self, message: Message, carried: dict[str, Any], actor: str, key: str | None) -> dict[str, Any]:
        """SQLite: the send joins the next batch of sends (sends.py), one transaction and commit for all."""
        with self._group_lock:
            if self._sends is None:
                self._sends = BatchCommit(self.database, sends.process)
        row = (message.id, message.user, message.thread, message.app_id, "in", "template", message.template_id,
               message.title, "", json.dumps(message.fields, sort_keys=True), message.page,
               json.dumps(message.params, sort_keys=True), message.at, 0)
        audit = (message.at, message.user, message.app_id, actor, json.dumps(carried, sort_keys=True, ensure_ascii=False))
        request = sends.TemplateSend(
            message.app_id, message.user, message.template_id, key, digest({"send": carried, "user": message.user}),
            row, audit, message,
        )
        answer, delivered = self._sends.submit(request)
        if delivered is not None:
            self._tell([delivered])
        return answer

    # -- subscriptions -------------------------------------------------------

    def subscribe(self, user: str, app_id: str, choices: dict[str, str]) -> None:
        """Record a sheet's answers: "once" adds one message, "always" allows until revoked."""
        now = time.time()
        with self.database.transaction() as conn:
            for template_id, choice in choices.items():
                if choice not in ("once", "always"):
                    continue
                where = sa.and_(
                    t.subscriptions.c.user == user, t.subscriptions.c.app_id == app_id,
                    t.subscriptions.c.template_id == template_id,
                )
                row = conn.execute(sa.select(t.subscriptions.c.always, t.subscriptions.c.remaining).where(where)).first()
                always = choice == "always" or bool(row and row.always)
                remaining = (row.remaining if row else 0) + (choice == "once")
                if row is None:
                    conn.execute(
                        t.subscriptions.insert().values(
                            user=user, app_id=app_id, template_id=template_id, always=always, remaining=remaining,
                            updated_at=now,
                        )
                    )
                else:
                    conn.execute(t.subscriptions.update().where(where).values(always=always, remaining=remaining, updated_at=now))
            self._audit(conn, user=user, app_id=app_id, actor="user", action="subscribe", decision="ok", carried=choices)

    def subscriptions(self, user: str) -> list[dict[str, Any]]:
        with self.database.read() as db:
            rows = db.execute(
                sa.select(t.subscriptions).where(
                    t.subscriptions.c.user == user, sa.or_(t.subscriptions.c.always, t.subscriptions.c.remaining > 0)
                ).order_by(t.subscriptions.c.app_id, t.subscriptions.c.template_id)
            ).all()
        return [dict(r._mapping) for r in rows]

    def revoke_subscription(self, user: str, app_id: str, template_id: str) -> bool:
        with self.database.transaction() as conn:
            gone = conn.execute(
                t.subscriptions.delete().where(
                    t.subscriptions.c.user == user, t.subscriptions.c.app_id == app_id,
                    t.subscriptions.c.template_id == template_id,
                )
            ).rowcount
            self._audit(conn, user=user, app_id=app_id, actor="user", action="revoke", decision="ok",
                        carried={"template": template_id})
        return gone > 0

    # -- follows and service updates -----------------------------------------

    def follow(self, user: str, app_id: str) -> None:
        with self.database.transaction() as conn:
            exists = conn.execute(
                sa.select(t.follows.c.user).where(t.follows.c.app_id == app_id, t.follows.c.user == user)
            ).first()
            if exists is None:
                conn.execute(t.follows.insert().values(app_id=app_id, user=user, since=time.time(), muted=False))
            self._audit(conn, user=user, app_id=app_id, actor="user", action="follow", decision="ok", carried={})

    def unfollow(self, user: str, app_id: str) -> bool:
        with self.database.transaction() as conn:
            gone = conn.execute(t.follows.delete().where(t.follows.c.app_id == app_id, t.follows.c.user == user)).rowcount
            conn.execute(t.tags.delete().where(t.tags.c.app_id == app_id, t.tags.c.user == user))
            self._audit(conn, user=user, app_id=app_id, actor="user", action="unfollow", decision="ok", carried={})
        return gone > 0

    def set_muted(self, user: str, app_id: str, muted: bool) -> bool:
        with self.database.transaction() as conn:
            changed = conn.execute(
                t.follows.update().where(t.follows.c.app_id == app_id, t.follows.c.user == user).values(muted=muted)
            ).rowcount
            self._audit(conn, user=user, app_id=app_id, actor="user", action="mute" if muted else "unmute",
                        decision="ok", carried={})
        return changed > 0

    def follows(self, user: str) -> list[dict[str, Any]]:
        with self.database.read() as db:
            rows = db.execute(
                sa.select(t.follows.c.app_id, t.follows.c.since, t.follows.c.muted).where(t.follows.c.user == user)
            ).all()
        return [dict(r._mapping) for r in rows]

    def is_following(self, user: str, app_id: str) -> bool:
        with self.database.read() as db:
            return db.execute(
                sa.select(t.follows.c.user).where(t.follows.c.app_id == app_id, t.follows.c.user == user)
            ).first() is not None

    def followers(self, app_id: str, *, tag: str | None = None, after: str = "", limit: int = 1000) -> list[str]:
        """Users following `app_id` (in the tag's group), ordered, from after `after`."""
        query = sa.select(t.follows.c.user).where(t.follows.c.app_id == app_id, t.follows.c.user > after)
        if tag:
            query = query.join(
                t.tags, sa.and_(t.tags.c.app_id == t.follows.c.app_id, t.tags.c.user == t.follows.c.user, t.tags.c.tag == tag)
            )
        with self.database.read() as db:
            return list(db.execute(query.order_by(t.follows.c.user).limit(limit)).scalars())

    def tag(self, app_id: str, users: list[str], tag: str, *, remove: bool = False) -> int:
        """Put followers in (or take them out of) group `tag`; users who do not follow are refused."""
        with self.database.transaction() as conn:
            following = set(
                conn.execute(
                    sa.select(t.follows.c.user).where(t.follows.c.app_id == app_id, t.follows.c.user.in_(users))
                ).scalars()
            )
            missing = [u for u in users if u not in following]
            if missing:
                raise NotFollowing(f"{len(missing)} of the users do not follow this program; only followers can be tagged")
            where = sa.and_(t.tags.c.app_id == app_id, t.tags.c.tag == tag, t.tags.c.user.in_(users))
            conn.execute(t.tags.delete().where(where))
            if not remove:
                conn.execute(t.tags.insert(), [{"app_id": app_id, "user": u, "tag": tag} for u in users])
        return len(users)

    def push_update(
        self, *, app_id: str, title: str, body: str, page: str, params: dict[str, str], actor: str,
        tag: str | None = None, idempotency_key: str | None = None, now: float | None = None,
    ) -> dict[str, Any]:
        """A service update to every (tagged) follower whose weekly budget allows it.

        One UPDATE claims the budget of every eligible follower (the two latest
        push times shift), then the messages are inserted in batches.
        """
        carried = {"title": title, "body": body, "page": page, "params": params, "tag": tag}
        at = time.time() if now is None else now

        def deliver(conn: Connection) -> tuple[Any, list[Message]]:
            eligible = sa.and_(
                t.follows.c.app_id == app_id,
                sa.or_(t.follows.c.previous_push.is_(None), t.follows.c.previous_push <= at - WEEK),
            )
            if tag:
                eligible = sa.and_(
                    eligible,
                    sa.exists().where(t.tags.c.app_id == app_id, t.tags.c.user == t.follows.c.user, t.tags.c.tag == tag),
                )
            total_query = sa.select(sa.func.count()).select_from(t.follows).where(t.follows.c.app_id == app_id)
            if tag:
                total_query = total_query.where(
                    sa.exists().where(t.tags.c.app_id == app_id, t.tags.c.user == t.follows.c.user, t.tags.c.tag == tag)
                )
            total = conn.execute(total_query).scalar_one()
            # One INSERT ... SELECT writes every eligible follower's message (ids are the
            # update's id and the user), then one UPDATE claims their weekly budget.
            update_id = new_id()
            columns = {
                "id": sa.literal(update_id + ":") + t.follows.c.user, "user": t.follows.c.user,
                "thread": sa.literal(program_thread(app_id)), "app_id": sa.literal(app_id), "direction": sa.literal("in"),
                "kind": sa.literal("update"), "template_id": sa.literal(""), "title": sa.literal(title),
                "body": sa.literal(body), "fields": sa.literal("{}"), "page": sa.literal(page),
                "params": sa.literal(json.dumps(params, sort_keys=True)), "at": sa.literal(at), "read": sa.false(),
            }
            # Counted first: not every driver reports an INSERT ... SELECT's row count (psycopg gives -1).
            written = conn.execute(sa.select(sa.func.count()).select_from(t.follows).where(eligible)).scalar_one()
            conn.execute(t.messages.insert().from_select(list(columns), sa.select(*columns.values()).where(eligible)))
            users: list[str] = []
            # Live tabs (here, or on the other hosts of a shared database) hear of a bounded
            # number; the rest read their inbox.
            if self._listeners or conn.dialect.name == "postgresql":
                users = list(conn.execute(sa.select(t.follows.c.user).where(eligible).limit(10_000)).scalars())
            conn.execute(t.follows.update().where(eligible).values(previous_push=t.follows.c.last_push, last_push=at))
            delivered = [
                Message(f"{update_id}:{user}", user, program_thread(app_id), app_id, "in", "update", "", title, body, {},
                        page, params, at)
                for user in users
            ]
            users_count = written
            self._audit(conn, app_id=app_id, user="", actor=actor, action="push", decision="ok",
                        carried={**carried, "delivered": users_count, "over_limit": total - users_count})
            if total and not users_count:
                raise WeeklyLimit(
                    f"every one of the {total} followers already had {UPDATES_PER_WEEK} service updates this week; "
                    "try again when a week has passed since the earlier ones"
                )
            return {"status": "accepted", "delivered": users_count, "over_limit": total - users_count}, delivered

        def refused(conn: Connection, error: Exception) -> None:
            self._audit(conn, user="", app_id=app_id, actor=actor, action="push", decision=str(error), carried=carried)

        return self._idempotent(app_id, idempotency_key, {"push": carried}, deliver, refused)

    # -- customer-service chat -----------------------------------------------

    def user_chat(self, user: str, app_id: str, text: str) -> Message:
        """The user writes to the program's customer service; opens the 48-hour reply window."""
        now = time.time()
        message = Message(new_id(), user, program_thread(app_id), app_id, "out", "chat", "", "", text, {}, "", {}, now, True)
        with self.database.transaction() as conn:
            conn.execute(t.messages.insert().values(**_row(message)))
            where = sa.and_(t.chats.c.app_id == app_id, t.chats.c.user == user)
            if conn.execute(t.chats.update().where(where).values(last_user_message=now)).rowcount == 0:
                conn.execute(t.chats.insert().values(app_id=app_id, user=user, last_user_message=now))
            self._audit(conn, user=user, app_id=app_id, actor="user", action="chat", decision="ok", carried={"text": text})
        self._tell([message])
        return message

    def reply_until(self, user: str, app_id: str) -> float | None:
        """Until when the program may reply in the user's chat (None: the user has not written)."""
        with self.database.read() as db:
            last = db.execute(
                sa.select(t.chats.c.last_user_message).where(t.chats.c.app_id == app_id, t.chats.c.user == user)
            ).scalar_one_or_none()
        return None if last is None else last + CHAT_WINDOW

    def open_chat(self, user: str, app_id: str) -> None:
        with self.database.transaction() as conn:
            where = sa.and_(t.chats.c.app_id == app_id, t.chats.c.user == user)
            if conn.execute(sa.select(t.chats.c.user).where(where)).first() is None:
                conn.execute(t.chats.insert().values(app_id=app_id, user=user, last_user_message=None))

    def chat_messages(self, app_id: str, *, since: float = 0.0, limit: int = 500) -> list[Message]:
        """What users wrote to the program's customer service since `since` (for the merchant)."""
        with self.database.read() as db:
            rows = db.execute(
                sa.select(t.messages).where(
                    t.messages.c.app_id == app_id, t.messages.c.kind == "chat", t.messages.c.direction == "out",
                    t.messages.c.at > since,
                ).order_by(t.messages.c.at).limit(limit)
            ).all()
        return [_message(r) for r in rows]

    def reply(self, *, app_id: str, user: str, text: str, actor: str, idempotency_key: str | None = None,
              now: float | None = None) -> dict[str, Any]:
        """The merchant answers in the chat, within 48 hours of the user's last message."""
        at = time.time() if now is None else now
        carried = {"text": text}

        def deliver(conn: Connection) -> tuple[Any, list[Message]]:
            last = conn.execute(
                sa.select(t.chats.c.last_user_message).where(t.chats.c.app_id == app_id, t.chats.c.user == user)
            ).scalar_one_or_none()
            if last is None or at - last > CHAT_WINDOW:
                raise ChatClosed(
                    "a chat reply must come within 48 hours of the user's last message"
                    + ("" if last is not None else " and the user has not written")
                    + "; use a template message the user subscribed to instead"
                )
            message = Message(new_id(), user, program_thread(app_id), app_id, "in", "chat", "", "", text, {}, "", {}, at)
            conn.execute(t.messages.insert().values(**_row(message)))
            self._audit(conn, user=user, app_id=app_id, actor=actor, action="reply", decision="ok", carried=carried)
            return {"message_id": message.id, "status": "accepted"}, [message]

        def refused(conn: Connection, error: Exception) -> None:
            self._audit(conn, user=user, app_id=app_id, actor=actor, action="reply", decision=str(error), carried=carried)

        return self._idempotent(app_id, idempotency_key, {"reply": carried, "user": user}, deliver, refused)

    # -- contacts --------------------------------------------------------------

    def request_contact(self, from_user: str, to_user: str) -> str:
        """`from_user` scanned `to_user`'s code: "requested", or "contacts" when they already are."""
        if self.are_contacts(from_user, to_user):
            return "contacts"
        with self.database.transaction() as conn:
            where = sa.and_(t.contact_requests.c.from_user == from_user, t.contact_requests.c.to_user == to_user)
            if conn.execute(sa.select(t.contact_requests.c.at).where(where)).first() is None:
                conn.execute(t.contact_requests.insert().values(from_user=from_user, to_user=to_user, at=time.time()))
        return "requested"

    def contact_code(self, user: str) -> str:
        """The user's personal code (made on first use): scanning it asks to become their contact."""
        with self.database.read() as db:
            found = db.execute(sa.select(t.contact_codes.c.code).where(t.contact_codes.c.user == user)).scalar_one_or_none()
        if found is not None:
            return found
        code = secrets.token_urlsafe(18)
        try:
            with self.database.transaction() as conn:
                conn.execute(t.contact_codes.insert().values(user=user, code=code))
        except sa.exc.IntegrityError:  # made at the same moment elsewhere
            pass
        with self.database.read() as db:
            return db.execute(sa.select(t.contact_codes.c.code).where(t.contact_codes.c.user == user)).scalar_one()

    def user_for_code(self, code: str) -> str | None:
        with self.database.read() as db:
            return db.execute(sa.select(t.contact_codes.c.user).where(t.contact_codes.c.code == code)).scalar_one_or_none()

    def contact_requests(self, user: str) -> list[dict[str, Any]]:
        with self.database.read() as db:
            rows = db.execute(
                sa.select(t.contact_requests.c.from_user, t.contact_requests.c.at)
                .where(t.contact_requests.c.to_user == user).order_by(t.contact_requests.c.at)
            ).all()
        return [dict(r._mapping) for r in rows]

    def answer_contact(self, user: str, from_user: str, accept: bool) -> bool:
        """Accepting makes both contacts; declining drops the request. False if there was none."""
        now = time.time()
        with self.database.transaction() as conn:
            gone = conn.execute(
                t.contact_requests.delete().where(
                    t.contact_requests.c.from_user == from_user, t.contact_requests.c.to_user == user
                )
            ).rowcount
            if not gone:
                return False
            if accept:
                for a, b in ((user, from_user), (from_user, user)):
                    exists = conn.execute(
                        sa.select(t.contacts.c.since).where(t.contacts.c.user == a, t.contacts.c.contact == b)
                    ).first()
                    if exists is None:
                        conn.execute(t.contacts.insert().values(user=a, contact=b, since=now))
        return True

    def contacts(self, user: str) -> list[str]:
        with self.database.read() as db:
            return list(
                db.execute(sa.select(t.contacts.c.contact).where(t.contacts.c.user == user).order_by(t.contacts.c.contact)).scalars()
            )

    def are_contacts(self, user: str, other: str) -> bool:
        with self.database.read() as db:
            return db.execute(
                sa.select(t.contacts.c.since).where(t.contacts.c.user == user, t.contacts.c.contact == other)
            ).first() is not None

    def remove_contact(self, user: str, other: str) -> bool:
        with self.database.transaction() as conn:
            gone = conn.execute(
                t.contacts.delete().where(
                    sa.or_(
                        sa.and_(t.contacts.c.user == user, t.contacts.c.contact == other),
                        sa.and_(t.contacts.c.user == other, t.contacts.c.contact == user),
                    )
                )
            ).rowcount
        return gone > 0

    def send_to_contact(
        self, *, from_user: str, to_user: str, kind: str, text: str = "", app_id: str = "", title: str = "",
        page: str = "", params: dict[str, str] | None = None,
    ) -> Message:
        """A text, or a card that opens a program's page (kind "share"), to a contact; kept in both inboxes."""
        params = params or {}
        now = time.time()
        theirs = Message(new_id(), to_user, contact_thread(from_user), app_id, "in", kind, "", title, text, {}, page, params, now)
        mine = Message(new_id(), from_user, contact_thread(to_user), app_id, "out", kind, "", title, text, {}, page, params, now, True)
        with self.database.transaction() as conn:
            known = conn.execute(
                sa.select(t.contacts.c.since).where(t.contacts.c.user == from_user, t.contacts.c.contact == to_user)
            ).first()
            if known is None:
                raise NotContacts("you can only send to your contacts; scan their code on Me to add them")
            conn.execute(t.messages.insert(), [_row(theirs), _row(mine)])
            self._audit(conn, user=from_user, app_id=app_id, actor="user", action=kind, decision="ok",
                        carried={"to": to_user, "text": text, "title": title, "page": page, "params": params})
        self._tell([theirs, mine])
        return mine

    # -- inbox ---------------------------------------------------------------

    def threads(self, user: str) -> list[Thread]:
        """The user's threads, newest first, each with its last message and unread count."""
        with self.database.read() as db:
            latest = (
                sa.select(t.messages.c.thread, sa.func.max(t.messages.c.at).label("at"),
                          sa.func.sum(sa.case((sa.and_(t.messages.c.read.is_(False), t.messages.c.direction == "in"), 1), else_=0)).label("unread"))
                .where(t.messages.c.user == user).group_by(t.messages.c.thread).subquery()
            )
            rows = db.execute(
                sa.select(t.messages, latest.c.unread)
                .join(latest, sa.and_(t.messages.c.thread == latest.c.thread, t.messages.c.at == latest.c.at))
                .where(t.messages.c.user == user).order_by(latest.c.at.desc())
            ).all()
            muted = set(db.execute(sa.select(t.follows.c.app_id).where(t.follows.c.user == user, t.follows.c.muted)).scalars())
        seen: set[str] = set()
        found: list[Thread] = []
        for row in rows:
            if row.thread in seen:
                continue
            seen.add(row.thread)
            data = {k: v for k, v in row._mapping.items() if k != "unread"}
            message = _message(type("R", (), {"_mapping": data})())
            found.append(Thread(row.thread, message, int(row.unread or 0), message.app_id in muted and row.thread.startswith("program:")))
        return found

    def thread(self, user: str, thread: str, *, limit: int = THREAD_PAGE) -> list[Message]:
        with self.database.read() as db:
            rows = db.execute(
                sa.select(t.messages).where(t.messages.c.user == user, t.messages.c.thread == thread)
                .order_by(t.messages.c.at.desc()).limit(limit)
            ).all()
        return [_message(r) for r in reversed(rows)]

    def message(self, user: str, message_id: str) -> Message | None:
        with self.database.read() as db:
            row = db.execute(sa.select(t.messages).where(t.messages.c.user == user, t.messages.c.id == message_id)).first()
        return _message(row) if row is not None else None

    def mark_read(self, user: str, thread: str) -> int:
        with self.database.transaction() as conn:
            return conn.execute(
                t.messages.update().where(t.messages.c.user == user, t.messages.c.thread == thread, t.messages.c.read.is_(False))
                .values(read=True)
            ).rowcount

    def unread(self, user: str) -> int:
        """Unread messages, not counting muted programs."""
        with self.database.read() as db:
            muted = sa.select(t.follows.c.app_id).where(t.follows.c.user == user, t.follows.c.muted)
            return db.execute(
                sa.select(sa.func.count()).select_from(t.messages).where(
                    t.messages.c.user == user, t.messages.c.read.is_(False), t.messages.c.direction == "in",
                    t.messages.c.app_id.not_in(muted) | t.messages.c.thread.startswith("contact:"),
                )
            ).scalar_one()

    def report(self, user: str, app_id: str, reason: str) -> None:
        with self.database.transaction() as conn:
            conn.execute(t.reports.insert().values(user=user, app_id=app_id, reason=reason, at=time.time()))
            self._audit(conn, user=user, app_id=app_id, actor="user", action="report", decision="ok", carried={"reason": reason})
