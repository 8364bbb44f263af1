"""What keeps search fast on a large catalogue: SQLite full-text rows found by
a hash of the app id (not a scan), near terms found by deletion keys (not an
edit distance against the whole vocabulary), batched indexing."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from capsule.runtime.database import Database
from capsule.runtime.search import SearchIndex
from capsule.runtime.search.text import deletions, edit_distance, near_keys, typo_budget

from .corpus import CATALOGUE, NOW

_word = st.text(alphabet="abcde", min_size=5, max_size=11)


@st.composite
def _near_pair(draw: st.DrawFn) -> tuple[str, str]:
    """A word and the word with up to two random edits (swaps included)."""
    word = other = draw(_word)
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, max(0, len(other) - 2)))
        edit = draw(st.sampled_from(["swap", "drop", "add", "change"]))
        letter = draw(st.sampled_from("abcdef"))
        if edit == "swap" and len(other) > 1:
            other = other[:i] + other[i + 1] + other[i] + other[i + 2 :]
        elif edit == "drop":
            other = other[:i] + other[i + 1 :]
        elif edit == "add":
            other = other[:i] + letter + other[i:]
        else:
            other = other[:i] + letter + other[i + 1 :]
    return word, other


@given(_near_pair())
def test_every_term_within_the_typo_budget_shares_a_deletion_key(pair: tuple[str, str]) -> None:
    query, term = pair
    budget = typo_budget(query)
    if edit_distance(query, term, budget) <= budget:
        assert deletions(query, budget) & near_keys(term)


def test_an_index_written_with_plain_rowids_is_rebuilt(tmp_path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'old.db'}")
    SearchIndex(database).put_many(CATALOGUE)
    with database.transaction() as connection:  # as a table written before rowids were hashes
        connection.exec_driver_sql("DELETE FROM search_fts")
        connection.exec_driver_sql(
            "INSERT INTO search_fts (app_id, names, keywords, descriptions) "
            "SELECT app_id, names, keywords, descriptions FROM search_documents"
        )
    index = SearchIndex(database)
    coffee = next(document for document in CATALOGUE if document.app_id == "com.example.coffee")
    index.put(replace(coffee, names=("Corner Espresso",)))  # re-indexing must replace the old row, not add one
    assert [hit.app_id for hit in index.search("espresso", now=NOW)] == ["com.example.coffee"]
    assert index.search("hoekkoffie", now=NOW) == []
    index.remove("com.example.coffee")
    assert index.search("espresso", now=NOW) == []
    with database.read() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM search_fts").scalar() == len(CATALOGUE) - 1
    database.close()


def test_put_many_keeps_the_last_document_of_an_app_id(database) -> None:
    coffee = next(document for document in CATALOGUE if document.app_id == "com.example.coffee")
    index = SearchIndex(database)
    index.put_many([coffee, replace(coffee, names=("Corner Espresso",))])
    assert [hit.app_id for hit in index.search("espresso", now=NOW)] == ["com.example.coffee"]
    assert index.search("hoekkoffie", now=NOW) == []
