"""Shapes of the codes and ids the routes accept. Whether a code exists is the domain's
question (`langnghe.intake.domain.references`); these only bound what reaches it."""

from typing import Final

PROVINCE_CODE: Final = r"^[0-9]{2}$"
#: A province (2 digits), a commune (5 digits), or a unit from before 1 July 2025 (CU-HUYEN-1840).
UNIT_CODE: Final = r"^[A-Za-z0-9-]{2,32}$"
PETITION_ID: Final = r"^[A-Za-z0-9_-]{1,64}$"
CONFERENCE_ID: Final = r"^[A-Za-z0-9_-]{1,64}$"
FIELD_CODE: Final = r"^[a-z_]{2,40}$"
