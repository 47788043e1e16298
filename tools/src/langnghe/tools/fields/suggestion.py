"""Suggesting the field of a petition from its text.

Two transparent parts, blended:

- statistical: the cosine between the text's TF-IDF vector (diacritic-free syllable unigrams and
  bigrams, see `vectors.py`) and each field's centroid over the labelled train split, turned
  into a distribution with a softmax;
- rules: the taxonomy's keywords found in the text, each field getting its share of the hits.

Deterministic (no randomness; ties broken by taxonomy order) and inspectable: `explain` gives
the keywords that fired. The model is built from the shipped data on first use and kept in
memory; nothing is pickled. The constants below were chosen by cross-validation on the train
split only (`evaluate.py`); the test split never informed them.

The clerk decides; this only orders the list. When the best field scores under `UNSURE_BELOW`,
"other" is put first so that an uncertain guess is not presented as the answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from langnghe.domain.fields.taxonomy import FIELDS, OTHER
from langnghe.tools.fields.labelled import in_split
from langnghe.tools.fields.text import ngrams, tokens
from langnghe.tools.fields.vectors import TfIdf, centroid, cosine

TEMPERATURE = 0.1
KEYWORD_WEIGHT = 0.35
UNSURE_BELOW = 0.1
_LONGEST_KEYWORD = 8


class FieldSuggestion(NamedTuple):
    code: str
    score: float


@dataclass(frozen=True)
class FieldModel:
    codes: tuple[str, ...]
    tfidf: TfIdf
    centroids: Mapping[str, Mapping[str, float]]
    keywords: Mapping[str, tuple[str, ...]]
    temperature: float = TEMPERATURE
    keyword_weight: float = KEYWORD_WEIGHT
    unsure_below: float = UNSURE_BELOW

    def keyword_hits(self, text: str) -> dict[str, tuple[str, ...]]:
        syllables = tokens(text)
        present = {g for n in range(1, _LONGEST_KEYWORD + 1) for g in ngrams(syllables, n)}
        return {c: tuple(k for k in self.keywords[c] if k in present) for c in self.codes}

    def similarities(self, text: str) -> dict[str, float]:
        vector = self.tfidf.vector(text)
        return {c: cosine(vector, self.centroids[c]) for c in self.codes}

    def scores(self, text: str) -> dict[str, float]:
        """A score per field in [0, 1]; the scores sum to 1."""
        similarity = self.similarities(text)
        top = max(similarity.values())
        weights = {c: math.exp((s - top) / self.temperature) for c, s in similarity.items()}
        total = sum(weights.values())
        statistical = {c: w / total for c, w in weights.items()}
        hits = {c: len(found) for c, found in self.keyword_hits(text).items()}
        fired = sum(hits.values())
        if not fired:
            return statistical
        w = self.keyword_weight
        return {c: (1 - w) * statistical[c] + w * hits[c] / fired for c in self.codes}


def keyword_index() -> dict[str, tuple[str, ...]]:
    """Each field's keywords in the folded form they are matched in."""
    return {f.code: tuple(" ".join(tokens(k)) for k in f.keywords) for f in FIELDS}


def train_field_model(
    examples: Iterable[tuple[str, str]],
    *,
    temperature: float = TEMPERATURE,
    keyword_weight: float = KEYWORD_WEIGHT,
    unsure_below: float = UNSURE_BELOW,
) -> FieldModel:
    """`examples` are (text, field code); every taxonomy field is a class, seen or not."""
    examples = list(examples)
    tfidf = TfIdf.fit(text for text, _ in examples)
    codes = tuple(f.code for f in FIELDS)
    centroids = {c: centroid(tfidf.vector(t) for t, code in examples if code == c) for c in codes}
    return FieldModel(codes, tfidf, centroids, keyword_index(), temperature, keyword_weight, unsure_below)


@lru_cache(maxsize=1)
def default_model() -> FieldModel:
    return train_field_model((p.text, p.field) for p in in_split("train"))


def rank(model: FieldModel, text: str) -> list[FieldSuggestion]:
    """Every field, best first; "other" first when the best is under the model's threshold."""
    scores = model.scores(text)
    order = sorted(model.codes, key=lambda c: (-scores[c], model.codes.index(c)))
    ranked = [FieldSuggestion(c, round(scores[c], 4)) for c in order]
    if ranked[0].score < model.unsure_below and ranked[0].code != OTHER:
        other = next(s for s in ranked if s.code == OTHER)
        ranked = [other, *(s for s in ranked if s.code != OTHER)]
    return ranked


def suggest_field(text: str, *, limit: int = 3, model: FieldModel | None = None) -> list[FieldSuggestion]:
    """Fields ranked for `text`, best first, each with a score in [0, 1]."""
    return rank(model or default_model(), text)[:limit]


def explain(text: str, code: str, *, model: FieldModel | None = None) -> tuple[str, ...]:
    """The keywords of field `code` found in `text`, in the folded form they matched."""
    return (model or default_model()).keyword_hits(text)[code]
