"""Text from a request, cleaned once at the edge: NFC (Vietnamese typed on one keyboard as
composed characters and on another as a letter plus combining marks reads the same and counts
the same), without surrounding whitespace. The domain receives it clean and only judges it
(too short, blank, a duplicate).

Put `Cleaned` after the field's limits, in the same `Annotated`:
`Annotated[str, Field(max_length=2000), Cleaned]`. The limits then apply to what the client
sent, and the domain's own rules (`petition.content_too_short`, ...) to the cleaned text, as a
refusal with their code. (Limits given after it, or on an optional field's `Field()`, may be
applied to the cleaned text instead: pydantic's order, not ours.)
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def clean_text(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


Cleaned = AfterValidator(clean_text)

#: Free text without limits of its own.
CleanText = Annotated[str, Cleaned]
