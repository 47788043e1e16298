"""Vietnamese text, made comparable whether or not it was typed with diacritics.

People type petitions on phones without Telex as often as with it ("so do" for "sổ đỏ"), so
everything that compares texts works on the diacritic-free, lower-case form. `đ` is a letter
of its own, not a base letter plus a mark, so Unicode decomposition leaves it alone: it is
mapped by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_D_BAR = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[0-9a-z]+")

# Short forms common in phone typing and in petitions themselves. Only unambiguous ones:
# "ng" (người / nguyện) and "hs" (học sinh / hồ sơ) are left alone on purpose.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ko": ("khong",),
    "k": ("khong",),
    "kg": ("khong",),
    "khg": ("khong",),
    "hok": ("khong",),
    "dc": ("duoc",),
    "j": ("gi",),
    "vs": ("voi",),
    "ubnd": ("uy", "ban", "nhan", "dan"),
    "hdnd": ("hoi", "dong", "nhan", "dan"),
    "mttq": ("mat", "tran", "to", "quoc"),
    "bhyt": ("bao", "hiem", "y", "te"),
    "bhxh": ("bao", "hiem", "xa", "hoi"),
    "gpmb": ("giai", "phong", "mat", "bang"),
    "tdc": ("tai", "dinh", "cu"),
    "ntm": ("nong", "thon", "moi"),
    "qsdd": ("quyen", "su", "dung", "dat"),
    "gcn": ("giay", "chung", "nhan"),
    "kcn": ("khu", "cong", "nghiep"),
    "cccd": ("can", "cuoc", "cong", "dan"),
    "atvstp": ("an", "toan", "ve", "sinh", "thuc", "pham"),
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """`Sổ đỏ` -> `So do`; case is kept, anything that is not a combining mark is kept."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_BAR))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


def has_diacritics(text: str) -> bool:
    """True if any letter carries a Vietnamese mark (or is đ); text typed "as on a phone" is not."""
    return strip_diacritics(nfc(text)) != nfc(text)


def fold(text: str) -> str:
    """The comparison form: NFC, lower-case, no diacritics."""
    return strip_diacritics(nfc(text).lower())


def tokens(text: str) -> list[str]:
    """Syllables of the folded text, with the short forms above written out."""
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        out.extend(ABBREVIATIONS.get(word, (word,)))
    return out


def ngrams(syllables: Sequence[str], n: int) -> list[str]:
    """Vietnamese words are mostly two syllables ("đất đai", "bồi thường"): bigrams carry them."""
    return [" ".join(syllables[i : i + n]) for i in range(len(syllables) - n + 1)]
