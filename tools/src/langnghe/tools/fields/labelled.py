"""The labelled petitions shipped beside this code (`data/labelled_petitions.jsonl`, synthetic,
see `data/README.md`): the training data of the field suggestion and the yardstick of both the
suggestion and duplicate detection. Read once, on first use."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, cast

from langnghe.domain.fields.taxonomy import is_known_field

Split = Literal["train", "test"]
DATA_FILE = "labelled_petitions.jsonl"


@dataclass(frozen=True)
class LabelledPetition:
    id: str
    text: str
    field: str
    commune: str
    split: Split
    duplicate_of: str | None


class BadLabelledData(ValueError):
    pass


def parse_labelled(lines: Iterable[str]) -> tuple[LabelledPetition, ...]:
    items: list[LabelledPetition] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        if not isinstance(raw, dict):
            raise BadLabelledData(f"line {number}: not an object")
        row = cast(dict[str, object], raw)
        ident, text, field, commune, split = (row.get(k) for k in ("id", "text", "field", "commune", "split"))
        duplicate_of = row.get("duplicate_of")
        if not all(isinstance(v, str) and v for v in (ident, text, field, commune)):
            raise BadLabelledData(f"line {number}: id, text, field and commune must be non-empty strings")
        if split not in ("train", "test"):
            raise BadLabelledData(f"line {number}: split must be train or test")
        if duplicate_of is not None and not isinstance(duplicate_of, str):
            raise BadLabelledData(f"line {number}: duplicate_of must be an id or null")
        if not is_known_field(cast(str, field)):
            raise BadLabelledData(f"line {number}: unknown field {field!r}")
        items.append(
            LabelledPetition(
                cast(str, ident),
                cast(str, text),
                cast(str, field),
                cast(str, commune),
                split,
                duplicate_of,
            )
        )
    ids = {p.id for p in items}
    if len(ids) != len(items):
        raise BadLabelledData("duplicate ids")
    for p in items:
        if p.duplicate_of is not None and p.duplicate_of not in ids:
            raise BadLabelledData(f"{p.id}: duplicate_of {p.duplicate_of} does not exist")
    return tuple(items)


@lru_cache(maxsize=1)
def labelled_petitions() -> tuple[LabelledPetition, ...]:
    source = resources.files("langnghe.tools.fields").joinpath("data", DATA_FILE)
    return parse_labelled(source.read_text(encoding="utf-8").splitlines())


def in_split(split: Split) -> tuple[LabelledPetition, ...]:
    return tuple(p for p in labelled_petitions() if p.split == split)


def duplicate_root(petition: LabelledPetition, by_id: dict[str, LabelledPetition]) -> str:
    """The original a petition (transitively) duplicates, or its own id."""
    current = petition
    seen = {current.id}
    while current.duplicate_of is not None and current.duplicate_of not in seen:
        seen.add(current.duplicate_of)
        current = by_id[current.duplicate_of]
    return current.id
