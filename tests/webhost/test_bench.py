"""`capsule bench --only web`: the figures exist and are measured (targets are never asserted in tests)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from capsule.bench.web import web_figures

from .conftest import chromium_or_skip

pytestmark = pytest.mark.slow


def test_the_web_bench_measures_page_loads_and_clicks(home) -> None:
    chromium_or_skip()
    # On a thread of its own: Playwright's sync API refuses to start where another test's
    # browser (the session's `browser` fixture) already runs an event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        figures = pool.submit(web_figures, quick=True, home=home).result()
    assert figures["web_loads"] == 5 and figures["web_clicks"] == 30
    assert 0 < figures["shell_load_ms_p50"] <= figures["shell_load_ms_p95"] < 60_000
    assert 0 < figures["click_to_dom_ms_p50"] <= figures["click_to_dom_ms_p95"] < 60_000
    assert 0 < figures["resume_background_ms_p50"] <= figures["resume_background_ms_p95"] < 60_000
    assert 0 < figures["home_to_recent_program_view_ms_p50"] <= figures["home_to_recent_program_view_ms_p95"] < 60_000
    assert isinstance(figures["web_targets_met"], bool)
