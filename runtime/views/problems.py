"""pydantic's view errors as Problems: a JSON pointer and what is expected."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from ..errors import Problem
from .documents import describe_value, json_pointer, pattern_words
from .limits import MAX_DEPTH
from .nodes import CONTAINER_FIELDS, NODE_MODELS

#: Node types allowed below the page, in the order messages list them.
CHILD_TYPES = [name for name in NODE_MODELS if name != "page"]


def view_problems(error: ValidationError) -> list[Problem]:
    """One Problem per pydantic error, located in the JSON the program sent."""
    problems = []
    for detail in error.errors(include_url=False):
        path, node_type = _locate(detail["loc"])
        problems.append(Problem(json_pointer(path), _message(detail, node_type)))
    return problems


def _locate(loc: tuple[Any, ...]) -> tuple[list[Any], str]:
    """The JSON path of an error and the type of the node it is in.

    pydantic puts the chosen node type into the location after a child's index
    (children, 2, "button", "label"); that step is not in the JSON, so it is
    taken out and remembered.
    """
    path: list[Any] = []
    node_type = "page"
    in_container = expect_tag = False
    for part in loc:
        if expect_tag:
            node_type, expect_tag = str(part), False
            continue
        path.append(part)
        expect_tag = in_container and isinstance(part, int)
        in_container = part in CONTAINER_FIELDS
    return path, node_type


def _message(detail: Any, node_type: str) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    value = detail.get("input")
    got = describe_value(value)
    field = str(detail["loc"][-1]) if detail["loc"] else ""
    fields = list(NODE_MODELS[node_type].model_fields) if node_type in NODE_MODELS else []

    if kind == "missing":
        description = NODE_MODELS[node_type].model_fields[field].description or "" if field in fields else ""
        return f'missing required field "{field}" of the {node_type} node' + (f": {_as_clause(description)}" if description else "")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(field, fields, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f'unexpected field "{field}" on the {node_type} node; expected one of: {", ".join(fields)}{hint}'
    if kind == "union_tag_invalid":
        if ctx.get("tag") == "page":
            return f"a page can only be the root of a view; expected one of: {', '.join(CHILD_TYPES)}"
        return f'unknown node type "{ctx.get("tag")}"; expected one of: {", ".join(CHILD_TYPES)}'
    if kind == "union_tag_not_found":
        return f'expected an object with a "type" naming the node, one of: {", ".join(CHILD_TYPES)}'
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", '"').replace(" or ", ", ")
        if node_type == "page" and field == "type" and len(detail["loc"]) == 1:
            return f'expected "page": the root of a view is a page; got {got}'
        return f"expected {'one of ' if ',' in expected else ''}{expected}; got {got}"
    if kind == "string_pattern_mismatch":
        return f"expected {pattern_words(ctx['pattern'])}; got {got}"
    if kind == "string_too_long":
        return f"expected at most {ctx['max_length']} characters; got {len(value)}"
    if kind == "string_too_short":
        return "expected non-empty text" if ctx.get("min_length") == 1 else f"expected at least {ctx['min_length']} characters"
    if kind == "string_type":
        return f"expected text (a JSON string); got {got}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"expected a whole number; got {got}"
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return f"expected a number; got {got}"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        words = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most", "less_than": "less than"}
        bound = next(iter(ctx.values()))
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        return f"expected a number that is {words[kind]} {bound}; got {got}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false; got {got}"
    if kind == "list_type":
        return f"expected a list; got {got}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected an object; got {got}"
    if kind == "json_invalid":
        reason = str(ctx.get("error", detail["msg"]))
        if "recursion limit" in reason:
            return f"expected at most {MAX_DEPTH} levels of nested nodes; the JSON nests too deeply to read ({reason})"
        return f"expected valid JSON: {reason}"
    return detail["msg"]


def _as_clause(description: str) -> str:
    """A field description ("The button's text.") as part of a sentence."""
    return description[:1].lower() + description[1:].rstrip(".")
