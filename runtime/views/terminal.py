"""A view as plain text for a terminal (`capsule run`, logs, tests).

No colour and no markup: whoever prints it adds those. Program text is
printed as it is, except control characters, which are made visible so a
program cannot move the cursor or change the terminal.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Callable

from .currency import format_amount
from .visible import visible

Node = dict[str, Any]
#: Narrowest column a row gives each of its children.
MIN_CELL = 8
SEPARATOR = " | "


def render_text(view: Node, *, width: int = 60) -> str:
    """`view` (a validated view) as lines of at most `width` terminal cells."""
    return "\n".join(_render(view, max(width, MIN_CELL)))


def _render(node: Node, width: int) -> list[str]:
    return _RENDERERS.get(node.get("type", ""), _unknown)(node, width)


def _children(nodes: list[Node], width: int) -> list[str]:
    return [line for child in nodes for line in _render(child, width)]


def _page(node: Node, width: int) -> list[str]:
    title = _wrap(node.get("title", ""), width)
    rule = "=" * min(width, max((cells(line) for line in title), default=0))
    return [*title, rule, *_children(node.get("children", []), width)]


def _column(node: Node, width: int) -> list[str]:
    return _children(node.get("children", []), width)


def _row(node: Node, width: int) -> list[str]:
    children = node.get("children", [])
    if not children:
        return []
    cell = max(MIN_CELL, (width - len(SEPARATOR) * (len(children) - 1)) // len(children))
    blocks = [_render(child, cell) or [""] for child in children]
    height = max(len(block) for block in blocks)
    lines = []
    for index in range(height):
        parts = [_pad(block[index] if index < len(block) else "", cell) for block in blocks]
        lines.append(SEPARATOR.join(parts).rstrip())
    return lines


def _text(node: Node, width: int) -> list[str]:
    style = node.get("style", "body")
    if style == "title":
        lines = _wrap(node["text"], width)
        return [*lines, "-" * min(width, max((cells(line) for line in lines), default=0))]
    if style == "error":
        return _wrap("! " + node["text"], width)
    if style == "caption":
        return ["  " + line for line in _wrap(node["text"], width - 2)]
    return _wrap(node["text"], width)


def _image(node: Node, width: int) -> list[str]:
    return _wrap(f"[image: {node['alt']}]", width)


def _button(node: Node, width: int) -> list[str]:
    text = f"[ {node['label']} ] → {node['handler']}"
    if node.get("data"):
        text += " " + json.dumps(node["data"], ensure_ascii=False, separators=(", ", ": "))
    if node.get("disabled"):
        text += " (disabled)"
    return _wrap(text, width)


def _input(node: Node, width: int) -> list[str]:
    value = node.get("value") or ""
    if value and node.get("kind") == "password":
        value = "•" * len(value)
    shown = value or (f"____ {node['placeholder']}" if node.get("placeholder") else "____")
    text = f"{node['label']}: {shown} ({node['name']})"
    if node.get("handler"):
        text += f" → {node['handler']}"
    return _wrap(text, width)


def _form(node: Node, width: int) -> list[str]:
    submit = f"[ {node.get('submit_label') or 'Submit'} ] → {node['handler']} (sends the form)"
    return [*_children(node.get("children", []), width), *_wrap(submit, width)]


def _list(node: Node, width: int) -> list[str]:
    items = node.get("items", [])
    lines = []
    for number, item in enumerate(items, start=1):
        marker = f"{number}. "
        body = _render(item, width - len(marker)) or [""]
        lines.append(marker + body[0])
        lines.extend(" " * len(marker) + line for line in body[1:])
    if node.get("handler") and items:
        lines.extend(_wrap(f'(a tap on row n → {node["handler"]} {{"index": n - 1}})', width))
    return lines


def _divider(node: Node, width: int) -> list[str]:
    return ["-" * width]


def _spacer(node: Node, width: int) -> list[str]:
    return [""]


def _price(node: Node, width: int) -> list[str]:
    amount = format_amount(node["amount"], node["currency"])
    return _wrap(f"{node['label']}: {amount}" if node.get("label") else amount, width)


def _qr(node: Node, width: int) -> list[str]:
    text = f"[QR: {node['text']}]"
    return _wrap(f"{text} {node['label']}" if node.get("label") else text, width)


def _map_pin(node: Node, width: int) -> list[str]:
    return _wrap(f"📍 {node['label']} ({_degrees(node['latitude'])}, {_degrees(node['longitude'])})", width)


def _unknown(node: Node, width: int) -> list[str]:
    return _wrap(f"[{node.get('type', '?')}]", width)


_RENDERERS: dict[str, Callable[[Node, int], list[str]]] = {
    "page": _page,
    "column": _column,
    "row": _row,
    "text": _text,
    "image": _image,
    "button": _button,
    "input": _input,
    "form": _form,
    "list": _list,
    "divider": _divider,
    "spacer": _spacer,
    "price": _price,
    "qr": _qr,
    "map_pin": _map_pin,
}


# -- text layout ------------------------------------------------------------------


def _degrees(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def cells(text: str) -> int:
    """Terminal cells `text` takes: wide East Asian characters take two."""
    return sum(_char_cells(char) for char in text)


def _char_cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def _pad(line: str, width: int) -> str:
    return line + " " * max(0, width - cells(line))


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap by terminal cells; words longer than a line are split."""
    lines: list[str] = []
    for paragraph in visible(text, lines=True).split("\n"):
        line = ""
        for word in re.findall(r"\S+\s*", paragraph) or [""]:
            if cells(line) + cells(word.rstrip()) <= width:
                line += word
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            while cells(word.rstrip()) > width:  # one word wider than the line
                head = _take_cells(word, width)
                lines.append(head)
                word = word[len(head) :]
            line = word
        lines.append(line.rstrip())
    return lines


def _take_cells(text: str, width: int) -> str:
    taken, used = [], 0
    for char in text:
        used += _char_cells(char)
        if used > width:
            break
        taken.append(char)
    return "".join(taken) or text[:1]
