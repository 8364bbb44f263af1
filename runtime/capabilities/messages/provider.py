"""Where messages live and how they reach people: the provider a host application may replace.

`MessagesProvider` is everything the capability (host.py), the merchant API
(api.py) and the web host's inbox ask of the backend: consent records
(subscriptions, follows), the sends with their limits, chats, contacts,
inboxes, the audit of what each send carried, and `listen` for push. The
embedded default is `MessageStore` (store.py) in the runtime's shared
database; its docstrings give each rule in full.

A host with its own messaging or push service implements these methods and
passes it as `Host(messages=its_provider)`: the capability, the merchant API
and the web host then all use it. Its duties, whatever it stores in:
- check each limit in the same atomic step that stores the message (one
  message per one-time subscription, `UPDATES_PER_WEEK` per follower per
  week, chat replies within `CHAT_WINDOW` of the user's last message), and
  raise the matching error of errors.py;
- answer a send only once it is durable (an accepted send is never lost),
  and deliver a retried send with the same idempotency key once;
- call every `listen`er with each new message after it is stored, so open
  tabs show it (a push service would also notify devices there).
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, runtime_checkable

from .store import CHAT_WINDOW, UPDATES_PER_WEEK, Message, MessageStore, Thread

Listener = Callable[[Message], None]


@runtime_checkable
class MessagesProvider(Protocol):
    # -- push ----------------------------------------------------------------------
    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each new message once it is stored; returns the unsubscribe."""

    # -- the merchant's sends (each limit checked where the message is stored) -----
    def send_template(
        self, *, app_id: str, user: str, template_id: str, title: str, fields: dict[str, Any], page: str,
        params: dict[str, str], actor: str, idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """One template message if a subscription allows it (uses a one-time one); `NotSubscribed` else."""

    def push_update(
        self, *, app_id: str, title: str, body: str, page: str, params: dict[str, str], actor: str,
        tag: str | None = None, idempotency_key: str | None = None, now: float | None = None,
    ) -> dict[str, Any]:
        """A service update to each (tagged) follower under the weekly limit; `WeeklyLimit` when none is."""

    def reply(self, *, app_id: str, user: str, text: str, actor: str, idempotency_key: str | None = None,
              now: float | None = None) -> dict[str, Any]:
        """A chat reply within `CHAT_WINDOW` of the user's last message; `ChatClosed` else."""

    def chat_messages(self, app_id: str, *, since: float = 0.0, limit: int = 500) -> list[Message]:
        """What users wrote to the program's chat since `since`."""

    def followers(self, app_id: str, *, tag: str | None = None, after: str = "", limit: int = 1000) -> list[str]: ...

    def tag(self, app_id: str, users: list[str], tag: str, *, remove: bool = False) -> int:
        """Group followers; `NotFollowing` when one of `users` does not follow."""

    # -- the user's consent ------------------------------------------------------------
    def subscribe(self, user: str, app_id: str, choices: dict[str, str]) -> None:
        """Answers of the subscribe sheet per template: "once" or "always"."""

    def subscriptions(self, user: str) -> list[dict[str, Any]]: ...
    def revoke_subscription(self, user: str, app_id: str, template_id: str) -> bool: ...
    def follow(self, user: str, app_id: str) -> None: ...
    def unfollow(self, user: str, app_id: str) -> bool: ...
    def is_following(self, user: str, app_id: str) -> bool: ...
    def follows(self, user: str) -> list[dict[str, Any]]: ...
    def set_muted(self, user: str, app_id: str, muted: bool) -> bool: ...
    def report(self, user: str, app_id: str, reason: str) -> None: ...

    # -- chats ---------------------------------------------------------------------------
    def user_chat(self, user: str, app_id: str, text: str) -> Message:
        """The user writes to the program; opens the reply window."""

    def open_chat(self, user: str, app_id: str) -> None: ...

    def reply_until(self, user: str, app_id: str) -> float | None:
        """Until when the program may reply (None: the user has not written)."""

    # -- contacts --------------------------------------------------------------------------
    def contact_code(self, user: str) -> str: ...
    def user_for_code(self, code: str) -> str | None: ...
    def request_contact(self, from_user: str, to_user: str) -> str: ...
    def contact_requests(self, user: str) -> list[dict[str, Any]]: ...
    def answer_contact(self, user: str, from_user: str, accept: bool) -> bool: ...
    def contacts(self, user: str) -> list[str]: ...

    def send_to_contact(
        self, *, from_user: str, to_user: str, kind: str, text: str = "", app_id: str = "", title: str = "",
        page: str = "", params: dict[str, str] | None = None,
    ) -> Message:
        """A text or a share card to a contact, kept in both inboxes; `NotContacts` else."""

    # -- the inbox ---------------------------------------------------------------------------
    def threads(self, user: str) -> list[Thread]: ...
    def thread(self, user: str, thread: str, *, limit: int = ...) -> list[Message]: ...
    def mark_read(self, user: str, thread: str) -> int: ...
    def unread(self, user: str) -> int: ...

    # -- audit -------------------------------------------------------------------------------
    def audit(self, *, action: str, user: str = "", app_id: str = "", actor: str, decision: str, carried: Any) -> None: ...
    def audit_entries(self, *, user: str | None = None, app_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]: ...


__all__ = ["CHAT_WINDOW", "UPDATES_PER_WEEK", "Listener", "Message", "MessageStore", "MessagesProvider", "Thread"]
