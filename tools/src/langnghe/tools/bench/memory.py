"""Each service's resident memory at rest, read from /proc for the pid its `/healthz` gives."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


def read_rss(pid: int) -> dict[str, float]:
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = float(rest.split()[0])  # kB (KiB)
    return {
        "vmrss_kib": fields.get("VmRSS", 0.0),
        "vmrss_mib": round(fields.get("VmRSS", 0.0) / 1024, 1),
        "vmhwm_mib": round(fields.get("VmHWM", 0.0) / 1024, 1),
    }


async def measure_rss(urls: dict[str, str], idle: float) -> dict[str, Any]:
    await asyncio.sleep(idle)
    out: dict[str, Any] = {"idle_seconds": idle}
    async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
        for name, base in urls.items():
            pid = int((await client.get(f"{base}/healthz")).json()["pid"])
            out[name] = {"pid": pid, **read_rss(pid)}
    return out
