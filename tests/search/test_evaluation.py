"""The labelled evaluation set (tests/search/evaluation/): search must keep
finding what people mean, on both databases. The floors are the figures
reached when ranking by tiers landed; raise them when ranking gets better,
never lower them to let a change through."""

from __future__ import annotations

from capsule.bench.search_quality import programs, quality_figures, queries

#: Reached on 2026-12-04 (SQLite and PostgreSQL alike): MRR@10 0.990, success@1 0.9815.
MRR_AT_10_FLOOR = 0.99
SUCCESS_AT_1_FLOOR = 0.98


def test_the_set_is_large_and_varied_enough() -> None:
    catalogue, labelled = programs(), queries()
    assert len(catalogue) >= 300 and len(labelled) >= 150
    languages = {tag.split("-")[0] for program in catalogue for tag in program["name"]}
    assert {"en", "zh", "nl", "de", "fr"} <= languages
    kinds = {item.kind for item in labelled}
    assert {"exact", "partial", "typo", "cjk", "accent", "synonym", "distractor"} <= kinds
    ids = {program["id"] for program in catalogue}
    assert all(item.wanted <= ids for item in labelled), "a query is labelled with a program the set does not have"
    # Usage spans orders of magnitude, as in a real catalogue, so popular distractors exist.
    launches = sorted(program.get("launches", 0) for program in catalogue)
    assert launches[-1] >= 100 * launches[0] and launches[-1] >= 5 * launches[len(launches) // 2]


#: Names, Chinese, accents and case, and declared keywords are exact evidence:
#: none of these may miss, whatever else is popular.
EXACT_EVIDENCE = ("exact", "cjk", "accent", "synonym")


def test_labelled_queries_find_what_people_mean(database) -> None:
    # One indexing of the set per database serves every check: indexing is the slow part.
    figures = quality_figures(database)
    misses = "\n".join(f"  {miss}" for miss in figures["search_quality_misses"])
    assert figures["search_mrr_at_10"] >= MRR_AT_10_FLOOR, f"MRR@10 {figures['search_mrr_at_10']}; misses:\n{misses}"
    assert figures["search_success_at_1"] >= SUCCESS_AT_1_FLOOR, f"success@1 {figures['search_success_at_1']}; misses:\n{misses}"
    assert set(EXACT_EVIDENCE) <= set(figures["search_mrr_by_kind"])
    exact_misses = [miss for miss in figures["search_quality_misses"] if miss["kind"] in EXACT_EVIDENCE]
    assert not exact_misses, f"exact evidence not ranked first: {exact_misses}"
