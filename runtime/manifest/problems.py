"""Validation errors turned into Problems: a JSON pointer and what is expected.

jsonschema's and pydantic's own messages describe the check that failed
("'x' does not match '^[a-z]...'"); a developer needs the rule in words and
the value that broke it, so each kind of failure gets its own wording here.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from jsonschema import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from pydantic import ValidationError

from ..errors import Problem
from ..views.documents import describe_value as got
from ..views.documents import json_pointer as pointer
from ..views.documents import pattern_words
from .permissions import ALWAYS_AVAILABLE


def quoted(values: Iterable[Any]) -> str:
    return ", ".join(json.dumps(value, ensure_ascii=False) for value in values)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# -- jsonschema ------------------------------------------------------------------


def schema_problems(errors: Iterable[SchemaError], root: dict[str, Any]) -> list[Problem]:
    """One or more Problems per jsonschema error, sorted by pointer, without repeats."""
    found: dict[tuple[str, str], Problem] = {}
    for error in errors:
        for problem in _from_schema_error(error, root):
            found.setdefault((problem.pointer, problem.message), problem)
    return sorted(found.values(), key=lambda p: _sort_key(p.pointer))


def _sort_key(pointer_text: str) -> list[tuple[int, int, str]]:
    # Numeric segments sort as numbers, so /pages/2 comes before /pages/10.
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in pointer_text.split("/")]


def _from_schema_error(error: SchemaError, root: dict[str, Any]) -> list[Problem]:
    where = pointer(error.absolute_path)
    keyword = error.validator
    value = error.validator_value
    instance = error.instance
    schema_path = list(error.relative_schema_path)

    if len(schema_path) >= 2 and schema_path[-2] == "propertyNames":
        # A key failed its pattern: point at the key itself.
        key_rule = _describe({"type": "string", **error.schema}, root)
        return [Problem(f"{where}{pointer([instance])}", f"expected a key that is {key_rule}; got {got(instance)}")]
    if keyword == "required":
        properties = error.schema.get("properties", {})
        return [
            Problem(f"{where}{pointer([name])}", f'missing required field "{name}": expected {_describe(properties.get(name, {}), root)}')
            for name in value
            if isinstance(instance, dict) and name not in instance
        ]
    if keyword == "additionalProperties" and value is False:
        allowed = list(error.schema.get("properties", {}))
        extras = [key for key in instance if key not in allowed]
        return [Problem(f"{where}{pointer([key])}", _unexpected_key(key, allowed, error.schema)) for key in extras]
    if keyword in {"anyOf", "oneOf"} and error.context:
        # Report the branch that came closest rather than "not valid under any".
        return _from_schema_error(best_match(error.context), root)
    return [Problem(where, _schema_message(keyword, value, instance, error.schema, root))]


def _unexpected_key(key: str, allowed: list[str], schema: dict[str, Any]) -> str:
    if schema.get("title") == "Permissions":
        if key in ALWAYS_AVAILABLE:
            return f'"{key}" is always available and takes no entry; expected one of: {", ".join(allowed)}'
        message = f'unknown capability "{key}"; expected one of: {", ".join(allowed)} (ui and log need no entry)'
    else:
        message = f'unexpected field "{key}"; expected one of: {", ".join(allowed)}'
    close = difflib.get_close_matches(key, allowed, n=1)
    return message + (f'; did you mean "{close[0]}"?' if close else "")


def _schema_message(keyword: str, value: Any, instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> str:
    if keyword == "type":
        return f"expected {_describe(schema, root)}; got {got(instance)}"
    if keyword == "enum":
        return f"expected one of {quoted(value)}; got {got(instance)}"
    if keyword == "const":
        return f"expected {quoted([value])}; got {got(instance)}"
    if keyword == "pattern":
        return f"expected {pattern_words(value)}; got {got(instance)}"
    if keyword == "minLength":
        return "expected non-empty text" if value == 1 else f"expected at least {_plural(value, 'character')}; got {len(instance)}"
    if keyword == "maxLength":
        return f"expected at most {_plural(value, 'character')}; got {len(instance)}"
    if keyword == "minItems":
        return f"expected at least {_plural(value, 'item')}; got {len(instance)}"
    if keyword == "maxItems":
        return f"expected at most {_plural(value, 'item')}; got {len(instance)}"
    if keyword == "minProperties":
        return f"expected at least {'1 entry' if value == 1 else f'{value} entries'}; got an empty object"
    if keyword == "uniqueItems":
        repeated = next(item for index, item in enumerate(instance) if item in instance[:index])
        return f"expected each item once; {got(repeated)} appears more than once"
    if keyword in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        return f"expected a number that is {words[keyword]} {value}; got {got(instance)}"
    if keyword == "additionalProperties":
        return f"expected {_describe(value, root)}"
    return f"breaks the schema's {keyword!r} rule; got {got(instance)}"


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    # Only the local references pydantic writes: "#/$defs/Name".
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/$defs/"):
        schema = {**root["$defs"][schema["$ref"].removeprefix("#/$defs/")], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema if isinstance(schema, dict) else {}


def _describe(schema: Any, root: dict[str, Any]) -> str:
    """What a schema accepts, in a few words."""
    schema = _resolve(schema, root)
    if "const" in schema:
        return quoted([schema["const"]])
    if "enum" in schema:
        return f"one of {quoted(schema['enum'])}"
    kind = schema.get("type")
    if kind == "string":
        low, high = schema.get("minLength"), schema.get("maxLength")
        if "pattern" in schema:
            words = pattern_words(schema["pattern"])
            return f"{words}, {low} to {high} characters" if low and low > 1 and high else words
        if high is not None:
            return f"text of {low or 0} to {high} characters" if low and low > 1 else f"text of at most {_plural(high, 'character')}"
        return "non-empty text" if low == 1 else "text"
    if kind == "integer":
        return "a whole number" + _range(schema)
    if kind == "number":
        return "a number" + _range(schema)
    if kind == "boolean":
        return "true or false"
    if kind == "array":
        items = schema.get("items")
        return f"a list, each item {_describe(items, root)}" if items else "a list"
    if kind == "object":
        if "propertyNames" in schema:
            return f"an object whose keys are {_describe({'type': 'string', **schema['propertyNames']}, root)}"
        return "an object"
    return "a value"


def _range(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


# -- pydantic --------------------------------------------------------------------


def model_problems(error: ValidationError) -> list[Problem]:
    """Problems from a pydantic error; our own rules carry `at`, a pointer
    below the field that reached the failing item."""
    problems = []
    for detail in error.errors(include_url=False):
        loc = list(detail["loc"])
        if loc and loc[-1] == "[key]":  # a dict key failed: point at the key
            loc.pop()
        ctx = detail.get("ctx") or {}
        where = pointer(loc) + str(ctx.get("at", ""))
        problems.append(Problem(where, _model_message(detail)))
    return sorted(problems, key=lambda p: _sort_key(p.pointer))


def _model_message(detail: Any) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == "missing":
        return f'missing required field "{detail["loc"][-1]}"'
    if kind == "extra_forbidden":
        return f'unexpected field "{detail["loc"][-1]}"'
    if kind == "string_pattern_mismatch":
        return f"expected {pattern_words(ctx['pattern'])}; got {got(detail['input'])}"
    if kind == "literal_error":
        return f"expected {ctx['expected'].replace(' or ', ', ')}; got {got(detail['input'])}"
    # Our own rules' messages already say what is expected.
    return detail["msg"]
