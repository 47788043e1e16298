"""Vietnamese unit names: cleaning for display and keys for matching.

Sources spell the same unit differently: "Hoà"/"Hòa" (new and old tone placement), "H’leo" /
"H'Leo", "Xuân Hương-Đà Lạt" / "Xuân Hương - Đà Lạt", doubled spaces, "Thị Xã" / "Thị xã".
`name_key` erases those differences and nothing else. `loose_key` also drops diacritics,
which merges distinct units ("Thạnh An" and "Thanh An" are both communes of Hồ Chí Minh
City), so it is only a last resort when it finds exactly one unit.

People type names without diacritics, the kind included: "Huyen Song Lo", "phuong sa pa".
A kind typed that way cannot simply be cut off, since it may be the start of a name ("Quan
Sơn" is a commune, not quận Sơn): `NameIndex` tries the name both ways.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from langnghe.domain.units.kinds import UnitKind

# Case-folded, longest first, so "Thành phố" is not read as something shorter.
_PREFIXES = sorted(((kind.prefix.casefold(), kind) for kind in UnitKind), key=lambda p: -len(p[0]))
_SPACES = re.compile(r"\s+")
_DASH = re.compile(r"\s*[-–—]\s*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})

# Old-style tone placement ("hòa") for words ending in oa/oe/uy, whatever the source used
# ("hoà"). With a final consonant both styles agree ("hoàng"), and "qu" is a consonant.
_NEW_TO_OLD_TONE = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip


def _bare_letters(text: str) -> str:
    """Lower-case text without diacritics (đ -> d)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("đ", "d")


# The kind prefixes without diacritics, by words, longest first: ("thi", "xa") -> THI_XA.
_LOOSE_PREFIXES = sorted(
    ((tuple(_bare_letters(kind.prefix.casefold()).split(" ")), kind) for kind in UnitKind),
    key=lambda p: -len(p[0]),
)
_LOOSE_FIRST_WORDS = frozenset(prefix[0] for prefix, _ in _LOOSE_PREFIXES)


def clean_name(name: str) -> str:
    """NFC, single spaces, spaced dashes, canonical case of the kind prefix ("Thị xã")."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    text = _DASH.sub(" - ", text)
    kind, bare = split_kind(text)
    return f"{kind.prefix} {bare}" if kind is not None else text


def split_kind(name: str) -> tuple[UnitKind | None, str]:
    """("Thị xã Sa Pa") -> (THI_XA, "Sa Pa"); a name without a kind prefix -> (None, name)."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    folded = text.casefold()
    for p, kind in _PREFIXES:
        if folded.startswith(p) and folded[len(p) : len(p) + 1] == " " and len(text) > len(p) + 1:
            return kind, text[len(p) + 1 :]
    return None, text


def _tone_word(word: str) -> str:
    tail = word[-2:]
    if tail in _NEW_TO_OLD_TONE and not (tail[0] == "u" and word[-3:-2] == "q"):
        return word[:-2] + _NEW_TO_OLD_TONE[tail]
    return word


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Case, spacing, dash, apostrophe and tone-placement insensitive; keeps diacritics."""
    text = unicodedata.normalize("NFC", name).casefold().translate(_APOSTROPHES).replace("'", "")
    text = _DASH.sub(" ", text)
    return " ".join(_tone_word(w) for w in _SPACES.split(text) if w)


@lru_cache(maxsize=65536)
def loose_key(name: str) -> str:
    """`name_key` without diacritics (đ -> d)."""
    return _bare_letters(name_key(name))


def bare_key(name: str) -> str:
    """`name_key` of the name without its kind prefix: "Huyện Sông Lô" -> "sông lô"."""
    return name_key(split_kind(name)[1])


def split_loose_kind(name: str) -> tuple[UnitKind | None, str]:
    """`split_kind`, also reading a kind typed without any diacritics, in any case:
    ("HUYEN Song Lo") -> (HUYEN, "Song Lo"). Whether it is a kind or the first word of a
    name ("Quan Sơn") is for the caller to decide; a half-accented word ("Xà") is not a kind."""
    kind, bare = split_kind(name)
    if kind is not None:
        return kind, bare
    words = bare.split(" ")
    if words[0].casefold() not in _LOOSE_FIRST_WORDS:
        return None, bare
    for prefix, kind in _LOOSE_PREFIXES:
        if len(words) > len(prefix) and tuple(w.casefold() for w in words[: len(prefix)]) == prefix:
            return kind, " ".join(words[len(prefix) :])
    return None, bare


@dataclass(frozen=True, slots=True)
class NameMatch:
    codes: tuple[str, ...]
    loose: bool  # found only once diacritics were dropped


class NameIndex:
    """Codes by name, searched strictly first; the first step with a hit answers:

    1. the name with its kind ("Phường Sa Pa"; a kind typed without diacritics is read as
       one: "Phuong Sa Pa" is tried as "Phường Sa Pa");
    2. the name without its kind ("Sa Pa" finds "Thị xã Sa Pa");
    3. without diacritics, kind included ("Huyen Long My" finds huyện Long Mỹ, not thị xã
       Long Mỹ);
    4. without diacritics or kind.

    Every step returns all its hits, so the caller can tell one match from an ambiguous one.
    Within a step, the name as typed comes before its reading with a kind ("Quan Son" is xã
    Quan Sơn)."""

    def __init__(self) -> None:
        # name with kind, name without kind, name with kind without diacritics, name without either
        self._tiers: tuple[defaultdict[str, list[str]], ...] = tuple(defaultdict(list) for _ in range(4))

    def add(self, name: str, code: str) -> None:
        bare = split_kind(name)[1]
        keys = (name_key(name), name_key(bare), loose_key(name), loose_key(bare))
        for index, key in zip(self._tiers, keys, strict=True):
            if code not in index[key]:
                index[key].append(code)

    def lookup(self, name: str) -> NameMatch:
        for index, key, loose in self._steps(name):
            hits = index.get(key)
            if hits:
                return NameMatch(tuple(hits), loose)
        return NameMatch((), False)

    def _steps(self, name: str) -> Iterator[tuple[dict[str, list[str]], str, bool]]:
        kind, bare = split_loose_kind(name)
        with_kind, readings = [name], [name]  # "Phường Đúc" is a ward's name without its kind
        if kind is not None:
            with_kind.append(f"{kind.prefix} {bare}")  # "Phuong Sa Pa" -> "Phường Sa Pa"
            readings.append(bare)
        full, without_kind, loose_full, loose_without_kind = self._tiers
        yield from ((full, name_key(n), False) for n in with_kind)
        yield from ((without_kind, name_key(r), False) for r in readings)
        yield loose_full, loose_key(name), True
        yield from ((loose_without_kind, loose_key(r), True) for r in readings)
