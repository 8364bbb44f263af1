"""Views: the JSON a program sends to `ui.render`, checked before anyone sees it.

    view = parse_view(text)          # a plain dict, or ViewError with JSON pointers
    print(render_text(view))         # from capsule.runtime.views.terminal

See docs/views.md for the vocabulary and the limits.
"""

from typing import TYPE_CHECKING

from ..exports import exported_by, lazy_exports

# On first use: the terminal's text helpers (views.visible) need none of the
# node models.
__getattr__ = lazy_exports(
    __name__,
    {
        **exported_by(".currency", "format_amount", "minor_units"),
        **exported_by(".limits", "DEFAULT_MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_QR_CHARS", "MAX_TEXT_CHARS"),
        **exported_by(".nodes", "NODE_MODELS", "Node", "Page"),
        **exported_by(".parse", "parse_view"),
        **exported_by(".schema", "VIEW_SCHEMA_ID", "view_schema"),
    },
)

if TYPE_CHECKING:
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
