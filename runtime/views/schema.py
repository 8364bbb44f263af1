"""The view's JSON Schema, generated from the node models."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from .documents import CapsuleJsonSchema, publish
from .limits import MAX_DEPTH, MAX_NODES
from .nodes import Page

VIEW_SCHEMA_ID = "urn:capsule:schema:view:0.1"


@cache
def _schema() -> dict[str, Any]:
    return publish(
        TypeAdapter(Page).json_schema(schema_generator=CapsuleJsonSchema),
        schema_id=VIEW_SCHEMA_ID,
        title="Capsule view",
        description=(
            "A view a program sends to ui.render: a tree of nodes under a page. Every string is plain text. "
            f"Hosts also refuse views nested deeper than {MAX_DEPTH} levels or with more than {MAX_NODES} nodes, "
            "which a schema cannot express."
        ),
    )


def view_schema() -> dict[str, Any]:
    """The view's JSON Schema (Draft 2020-12); a copy, yours to change."""
    return copy.deepcopy(_schema())
