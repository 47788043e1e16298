"""Latency summaries: percentiles the way numpy computes them."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between closest ranks (the
    default of numpy and of Python's `statistics.quantiles(method="inclusive")`); None for
    no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile out of range 0-100: {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ms(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """Latency summary in milliseconds."""
    ms = [s * 1000.0 for s in seconds]

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "count": len(ms),
        "p50_ms": rounded(percentile(ms, 50)),
        "p95_ms": rounded(percentile(ms, 95)),
        "p99_ms": rounded(percentile(ms, 99)),
        "max_ms": rounded(max(ms)) if ms else None,
        "mean_ms": rounded(sum(ms) / len(ms)) if ms else None,
    }
