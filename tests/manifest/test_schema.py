"""The manifest's published schema: fresh, valid Draft 2020-12, and in
agreement with the models."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from capsule.runtime.manifest import Manifest, manifest_schema
from capsule.runtime.schemas import SCHEMA_DIR, render, schemas, stale_schemas

from .examples import FULL, MINIMAL, changed


def test_committed_schema_files_equal_fresh_ones():
    assert stale_schemas() == [], "run `python -m capsule.runtime.schemas` and commit sdk/schema/"
    for name, schema in schemas().items():
        assert json.loads((SCHEMA_DIR / name).read_text()) == schema
        assert (SCHEMA_DIR / name).read_text() == render(schema)


def test_check_entry_point_agrees():
    result = subprocess.run([sys.executable, "-m", "capsule.runtime.schemas", "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr


def test_schema_is_draft_2020_12_with_our_id():
    schema = manifest_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:capsule:schema:manifest:0.1"


def test_every_field_is_described():
    schema = manifest_schema()
    for name, field in schema["properties"].items():
        assert field.get("description"), name
    for definition, body in schema["$defs"].items():
        for name, field in body.get("properties", {}).items():
            assert field.get("description"), f"{definition}.{name}"


def test_schema_copy_is_yours():
    manifest_schema()["properties"].clear()
    assert manifest_schema()["properties"]


# Documents the schema must judge as the models do.
AGREE_VALID = [FULL, MINIMAL, changed(MINIMAL, "permissions", {"qr": {"reason": "Scan codes.", "scan": False}})]
AGREE_INVALID = [
    changed(FULL, "id", "Coffee"),
    changed(FULL, "id", "a" * 124 + ".b.c.d"),
    changed(FULL, "version", "1.0"),
    changed(FULL, "permissions/location/reason", delete=True),
    changed(FULL, "permissions/location/precision", "exact"),
    changed(FULL, "permissions/camera", {"reason": "Takes pictures."}),
    changed(FULL, "permissions/storage", None),
    changed(FULL, "permissions/storage/quota_bytes", 0),
    changed(FULL, "permissions/storage/quota_bytes", True),
    changed(FULL, "permissions/payments/currencies", ["EUR", "EUR"]),
    changed(FULL, "permissions/network/hosts", ["*.example"]),
    changed(FULL, "permissions/network/hosts", ["api.example.com:0"]),
    changed(FULL, "permissions/network/hosts", ["api.example.com/path"]),
    changed(FULL, "permissions/media/kinds", []),
    changed(FULL, "name", {}),
    changed(FULL, "name/EN", "Coffee"),
    changed(FULL, "description/en", "x" * 401),
    changed(FULL, "keywords/en", ["x" * 33]),
    changed(FULL, "keywords/en", ["a", "a"]),
    changed(FULL, "icon", "assets/../x.png"),
    changed(FULL, "pages/0/indexed", "no"),
    changed(FULL, "pages/0/extra", 1),
    changed(FULL, "data_practices/retention_days", -1),
    changed(FULL, "data_practices/shared_with_third_parties", delete=True),
    changed(FULL, "developer/email", "not an address"),
    changed(FULL, "developer/url", "ftp://coffee.example"),
    changed(FULL, "$schema", None),
    changed(FULL, "category", "Food"),
    changed(MINIMAL, "pages", [{"title": {"en": "No name"}}]),
]
# Rules a JSON Schema cannot state: only the models check them.
RULES_ONLY = [
    changed(FULL, "name", {"nl": "Koffiebar"}),
    changed(FULL, "description", {"nl": "Bestel vooraf."}),
    changed(FULL, "pages/0/title", {"nl": "Menukaart"}),
    changed(FULL, "pages/1/name", "index"),
]


def _model_accepts(document) -> bool:
    try:
        Manifest.model_validate(document)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("document", AGREE_VALID)
def test_schema_and_models_accept_valid_manifests(document):
    assert Draft202012Validator(manifest_schema()).is_valid(document)
    assert _model_accepts(document)


@pytest.mark.parametrize("document", AGREE_INVALID)
def test_schema_rejects_what_the_models_reject(document):
    assert not _model_accepts(document)
    assert not Draft202012Validator(manifest_schema()).is_valid(document)


@pytest.mark.parametrize("document", RULES_ONLY)
def test_cross_field_rules_are_the_models_alone(document):
    assert Draft202012Validator(manifest_schema()).is_valid(document)
    assert not _model_accepts(document)
