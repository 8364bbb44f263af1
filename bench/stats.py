"""The summaries every part of the bench reports: medians and nearest-rank percentiles."""

from __future__ import annotations

import statistics
from typing import Sequence


def p50(samples: Sequence[float]) -> float:
    """The median."""
    return statistics.median(samples)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The sample at `fraction` of the sorted samples (nearest rank, never past the last)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def p95(samples: Sequence[float]) -> float:
    return percentile(samples, 0.95)
