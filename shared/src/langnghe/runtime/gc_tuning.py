"""Garbage-collector settings for a long-running service process.

CPython starts a young-generation collection every 700 allocations, and every collection
walks the survivors: a consumer that decodes a batch of a thousand events (each a few pydantic
models, dicts and datetimes) triggers dozens of them, and the full ones walk every module,
class and cached statement loaded at start-up. Measured on the reporting rebuild: decoding
went from 28 to 16 µs per event with the threshold below. Reference cycles are rare in this
code (reference counting frees almost everything), so collecting less often costs little
memory.
"""

from __future__ import annotations

import gc
from typing import Final

#: Allocations between young-generation collections (CPython's default is 700).
YOUNG_THRESHOLD: Final = 50_000


def tune_gc() -> None:
    """Freeze what start-up loaded (never collected, never walked again) and collect less
    often. Call once, after the application is built and before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)
