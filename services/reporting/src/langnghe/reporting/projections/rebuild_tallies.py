"""What a rebuild of the petition read model keeps in memory while it fills a generation."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from langnghe.reporting.domain.petition_row import PetitionRow

#: Rows a rebuild keeps in memory after writing them: about 30 MB (3 kB a row, measured), for
#: the rebuild's duration only.
RECENT_ROWS: Final = 10_000


@dataclass
class Tallies:
    """What a rebuild keeps in memory about the generation it fills: the counters, until
    `write_tallies`, and the rows it wrote most recently. A rebuild is the only writer of its
    generation, so a remembered row is the stored one, and a petition's next event usually
    comes soon after its last (assigned days after it is received, answered weeks later): the
    rows a batch updates are found here instead of read back and converted from the database,
    which was a fifth of a rebuild's work. A row not found here is read. A batch that fails
    leaves the tallies off; a rebuild that fails is abandoned and starts over."""

    figures: Counter[tuple[str, str]] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    recent: dict[str, PetitionRow] = field(default_factory=dict)  # least recently written first
    recent_limit: int = RECENT_ROWS
    #: Every petition code the generation holds. The live path refuses a second petition with
    #: a code (the unique index: its receipt is parked, and its later events with it); a
    #: rebuild writes without that index until the end, so it refuses the same receipts here,
    #: or the index would fail after the whole replay. About 70 bytes a petition.
    codes: set[str] = field(default_factory=set)

    def remember(self, rows: dict[str, PetitionRow]) -> None:
        recent = self.recent
        for pid, row in rows.items():
            recent.pop(pid, None)
            recent[pid] = row
        if (excess := len(recent) - self.recent_limit) > 0:
            for pid in list(itertools.islice(recent, excess)):
                del recent[pid]
