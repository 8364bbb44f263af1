"""The manifest's JSON Schema, generated from the models."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from ..views.documents import CapsuleJsonSchema, publish
from .model import Manifest

MANIFEST_SCHEMA_ID = "urn:capsule:schema:manifest:0.1"


@cache
def _schema() -> dict[str, Any]:
    return publish(
        Manifest.model_json_schema(by_alias=True, schema_generator=CapsuleJsonSchema),
        schema_id=MANIFEST_SCHEMA_ID,
        title="Capsule program manifest",
        description="manifest.json at the root of a Capsule program: what it is, what it may touch, and why.",
    )


def manifest_schema() -> dict[str, Any]:
    """The manifest's JSON Schema (Draft 2020-12); a copy, yours to change."""
    return copy.deepcopy(_schema())


@cache
def manifest_validator() -> Draft202012Validator:
    """A jsonschema validator for manifests, built once."""
    return Draft202012Validator(_schema())
