"""One suite for both search backends (SQLite FTS5 and PostgreSQL): the `database` fixture runs it on each."""

from __future__ import annotations

import pytest

from capsule.runtime.manifest import load_manifest
from capsule.runtime.search import SearchIndex, document_from_manifest

from .corpus import CATALOGUE, NOW, QUERIES


@pytest.fixture
def index(database) -> SearchIndex:
    index = SearchIndex(database)
    for document in CATALOGUE:
        index.put(document)
    return index


def top(index: SearchIndex, query: str, **options) -> list[str]:
    return [hit.app_id for hit in index.search(query, now=NOW, **options)]


def test_labelled_queries_mean_reciprocal_rank(index: SearchIndex) -> None:
    assert len(QUERIES) >= 50
    reciprocal, misses = [], []
    for query, expected in QUERIES:
        found = top(index, query, limit=10)
        rank = found.index(expected) + 1 if expected in found else None
        reciprocal.append(1 / rank if rank else 0.0)
        if rank != 1:
            misses.append((query, expected, found[:3]))
    mrr = sum(reciprocal) / len(reciprocal)
    assert mrr >= 0.8, f"MRR {mrr:.3f}; misses: {misses}"


@pytest.mark.parametrize("query", ["coffee", "cof", "cofee", "koffie", "咖啡", "café", "kaffee"])
def test_the_issue_examples_find_the_coffee_shop_first(index: SearchIndex, query: str) -> None:
    assert top(index, query)[0] == "com.example.coffee"


def test_short_words_get_no_typo_tolerance(index: SearchIndex) -> None:
    # "taxo" is 4 letters: a typo there would match too much to be useful.
    assert top(index, "taxo") == []


def test_category_filter(index: SearchIndex) -> None:
    found = top(index, "bestel", category="food")
    assert found and all(app_id in {"com.example.coffee", "com.example.menu", "com.example.restaurant"} for app_id in found)


def test_launches_lift_a_program_among_equal_matches(index: SearchIndex) -> None:
    # coffee and taxi both say "bestel" once in a description: equal relevance.
    before = top(index, "bestel")
    assert before.index("com.example.coffee") < before.index("com.example.taxi")
    for _ in range(50):
        index.record_launch("com.example.taxi", now=NOW)
    after = top(index, "bestel")
    assert after.index("com.example.taxi") < after.index("com.example.coffee")


def test_launch_counts_decay(index: SearchIndex) -> None:
    def score() -> float:
        return next(hit.score for hit in index.search("taxi", now=NOW))

    before = score()
    for _ in range(50):
        index.record_launch("com.example.taxi", now=NOW - 365 * 86400)
    assert score() < before * 1.001  # a year is 26 half-lives: nothing left


def test_removed_programs_do_not_appear(index: SearchIndex) -> None:
    index.remove("com.example.coffee")
    assert "com.example.coffee" not in top(index, "coffee")


def test_display_name_follows_language(index: SearchIndex) -> None:
    hit = index.search("咖啡", language="zh-Hans", now=NOW)[0]
    assert hit.name == "街角咖啡"
    assert index.search("koffie", language="nl", now=NOW)[0].name == "Hoekkoffie"


def test_pages_can_keep_out_of_the_index(database) -> None:
    manifest = load_manifest(
        {
            "id": "com.example.pages",
            "version": "1.0.0",
            "default_locale": "en",
            "name": {"en": "Pages"},
            "description": {"en": "A program with pages"},
            "category": "tools",
            "pages": [
                {"name": "home", "title": {"en": "Lighthouse"}},
                {"name": "secret", "title": {"en": "Zeppelin"}, "indexed": False},
            ],
        }
    )
    index = SearchIndex(database)
    index.put(document_from_manifest(manifest, NOW))
    assert top(index, "lighthouse") == ["com.example.pages"]
    assert top(index, "zeppelin") == []


def test_hostile_queries_are_just_text(index: SearchIndex) -> None:
    for query in ['"', "*", "a OR b", "NEAR(", "'; DROP TABLE x;--", ":*", "&|!<->", "\x00", "x" * 5000, ""]:
        index.search(query, now=NOW)


def test_nearby_lists_programs_with_a_place_close_by(database) -> None:
    from dataclasses import replace

    index = SearchIndex(database)
    dam, zuid, utrecht = (52.3731, 4.8926), (52.3389, 4.8722), (52.0907, 5.1214)
    coffee, bakery, taxi = (next(d for d in CATALOGUE if d.app_id == f"com.example.{n}") for n in ("coffee", "bakery", "taxi"))
    index.put(replace(coffee, places=(zuid, utrecht)))
    index.put(replace(bakery, places=(dam,)))
    index.put(taxi)  # no place: never nearby
    nearby = index.search("", near=dam, now=NOW)
    assert [hit.app_id for hit in nearby] == ["com.example.bakery", "com.example.coffee"]
    assert nearby[0].distance_km < 0.01 and 3.5 < nearby[1].distance_km < 4.5
    assert [hit.app_id for hit in index.search("koffie", near=utrecht, now=NOW)] == ["com.example.coffee"]
    assert index.search("taxi", near=dam, now=NOW) == []
    assert index.search("", near=dam, radius_km=1, now=NOW)[0].app_id == "com.example.bakery"
    assert len(index.search("", near=dam, radius_km=1, now=NOW)) == 1
    index.put(replace(bakery, places=()))
    assert [hit.app_id for hit in index.search("", near=dam, now=NOW)] == ["com.example.coffee"]
