"""The interface between hosts: publish a small event, hear the other hosts' events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from ..database import Database

#: What a subscriber is called with: the event's payload (JSON values).
Handler = Callable[[Any], None]
#: What a catch-up is called with: the database clock's time (epoch seconds) when this host was
#: last known to be listening; events published since then may have been missed.
CatchUp = Callable[[float], None]
#: How much earlier than `since` a catch-up reads rows stamped with a host's time (that host's
#: clock, taken when its work began, not the database's at commit).
STAMP_MARGIN = 10.0


class PeerEvents(Protocol):
    """Events published by one host, delivered to every other host on the same database.

    Delivery is at most once, to hosts listening at the time: what must not be
    lost is in the database first, and an event only says "look now". A host
    that stopped listening for a while is told when it listens again
    (`on_reconnect`) and reads what it missed from the database.
    A publisher does not hear its own events (it handled them in process).
    """

    def publish(self, topic: str, payload: Any) -> None:
        """Send `payload` (JSON, at most `max_payload` bytes encoded) to the other hosts."""
        ...

    def publish_batches(self, topic: str, items: list[Any]) -> None:
        """Publish `items` in as few events as fit; each event's payload is a list of items."""
        ...

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Call `handler` (on a background thread) with each other host's `topic` events; returns the unsubscribe."""
        ...

    def on_reconnect(self, catch_up: CatchUp) -> Callable[[], None]:
        """Call `catch_up(since)` each time listening resumes after a break, before any newer event
        is handed on; `since` is on the database's clock. Returns the unsubscribe."""
        ...

    def close(self) -> None: ...


class NoPeers:
    """SQLite: one machine, so no other host to tell."""

    def publish(self, topic: str, payload: Any) -> None:
        return None

    def publish_batches(self, topic: str, items: list[Any]) -> None:
        return None

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        return lambda: None

    def on_reconnect(self, catch_up: CatchUp) -> Callable[[], None]:
        return lambda: None

    def close(self) -> None:
        return None


def peer_events(database: "Database") -> PeerEvents:
    """The right carrier for `database`: NOTIFY on PostgreSQL, none on SQLite."""
    if database.dialect == "postgresql":
        from .postgres import PostgresEvents

        return PostgresEvents(database)
    return NoPeers()
