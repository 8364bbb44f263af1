"""Where messages live: the store protocol a host application may replace, and the default.

The embedded default is `MessageStore` (store.py) in the runtime's shared
database. A host with its own messaging backend implements the same methods
(the capability, the merchant API and the web host call nothing else) and
passes `MessagesCapability(its_store)` to `Host(capabilities=...)`.
"""

from __future__ import annotations

from .store import Message, MessageStore, Thread

#: The protocol is the default's public methods; see store.py for each one's rules.
MessageProvider = MessageStore

__all__ = ["Message", "MessageProvider", "MessageStore", "Thread"]
