"""Text from a request, cleaned once at the edge: NFC (Vietnamese typed on one keyboard as
composed characters and on another as a letter plus combining marks reads the same and counts
the same), without surrounding whitespace, and without control characters. The domain
receives it clean and only judges it (too short, blank, a duplicate).

Put `Cleaned` (long text: content, answers, reasons, notes, findings) or `CleanedLine` (one
line: names, references, numbers, places, titles) after the field's limits, in the same
`Annotated`: `Annotated[str, Field(max_length=2000), Cleaned]`. The limits then apply to what
the client sent, and the domain's own rules (`petition.content_too_short`, ...) to the cleaned
text, as a refusal with their code. (Limits given after it, or on an optional field's
`Field()`, may be applied to the cleaned text instead: pydantic's order, not ours.)

Control characters are refused (`422 validation.control_character`), never silently dropped:
NUL cannot be stored at all (PostgreSQL's text refuses it, so a petition carrying one could
never reach a read model), and the others (a bell, an escape sequence, a C1 control from a
mis-decoded paste) are not text a clerk meant. Long text keeps tab and line breaks, which a
clerk pastes from a document; one-line text refuses them too. Lone surrogates (a JSON escape
such as "\\ud800" that is no character) cannot be encoded as UTF-8 and are refused alike.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

#: C0 controls but tab, line feed and carriage return; DEL and the C1 controls; surrogates.
_CONTROL_IN_LONG_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same, and tab and line breaks (also the Unicode line and paragraph separators).
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

_LONG_MESSAGE = "Nội dung chứa ký tự điều khiển không hợp lệ (ví dụ ký tự NUL); hãy xóa ký tự đó rồi gửi lại."
_LINE_MESSAGE = (
    "Trường này chỉ gồm một dòng chữ: không được chứa dấu xuống dòng, dấu tab hay ký tự điều khiển."
)


def clean_text(value: str) -> str:
    """NFC, stripped; refuses control characters but tab and line breaks."""
    return _refusing(_CONTROL_IN_LONG_TEXT, _LONG_MESSAGE, unicodedata.normalize("NFC", value).strip())


def clean_line(value: str) -> str:
    """NFC, stripped; refuses every control character, tab and line breaks included."""
    return _refusing(_CONTROL_IN_LINE, _LINE_MESSAGE, unicodedata.normalize("NFC", value).strip())


def _refusing(pattern: re.Pattern[str], message: str, text: str) -> str:
    if pattern.search(text):
        # `vi` is the message the HTTP layer answers with (langnghe.runtime.http).
        raise PydanticCustomError("control_character", message, {"vi": message})
    return text


Cleaned = AfterValidator(clean_text)
CleanedLine = AfterValidator(clean_line)

#: Free text without limits of its own.
CleanText = Annotated[str, Cleaned]
