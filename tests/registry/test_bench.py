"""The registry part of `capsule bench` on a small catalogue: every figure is
there and is a sane number. Speed targets are the bench's business, never a test's."""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

from capsule.bench.registry import LANGUAGES, Sizes, corpus_documents, generated_manifest, registry_figures, search_queries
from capsule.cli.main import app
from capsule.runtime.database import Database
from capsule.runtime.manifest import load_manifest
from capsule.runtime.search import SearchIndex

TINY = Sizes(programs=300, queries=25, rounds=1, publishes=1, package_bytes=7_000_000, load_seconds=1.0, rate=40.0)


def test_the_catalogue_is_the_same_for_the_same_seed_and_speaks_five_languages() -> None:
    first, again = list(corpus_documents(200, now=0.0)), list(corpus_documents(200, now=0.0))
    assert first == again
    assert len({document.app_id for document in first}) == 200
    assert {tag for document in first for tag in document.display} == set(LANGUAGES)


def test_generated_manifests_pass_the_full_manifest_check() -> None:
    import random

    rng = random.Random(1)
    for index in range(50):
        load_manifest(generated_manifest(index, rng, ["Kari", "Zumora"]))  # raises on any problem


def test_most_generated_queries_find_something(tmp_path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'search.db'}")
    index = SearchIndex(database)
    index.put_many(list(corpus_documents(1000)))
    queries = search_queries(100)
    assert {query.kind for query in queries} == {"word", "prefix", "typo", "chinese", "two-words"}
    found = sum(bool(index.search(query.text, category=query.category)) for query in queries)
    database.close()
    assert found >= 80, f"only {found} of 100 generated queries found a program: the query mix would time empty answers"


@pytest.mark.slow
def test_the_quick_registry_bench_reports_every_figure(home) -> None:
    figures = registry_figures(quick=True, home=home, sizes=TINY)
    for key in ("search_ms_p95_100k", "search_ms_p50_100k", "publish_s_20mb", "search_http_p99_ms_at_200rps", "search_http_rps"):
        assert isinstance(figures[key], float) and 0 < figures[key] < math.inf, (key, figures[key])
    assert figures["search_programs"] == TINY.programs
    assert figures["search_mrr_at_10"] >= 0.95 and figures["search_success_at_1"] >= 0.92
    assert figures["search_quality_queries"] >= 150 and figures["search_quality_programs"] >= 300
    assert figures["search_http_failed"] == 0
    assert figures["search_http_load"]["requests"] == 40
    assert 6.5 < figures["publish_package_mb"] < 7.5
    assert set(figures["search_ms_p95_by_kind"]) == {"word", "prefix", "typo", "chinese", "two-words"}
    assert figures["search_http_load_average"] is None or len(figures["search_http_load_average"]) == 3


def test_bench_refuses_an_unknown_part() -> None:
    result = CliRunner().invoke(app, ["bench", "--only", "everything"])
    assert result.exit_code == 2
    assert "choose from runtime, js, host, payments, registry, web, messages" in result.output


def test_the_load_generator_sends_a_get_again_when_a_kept_alive_connection_was_closed() -> None:
    import asyncio

    from capsule.bench.registry import _Connections

    async def serve_one_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Answers one request, then closes, as uvicorn does with a connection idle for 5 s.
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def main() -> list[int]:
        server = await asyncio.start_server(serve_one_and_close, "127.0.0.1", 0)
        connections = _Connections("127.0.0.1", server.sockets[0].getsockname()[1])
        statuses = [await connections.get("/search?q=a")]
        await asyncio.sleep(0.05)
        statuses.append(await connections.get("/search?q=b"))  # its idle connection is closed by now
        connections.close()
        server.close()
        await server.wait_closed()
        return statuses

    assert asyncio.run(main()) == [200, 200]
