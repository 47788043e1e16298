"""CPU used during a phase by each of our processes, and by the whole machine: what the
machine spent beyond our processes is other load, which skews the figures on 2 cores."""

from __future__ import annotations

import os
import time
from typing import Any


def cpu_percent(ticks: float, seconds: float, hz: float) -> float | None:
    """CPU time as a percentage of one core over a wall-clock window (200 = two cores busy)."""
    if seconds <= 0 or hz <= 0:
        return None
    return round(100.0 * ticks / hz / seconds, 1)


def _process_ticks(pid: int) -> int | None:
    """CPU ticks of a process: its threads, and its children that have ended and been waited
    for (reporting's replay helper, which receives the stream during a rebuild)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuWindow:
    """CPU used by our processes during a phase, and by the whole machine: what the machine
    spent beyond our processes ("outside") is other load that skews the figures."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = dict(pids)
        self.hz = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0
        self.started = time.perf_counter()
        self.before = {name: _process_ticks(pid) for name, pid in self.pids.items()}
        self.machine_before = _machine_ticks()

    def stop(self) -> dict[str, Any]:
        seconds = time.perf_counter() - self.started
        processes: dict[str, float | None] = {}
        for name, pid in self.pids.items():
            start, end = self.before.get(name), _process_ticks(pid)
            processes[name] = (
                None if start is None or end is None else cpu_percent(end - start, seconds, self.hz)
            )
        out: dict[str, Any] = {"seconds": round(seconds, 2), "processes_pct_of_one_core": processes}
        machine_after = _machine_ticks()
        if self.machine_before and machine_after:
            busy = machine_after[0] - self.machine_before[0]
            total = machine_after[1] - self.machine_before[1]
            cores = os.cpu_count() or 1
            machine = round(100.0 * cores * busy / total, 1) if total else None
            ours = sum(v for v in processes.values() if v is not None)
            out["machine_busy_pct"] = machine
            out["outside_pct"] = None if machine is None else round(max(0.0, machine - ours), 1)
        return out
