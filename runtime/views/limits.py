"""The bounds every view must stay within, checked before anyone sees it."""

from __future__ import annotations

#: Bytes of JSON in one view (the host's `view_bytes` limit by default).
DEFAULT_MAX_BYTES = 256 * 1024
#: Levels of nested nodes, the page counting as level 1.
MAX_DEPTH = 32
#: Nodes in one view, the page included.
MAX_NODES = 2_000
#: Characters in any one text field.
MAX_TEXT_CHARS = 10_000
#: Characters a QR code carries (a QR code holds a few thousand at most).
MAX_QR_CHARS = 1_024
