"""Events between hosts that share a database: what one host did that others must hear now.

Each host handles its own events in process, as it always has (a message
reaches this host's sockets the moment it is stored). `PeerEvents` carries
them to the other hosts: PostgreSQL's LISTEN/NOTIFY when the database is
PostgreSQL (`PostgresEvents`), nothing on SQLite (`NoPeers`: one machine, no
peers). See docs/architecture.md, Many hosts, for why NOTIFY and not a broker.
"""

from .bus import STAMP_MARGIN, NoPeers, PeerEvents, peer_events
from .postgres import PostgresEvents

__all__ = ["STAMP_MARGIN", "NoPeers", "PeerEvents", "PostgresEvents", "peer_events"]
