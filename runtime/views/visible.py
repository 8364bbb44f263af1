"""Program text made harmless for a terminal: every invisible control shown as an escape.

A terminal obeys what it is sent: ESC and CSI sequences clear the screen, move
the cursor, retitle the window or hide text; `\\r` and `\\b` overwrite what was
printed; bidi overrides (U+202E) reorder it. Text from a program, a manifest or
a registry is therefore shown with those characters as visible escapes
(`\\x1b`, `\\u202e`), never sent as they are.
"""

from __future__ import annotations

import re

# C0 and C1 controls (tab and newline are handled on their own), DEL, the bidi
# marks, embeddings, overrides and isolates, the Unicode line and paragraph
# separators, and lone surrogates (which cannot even be encoded to print).
_HIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_HIDDEN_IN_LINE = re.compile(f"[\n{_HIDDEN}]")
_HIDDEN_IN_LINES = re.compile(f"[{_HIDDEN}]")
TAB = "    "


def visible(text: str, *, lines: bool = False) -> str:
    """`text` with control, escape and bidi characters as visible escapes, tabs as spaces.

    With `lines`, newlines stay line breaks (a view's paragraphs); otherwise
    they are shown as `\\n` too, so one value cannot forge the next line.
    """
    text = text.replace("\t", TAB)
    if lines:
        return _HIDDEN_IN_LINES.sub(_escape, text.replace("\r\n", "\n"))
    return _HIDDEN_IN_LINE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
