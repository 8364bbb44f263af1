"""`capsule bench --only cluster`, briefly: two hosts on PostgreSQL, a few users for a few seconds.

It runs, stops by itself, reports every key, and the books balance. How fast
is the bench's business (docs/performance.md), never this test's.
"""

from __future__ import annotations

import json

import sqlalchemy
from typer.testing import CliRunner

from capsule.bench.cluster import POSTGRES_ENV
from capsule.cli.main import app

from ..conftest import postgres_or_skip

runner = CliRunner()
KEYS = ("cluster_error_rate", "cluster_ledger_balanced", "cluster_payments_per_s", "cluster_search_p99_ms", "sessions_per_gb")


def test_a_short_cluster_run_reports_each_key_with_balanced_books(home, monkeypatch) -> None:
    url = postgres_or_skip()
    monkeypatch.setenv("CAPSULE_HOME", str(home.root))
    monkeypatch.setenv(POSTGRES_ENV, url)
    result = runner.invoke(app, ["bench", "--only", "cluster", "--seconds", "3", "--quick", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert all(key in figures for key in KEYS), sorted(figures)
    assert figures["cluster_ledger_balanced"] is True and figures["cluster_ledger_problems"] == []
    assert figures["cluster_payments"] >= 1 and figures["cluster_payments_in_ledger"] == figures["cluster_payments"]
    assert figures["cluster_searches"] >= 1 and figures["cluster_search_p99_ms"] > 0
    assert figures["cluster_idle_sessions"] >= 10 and figures["sessions_per_gb"] > 0
    # The bench's schema is gone afterwards.
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        left = connection.execute(sqlalchemy.text("SELECT count(*) FROM pg_namespace WHERE nspname = :name"), {"name": figures["cluster_schema"]}).scalar()
    engine.dispose()
    assert figures["cluster_schema"].startswith("capsule_bench_") and left == 0


def test_the_load_time_is_bounded() -> None:
    for seconds in ("0", "601"):
        result = runner.invoke(app, ["bench", "--only", "cluster", "--seconds", seconds])
        assert result.exit_code == 2 and "--seconds" in result.output
