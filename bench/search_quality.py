"""Search quality on the labelled evaluation set in tests/search/evaluation/.

`programs.jsonl` holds 322 hand-written programs (names, descriptions and
keywords in English, Dutch, German, French and Chinese, a category and a
launch count, popular distractors among them); `queries.tsv` holds the
queries people type, each labelled by hand with the program(s) it means.
Every program is a real manifest, checked by `load_manifest` and indexed
through `document_from_manifest`, as publishing would.

- `search_mrr_at_10`: the mean over queries of 1 / the rank of the first
  program it means within the top 10 (0 when none is there);
- `search_success_at_1`: the share of queries whose first result is one of
  the programs they mean.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capsule.runtime.database import Database
from capsule.runtime.manifest import load_manifest
from capsule.runtime.search import SearchIndex, document_from_manifest

#: The set lives with the tests; the bench reads it from the checkout.
EVALUATION = Path(__file__).resolve().parents[1] / "tests" / "search" / "evaluation"
#: When the set's programs were released and launched, as seconds since the epoch.
NOW = 1_800_000_000.0
DAY = 86400.0


@dataclass(frozen=True)
class Labelled:
    kind: str
    query: str
    wanted: frozenset[str]


def programs(folder: Path = EVALUATION) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "programs.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def queries(folder: Path = EVALUATION) -> list[Labelled]:
    found = []
    for line in (folder / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, query, wanted = line.split("\t")
            found.append(Labelled(kind, query, frozenset(wanted.split())))
    return found


def manifest_of(program: dict[str, Any]) -> dict[str, Any]:
    """The manifest a developer would have written for one line of programs.jsonl."""
    default = next(iter(program["name"]))
    return {
        "id": program["id"],
        "version": "1.0.0",
        "default_locale": default,
        "name": program["name"],
        "description": program["desc"],
        "keywords": program["kw"],
        "category": program["cat"],
        "pages": [{"name": "index"}],
    }


def load(index: SearchIndex, folder: Path = EVALUATION) -> None:
    """Index every program of the set, released at staggered ages, with its launch count."""
    documents, launches = [], {}
    for number, program in enumerate(programs(folder)):
        manifest = load_manifest(manifest_of(program))
        documents.append(document_from_manifest(manifest, released_at=NOW - (20 + number % 300) * DAY))
        if program.get("launches"):
            launches[program["id"]] = (float(program["launches"]), NOW)
    index.put_many(documents)
    index.load_launches(launches)


def evaluate(index: SearchIndex, labelled: list[Labelled]) -> dict[str, Any]:
    """MRR@10 and success@1 over `labelled`, overall and per kind, and the misses."""
    reciprocal: dict[str, list[float]] = {}
    misses = []
    for item in labelled:
        found = [hit.app_id for hit in index.search(item.query, limit=10, now=NOW)]
        rank = next((position for position, app_id in enumerate(found, 1) if app_id in item.wanted), None)
        reciprocal.setdefault(item.kind, []).append(1 / rank if rank else 0.0)
        if rank != 1:
            misses.append({"query": item.query, "kind": item.kind, "rank": rank, "first": found[:3]})
    every = [value for values in reciprocal.values() for value in values]
    return {
        "search_mrr_at_10": round(sum(every) / len(every), 4),
        "search_success_at_1": round(sum(value == 1.0 for value in every) / len(every), 4),
        "search_quality_queries": len(every),
        "search_mrr_by_kind": {kind: round(sum(values) / len(values), 3) for kind, values in sorted(reciprocal.items())},
        "search_quality_misses": misses,
    }


def quality_figures(database: Database, folder: Path = EVALUATION) -> dict[str, Any]:
    """Index the set into `database` (empty) and evaluate every labelled query."""
    index = SearchIndex(database)
    load(index, folder)
    return {**evaluate(index, queries(folder)), "search_quality_programs": len(programs(folder))}
