"""Reading manifest.json: JSON, then the published schema, then the model's rules."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from ..errors import ManifestError, Problem
from .model import Manifest
from .problems import model_problems, schema_problems
from .schema import manifest_validator


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys; a reviewer might read the
    # first. A signed document must mean one thing, so repeats are errors.
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKey(key)
        document[key] = value
    return document


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(data: bytes | str, source: str | None = None) -> Any:
    """The JSON value in `data`; a ManifestError locating any syntax error."""
    try:
        # A byte order mark is harmless; some editors write one.
        text = data.decode("utf-8-sig") if isinstance(data, (bytes, bytearray)) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise ManifestError([Problem("", f"expected UTF-8 text; byte {error.start} is not UTF-8")], source=source) from None
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        problem = Problem("", f"expected valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")
    except _DuplicateKey as error:
        problem = Problem("", f'expected each key once per object; "{error.key}" appears twice in one object')
    except ValueError as error:  # NaN, Infinity
        problem = Problem("", f"expected valid JSON: {error}")
    raise ManifestError([problem], source=source)


def load_manifest(data: bytes | str | dict[str, Any], *, source: str | None = None) -> Manifest:
    """Parse and check a manifest; raises ManifestError listing every problem.

    `source` names the file in messages. The JSON Schema is checked first and
    all its errors are reported together; the model's cross-field rules
    (default locale present, unique page names) run once the schema passes.
    """
    document = data if isinstance(data, dict) else parse_json(data, source)
    validator = manifest_validator()
    problems = schema_problems(validator.iter_errors(document), validator.schema)
    if problems:
        raise ManifestError(problems, source=source)
    try:
        return Manifest.model_validate(document)
    except ValidationError as error:
        raise ManifestError(model_problems(error), source=source) from None
