"""The figures of a run: each measured value next to the raw limit it is compared with, the
ratio, and the target it passes or misses."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Targets: the end-to-end rate is compared with one client's synchronous publishes, the
# rebuild with a plain replay into the same database.
TARGET_E2E_RATIO = 0.50
TARGET_P99_MS = 200.0
TARGET_REBUILD_RATIO = 0.40
TARGET_RSS_MIB = 120.0


def ratio(value: float | None, limit: float | None) -> float | None:
    if value is None or limit is None or limit <= 0:
        return None
    return value / limit


def format_ratio(value: float | None) -> str:
    """0.5234 -> '52 %'; below 10 % one decimal ('4.5 %'); unknown -> '—'."""
    if value is None or math.isnan(value):
        return "—"
    percent = value * 100
    return f"{percent:.1f} %" if percent < 10 else f"{percent:.0f} %"


def format_number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    return f"{text} {unit}".rstrip()


def verdict(value: float | None, target: float | None, *, at_least: bool) -> str:
    """PASS/MISS against a target; 'info' without one; 'n/a' when the value is missing."""
    if target is None:
        return "info"
    if value is None:
        return "n/a"
    ok = value >= target if at_least else value <= target
    return "PASS" if ok else "MISS"


@dataclass(frozen=True)
class Figure:
    """One row of the table: a measured value, the raw limit it is compared with, the ratio,
    and the target (on the ratio or on the value) it passes or misses."""

    key: str
    label: str
    value: float | None
    unit: str
    limit: float | None = None
    limit_label: str = ""
    target: float | None = None
    target_on: str = "ratio"  # "ratio" or "value"
    at_least: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return ratio(self.value, self.limit)

    @property
    def status(self) -> str:
        measured = self.ratio if self.target_on == "ratio" else self.value
        return verdict(measured, self.target, at_least=self.at_least)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "≥" if self.at_least else "≤"
        if self.target_on == "ratio":
            return f"{sign} {format_ratio(self.target)}"
        return f"{sign} {format_number(self.target, self.unit)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "limit": self.limit,
            "limit_label": self.limit_label,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "target": self.target,
            "target_on": self.target_on if self.target is not None else None,
            "at_least": self.at_least,
            "status": self.status,
            "note": self.note,
        }


def best_publish(raw: dict[str, Any]) -> float | None:
    """The raw synchronous-publish limit: the better of its measurements (before and after the
    system run), so a ratio is never flattered by a slow moment of the disk."""
    rates = [
        raw[key]["msgs_per_s"]
        for key in ("publish", "publish_after")
        if isinstance(raw.get(key), dict) and raw[key].get("msgs_per_s")
    ]
    return max(rates) if rates else None


def best_replay(raw: dict[str, Any], db: str) -> float | None:
    """The raw replay limit on `db`: the better of its measurements (before and after the
    rebuild; a replay lasts about a second, and one slow second would flatter the ratio)."""
    rates = [
        raw[key][db]["events_per_s"]
        for key in ("replay", "replay_after")
        if isinstance(raw.get(key), dict)
        and isinstance(raw[key].get(db), dict)
        and raw[key][db].get("events_per_s")
    ]
    return max(rates) if rates else None


def figures_from(raw: dict[str, Any], ours: dict[str, Any]) -> list[Figure]:
    """The table rows, from the measured numbers (missing phases give '—' and 'n/a')."""

    def get(section: dict[str, Any], *path: str) -> Any:
        value: Any = section
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    publish = best_publish(raw)
    in_flight = get(ours, "e2e", "concurrency")
    figures = [
        Figure(
            "append_single",
            "store append, 1 event",
            get(ours, "append_single", "appends_per_s"),
            "appends/s",
            publish,
            "publishes/s",
        ),
        Figure(
            "append_batch3_events",
            "store append, batch of 3 (events)",
            get(ours, "append_batch3", "events_per_s"),
            "events/s",
            publish,
            "publishes/s",
        ),
        Figure(
            "append_batch3_appends",
            "store append, batch of 3 (appends)",
            get(ours, "append_batch3", "appends_per_s"),
            "appends/s",
            publish,
            "publishes/s",
        ),
        Figure(
            "e2e_throughput",
            "end to end submit→visible" + (f" ({in_flight} in flight)" if in_flight else ""),
            get(ours, "e2e", "petitions_per_s"),
            "petitions/s",
            publish,
            "publishes/s",
            target=TARGET_E2E_RATIO,
            note="closed loop at the knee of the rate (see e2e_probes)" if in_flight else "",
        ),
    ]
    for p in ("p50", "p95", "p99"):
        figures.append(
            Figure(
                f"latency_{p}",
                f"latency submit→visible {p}",
                get(ours, "latency", "visible", f"{p}_ms"),
                "ms",
                target=TARGET_P99_MS if p == "p99" else None,
                target_on="value",
                at_least=False,
                note=f"open loop at {get(ours, 'latency', 'rate')}/s",
            )
        )
    for db, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        figures.append(
            Figure(
                f"rebuild_{db}",
                f"rebuild reporting, {name}",
                get(ours, "rebuild", db, "events_per_s"),
                "events/s",
                best_replay(raw, db),
                "replayed/s",
                target=TARGET_REBUILD_RATIO,
            )
        )
    rss = get(ours, "rss") or {}
    for service in ("intake", "tracking", "notify", "reporting"):
        figures.append(
            Figure(
                f"rss_{service}",
                f"RSS at rest, {service}",
                get(rss, service, "vmrss_mib"),
                "MiB",
                target=TARGET_RSS_MIB,
                target_on="value",
                at_least=False,
            )
        )
    return figures
