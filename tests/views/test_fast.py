"""The hot path's view check agrees with the models: it accepts only what they accept, as the same data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from capsule.runtime.views.fast import fast_view
from capsule.runtime.views.parse import _PAGE

from .examples import EVERY_NODE, INVALID, page


def by_models(text: str) -> dict[str, Any] | None:
    """What the models make of `text`, or None when they refuse it."""
    try:
        return _PAGE.validate_json(text).model_dump(mode="json", exclude_none=True)
    except ValidationError:
        return None


@pytest.mark.parametrize("kind", sorted(EVERY_NODE))
def test_every_node_type_gives_the_same_data(kind):
    text = json.dumps(page(EVERY_NODE[kind], name="index"))
    fast = fast_view(text)
    if "null" in text:
        assert fast is None  # the models decide about nulls
    else:
        assert fast == by_models(text)


@pytest.mark.parametrize(("case", "view"), [(case, view) for case, view, _, _ in INVALID], ids=[c for c, *_ in INVALID])
def test_what_the_models_refuse_the_fast_path_refuses(case, view):
    assert fast_view(json.dumps(view)) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
FIELDS = ["type", "text", "style", "src", "alt", "width", "label", "handler", "data", "disabled", "name", "kind",
          "value", "amount", "currency", "latitude", "gap", "children", "items", "title", "submit_label"]  # fmt: skip


@st.composite
def mutated_views(draw: st.DrawFn) -> str:
    """A valid view with one field of one node set to anything, or dropped."""
    nodes = draw(st.lists(st.sampled_from(sorted(EVERY_NODE)), min_size=1, max_size=4))
    view = page(*[json.loads(json.dumps(EVERY_NODE[kind])) for kind in nodes])
    target = draw(st.sampled_from([view, *view["children"]]))
    field = draw(st.sampled_from(FIELDS))
    if draw(st.booleans()):
        target.pop(field, None)
    else:
        target[field] = draw(JSON)
    return json.dumps(view)


@settings(max_examples=400, deadline=None)
@given(mutated_views())
def test_the_fast_path_never_accepts_more_and_agrees_when_it_accepts(text):
    fast = fast_view(text)
    if fast is not None:
        assert fast == by_models(text)
