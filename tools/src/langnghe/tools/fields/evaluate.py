"""How well the field suggestion and duplicate detection do on the labelled set.

    python -m langnghe.tools.fields.evaluate

Protocol. Every parameter was chosen on the train split: the suggestion's temperature and
keyword weight by 5-fold cross-validation (folds keep a petition and its duplicates together),
the duplicate threshold by maximising F1 over same-commune pairs. The test split (a fixed ~25 %,
stratified by field, duplicate clusters never split) is only measured. The labelled set is
synthetic and was written by the same hand as the keywords: real petitions will score lower.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from langnghe.tools.fields.duplicates import DUPLICATE_THRESHOLD, similarity
from langnghe.tools.fields.labelled import LabelledPetition, duplicate_root, labelled_petitions
from langnghe.tools.fields.suggestion import (
    KEYWORD_WEIGHT,
    TEMPERATURE,
    FieldModel,
    rank,
    train_field_model,
)
from langnghe.tools.fields.text import has_diacritics
from langnghe.tools.fields.vectors import TfIdf

FOLDS = 5


@dataclass(frozen=True)
class Accuracy:
    n: int
    top1: int
    top3: int
    unsure: int  # "other" put first because the best field scored under the threshold

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.n if self.n else 0.0


@dataclass(frozen=True)
class PairCounts:
    pairs: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Evaluation:
    items: int
    train: int
    test: int
    without_diacritics: int
    duplicates: int
    test_duplicates: int
    cross_validated: Accuracy
    test_all: Accuracy
    test_with_diacritics: Accuracy
    test_without_diacritics: Accuracy
    test_statistical_only: Accuracy
    threshold: float
    threshold_tuned_on_train: float
    train_pairs: PairCounts
    test_pairs: PairCounts
    test_retrieval_hits: int
    test_retrieval_queries: int


def suggestion_accuracy(model: FieldModel, items: Iterable[LabelledPetition]) -> Accuracy:
    n = top1 = top3 = unsure = 0
    for p in items:
        ranked = rank(model, p.text)
        n += 1
        top1 += ranked[0].code == p.field
        top3 += p.field in {s.code for s in ranked[:3]}
        unsure += ranked[0].score < model.unsure_below
    return Accuracy(n, top1, top3, unsure)


def _fold(p: LabelledPetition, by_id: dict[str, LabelledPetition]) -> int:
    digest = hashlib.sha256(duplicate_root(p, by_id).encode()).hexdigest()
    return int(digest, 16) % FOLDS


def cross_validate(
    items: Sequence[LabelledPetition],
    *,
    temperature: float = TEMPERATURE,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> Accuracy:
    by_id = {p.id: p for p in labelled_petitions()}
    totals = Accuracy(0, 0, 0, 0)
    for k in range(FOLDS):
        fit = [(p.text, p.field) for p in items if _fold(p, by_id) != k]
        model = train_field_model(fit, temperature=temperature, keyword_weight=keyword_weight)
        a = suggestion_accuracy(model, (p for p in items if _fold(p, by_id) == k))
        totals = Accuracy(
            totals.n + a.n, totals.top1 + a.top1, totals.top3 + a.top3, totals.unsure + a.unsure
        )
    return totals


def scored_pairs(items: Sequence[LabelledPetition], tfidf: TfIdf) -> list[tuple[float, bool]]:
    """(similarity, is a true duplicate) for every pair of petitions of the same commune."""
    by_id = {p.id: p for p in labelled_petitions()}
    communes: dict[str, list[LabelledPetition]] = defaultdict(list)
    for p in items:
        communes[p.commune].append(p)
    return [
        (similarity(a.text, b.text, tfidf=tfidf), duplicate_root(a, by_id) == duplicate_root(b, by_id))
        for commune in sorted(communes)
        for a, b in itertools.combinations(communes[commune], 2)
    ]


def pair_counts(scored: Sequence[tuple[float, bool]], threshold: float) -> PairCounts:
    tp = sum(1 for s, dup in scored if dup and s >= threshold)
    fp = sum(1 for s, dup in scored if not dup and s >= threshold)
    fn = sum(1 for s, dup in scored if dup and s < threshold)
    return PairCounts(len(scored), tp, fp, fn)


def tune_duplicate_threshold(scored: Sequence[tuple[float, bool]]) -> float:
    """The cut with the best F1, placed halfway to the next lower score."""
    ranked = sorted(scored, key=lambda x: -x[0])
    positives = sum(1 for _, dup in ranked if dup)
    best_f1, best_cut, tp = -1.0, 1.0, 0
    for i, (score, dup) in enumerate(ranked):
        tp += dup
        precision, recall = tp / (i + 1), tp / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if f1 > best_f1:
            following = ranked[i + 1][0] if i + 1 < len(ranked) else 0.0
            best_f1, best_cut = f1, (score + following) / 2
    return round(best_cut, 3)


def retrieval(
    queries: Sequence[LabelledPetition], pool: Sequence[LabelledPetition], tfidf: TfIdf
) -> tuple[int, int]:
    """For each duplicate: is the most similar other open petition of its commune (from the
    whole pool, both splits) one of the same matter?"""
    by_id = {p.id: p for p in labelled_petitions()}
    hits = 0
    for q in queries:
        others = [p for p in pool if p.commune == q.commune and p.id != q.id]
        best = max(others, key=lambda p: (similarity(q.text, p.text, tfidf=tfidf), p.id))
        hits += duplicate_root(best, by_id) == duplicate_root(q, by_id)
    return hits, len(queries)


def evaluate() -> Evaluation:
    items = labelled_petitions()
    train = [p for p in items if p.split == "train"]
    test = [p for p in items if p.split == "test"]
    model = train_field_model((p.text, p.field) for p in train)
    statistical = train_field_model(((p.text, p.field) for p in train), keyword_weight=0.0)
    tfidf = TfIdf.fit(p.text for p in train)
    train_scored = scored_pairs(train, tfidf)
    test_scored = scored_pairs(test, tfidf)
    test_dups = [p for p in test if p.duplicate_of is not None]
    hits, queries = retrieval(test_dups, items, tfidf)
    return Evaluation(
        items=len(items),
        train=len(train),
        test=len(test),
        without_diacritics=sum(1 for p in items if not has_diacritics(p.text)),
        duplicates=sum(1 for p in items if p.duplicate_of is not None),
        test_duplicates=len(test_dups),
        cross_validated=cross_validate(train),
        test_all=suggestion_accuracy(model, test),
        test_with_diacritics=suggestion_accuracy(model, (p for p in test if has_diacritics(p.text))),
        test_without_diacritics=suggestion_accuracy(model, (p for p in test if not has_diacritics(p.text))),
        test_statistical_only=suggestion_accuracy(statistical, test),
        threshold=DUPLICATE_THRESHOLD,
        threshold_tuned_on_train=tune_duplicate_threshold(train_scored),
        train_pairs=pair_counts(train_scored, DUPLICATE_THRESHOLD),
        test_pairs=pair_counts(test_scored, DUPLICATE_THRESHOLD),
        test_retrieval_hits=hits,
        test_retrieval_queries=queries,
    )


def _accuracy_line(label: str, a: Accuracy) -> str:
    return (
        f"  {label:<34} n={a.n:<4} top-1 {a.top1_rate:6.1%} ({a.top1}/{a.n})  "
        f"top-3 {a.top3_rate:6.1%} ({a.top3}/{a.n})  unsure {a.unsure}"
    )


def _pairs_line(label: str, c: PairCounts) -> str:
    return (
        f"  {label:<34} pairs={c.pairs:<5} precision {c.precision:6.1%}  recall {c.recall:6.1%}  "
        f"F1 {c.f1:.3f}  (TP {c.true_positives}, FP {c.false_positives}, FN {c.false_negatives})"
    )


def report(e: Evaluation) -> str:
    return "\n".join(
        [
            f"labelled set: {e.items} petitions ({e.train} train, {e.test} test), "
            f"{e.without_diacritics} without diacritics ({e.without_diacritics / e.items:.0%}), "
            f"{e.duplicates} marked duplicates ({e.test_duplicates} in test)",
            "field suggestion:",
            _accuracy_line("train, 5-fold cross-validation", e.cross_validated),
            _accuracy_line("test, all", e.test_all),
            _accuracy_line("test, with diacritics", e.test_with_diacritics),
            _accuracy_line("test, without diacritics", e.test_without_diacritics),
            _accuracy_line("test, statistical part only", e.test_statistical_only),
            f"duplicates (same commune, threshold {e.threshold}; F1-best on train: "
            f"{e.threshold_tuned_on_train}):",
            _pairs_line("train pairs (tuning)", e.train_pairs),
            _pairs_line("test pairs", e.test_pairs),
            f"  test duplicates whose most similar commune petition is the same matter: "
            f"{e.test_retrieval_hits}/{e.test_retrieval_queries}",
        ]
    )


def main() -> None:
    print(report(evaluate()))


if __name__ == "__main__":
    main()
