"""parse_view: what passes, what is refused, and where the problem is."""

from __future__ import annotations

import json

import pytest

from capsule.runtime.errors import Problem, ViewError
from capsule.runtime.views import MAX_DEPTH, MAX_NODES, parse_view

from .examples import EVERY_NODE, INVALID, nested, page


def problems_of(text, **options) -> list[Problem]:
    with pytest.raises(ViewError) as caught:
        parse_view(text if isinstance(text, (str, bytes)) else json.dumps(text), **options)
    assert caught.value.code == "invalid-view"
    return caught.value.problems


def only_problem(text, **options) -> Problem:
    problems = problems_of(text, **options)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize("node", EVERY_NODE.values(), ids=list(EVERY_NODE))
def test_every_node_type_is_accepted(node):
    view = parse_view(json.dumps(page(node)))
    assert view["children"][0] == _with_defaults(node)
    assert json.loads(json.dumps(view)) == view  # plain JSON data


def _with_defaults(node: dict) -> dict:
    """`node` and every node inside it, with the defaults the host fills in."""
    filled = {**_defaults(node["type"]), **node}
    for field in ("children", "items"):
        if field in filled:
            filled[field] = [_with_defaults(child) for child in filled[field]]
    return filled


def _defaults(node_type: str) -> dict:
    return {
        "text": {"style": "body"},
        "button": {"style": "secondary", "disabled": False},
        "input": {"kind": "text"},
        "column": {"children": []},
        "row": {"children": []},
        "form": {"children": []},
        "list": {"items": []},
    }.get(node_type, {})


def test_defaults_are_filled_and_absent_options_stay_absent():
    view = parse_view(json.dumps(page({"type": "button", "label": "Go", "handler": "go"})))
    assert view == {"type": "page", "title": "Test", "children": [{"type": "button", "label": "Go", "handler": "go", "style": "secondary", "disabled": False}]}


def test_bytes_and_page_name_are_accepted():
    view = parse_view(json.dumps(page(name="index")).encode())
    assert view["name"] == "index"


def test_markup_is_kept_as_text():
    text = "<b>bold</b> &amp; <script>alert(1)</script>"
    view = parse_view(json.dumps(page({"type": "text", "text": text})))
    assert view["children"][0]["text"] == text


def test_button_data_is_passed_through_unchanged():
    data = {"a": None, "nested": {"list": [1, 2.5, "x", None, True]}}
    view = parse_view(json.dumps(page({"type": "button", "label": "Go", "handler": "go", "data": data})))
    assert view["children"][0]["data"] == data


@pytest.mark.parametrize("case, view, pointer, words", INVALID, ids=[case[0] for case in INVALID])
def test_invalid_view_names_the_field_and_what_is_expected(case, view, pointer, words):
    problems = problems_of(view)
    assert pointer in [p.pointer for p in problems], problems
    problem = next(p for p in problems if p.pointer == pointer)
    for word in words:
        assert word in problem.message
    for each in problems:
        assert _parent_exists(view, each.pointer), each


def _parent_exists(document, pointer: str) -> bool:
    """The pointer's parent is in the document (the last step may be missing: a required field)."""
    target = document
    for part in pointer.split("/")[1:-1]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, list):
            target = target[int(part)]
        elif isinstance(target, dict) and part in target:
            target = target[part]
        else:
            return False
    return True


def test_all_problems_are_reported_together():
    view = page({"type": "marquee"}, {"type": "button", "label": "x", "handler": "bad handler"}, {"type": "image", "src": "javascript:x", "alt": "x"})
    pointers = [p.pointer for p in problems_of(view)]
    assert pointers == ["/children/0", "/children/1/handler", "/children/2/src"]


def test_depth_limit():
    parse_view(json.dumps(nested(MAX_DEPTH)))
    problem = only_problem(nested(MAX_DEPTH + 1))
    # The page is level 1, so the node at level MAX_DEPTH + 1 is MAX_DEPTH steps down.
    assert problem.pointer == "/children/0" * MAX_DEPTH
    assert f"at most {MAX_DEPTH} levels" in problem.message and f"level {MAX_DEPTH + 1}" in problem.message


def test_nesting_too_deep_to_read_is_a_depth_problem():
    text = '{"type":"page","title":"t","children":[' + '{"type":"column","children":[' * 500 + "]}" * 500 + "]}"
    problem = only_problem(text)
    assert problem.pointer == "" and f"at most {MAX_DEPTH} levels" in problem.message


def test_node_limit():
    parse_view(json.dumps(page(*[{"type": "divider"}] * (MAX_NODES - 1))))
    problem = only_problem(page(*[{"type": "divider"}] * MAX_NODES))
    assert problem.pointer == "" and f"at most {MAX_NODES:,} nodes" in problem.message


def test_nodes_in_lists_count_too():
    rows = [{"type": "row", "children": [{"type": "spacer"}]}] * (MAX_NODES // 2)
    assert "nodes" in only_problem(page({"type": "list", "items": rows})).message


def test_oversize_view_names_its_size_and_the_limit():
    text = json.dumps(page({"type": "text", "text": "x" * 500}))
    problem = only_problem(text, max_bytes=300)
    assert problem.pointer == ""
    assert f"{len(text):,} bytes" in problem.message and "at most 300 bytes" in problem.message


def test_size_is_measured_in_utf8_bytes():
    text = json.dumps(page({"type": "text", "text": "咖" * 100}), ensure_ascii=False)
    assert len(text) < 300 < len(text.encode())
    assert f"{len(text.encode()):,} bytes" in only_problem(text, max_bytes=300).message
    assert parse_view(text, max_bytes=len(text.encode()))["children"][0]["text"] == "咖" * 100


def test_invalid_json_and_wrong_root():
    assert only_problem('{"type": "page",').message.startswith("expected valid JSON:")
    assert only_problem(b"\xff\xfe").message.startswith("expected valid JSON:")
    assert only_problem("[]") == Problem("", "expected an object; got a list of 0 items")


def test_error_message_lists_every_problem():
    with pytest.raises(ViewError) as caught:
        parse_view(json.dumps(page({"type": "marquee"})))
    assert str(caught.value).startswith("invalid view:\n  /children/0: unknown node type")
