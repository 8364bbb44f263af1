"""Loading manifests: the valid ones, and what each mistake is told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capsule.runtime.errors import ManifestError, Problem
from capsule.runtime.manifest import Manifest, Version, load_manifest

from ..conftest import HELLO, PROGRAMS, REPO
from .examples import FULL, MINIMAL, changed


def problems_of(data) -> list[Problem]:
    with pytest.raises(ManifestError) as caught:
        load_manifest(data, source="manifest.json")
    assert caught.value.code == "invalid-manifest"
    assert caught.value.source == "manifest.json"
    return caught.value.problems


def only_problem(data) -> Problem:
    problems = problems_of(data)
    assert len(problems) == 1, problems
    return problems[0]


# -- valid manifests -------------------------------------------------------------


def test_full_manifest_loads_from_bytes_str_and_dict():
    text = json.dumps(FULL)
    for data in (text.encode(), text, FULL, "\ufeff" + text):
        manifest = load_manifest(data)
        assert manifest.id == "com.example.coffee-shop"
        assert manifest.version == Version(1, 2, 0, ("beta", "1"))
        assert str(manifest.version) == "1.2.0-beta.1+build.7"


def test_full_manifest_convenience():
    manifest = load_manifest(FULL)
    assert manifest.declared_capabilities() == {"storage", "payments", "profile", "location", "media", "qr", "network", "messages"}
    assert manifest.entry_page == "index"
    assert manifest.localized("name") == "Coffee Shop"
    assert manifest.localized("name", "nl") == "Koffiebar"
    assert manifest.localized("name", "nl-BE") == "Koffiebar"  # same language
    assert manifest.localized("name", "zh-CN") == "咖啡店"  # same language, other script/region
    assert manifest.localized("name", "fr") == "Coffee Shop"  # default locale
    assert manifest.localized("description", "nl") == "Bestel vooraf."
    assert manifest.page_title("index", "nl") == "Menukaart"
    assert manifest.page_title("receipt_view") == "Coffee Shop"  # no title: the program's name
    assert manifest.permission("location").precision == "precise"
    assert manifest.permission("network").hosts == ["api.coffee.example", "*.cdn.example:8443"]
    assert manifest.permission("ui") is None
    assert [name for name, _ in manifest.permissions_items()] == [
        "storage", "payments", "profile", "location", "media", "qr", "network", "messages"
    ]
    assert manifest.pages[1].indexed is False and manifest.pages[0].indexed is True
    assert manifest.data_practices.retention_days == 90
    assert manifest.developer.email == "dev@coffee.example"


def test_minimal_manifest_gets_the_defaults():
    manifest = load_manifest(MINIMAL)
    assert manifest.declared_capabilities() == set()
    assert manifest.min_host_version == Version(0, 1, 0)
    assert manifest.keywords is None and manifest.icon is None and manifest.data_practices is None


def test_permission_defaults():
    manifest = load_manifest(
        changed(
            MINIMAL,
            "permissions",
            {
                "location": {"reason": "Shows shops near you."},
                "profile": {"reason": "Greets you by name."},
                "media": {"reason": "Attach a photo."},
                "qr": {"reason": "Scan table codes."},
                "storage": {"reason": "Keeps your cart."},
            },
        )
    )
    assert manifest.permission("location").precision == "fuzzy"
    assert manifest.permission("profile").fields == ["nickname", "avatar", "locale"]
    assert manifest.permission("media").kinds == ["image"]
    assert manifest.permission("qr").scan is True
    assert manifest.permission("storage").quota_bytes is None
    settings = manifest.permission("location").model_dump(mode="json", exclude={"reason"}, exclude_none=True)
    assert settings == {"precision": "fuzzy"}


def test_manifest_is_immutable():
    manifest = load_manifest(MINIMAL)
    with pytest.raises(Exception):
        manifest.id = "com.example.other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "path",
    [HELLO / "manifest.json", PROGRAMS / "hostile" / "manifest.json"],
    ids=["hello", "hostile"],
)
def test_shipped_manifests_load(path: Path):
    assert load_manifest(path.read_bytes(), source=str(path)).entry_page == "index"


def test_new_program_template_loads():
    template = (REPO / "sdk" / "templates" / "python" / "manifest.json").read_text()
    filled = template.replace("{{app_id}}", "com.example.my-app").replace("{{title}}", "My App").replace("{{name}}", "my-app")
    assert load_manifest(filled).localized("name") == "My App"


# -- malformed manifests: where, and what is expected ---------------------------

MALFORMED = [
    # (case, document, pointer, words the message must contain)
    ("bad id", changed(FULL, "id", "Coffee"), "/id", ['reverse-DNS id such as "com.example.hello"', 'got "Coffee"']),
    ("two-label id", changed(FULL, "id", "com.example"), "/id", ["at least 3 labels"]),
    ("bad version", changed(FULL, "version", "1.0"), "/version", ["semantic version MAJOR.MINOR.PATCH", 'got "1.0"']),
    ("v-prefixed version", changed(FULL, "version", "v1.0.0"), "/version", ['no "v"']),
    (
        "missing reason",
        changed(FULL, "permissions/location/reason", delete=True),
        "/permissions/location/reason",
        ['missing required field "reason"', "5 to 200 characters"],
    ),
    (
        "short reason",
        changed(FULL, "permissions/qr/reason", "why"),
        "/permissions/qr/reason",
        ["expected at least 5 characters; got 3"],
    ),
    (
        "unknown capability",
        changed(FULL, "permissions/camera", {"reason": "Takes pictures."}),
        "/permissions/camera",
        ['unknown capability "camera"', "storage, payments, profile, location, media, qr, network"],
    ),
    (
        "ui needs no entry",
        changed(FULL, "permissions/ui", {"reason": "Shows things."}),
        "/permissions/ui",
        ['"ui" is always available'],
    ),
    (
        "wrong precision",
        changed(FULL, "permissions/location/precision", "exact"),
        "/permissions/location/precision",
        ['expected one of "fuzzy", "precise"; got "exact"'],
    ),
    (
        "name without default locale",
        changed(FULL, "name", {"nl": "Koffiebar"}),
        "/name",
        ['default locale "en"', 'found only "nl"'],
    ),
    (
        "page title without default locale",
        changed(FULL, "pages/0/title", {"nl": "Menukaart"}),
        "/pages/0/title",
        ['default locale "en"'],
    ),
    (
        "duplicate page",
        changed(FULL, "pages/2/name", "index"),
        "/pages/2/name",
        ['page name used once; "index" is already the name of /pages/0'],
    ),
    (
        "typo in a permission",
        changed(changed(FULL, "permissions/storage/quota_byte", 10), "permissions/storage/quota_bytes", delete=True),
        "/permissions/storage/quota_byte",
        ['unexpected field "quota_byte"', 'did you mean "quota_bytes"?'],
    ),
    (
        "currency in lowercase",
        changed(FULL, "permissions/payments/currencies/1", "cny"),
        "/permissions/payments/currencies/1",
        ["ISO 4217 currency code", 'got "cny"'],
    ),
    (
        "host with a scheme",
        changed(FULL, "permissions/network/hosts/0", "https://api.coffee.example/v1"),
        "/permissions/network/hosts/0",
        ["no scheme, no path"],
    ),
    (
        "repeated host",
        changed(FULL, "permissions/network/hosts/1", "api.coffee.example"),
        "/permissions/network/hosts",
        ['expected each item once; "api.coffee.example" appears more than once'],
    ),
    (
        "no hosts",
        changed(FULL, "permissions/network/hosts", []),
        "/permissions/network/hosts",
        ["expected at least 1 item; got 0"],
    ),
    (
        "unknown profile field",
        changed(FULL, "permissions/profile/fields", ["nickname", "email"]),
        "/permissions/profile/fields/1",
        ['expected one of "nickname", "avatar", "locale", "phone"; got "email"'],
    ),
    (
        "quota over 100 MiB",
        changed(FULL, "permissions/storage/quota_bytes", 200 * 1024 * 1024),
        "/permissions/storage/quota_bytes",
        ["at most 104857600"],
    ),
    (
        "quota as text",
        changed(FULL, "permissions/storage/quota_bytes", "1048576"),
        "/permissions/storage/quota_bytes",
        ["expected a whole number", 'got "1048576"'],
    ),
    ("name too long", changed(FULL, "name/en", "x" * 41), "/name/en", ["at most 40 characters; got 41"]),
    ("locale in the wrong case", changed(FULL, "name/EN", "Coffee"), "/name/EN", ["BCP 47 language tag", 'got "EN"']),
    ("bad default locale", changed(FULL, "default_locale", "english"), "/default_locale", ["BCP 47 language tag"]),
    ("too many keywords", changed(FULL, "keywords/en", [f"k{i}" for i in range(21)]), "/keywords/en", ["at most 20 items"]),
    ("unknown category", changed(FULL, "category", "food-and-drink"), "/category", ['expected one of "food", "shopping"']),
    ("icon outside assets", changed(FULL, "icon", "../secret.png"), "/icon", ['under "assets/"']),
    ("no pages", changed(FULL, "pages", []), "/pages", ["at least 1 item"]),
    ("page name with capitals", changed(FULL, "pages/0/name", "Index"), "/pages/0/name", ["a page name: a lowercase letter"]),
    (
        "http privacy policy",
        changed(FULL, "data_practices/privacy_policy_url", "http://coffee.example/privacy"),
        "/data_practices/privacy_policy_url",
        ["https:// address"],
    ),
    (
        "unknown data kind",
        changed(FULL, "data_practices/collects", ["dna"]),
        "/data_practices/collects/0",
        ['expected one of "location", "contact"'],
    ),
    ("null instead of leaving out", changed(FULL, "icon", None), "/icon", ['under "assets/"', "got null"]),
    ("bad min host version", changed(FULL, "min_host_version", "0.1"), "/min_host_version", ["semantic version"]),
    ("top-level typo", changed(MINIMAL, "premissions", {}), "/premissions", ['did you mean "permissions"?']),
]


@pytest.mark.parametrize("case, document, pointer, words", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_malformed_manifest_names_the_field_and_what_is_expected(case, document, pointer, words):
    problem = only_problem(document)
    assert problem.pointer == pointer
    assert "expected" in problem.message or "always available" in problem.message
    for word in words:
        assert word in problem.message


def test_missing_required_field_points_below_the_object():
    problems = problems_of(changed(MINIMAL, "category", delete=True))
    assert [p.pointer for p in problems] == ["/category"]
    assert problems[0].message.startswith('missing required field "category": expected one of "food"')


def test_every_schema_problem_is_reported_at_once():
    document = changed(changed(changed(FULL, "id", "X"), "version", "one"), "permissions/location/precision", "exact")
    pointers = [p.pointer for p in problems_of(document)]
    assert pointers == ["/id", "/permissions/location/precision", "/version"]


def test_invalid_json_gives_the_position():
    problem = only_problem(b'{\n  "id": "com.example.hello",\n  "version": 1.0.0\n}')
    assert problem.pointer == ""
    assert problem.message.startswith("expected valid JSON:")
    assert "line 3, column" in problem.message


def test_repeated_key_is_refused():
    problem = only_problem('{"id": "com.example.a", "id": "com.example.b"}')
    assert problem.pointer == "" and '"id" appears twice' in problem.message


def test_not_utf8_and_not_an_object():
    assert "UTF-8" in only_problem(b'{"id": "\xff"}').message
    assert only_problem("[]").message == "expected an object; got a list of 0 items"
    assert "NaN" in only_problem('{"retention_days": NaN}').message


def test_error_text_lists_source_and_problems():
    with pytest.raises(ManifestError) as caught:
        load_manifest(changed(FULL, "version", "1"), source="coffee/manifest.json")
    text = str(caught.value)
    assert text.startswith("invalid manifest in coffee/manifest.json:")
    assert "  /version: expected a semantic version" in text


def test_model_applies_the_rules_without_the_loader():
    with pytest.raises(Exception) as caught:
        Manifest.model_validate(changed(FULL, "pages/1/name", "index"))
    assert "already the name of /pages/0" in str(caught.value)
