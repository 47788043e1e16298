"""TF-IDF vectors over diacritic-free syllable unigrams and bigrams, and their cosine.

Document frequencies come from a reference corpus (the labelled train split): words every
petition uses ("đề nghị", "xã", "người dân") weigh little, rare ones (a lane number, a village
name) weigh most. A term the corpus never saw gets the largest weight.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from langnghe.tools.fields.text import ngrams, tokens

Vector = Mapping[str, float]


def terms(text: str) -> list[str]:
    syllables = tokens(text)
    return syllables + ngrams(syllables, 2)


@dataclass(frozen=True)
class TfIdf:
    idf: Mapping[str, float]
    unseen_idf: float

    @classmethod
    def fit(cls, corpus: Iterable[str]) -> TfIdf:
        document_frequency: Counter[str] = Counter()
        documents = 0
        for text in corpus:
            documents += 1
            document_frequency.update(set(terms(text)))
        idf = {t: math.log((documents + 1) / (n + 1)) + 1 for t, n in document_frequency.items()}
        return cls(idf, math.log(documents + 1) + 1)

    def vector(self, text: str) -> dict[str, float]:
        """Unit-length TF-IDF vector of `text` (empty for a text with no words)."""
        weights = {t: n * self.idf.get(t, self.unseen_idf) for t, n in Counter(terms(text)).items()}
        return normalised(weights)


def normalised(weights: Mapping[str, float]) -> dict[str, float]:
    length = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / length for t, w in weights.items()} if length else {}


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two unit vectors; 0.0 if either is empty."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def centroid(vectors: Iterable[Vector]) -> dict[str, float]:
    total: dict[str, float] = {}
    for v in vectors:
        for t, w in v.items():
            total[t] = total.get(t, 0.0) + w
    return normalised(total)
