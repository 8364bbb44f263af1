"""The developer-mode figures of `capsule bench` are produced (never asserted as timings)."""

from __future__ import annotations

import pytest

from capsule.bench.dev import dev_figures
from capsule.runtime import Home
from capsule.runtime.languages.python import RuntimeComponent

pytestmark = pytest.mark.slow


def test_dev_figures_are_numbers(home: Home, python_runtime: RuntimeComponent):
    figures = dev_figures(quick=True, home=home)
    for key in ("dev_reload_ms", "dev_reload_ms_p95", "dev_save_to_view_ms"):
        assert isinstance(figures[key], float) and figures[key] > 0
    assert figures["dev_edits"] == 8
