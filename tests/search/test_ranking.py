"""Ranking inside the database: the SQL formula is the Python one, the category
filter applies before candidates are cut, and on SQLite a common word scores
the matches usage and freshness favour (rows numbered by tier)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from capsule.runtime.database import Database
from capsule.runtime.search import SearchIndex, backends
from capsule.runtime.search.ranking import TIERS, score, sql_score, static_tier

from .corpus import CATALOGUE, NOW, doc

DAY = 86400.0


@pytest.mark.parametrize(
    ("relevance", "launch_score", "launched_at", "released_at"),
    [
        (7.5, None, None, NOW - 30 * DAY),
        (7.5, 1.0, NOW, NOW - 30 * DAY),
        (0.02, 3800.0, NOW - 3 * DAY, NOW - 400 * DAY),
        (12.0, 50.0, NOW - 365 * DAY, NOW + 5 * DAY),  # released "after" now: no negative age
        (3.3, 2.5, NOW + 60.0, NOW),  # launched "after" now: no growth
    ],
)
def test_the_sql_formula_is_the_python_formula(database, relevance, launch_score, launched_at, released_at) -> None:
    expression = sql_score(
        database.dialect,
        "CAST(:relevance AS float)",
        "CAST(:launch_score AS float)",
        "CAST(:launched_at AS float)",
        "CAST(:released_at AS float)",
        "CAST(:now AS float)",
    )
    with database.read() as connection:
        if database.dialect == "sqlite":
            backends._cursor(connection, math=True)  # ln/exp/pow on SQLite builds without them
        found = connection.execute(
            sa.text(f"SELECT {expression}"),
            {"relevance": relevance, "launch_score": launch_score, "launched_at": launched_at, "released_at": released_at, "now": NOW},
        ).scalar()
    assert found == pytest.approx(score(relevance, launch_score, launched_at, released_at, NOW), rel=1e-12)


def test_tiers_follow_usage_and_freshness() -> None:
    old, fresh = NOW - 400 * DAY, NOW
    assert static_tier(None, None, old, NOW) == TIERS - 1
    assert static_tier(None, None, fresh, NOW) < TIERS - 1
    assert static_tier(10.0, NOW, old, NOW) < static_tier(1.0, NOW, old, NOW)
    assert static_tier(1e9, NOW, fresh, NOW) == 0


def _bestel(n: int, category: str, name: str) -> list:
    return [
        doc(f"com.example.{name}{i}", category, {"en": f"Bestel {name.title()} {i}"}, {"en": "bestel"}, ["bestel"])
        for i in range(n)
    ]


def test_the_category_filter_applies_before_candidates_are_cut(database) -> None:
    # 260 transport programs say "bestel" in name, keywords and description;
    # two food programs only in a description. Cutting the best text matches
    # first and filtering after would leave no food program.
    index = SearchIndex(database)
    index.put_many(_bestel(260, "transport", "taxi"))
    index.put_many(
        [
            doc("com.example.soup", "food", {"en": "Soup"}, {"en": "Soup to bestel"}),
            doc("com.example.salad", "food", {"en": "Salad"}, {"en": "Salad to bestel"}),
        ]
    )
    found = {hit.app_id for hit in index.search("bestel", category="food", now=NOW)}
    assert found == {"com.example.soup", "com.example.salad"}
    assert len(index.search("bestel", category="transport", limit=100, now=NOW)) == 100


def test_launch_counts_loaded_in_bulk_rank_like_recorded_ones(database) -> None:
    index = SearchIndex(database)
    index.put_many(_bestel(30, "food", "pizza"))
    index.load_launches({"com.example.pizza7": (400.0, NOW), "com.example.pizza21": (20.0, NOW)})
    top = [hit.app_id for hit in index.search("bestel", now=NOW)]
    assert top[:2] == ["com.example.pizza7", "com.example.pizza21"]
    index.record_launch("com.example.pizza3", now=NOW)  # one launch: above the rest, below the two
    assert [hit.app_id for hit in index.search("bestel", now=NOW)][:3] == ["com.example.pizza7", "com.example.pizza21", "com.example.pizza3"]


# -- SQLite: rows numbered by tier ------------------------------------------------------


@pytest.fixture
def sqlite_database(tmp_path):
    database = Database.open(f"sqlite:///{tmp_path / 'search.db'}")
    yield database
    database.close()


def _tier(database: Database, app_id: str) -> int | None:
    # SQLite keeps the rank key as the full-text rowid, PostgreSQL in a column.
    table, column = ("search_fts_rank", "id") if database.dialect == "sqlite" else ("search_fts", "rank_key")
    with database.read() as connection:
        rowid = connection.execute(sa.text(f"SELECT {column} FROM {table} WHERE app_id = :id"), {"id": app_id}).scalar()
    return None if rowid is None else rowid >> 57


def test_a_program_moves_tier_when_launches_lift_it(database) -> None:
    index = SearchIndex(database)
    index.put_many(CATALOGUE)
    before = _tier(database, "com.example.taxi")
    for _ in range(30):
        index.record_launch("com.example.taxi", now=NOW)
    after = _tier(database, "com.example.taxi")
    assert after < before
    assert index.search("taxi", now=NOW)[0].app_id == "com.example.taxi"
    # Re-indexed, it stays lifted (put reads the launch count); removed, it is gone.
    taxi = next(document for document in CATALOGUE if document.app_id == "com.example.taxi")
    index.put(replace(taxi, names=("City Cab",)))
    assert _tier(database, "com.example.taxi") < before
    assert [hit.app_id for hit in index.search("cab", now=NOW)] == ["com.example.taxi"]
    index.remove("com.example.taxi")
    assert _tier(database, "com.example.taxi") is None
    assert index.search("cab", now=NOW) == []
    if database.dialect != "sqlite":
        return
    with database.read() as connection:
        fts, rank = connection.exec_driver_sql("SELECT (SELECT count(*) FROM search_fts), (SELECT count(*) FROM search_fts_rank)").one()
    assert fts == rank == len(CATALOGUE) - 1


def test_a_common_word_scores_the_matches_usage_favours(database, monkeypatch) -> None:
    index = SearchIndex(database)
    # "bestel" in descriptions only: no name or keyword equals it, so the full-text stages alone find them.
    index.put_many([doc(f"com.example.pizza{i}", "food", {"en": f"Pizza {i}"}, {"en": "bestel hier"}) for i in range(40)])
    index.load_launches({f"com.example.pizza{i}": (float(i), NOW) for i in (5, 17, 33)})
    monkeypatch.setattr(backends, "SQLITE_SCORED", 3)
    monkeypatch.setattr(backends, "POSTGRES_SCORED", 3)
    # 40 match; the 3 scored are the 3 launched ones, best first.
    assert [hit.app_id for hit in index.search("bestel", now=NOW)] == ["com.example.pizza33", "com.example.pizza17", "com.example.pizza5"]
    # Four scored: the launched three, then the first never-launched one in rank order
    # (on PostgreSQL from the next band of its index: the launched ones are in the first).
    assert len({hit.app_id for hit in index.search("bestel", limit=10, now=NOW)}) == 3
    monkeypatch.setattr(backends, "SQLITE_SCORED", 4)
    monkeypatch.setattr(backends, "POSTGRES_SCORED", 4)
    assert len(index.search("bestel", limit=10, now=NOW)) == 4
    monkeypatch.setattr(backends, "SQLITE_SCORED", 500)
    monkeypatch.setattr(backends, "POSTGRES_SCORED", 500)
    assert len(index.search("bestel", limit=100, now=NOW)) == 40


def test_an_index_with_other_full_text_options_is_rebuilt(sqlite_database) -> None:
    SearchIndex(sqlite_database).put_many(CATALOGUE)
    with sqlite_database.transaction() as connection:  # as written before prefix indexes and tiers
        connection.exec_driver_sql("DROP TABLE search_fts")
        connection.exec_driver_sql("DROP TABLE search_fts_rank")
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE search_fts USING fts5(app_id UNINDEXED, names, keywords, descriptions, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        connection.exec_driver_sql(
            "INSERT INTO search_fts (app_id, names, keywords, descriptions) "
            "SELECT app_id, names, keywords, descriptions FROM search_documents"
        )
    index = SearchIndex(sqlite_database)
    with sqlite_database.read() as connection:
        assert "prefix='2 3'" in connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").scalar()
        assert connection.exec_driver_sql("SELECT count(*) FROM search_fts_rank").scalar() == len(CATALOGUE)
    assert index.search("koff", now=NOW)[0].app_id == "com.example.coffee"


def test_a_word_no_other_term_starts_with_is_read_as_the_word_and_scores_the_same(sqlite_database, monkeypatch) -> None:
    index = SearchIndex(sqlite_database)
    index.put_many(CATALOGUE + [doc("com.example.orders", "food", {"en": "Bestelling"}, {"en": "Track your bestelling"})])

    def hits(query: str) -> list[tuple[str, float]]:
        return [(hit.app_id, hit.score) for hit in index.search(query, now=NOW)]

    read_as_words = {query: hits(query) for query in ("koffie", "bestel", "bestelling", "taxi")}
    assert "com.example.orders" in dict(read_as_words["bestel"])  # "bestel" starts "bestelling" too: still a prefix
    monkeypatch.setattr(backends, "_only_itself", lambda cursor, terms: False)
    assert {query: hits(query) for query in read_as_words} == read_as_words


def test_optimizing_after_a_bulk_load_changes_no_answer(database) -> None:
    index = SearchIndex(database)
    for start in range(0, len(CATALOGUE), 3):  # several batches: several full-text segments on SQLite
        index.put_many(CATALOGUE[start : start + 3])
    queries = ["coffee", "koff", "bestel", "咖啡", "restaurnat", "split bill"]
    before = {query: [(hit.app_id, hit.score) for hit in index.search(query, now=NOW)] for query in queries}
    index.optimize()
    assert {query: [(hit.app_id, hit.score) for hit in index.search(query, now=NOW)] for query in queries} == before


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite's rebuild is tested above
def test_a_postgresql_index_written_before_rank_keys_is_rebuilt(database) -> None:
    SearchIndex(database).put_many(CATALOGUE)
    with database.transaction() as connection:  # as written before rank keys, bands and near keys
        connection.exec_driver_sql("DROP TABLE search_fts")
        connection.exec_driver_sql("DELETE FROM search_near_keys")
        connection.exec_driver_sql("CREATE TABLE search_fts (app_id varchar(255) PRIMARY KEY, vector tsvector NOT NULL)")
    index = SearchIndex(database)
    with database.read() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM search_fts WHERE rank_key IS NOT NULL").scalar() == len(CATALOGUE)
    assert index.search("koff", now=NOW)[0].app_id == "com.example.coffee"
    assert index.search("cofee", now=NOW)[0].app_id == "com.example.coffee"  # near words from the keys made again


def test_launches_counted_at_once_by_several_hosts_all_count(database) -> None:
    """Hosts on one database launch the same program at once: no launch fails, none is lost."""
    import threading

    index = SearchIndex(database)
    index.put_many(CATALOGUE)
    start, failures, threads, each = threading.Barrier(4), [], 4, 10

    def launch() -> None:
        start.wait()
        try:
            for _ in range(each):
                index.record_launch("com.example.taxi", now=NOW)
        except Exception as error:  # noqa: BLE001 - collected, asserted below
            failures.append(repr(error))

    workers = [threading.Thread(target=launch) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert failures == []
    with database.read() as connection:
        score = connection.execute(sa.text("SELECT score FROM search_launches WHERE app_id = 'com.example.taxi'")).scalar()
    assert score == threads * each  # the same `now`: nothing decays
