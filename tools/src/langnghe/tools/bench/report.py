"""What a run prints and writes: the table of figures, and the JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langnghe.tools.bench.figures import Figure, format_number, format_ratio

SCHEMA_VERSION = 1


def say(message: str) -> None:
    print(message, flush=True)


def render_table(figures: Sequence[Figure]) -> str:
    header = ("figure", "value", "raw limit", "ratio", "target", "result")
    rows = [header]
    for f in figures:
        limit = f"{format_number(f.limit)} {f.limit_label}".strip() if f.limit is not None else ""
        rows.append(
            (
                f.label,
                format_number(f.value, f.unit),
                limit,
                format_ratio(f.ratio) if f.limit is not None else "",
                f.target_text,
                f.status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


OUTSIDE_LOAD_WARNING_PCT = 25.0


def outside_load(cpu_by_phase: dict[str, dict[str, Any]]) -> tuple[str, float] | None:
    """The phase with the most CPU used outside our processes, if above the warning level."""
    worst = max(
        ((phase, float(cpu.get("outside_pct") or 0.0)) for phase, cpu in cpu_by_phase.items()),
        key=lambda item: item[1],
        default=None,
    )
    if worst is None or worst[1] < OUTSIDE_LOAD_WARNING_PCT:
        return None
    return worst


def build_result(
    *,
    environment: dict[str, Any],
    config: dict[str, Any],
    raw: dict[str, Any],
    ours: dict[str, Any],
    figures: Sequence[Figure],
    errors: dict[str, str],
    started_at: str,
    seconds: float,
) -> dict[str, Any]:
    """The JSON document: inputs, every measured number, and the verdicts."""
    checks = [f.as_dict() for f in figures]
    judged = [c["status"] for c in checks if c["status"] in ("PASS", "MISS", "n/a")]
    return {
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at,
        "seconds": round(seconds, 1),
        "environment": environment,
        "config": config,
        "raw": raw,
        "ours": ours,
        "checks": checks,
        "summary": {
            "pass": judged.count("PASS"),
            "miss": judged.count("MISS"),
            "not_measured": judged.count("n/a"),
            "all_passed": bool(judged) and all(s == "PASS" for s in judged) and not errors,
        },
        "errors": dict(errors),
    }


def report_text(
    result: dict[str, Any], figures: Sequence[Figure], cpu_by_phase: dict[str, dict[str, Any]]
) -> str:
    env = result["environment"]
    lines = [
        f"Lắng Nghe bench — {env['cpu_count']} CPU, Python {env['python']}, nats-server "
        f"{env['nats_server']} (sync_interval: always), SQLite {env['sqlite']}, "
        f"PostgreSQL {env['postgres'] or '—'}",
        "",
        render_table(figures),
    ]
    summary = result["summary"]
    lines += [
        "",
        f"{summary['pass']} PASS, {summary['miss']} MISS, {summary['not_measured']} not measured",
    ]
    outside = outside_load(cpu_by_phase)
    if outside:
        phase, pct = outside
        lines.append(
            f"WARNING: other processes on this machine used up to {pct:.0f} % of one core "
            f"(during {phase}); the figures are skewed by that load."
        )
    return "\n".join(lines)
