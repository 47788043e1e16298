"""The one error the units package raises: a stable machine code, a Vietnamese message a clerk
can act on, the offending field, and the HTTP status an entrypoint should answer with."""

from __future__ import annotations


class UnitError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def __repr__(self) -> str:
        return f"UnitError({self.code!r}, {self.message!r}, field={self.field!r})"


def unknown_unit(code: str, field: str = "unit_code") -> UnitError:
    return UnitError("unit.not_found", f"Không tìm thấy đơn vị hành chính có mã “{code}”.", field, 404)


def unknown_legacy_unit(code: str, field: str = "unit_code") -> UnitError:
    return UnitError(
        "legacy_unit.not_found",
        f"Không tìm thấy đơn vị hành chính cũ (trước 01/7/2025) có mã “{code}”.",
        field,
        404,
    )
