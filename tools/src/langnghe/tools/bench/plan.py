"""How long each phase of a bench run lasts, and how it measures."""

from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """How long each phase runs; `--quick` shortens all of them."""

    raw_seconds: float
    append_seconds: float
    corpus_events: int
    e2e_seconds: float
    latency_seconds: float
    latency_rate: float
    concurrency: int | None  # None: probe CONCURRENCY_STEPS for the knee
    idle_seconds: float
    probe_seconds: float = 10.0
    client: str = "lite"
    probe: str = "db"
    poll_interval: float = 0.005
    visible_timeout: float = 10.0

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        if args.quick:
            return cls(
                raw_seconds=2.0,
                append_seconds=2.0,
                corpus_events=5_000,
                e2e_seconds=min(args.duration, 5.0),
                latency_seconds=min(args.duration, 5.0),
                latency_rate=args.rate,
                concurrency=args.concurrency,
                idle_seconds=3.0,
                probe_seconds=2.0,
                client=args.client,
                probe=args.probe,
            )
        return cls(
            raw_seconds=5.0,
            append_seconds=5.0,
            corpus_events=args.events,
            e2e_seconds=args.duration,
            latency_seconds=args.duration,
            latency_rate=args.rate,
            concurrency=args.concurrency,
            idle_seconds=5.0,
            client=args.client,
            probe=args.probe,
        )
