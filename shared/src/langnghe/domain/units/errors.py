"""The one error the units package raises: a stable machine code, a Vietnamese message a clerk
can act on, the offending field, and the HTTP status an entrypoint should answer with."""

from __future__ import annotations

from langnghe.domain.errors import DomainError


class UnitError(DomainError):
    """An administrative unit is unknown, or not where the command puts it."""


def unknown_unit(code: str, field: str = "unit_code") -> UnitError:
    return UnitError("unit.not_found", f"Không tìm thấy đơn vị hành chính có mã “{code}”.", field, 404)


def unknown_legacy_unit(code: str, field: str = "unit_code") -> UnitError:
    return UnitError(
        "legacy_unit.not_found",
        f"Không tìm thấy đơn vị hành chính cũ (trước 01/7/2025) có mã “{code}”.",
        field,
        404,
    )


def ambiguous_name(
    code: str, name: str, options: list[str], *, loose: bool, field: str, legacy: bool = False
) -> UnitError:
    """A name that fits several units is no answer; when only the letters without diacritics
    matched, the clerk is told so, since typing the diacritics usually settles it."""
    units = "đơn vị cũ" if legacy else "đơn vị"
    if loose:
        message = (
            f"Tên “{name}”, khi không xét dấu, ứng với nhiều {units}: {'; '.join(options)}. "
            "Hãy ghi tên có dấu hoặc chọn theo mã."
        )
    else:
        message = f"Tên “{name}” ứng với nhiều {units}: {'; '.join(options)}. Hãy chọn theo mã."
    return UnitError(code, message, field)
