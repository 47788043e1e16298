"""Likely duplicates among a commune's open petitions, and what merging them keeps.

The same matter is often raised twice: at a dialogue conference and again at a voter meeting,
by a neighbour, or typed again without diacritics. Similarity is the cosine of TF-IDF vectors
over diacritic-free syllable unigrams and bigrams (`vectors.py`), with document frequencies
from the labelled train split, so boilerplate ("đề nghị xã xem xét") counts for little and the
specifics (the lane, the farm, the project) for much.

Nothing is merged automatically: a clerk confirms. Merging keeps every person who raised or
co-signed either petition, because each of them is owed the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from langnghe.tools.fields.labelled import in_split
from langnghe.tools.fields.vectors import TfIdf, cosine

# Maximises F1 over same-commune pairs of the train split (evaluate.tune_duplicate_threshold);
# the test split was not looked at when choosing it.
DUPLICATE_THRESHOLD = 0.21


class OpenPetition(NamedTuple):
    petition_id: str
    text: str


class DuplicateMatch(NamedTuple):
    petition_id: str
    similarity: float


@lru_cache(maxsize=1)
def reference_tfidf() -> TfIdf:
    return TfIdf.fit(p.text for p in in_split("train"))


def similarity(a: str, b: str, *, tfidf: TfIdf | None = None) -> float:
    weights = tfidf or reference_tfidf()
    return cosine(weights.vector(a), weights.vector(b))


def likely_duplicates(
    candidate_text: str,
    open_petitions: Iterable[OpenPetition],
    threshold: float = DUPLICATE_THRESHOLD,
    *,
    limit: int = 5,
    tfidf: TfIdf | None = None,
) -> list[DuplicateMatch]:
    """Open petitions (the caller passes those of the candidate's commune) at least `threshold`
    similar to `candidate_text`, most similar first, ties by petition id."""
    weights = tfidf or reference_tfidf()
    candidate = weights.vector(candidate_text)
    matches = [
        DuplicateMatch(p.petition_id, round(cosine(candidate, weights.vector(p.text)), 4))
        for p in open_petitions
    ]
    kept = [m for m in matches if m.similarity >= threshold]
    return sorted(kept, key=lambda m: (-m.similarity, m.petition_id))[:limit]


@dataclass(frozen=True)
class Signatories:
    """Who stands behind a petition: the citizen who raised it (None if anonymous) and those
    who co-signed it, as references into intake's personal-data vault."""

    petition_id: str
    raised_by: str | None
    cosigners: tuple[str, ...] = ()

    def everyone(self) -> tuple[str, ...]:
        return _unique(([self.raised_by] if self.raised_by else []) + list(self.cosigners))


class CannotMerge(ValueError):
    pass


def merge_cosigners(primary: Signatories, duplicate: Signatories) -> Signatories:
    """`duplicate` folded into `primary`: the primary's author stays the author; everyone else
    from both petitions becomes a co-signer, in order (the primary's first), each once."""
    if primary.petition_id == duplicate.petition_id:
        raise CannotMerge(f"petition {primary.petition_id} cannot be merged into itself")
    author = primary.raised_by
    others = [*primary.cosigners, *duplicate.everyone()]
    return Signatories(primary.petition_id, author, _unique(r for r in others if r != author))


def _unique(refs: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for ref in refs:
        if ref:
            seen.setdefault(ref, None)
    return tuple(seen)
