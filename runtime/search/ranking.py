"""Usage and freshness, and how they combine with a match's tier and text score.

A result's order is (tier, text x usage x freshness), best first (relevance.py
gives tier and text). Usage and freshness are bounded lifts, so they reorder
programs within a tier and never lift one over a better tier:
- usage = 1 + `USAGE_LIFT` x min(1, ln(1 + launches) / ln(1 + `USAGE_FULL_AT`)),
  launches decayed with a half-life of `LAUNCH_HALF_LIFE_DAYS`: at most +20 %,
  reached at 1,000 recent launches;
- freshness = 1 + `FRESHNESS_LIFT` x exp(-age / `FRESHNESS_DAYS`): at most +5 %
  on the day of a release.

The databases order their candidates by full-text relevance x the same
usage x freshness (`sql_score`), so the candidates they hand over are the
ones this formula favours; `static_factor` is that factor in Python.
"""

from __future__ import annotations

import math

LAUNCH_HALF_LIFE_DAYS = 14.0
FRESHNESS_DAYS = 90.0
USAGE_LIFT = 0.2
USAGE_FULL_AT = 1000.0
FRESHNESS_LIFT = 0.05
#: The most usage x freshness can multiply a text score by.
MAX_LIFT = (1 + USAGE_LIFT) * (1 + FRESHNESS_LIFT)

_HALF_LIFE_S = LAUNCH_HALF_LIFE_DAYS * 86400
_FRESHNESS_S = FRESHNESS_DAYS * 86400
_USAGE_SCALE = math.log1p(USAGE_FULL_AT)


def decayed(score: float, seconds: float) -> float:
    """A launch count `seconds` after it was last written."""
    return score * 0.5 ** (max(0.0, seconds) / _HALF_LIFE_S)


def usage_factor(launch_score: float | None, launched_at: float | None, now: float) -> float:
    launches = decayed(launch_score, now - launched_at) if launch_score is not None and launched_at is not None else 0.0
    return 1 + USAGE_LIFT * min(1.0, math.log1p(launches) / _USAGE_SCALE)


def freshness_factor(released_at: float, now: float) -> float:
    return 1 + FRESHNESS_LIFT * math.exp(-max(0.0, now - released_at) / _FRESHNESS_S)


def static_factor(launch_score: float | None, launched_at: float | None, released_at: float, now: float) -> float:
    """usage x freshness: what a program's text score is multiplied by, whatever the query."""
    return usage_factor(launch_score, launched_at, now) * freshness_factor(released_at, now)


def score(relevance: float, launch_score: float | None, launched_at: float | None, released_at: float, now: float) -> float:
    return relevance * static_factor(launch_score, launched_at, released_at, now)


def final_score(tier: int, within: float) -> float:
    """One number that sorts like (tier, within): 6 - tier + a fraction.

    `within` (text x usage x freshness, x distance for nearby) is at most
    `MAX_LIFT` x 2 < 4, so a quarter of it stays below 1: the integer part
    is the tier (5 = exact ... 0 = some words), the fraction the rest.
    """
    return 6 - tier + within / 4


def sql_score(dialect: str, relevance: str, launch_score: str, launched_at: str, released_at: str, now: str) -> str:
    """`score` as an SQL expression over the given column expressions and a bound `now`."""
    greatest = "greatest" if dialect == "postgresql" else "max"
    least = "least" if dialect == "postgresql" else "min"
    power = "power" if dialect == "postgresql" else "pow"
    launches = f"coalesce({launch_score} * {power}(0.5, {greatest}(0.0, {now} - {launched_at}) / {_HALF_LIFE_S!r}), 0.0)"
    age = f"{greatest}(0.0, {now} - {released_at})"
    return (
        f"({relevance}) * (1 + {USAGE_LIFT!r} * {least}(1.0, ln(1 + {launches}) / {_USAGE_SCALE!r}))"
        f" * (1 + {FRESHNESS_LIFT!r} * exp(-{age} / {_FRESHNESS_S!r}))"
    )


#: How many tiers the SQLite index orders programs in (see `static_tier`).
TIERS = 64
_TIER_STEP = math.log(MAX_LIFT) / (TIERS - 1)


def static_tier(launch_score: float | None, launched_at: float | None, released_at: float, now: float) -> int:
    """0 for the programs with the highest usage x freshness, TIERS - 1 for none.

    Equal steps of log(`static_factor`), from 1 (never launched, released long
    ago) to `MAX_LIFT`. The SQLite index numbers its rows tier first, so the
    first matches in row order are the ones usage and freshness favour (see
    backends.SqliteFullText).
    """
    factor = static_factor(launch_score, launched_at, released_at, now)
    return TIERS - 1 - min(TIERS - 1, int(math.log(factor) / _TIER_STEP + 1e-9))
