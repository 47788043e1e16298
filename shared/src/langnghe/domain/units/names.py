"""Vietnamese unit names: cleaning for display and keys for matching.

Sources spell the same unit differently: "Hoà"/"Hòa" (new and old tone placement), "H’leo" /
"H'Leo", "Xuân Hương-Đà Lạt" / "Xuân Hương - Đà Lạt", doubled spaces, "Thị Xã" / "Thị xã".
`name_key` erases those differences and nothing else. `loose_key` also drops diacritics,
which merges distinct units ("Thạnh An" and "Thanh An" are both communes of Hồ Chí Minh
City), so it is only a last resort when it finds exactly one unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from langnghe.domain.units.kinds import UnitKind

# Longest first, so "Thành phố" is not read as something shorter.
_PREFIXES = sorted(((kind.prefix, kind) for kind in UnitKind), key=lambda p: -len(p[0]))
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
    for prefix, kind in _PREFIXES:
        p = prefix.casefold()
        if folded.startswith(p + " ") and len(text) > len(p) + 1:
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
    decomposed = unicodedata.normalize("NFD", name_key(name))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return bare.replace("đ", "d")


def bare_key(name: str) -> str:
    """`name_key` of the name without its kind prefix: "Huyện Sông Lô" -> "sông lô"."""
    return name_key(split_kind(name)[1])


class NameIndex:
    """Codes by name, searched strictly first: exact name with kind, then without the kind
    ("Sa Pa" finds "Thị xã Sa Pa"), then without diacritics. Every tier returns all its
    hits, so the caller can tell one match from an ambiguous one."""

    def __init__(self) -> None:
        # name with kind, name without kind, name without kind or diacritics
        self._tiers: tuple[defaultdict[str, list[str]], ...] = tuple(defaultdict(list) for _ in range(3))

    def add(self, name: str, code: str) -> None:
        bare = split_kind(name)[1]
        for index, key in zip(self._tiers, (name_key(name), name_key(bare), loose_key(bare)), strict=True):
            if code not in index[key]:
                index[key].append(code)

    def find(self, name: str) -> list[str]:
        hits = self._tiers[0].get(name_key(name))
        if not hits:  # the looser keys only when the stricter ones find nothing
            bare = split_kind(name)[1]
            hits = self._tiers[1].get(name_key(bare)) or self._tiers[2].get(loose_key(bare))
        return list(hits or ())
