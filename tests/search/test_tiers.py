"""The order of evidence (relevance.py): exact name or keyword, name start,
whole words, prefixes, typos, some words; usage and freshness only within a
tier; stuffed keywords do not count. One suite for SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from capsule.runtime.manifest import load_manifest
from capsule.runtime.search import SearchIndex, document_from_manifest
from capsule.runtime.search.document import KEYWORDS_COUNTED
from capsule.runtime.search.ranking import MAX_LIFT
from capsule.runtime.search.relevance import same_word

NOW = 1_800_000_000.0
DAY = 86400.0


def program(app_id: str, name: dict[str, str], description: str, keywords: dict[str, list[str]] | None = None, category: str = "tools"):
    manifest = {
        "id": app_id,
        "version": "1.0.0",
        "default_locale": next(iter(name)),
        "name": name,
        "description": {next(iter(name)): description},
        "category": category,
        "pages": [{"name": "index"}],
    }
    if keywords:
        manifest["keywords"] = keywords
    return document_from_manifest(load_manifest(manifest), released_at=NOW - 200 * DAY)


def first(index: SearchIndex, query: str) -> str:
    return index.search(query, now=NOW)[0].app_id


# The issue's misses, each with the distractor made far more popular.
CASES = [
    (
        "parkeren",
        program("nl.park.pay", {"nl": "ParkeerGemak"}, "Betaal parkeren per minuut", {"nl": ["parkeren"]}),
        program("de.parken.muenchen", {"de": "Parken München"}, "Freie Parkplätze in München"),
    ),
    (
        "train tickets",
        program("com.rail.go", {"en": "RailGo"}, "Tickets for Europe's railways", {"en": ["train tickets"]}),
        program("com.ticket.puzzle", {"en": "Train Ticket Puzzle"}, "A kids' game with trains and tickets"),
    ),
    (
        "咖啡",
        program("cn.corner.coffee", {"zh-Hans": "街角咖啡"}, "提前点单", {"zh-Hans": ["咖啡"]}),
        program("cn.coffee.school", {"zh-Hans": "咖啡学堂"}, "咖啡师课程"),
    ),
    (
        "打车",
        program("cn.city.taxi", {"zh-Hans": "城市出租车"}, "随时叫车", {"zh-Hans": ["打车", "出租车"]}),
        program("cn.invoice.helper", {"zh-Hans": "打车发票助手"}, "整理打车行程，开具发票"),
    ),
    (
        "Kaffee",
        program("de.roest.kaffee", {"de": "Röstwerk Kaffee"}, "Kaffee vorbestellen", {"de": ["Kaffee"]}),
        program("de.kaffeeklatsch.app", {"de": "Kaffeeklatsch"}, "Nachbarn treffen bei Kaffee und Kuchen"),
    ),
    (
        "library",
        program("nl.public.library", {"en": "Public Library"}, "Borrow books", {"en": ["library"]}),
        program("edu.university.library", {"en": "University Library Search"}, "Search the university library catalogue"),
    ),
    (
        "cab",
        program("com.city.taxi", {"en": "City Taxi"}, "Hail a taxi", {"en": ["taxi", "cab"]}),
        program("com.cable.tv", {"en": "Cable TV Guide"}, "Tonight on every cable channel", {"en": ["cable"]}),
    ),
    (
        "coffee",
        program("com.corner.coffee", {"en": "Corner Coffee"}, "Order coffee ahead", {"en": ["coffee"]}),
        program("com.bean.shop", {"en": "BeanRoute Coffee Beans"}, "Coffee beans by subscription", {"en": ["coffee beans"]}),
    ),
]


@pytest.mark.parametrize(("query", "meant", "distractor"), CASES, ids=[case[0] for case in CASES])
def test_the_issue_examples_rank_the_meant_program_first_even_against_a_popular_distractor(database, query, meant, distractor) -> None:
    index = SearchIndex(database)
    index.put_many([meant, distractor])
    index.load_launches({distractor.app_id: (1e6, NOW)})  # as popular as a program gets
    assert first(index, query) == meant.app_id


def test_usage_and_freshness_never_lift_a_program_over_a_better_tier(database) -> None:
    # One program per tier for "lantern"; the worse the tier, the more popular and fresher.
    documents = [
        program("com.t1.exact", {"en": "Lantern"}, "Light"),
        program("com.t2.start", {"en": "Lantern Festival Guide"}, "Events"),
        program("com.t3.words", {"en": "Old Town"}, "A paper lantern walk"),
        program("com.t4.prefix", {"en": "Lanterns And More Lanternfish"}, "Fish"),  # "lanternfish" only: a prefix
        program("com.t5.typo", {"en": "Lantren Shop"}, "Lamps"),
    ]
    documents[3] = program("com.t4.prefix", {"en": "Lanternfish Atlas"}, "Deep sea fish")
    index = SearchIndex(database)
    index.put_many(documents)
    index.load_launches({document.app_id: (10.0 ** (2 + rank), NOW) for rank, document in enumerate(documents)})
    hits = index.search("lantern", now=NOW, explain=True)
    assert [hit.app_id for hit in hits] == ["com.t1.exact", "com.t2.start", "com.t3.words", "com.t4.prefix", "com.t5.typo"]
    assert [hit.explain["tier_name"] for hit in hits] == ["exact", "name-start", "all-words", "prefixes", "typos"]
    assert all(hit.explain["parts"]["usage"] * hit.explain["parts"]["freshness"] <= MAX_LIFT for hit in hits)
    assert all(better.score > worse.score for better, worse in zip(hits, hits[1:]))


def test_within_a_tier_usage_breaks_ties(database) -> None:
    index = SearchIndex(database)
    index.put_many([program(f"com.example.pizza{i}", {"en": f"Pizza {name}"}, "Pizza to order", {"en": ["pizza"]}) for i, name in enumerate(["Roma", "Sole"])])
    assert first(index, "pizza") == "com.example.pizza0"  # equal text: the app id decides
    index.record_launch("com.example.pizza1", now=NOW)
    assert first(index, "pizza") == "com.example.pizza1"


def test_within_a_tier_a_name_covered_more_and_matched_earlier_ranks_higher(database) -> None:
    index = SearchIndex(database)
    index.put_many(
        [
            program("com.example.long", {"en": "Weather Station Network"}, "Data"),
            program("com.example.short", {"en": "Weather Station"}, "Data"),
            program("com.example.early", {"en": "Weather Radar"}, "Data"),
            program("com.example.late", {"en": "Radar Weather"}, "Data"),
        ]
    )
    found = [hit.app_id for hit in index.search("weather", now=NOW)]
    assert found.index("com.example.short") < found.index("com.example.long")  # more of the name covered
    assert found.index("com.example.early") < found.index("com.example.late")  # same coverage, earlier


def test_plurals_are_the_same_word(database) -> None:
    assert same_word("ticket", "tickets") and same_word("boeken", "boek") and same_word("envelope", "envelopes")
    assert not same_word("kinderop", "kinder") and not same_word("cab", "cabs") and not same_word("kaffee", "kaffeeklatsch")
    index = SearchIndex(database)
    index.put_many(
        [
            program("com.example.lucky", {"en": "Red Envelopes"}, "Lucky money for the new year"),
            program("com.example.covers", {"en": "Red Envelope Covers"}, "Design covers"),
        ]
    )
    index.load_launches({"com.example.covers": (1e5, NOW)})
    hits = index.search("red envelope", now=NOW, explain=True)
    assert [hit.app_id for hit in hits] == ["com.example.lucky", "com.example.covers"]
    assert hits[0].explain["tier_name"] == "exact"


def test_stuffed_keywords_do_not_count_and_repetition_does_not_lift(database) -> None:
    honest = program("com.example.honest", {"en": "Harbour Ferries"}, "Ferries to the islands", {"en": ["ferry", "boat"]})
    stuffer = program(
        "com.example.stuffer",
        {"en": "Island Hopper"},
        "Ferry ferry ferry boat ferry, the ferry of ferries, ferry tickets, ferry times, ferry ferry ferry.",
        # 20 keywords (the manifest's maximum): the first 10 count, the rest are ignored.
        {"en": [f"ferry {n}" for n in range(KEYWORDS_COUNTED)] + ["ferry", "boat", "hovercraft", "zeppelin"] + [f"ferries {n}" for n in range(6)]},
    )
    assert len(stuffer.keywords) == KEYWORDS_COUNTED
    index = SearchIndex(database)
    index.put_many([honest, stuffer])
    assert index.search("zeppelin", now=NOW) == [] and index.search("hovercraft", now=NOW) == []
    assert first(index, "ferry") == "com.example.honest"  # its keyword is exactly "ferry"; the stuffer's counted ones are not
    # The same program without the repetition scores the same: repeating a word adds nothing.
    plain = program("com.example.stuffer", {"en": "Island Hopper"}, "Ferry boat.", {"en": [f"ferry {n}" for n in range(KEYWORDS_COUNTED)]})
    before = {hit.app_id: hit.score for hit in index.search("ferry boat", now=NOW)}
    index.put(plain)
    after = {hit.app_id: hit.score for hit in index.search("ferry boat", now=NOW)}
    assert after["com.example.stuffer"] == pytest.approx(before["com.example.stuffer"])


def test_explain_says_what_matched_and_how(database) -> None:
    index = SearchIndex(database)
    index.put(program("com.example.coffee", {"en": "Corner Coffee", "zh-Hans": "街角咖啡"}, "Order espresso ahead", {"en": ["coffee"]}))
    (hit,) = index.search("cofee", now=NOW, explain=True)
    assert hit.explain["tier_name"] == "typos"
    assert hit.explain["matched"] == [{"word": "cofee", "term": "coffee", "how": "typo", "fields": ["name", "keyword"]}]
    assert set(hit.explain["parts"]) == {"field", "coverage", "position", "text", "usage", "freshness"}
    assert hit.as_dict()["explain"] == hit.explain
    (hit,) = index.search("咖啡", now=NOW, explain=True)
    assert hit.explain["tier_name"] == "all-words" and hit.explain["matched"][0]["fields"] == ["name"]
    assert index.search("coffee", now=NOW)[0].explain is None  # only when asked
