"""The hot path's check of a view: the models' rules, validated straight into plain data.

`parse_view` is what a program's every event ends with. Validating into the
pydantic models of `nodes.py` (the source of the published JSON Schema) and
dumping them back to dicts allocates two trees per view; inside a host call,
right after the guest ran, that costs three times what it costs alone, and
it slows the guest's next steps too (their data no longer in the CPU's
caches). So each model has a mirror here as a TypedDict, built from the
model's own fields (types, constraints, strictness, no unknown keys: nothing
written down twice), which pydantic validates straight into dicts; the
models' defaults are then filled in.

It only ever accepts. Whatever it does not accept goes to the models, which
report every problem with its JSON pointer. A view holding a JSON null
always goes there too: only the models decide which nulls a view keeps
(`data` passes them through) and which it refuses (every optional field).
"""

from __future__ import annotations

import copy
import types
import typing
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined
from typing_extensions import NotRequired, Required, TypedDict

from .documents import NotNull
from .nodes import CONTAINER_FIELDS, NODE_MODELS, ViewNode

#: Per node type: the fields a node left out gets, with their values.
DEFAULTS: dict[str, dict[str, Any]] = {}


def _not_null(annotation: Any) -> Any:
    """`X | None` as `X`: an optional field may be left out, never null."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else Union[tuple(kept)]  # noqa: UP007 - built at run time
    return annotation


def _mirror(kind: str, model: type[ViewNode]) -> Any:
    fields: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        metadata = [item for item in field.metadata if not isinstance(item, NotNull)]
        annotation = list["FastNode"] if name in CONTAINER_FIELDS else _not_null(field.annotation)
        checked = Annotated[annotation, *metadata] if metadata else annotation
        fields[name] = Required[checked] if field.is_required() else NotRequired[checked]
        if field.default_factory is not None:
            defaults[name] = field.default_factory()
        elif field.default not in (PydanticUndefined, None):
            defaults[name] = field.default
    mirror = TypedDict(f"Fast{model.__name__}", fields)  # type: ignore[operator]
    mirror.__pydantic_config__ = model.model_config  # type: ignore[attr-defined]
    DEFAULTS[kind] = defaults
    return mirror


_MIRRORS = {kind: _mirror(kind, model) for kind, model in NODE_MODELS.items()}
# The containers name their children "FastNode"; pydantic resolves it in this module.
globals().update({mirror.__name__: mirror for mirror in _MIRRORS.values()})
FastNode = Annotated[
    Union[tuple(mirror for kind, mirror in _MIRRORS.items() if kind != "page")],  # noqa: UP007 - built at run time
    Field(discriminator="type"),
]
_PAGE = TypeAdapter(_MIRRORS["page"])


def fast_view(text: str | bytes) -> dict[str, Any] | None:
    """The view as plain data with defaults filled in; None when the models must judge it."""
    if (b"null" if isinstance(text, bytes) else "null") in text:
        return None
    try:
        view = _PAGE.validate_json(text)
    except (ValidationError, ValueError, RecursionError):
        return None
    _fill(view)
    return view


def _fill(node: dict[str, Any]) -> None:
    for name, value in DEFAULTS[node["type"]].items():
        if name not in node:
            node[name] = copy.copy(value)
    for name in CONTAINER_FIELDS:
        for child in node.get(name, ()):
            _fill(child)
