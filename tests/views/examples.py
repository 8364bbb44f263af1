"""Views the tests share: one node of every type, and ways to break them."""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]


def page(*children: Node, **fields: Any) -> Node:
    return {"type": "page", "title": "Test", **fields, "children": list(children)}


def nested(depth: int) -> Node:
    """A page whose deepest node is at level `depth` (the page is level 1)."""
    node: Node = {"type": "text", "text": "bottom"}
    for _ in range(depth - 2):
        node = {"type": "column", "children": [node]}
    return page(node)


#: One valid node of every type (the page is around each).
EVERY_NODE: dict[str, Node] = {
    "text": {"type": "text", "text": "Hello", "style": "subtitle"},
    "image": {"type": "image", "src": "assets/img/cup.png", "alt": "A cup", "width": 120, "height": 80},
    "button": {"type": "button", "label": "Buy", "handler": "buy", "data": {"sku": "cup", "n": [1, None]}, "style": "danger", "disabled": True},
    "input": {"type": "input", "name": "email", "label": "E-mail", "kind": "email", "value": "", "placeholder": "you@example.com", "handler": "typed"},
    "form": {"type": "form", "handler": "order", "submit_label": "Order", "children": [{"type": "input", "name": "qty", "label": "How many"}]},
    "column": {"type": "column", "gap": 4, "children": [{"type": "text", "text": "a"}, {"type": "spacer"}]},
    "row": {"type": "row", "gap": 0, "children": [{"type": "text", "text": "a"}, {"type": "divider"}]},
    "list": {"type": "list", "handler": "pick", "items": [{"type": "text", "text": "one"}, {"type": "row", "children": []}]},
    "divider": {"type": "divider"},
    "spacer": {"type": "spacer"},
    "price": {"type": "price", "amount": 1250, "currency": "CNY", "label": "Total"},
    "qr": {"type": "qr", "text": "capsule://com.example.hello/index", "label": "Scan to open"},
    "map_pin": {"type": "map_pin", "latitude": -33.8568, "longitude": 151.2153, "label": "Opera House"},
    "media image": {"type": "image", "src": "/media/3f2a9c.jpg", "alt": "Uploaded"},
    "markup as text": {"type": "text", "text": "<script>alert(1)</script> **bold** [b]x[/b]"},
    "edge coordinates": {"type": "map_pin", "latitude": 90, "longitude": -180, "label": "Edge"},
}

#: (case, view, pointer, words the message must contain)
INVALID: list[tuple[str, Node, str, list[str]]] = [
    ("unknown type", page({"type": "marquee", "text": "hi"}), "/children/0", ['unknown node type "marquee"', "text, image, button"]),
    ("no type", page({"text": "hi"}), "/children/0", ['a "type" naming the node']),
    ("page below the root", page({"type": "page", "title": "x"}), "/children/0", ["only be the root"]),
    ("root is not a page", {"type": "text", "text": "hi"}, "/type", ['expected "page"']),
    ("javascript: image", page({"type": "image", "src": "javascript:alert(1)", "alt": "x"}), "/children/0/src", ['"assets/logo.png"', '"/media/', 'got "javascript:alert(1)"']),
    ("https image", page({"type": "image", "src": "https://evil.example/x.png", "alt": "x"}), "/children/0/src", ["no scheme"]),
    ("data: image", page({"type": "image", "src": "data:image/png;base64,AAAA", "alt": "x"}), "/children/0/src", ["no scheme"]),
    ("image path escaping assets", page({"type": "image", "src": "assets/../manifest.json", "alt": "x"}), "/children/0/src", ["no name starting with a dot"]),
    ("image without alt", page({"type": "image", "src": "assets/a.png"}), "/children/0/alt", ['missing required field "alt"']),
    ("bad handler", page({"type": "button", "label": "Go", "handler": "go now!"}), "/children/0/handler", ["an identifier", 'got "go now!"']),
    ("handler starting with a digit", page({"type": "form", "handler": "1st", "children": []}), "/children/0/handler", ["an identifier"]),
    ("long handler", page({"type": "button", "label": "Go", "handler": "h" * 65}), "/children/0/handler", ["up to 63"]),
    ("bad input name", page({"type": "input", "name": "a b", "label": "x"}), "/children/0/name", ["an identifier"]),
    ("typo in a field", page({"type": "button", "label": "Go", "handler": "go", "stlye": "primary"}), "/children/0/stlye", ['unexpected field "stlye"', 'did you mean "style"?']),
    ("unknown style", page({"type": "text", "text": "x", "style": "bold"}), "/children/0/style", ['expected one of "body", "title", "subtitle", "caption", "error"; got "bold"']),
    ("text too long", page({"type": "text", "text": "x" * 10_001}), "/children/0/text", ["at most 10000 characters; got 10001"]),
    ("number as text", page({"type": "text", "text": 5}), "/children/0/text", ["expected text", "got 5"]),
    ("negative amount", page({"type": "price", "amount": -1, "currency": "EUR"}), "/children/0/amount", ["at least 0"]),
    ("fractional amount", page({"type": "price", "amount": 12.5, "currency": "EUR"}), "/children/0/amount", ["whole number"]),
    ("lowercase currency", page({"type": "price", "amount": 1, "currency": "eur"}), "/children/0/currency", ["ISO 4217"]),
    ("latitude out of range", page({"type": "map_pin", "latitude": 91, "longitude": 0, "label": "x"}), "/children/0/latitude", ["at most 90; got 91"]),
    ("qr too long", page({"type": "qr", "text": "x" * 1025}), "/children/0/text", ["at most 1024 characters"]),
    ("gap too big", page({"type": "column", "gap": 100, "children": []}), "/children/0/gap", ["at most 64"]),
    ("null for an optional field", page({"type": "input", "name": "q", "label": "Q", "value": None}), "/children/0/value", ["expected text", "got null"]),
    ("data not an object", page({"type": "button", "label": "Go", "handler": "go", "data": [1]}), "/children/0/data", ["expected an object"]),
    ("disabled as text", page({"type": "button", "label": "Go", "handler": "go", "disabled": "yes"}), "/children/0/disabled", ["true or false"]),
    ("children not a list", page({"type": "row", "children": {"type": "text", "text": "x"}}), "/children/0/children", ["expected a list"]),
    (
        "deep pointer through a list and a row",
        page({"type": "list", "items": [{"type": "text", "text": "ok"}, {"type": "row", "children": [{"type": "divider"}, {"type": "button", "label": 1, "handler": "h"}]}]}),
        "/children/0/items/1/children/1/label",
        ["expected text"],
    ),
    ("node that is text", page("hello"), "/children/0", ["expected an object"]),
]
