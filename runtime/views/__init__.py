"""Views: the JSON a program sends to `ui.render`, checked before anyone sees it.

    view = parse_view(text)          # a plain dict, or ViewError with JSON pointers
    print(render_text(view))         # from capsule.runtime.views.terminal

See docs/views.md for the vocabulary and the limits.
"""

from .currency import format_amount, minor_units
from .limits import DEFAULT_MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_QR_CHARS, MAX_TEXT_CHARS
from .nodes import NODE_MODELS, Node, Page
from .parse import parse_view
from .schema import VIEW_SCHEMA_ID, view_schema

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_QR_CHARS",
    "MAX_TEXT_CHARS",
    "NODE_MODELS",
    "Node",
    "Page",
    "VIEW_SCHEMA_ID",
    "format_amount",
    "minor_units",
    "parse_view",
    "view_schema",
]
