"""Builders for views: plain dicts that follow `view.schema.json`.

    v.page("Hello", v.text("Hi!"), v.button("Again", "again"))
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]


def _node(type_: str, **fields: Any) -> Node:
    node: Node = {"type": type_}
    node.update({k: v for k, v in fields.items() if v is not None})
    return node


def page(title: str, *children: Node) -> Node:
    return _node("page", title=title, children=list(children))


def column(*children: Node, gap: int | None = None) -> Node:
    return _node("column", children=list(children), gap=gap)


def row(*children: Node, gap: int | None = None) -> Node:
    return _node("row", children=list(children), gap=gap)


def text(value: object, style: str | None = None) -> Node:
    return _node("text", text=str(value), style=style)


def image(src: str, alt: str, *, width: int | None = None, height: int | None = None) -> Node:
    return _node("image", src=src, alt=alt, width=width, height=height)


def button(
    label: str,
    handler: str,
    data: dict[str, Any] | None = None,
    *,
    style: str | None = None,
    disabled: bool | None = None,
) -> Node:
    return _node("button", label=label, handler=handler, data=data, style=style, disabled=disabled)


def input(  # noqa: A001 - mirrors the node name
    name: str,
    label: str,
    *,
    kind: str | None = None,
    value: str | None = None,
    placeholder: str | None = None,
    handler: str | None = None,
) -> Node:
    return _node("input", name=name, label=label, kind=kind, value=value, placeholder=placeholder, handler=handler)


def form(handler: str, *children: Node, submit_label: str | None = None) -> Node:
    return _node("form", handler=handler, children=list(children), submit_label=submit_label)


def list_view(items: list[Node], handler: str | None = None) -> Node:
    return _node("list", items=list(items), handler=handler)


def divider() -> Node:
    return _node("divider")


def spacer() -> Node:
    return _node("spacer")


def price(amount: int, currency: str, label: str | None = None) -> Node:
    return _node("price", amount=int(amount), currency=currency, label=label)


def qr(text: str, label: str | None = None) -> Node:
    return _node("qr", text=text, label=label)


def map_pin(latitude: float, longitude: float, label: str) -> Node:
    return _node("map_pin", latitude=latitude, longitude=longitude, label=label)
