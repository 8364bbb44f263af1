"""The manifest's messages section: templates with typed fields, each problem named."""

from __future__ import annotations

import copy

import pytest

from capsule.runtime.capabilities.messages.errors import BadMessage
from capsule.runtime.capabilities.messages.templates import check_fields, check_target, find_template
from capsule.runtime.errors import ManifestError
from capsule.runtime.manifest import load_manifest

from ..manifest.examples import FULL


def manifest_with(messages):
    data = copy.deepcopy(FULL)
    data["permissions"]["messages"] = messages
    return data


def problems(data) -> str:
    with pytest.raises(ManifestError) as caught:
        load_manifest(data)
    return str(caught.value) + " ".join(p.message + p.pointer for p in getattr(caught.value, "problems", []))


def test_the_full_manifest_declares_messages():
    manifest = load_manifest(FULL)
    assert "messages" in manifest.declared_capabilities()
    template = find_template(manifest, "order-ready")
    assert template.fields == {"order": "code", "total": "amount"}


def test_template_problems_are_named():
    base = FULL["permissions"]["messages"]
    bad_type = manifest_with({**base, "templates": [{**base["templates"][0], "fields": {"order": "html"}}]})
    assert "html" in problems(bad_type)
    twice = manifest_with({**base, "templates": [base["templates"][0], base["templates"][0]]})
    assert "used twice" in problems(twice)
    bad_id = manifest_with({**base, "templates": [{**base["templates"][0], "id": "Order Ready"}]})
    assert "template id" in problems(bad_id)
    no_reason = manifest_with({**base, "templates": [{k: v for k, v in base["templates"][0].items() if k != "reason"}]})
    assert "reason" in problems(no_reason)


def test_field_values_are_checked_against_the_template():
    template = find_template(load_manifest(FULL), "order-ready")
    assert check_fields(template, {"order": "A17", "total": "1250 CNY"}) == {"order": "A17", "total": "1250 CNY"}
    for values, words in [
        ({"order": "A17"}, "missing total"),
        ({"order": "A17", "total": "1250 CNY", "x": 1}, "not in the template"),
        ({"order": "<b>", "total": "1250 CNY"}, "field 'order' must be"),
        ({"order": "A17", "total": 12.5}, "field 'total' must be money"),
        ("A17", "must be an object"),
    ]:
        with pytest.raises(BadMessage, match=words):
            check_fields(template, values)
    with pytest.raises(BadMessage, match="not declared"):
        find_template(load_manifest(FULL), "free-money")


def test_pages_and_params_follow_the_launch_address_rules():
    manifest = load_manifest(FULL)
    assert check_target(manifest, "receipt_view", {"order": "A17"}) == ("receipt_view", {"order": "A17"})
    with pytest.raises(BadMessage, match="not a page"):
        check_target(manifest, "admin", {})
    with pytest.raises(BadMessage, match="params"):
        check_target(manifest, "receipt_view", {"order": "<script>"})
