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
