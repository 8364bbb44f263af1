"""The ranking formula, once in Python and once as SQL for each database.

score = relevance x usage x freshness, where
- usage = 1 + 0.15 ln(1 + launches), launches decayed with a half-life of
  `LAUNCH_HALF_LIFE_DAYS` (a log scale, so a popular program cannot bury a
  better match);
- freshness = 1 + 0.1 exp(-age / `FRESHNESS_DAYS`), a small bonus for a recent release.

The databases compute it for every candidate inside the query, so only the
shown hits come back to Python; `score` is the same formula for the paths
that rank in Python (nearby without a query) and for the tests that check
the SQL against it.
"""

from __future__ import annotations

import math

LAUNCH_HALF_LIFE_DAYS = 14.0
FRESHNESS_DAYS = 90.0
USAGE_WEIGHT = 0.15
FRESHNESS_WEIGHT = 0.1

_HALF_LIFE_S = LAUNCH_HALF_LIFE_DAYS * 86400
_FRESHNESS_S = FRESHNESS_DAYS * 86400


def decayed(score: float, seconds: float) -> float:
    """A launch count `seconds` after it was last written."""
    return score * 0.5 ** (max(0.0, seconds) / _HALF_LIFE_S)


def static_factor(launch_score: float | None, launched_at: float | None, released_at: float, now: float) -> float:
    """usage x freshness: what a program's score is multiplied by, whatever the query."""
    launches = decayed(launch_score, now - launched_at) if launch_score is not None and launched_at is not None else 0.0
    age = max(0.0, now - released_at)
    return (1 + USAGE_WEIGHT * math.log1p(launches)) * (1 + FRESHNESS_WEIGHT * math.exp(-age / _FRESHNESS_S))


def score(relevance: float, launch_score: float | None, launched_at: float | None, released_at: float, now: float) -> float:
    return relevance * static_factor(launch_score, launched_at, released_at, now)


def sql_score(dialect: str, relevance: str, launch_score: str, launched_at: str, released_at: str, now: str) -> str:
    """`score` as an SQL expression over the given column expressions and a bound `now`."""
    greatest = "greatest" if dialect == "postgresql" else "max"
    power = "power" if dialect == "postgresql" else "pow"
    launches = f"coalesce({launch_score} * {power}(0.5, {greatest}(0.0, {now} - {launched_at}) / {_HALF_LIFE_S!r}), 0.0)"
    age = f"{greatest}(0.0, {now} - {released_at})"
    return (
        f"({relevance}) * (1 + {USAGE_WEIGHT!r} * ln(1 + {launches}))"
        f" * (1 + {FRESHNESS_WEIGHT!r} * exp(-{age} / {_FRESHNESS_S!r}))"
    )


#: How many tiers the SQLite index orders programs in (see `static_tier`).
TIERS = 64
_TIER_STEP = math.log(1.02)


def static_tier(launch_score: float | None, launched_at: float | None, released_at: float, now: float) -> int:
    """0 for the programs with the highest usage x freshness, TIERS - 1 for none.

    One tier per 2 % of `static_factor`: from 1 (never launched, released long
    ago) to about 3.5 (a million recent launches). The SQLite index numbers
    its rows tier first, so the first matches in row order are the ones
    usage and freshness favour (see backends.SqliteFullText).
    """
    factor = static_factor(launch_score, launched_at, released_at, now)
    return TIERS - 1 - min(TIERS - 1, int(math.log(factor) / _TIER_STEP))
