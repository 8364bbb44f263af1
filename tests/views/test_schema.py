"""The view's published schema agrees with the models on a table of examples."""

from __future__ import annotations

import copy
import importlib.util
import json

import pytest
from jsonschema import Draft202012Validator

from capsule.runtime.errors import ViewError
from capsule.runtime.views import parse_view, view_schema

from ..conftest import REPO
from .examples import EVERY_NODE, INVALID, nested, page

VALIDATOR = Draft202012Validator(view_schema())


def _models_accept(view) -> bool:
    try:
        parse_view(json.dumps(view))
    except ViewError:
        return False
    return True


def test_schema_is_draft_2020_12_with_our_id():
    schema = view_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:capsule:schema:view:0.1"
    assert schema["title"] == "Capsule view"


@pytest.mark.parametrize("node", EVERY_NODE.values(), ids=list(EVERY_NODE))
def test_both_accept_valid_views(node):
    view = page(node, name="index")
    assert _models_accept(view)
    assert VALIDATOR.is_valid(view), list(VALIDATOR.iter_errors(view))


@pytest.mark.parametrize("view", [case[1] for case in INVALID], ids=[case[0] for case in INVALID])
def test_schema_rejects_what_the_models_reject(view):
    assert not _models_accept(view)
    assert not VALIDATOR.is_valid(view)


def test_limits_beyond_a_schema_are_the_hosts_alone():
    too_deep = nested(40)
    assert VALIDATOR.is_valid(too_deep) and not _models_accept(too_deep)


def test_views_built_with_the_guest_sdk_are_valid():
    # Load the builders straight from the file: capsule_sdk itself needs a component.
    spec = importlib.util.spec_from_file_location("sdk_view", REPO / "sdk" / "python" / "capsule_sdk" / "view.py")
    v = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(v)
    view = v.page(
        "Shop",
        v.text("Hi", style="title"),
        v.row(v.image("assets/a.png", "A"), v.column(v.price(1250, "CNY", "Total"), gap=2)),
        v.button("Buy", "buy", {"sku": "a"}, style="primary"),
        v.form("order", v.input("qty", "How many", kind="number"), submit_label="Order"),
        v.list_view([v.text("one"), v.text("two")], handler="pick"),
        v.divider(),
        v.spacer(),
        v.qr("capsule://x"),
        v.map_pin(1.5, 2.5, "Here"),
    )
    view["name"] = "index"  # as App._render adds it
    assert VALIDATOR.is_valid(view)
    assert parse_view(json.dumps(view))["children"][0]["text"] == "Hi"
    assert copy.deepcopy(view) == view
