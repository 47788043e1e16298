"""Administrative units of Vietnam, current and legacy, and the agencies seated at them.

Current units (34 provinces, 3,321 communes since 1 July 2025, the official list) come from
data/current_units.json.gz; legacy units (63 provinces, districts, communes until 30 June 2025)
and their successors from data/legacy_units.json.gz. Both load on first use, never at import;
data/README.md says where each file comes from and how to rebuild it.
"""

from langnghe.domain.units.agency import Agency, AgencyKind, check_agency_code
from langnghe.domain.units.agency_registry import AgencyRegistry, build_agency_registry
from langnghe.domain.units.current import (
    TWO_LEVEL_SINCE,
    CatalogueSource,
    Unit,
    catalogue_source,
    communes_of,
    current_communes,
    current_provinces,
    find_commune,
    find_province,
    province,
    unit,
)
from langnghe.domain.units.departments import DEFAULT_DEPARTMENTS, SpecialisedAgency
from langnghe.domain.units.errors import UnitError
from langnghe.domain.units.jurisdiction import is_within, legacy_units_under, units_under
from langnghe.domain.units.kinds import Level, UnitKind
from langnghe.domain.units.legacy import (
    DISTRICTS_ABOLISHED_ON,
    LEGACY_VALID_UNTIL,
    LegacySource,
    LegacyUnit,
    covered_communes,
    find_legacy,
    legacy_source,
    legacy_unit,
    legacy_units,
    predecessors_of,
    successor_of,
)
from langnghe.domain.units.rollup import RollUp, roll_up

__all__ = [
    "DEFAULT_DEPARTMENTS",
    "DISTRICTS_ABOLISHED_ON",
    "LEGACY_VALID_UNTIL",
    "TWO_LEVEL_SINCE",
    "Agency",
    "AgencyKind",
    "AgencyRegistry",
    "CatalogueSource",
    "LegacySource",
    "LegacyUnit",
    "Level",
    "RollUp",
    "SpecialisedAgency",
    "Unit",
    "UnitError",
    "UnitKind",
    "build_agency_registry",
    "catalogue_source",
    "check_agency_code",
    "communes_of",
    "covered_communes",
    "current_communes",
    "current_provinces",
    "find_commune",
    "find_legacy",
    "find_province",
    "is_within",
    "legacy_source",
    "legacy_unit",
    "legacy_units",
    "legacy_units_under",
    "predecessors_of",
    "province",
    "roll_up",
    "successor_of",
    "unit",
    "units_under",
]
