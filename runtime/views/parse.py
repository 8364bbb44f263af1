"""Validating a program's view: on the hot path, every event ends with one."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import Problem, ViewError
from .documents import json_pointer
from .fast import fast_view
from .limits import DEFAULT_MAX_BYTES, MAX_DEPTH, MAX_NODES
from .nodes import CONTAINER_FIELDS, Page
from .problems import view_problems

# Built once: pydantic compiles the whole node union into one Rust validator,
# and validate_json reads the program's text without a Python json.loads.
_PAGE = TypeAdapter(Page)


def parse_view(text: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
    """The view in `text` as plain JSON data, defaults filled in.

    Raises ViewError listing what is wrong, each problem located by a JSON
    pointer. A view over `max_bytes` gets a single problem naming its size and
    the limit, before anything is parsed.
    """
    size = _oversize(text, max_bytes)
    if size is not None:
        raise ViewError([Problem("", f"expected at most {max_bytes:,} bytes of JSON; the view is {size:,} bytes")])
    view = fast_view(text)  # most views: validated straight into plain data
    if view is None:
        # The models judge the rest, and locate every problem.
        try:
            page = _PAGE.validate_json(text)
        except ValidationError as error:
            raise ViewError(view_problems(error)) from None
        view = page.model_dump(mode="json", exclude_none=True)
    # Every node is a JSON object and a brace cannot be escaped outside a string,
    # so a text with few braces cannot hold too many or too deeply nested nodes:
    # most views skip the walk.
    if _braces(text) > MAX_DEPTH:
        nodes, depth = _measure(view)
        if nodes > MAX_NODES or depth > MAX_DEPTH:
            raise ViewError([_shape_problem(view, nodes)])
    return view


def _braces(text: str | bytes) -> int:
    return text.count("{") if isinstance(text, str) else text.count(b"{")


def _oversize(text: str | bytes, limit: int) -> int | None:
    """The size in bytes when it is over `limit`, else None."""
    if not isinstance(text, str):
        return len(text) if len(text) > limit else None
    # UTF-8 takes 1 to 4 bytes a character: only encode when it could matter.
    if len(text) * 4 <= limit:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def _measure(view: dict[str, Any]) -> tuple[int, int]:
    """Node count and depth, a level at a time (cheap: no paths built)."""
    nodes = depth = 0
    level = [view]
    while level:
        depth += 1
        nodes += len(level)
        if nodes > MAX_NODES or depth > MAX_DEPTH:
            break
        below: list[dict[str, Any]] = []
        for node in level:
            for field in CONTAINER_FIELDS:
                if node.get(field):
                    below.extend(node[field])
        level = below
    return nodes, depth


def _shape_problem(view: dict[str, Any], nodes: int) -> Problem:
    """Where a view breaks the depth or node limit (slow path: builds paths)."""
    if nodes > MAX_NODES:
        return Problem("", f"expected at most {MAX_NODES:,} nodes in a view; this one has more than that")
    stack: list[tuple[dict[str, Any], int, tuple[Any, ...]]] = [(view, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return Problem(json_pointer(path), f"expected at most {MAX_DEPTH} levels of nested nodes; this node is at level {depth}")
        for field in CONTAINER_FIELDS:
            children = node.get(field) or []
            stack.extend((child, depth + 1, (*path, field, i)) for i, child in reversed(list(enumerate(children))))
    raise AssertionError("a view over the depth limit has a node below it")
