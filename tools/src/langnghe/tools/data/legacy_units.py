"""Data builder, never imported at run time: rebuild the runtime's
langnghe/domain/units/data/legacy_units.json.gz, the units in force until 30 June 2025 (63
provinces, their districts and communes) with their successors today.

Source: the old-to-new table in the PyPI package `vietnam-address-converter` (Apache-2.0),
whose own IDs become our legacy codes ("CU-TINH-35", "CU-HUYEN-1840", "CU-XA-65803"; "cũ" is
"old"). They are not the statistics office's codes, which the package does not carry.
Successors are written as current commune codes *and* names from `vietnam-provinces`; the
loader resolves them by name first, so the file stays right when the catalogue's codes move.

Run offline from the workspace root, with both packages installed:

    python -m langnghe.tools.data.legacy_units [--generated-on 2026-11-22]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import langnghe.domain.units
from langnghe.domain.units.current import catalogue_source, find_commune, find_province, unit
from langnghe.domain.units.kinds import Level, UnitKind
from langnghe.domain.units.names import clean_name, split_kind

#: Beside the loader that reads it (langnghe.domain.units.legacy), in the runtime package.
OUT = Path(langnghe.domain.units.__file__).parent / "data" / "legacy_units.json.gz"
SOURCE = "vietnam-address-converter"
VALID_UNTIL = "2025-06-30"

# Names a 2023 record may use that the source no longer does: Thừa Thiên Huế became the
# centrally-run city of Huế on 1 January 2025.
PROVINCE_ALIASES = {"Thành phố Huế": ["Tỉnh Thừa Thiên Huế"]}

LEVEL_OF_KIND = {
    UnitKind.TINH: Level.PROVINCE,
    UnitKind.QUAN: Level.DISTRICT,
    UnitKind.HUYEN: Level.DISTRICT,
    UnitKind.THI_XA: Level.DISTRICT,
    UnitKind.XA: Level.COMMUNE,
    UnitKind.PHUONG: Level.COMMUNE,
    UnitKind.THI_TRAN: Level.COMMUNE,
}


PREFIXES = {Level.PROVINCE: "CU-TINH-", Level.DISTRICT: "CU-HUYEN-", Level.COMMUNE: "CU-XA-"}


def legacy_code(level: Level, source_id: str) -> str:
    return PREFIXES[level] + source_id


def kind_of(name: str, level: Level) -> UnitKind:
    kind, _ = split_kind(name)
    if kind is None or LEVEL_OF_KIND.get(kind, level) is not level:
        raise SystemExit(f"cannot read the kind of {level} {name!r}")
    return kind


class Builder:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.rows: list[dict[str, Any]] = data["mapping"]["rows"]
        self.provinces: dict[str, dict[str, Any]] = {}
        self.districts: dict[str, dict[str, Any]] = {}
        self.communes: dict[str, dict[str, Any]] = {}
        self.successors: defaultdict[str, set[str]] = defaultdict(set)  # legacy code -> current codes
        self.new_commune: dict[str, str] = {}  # source's new ward id -> current commune code
        self.skipped: list[str] = []  # source entries that are not administrative units

    def resolve_new_units(self) -> None:
        new_province = {
            pid: find_province(p["name_with_type"]).code for pid, p in self.data["newProvinces"].items()
        }
        for wid, w in self.data["newWards"].items():
            self.new_commune[wid] = find_commune(new_province[w["parent_code"]], w["name_with_type"]).code
        if len(set(self.new_commune.values())) != len(self.new_commune):
            raise SystemExit("two of the source's new communes resolve to the same current commune")

    def add(
        self,
        table: dict[str, dict[str, Any]],
        level: Level,
        sid: str,
        name: str,
        parent: str | None,
        valid_until: str | None,
    ) -> str:
        code = legacy_code(level, sid)
        cleaned = clean_name(name)
        fresh: dict[str, Any] = {
            "code": code,
            "name": cleaned,
            "kind": kind_of(cleaned, level).value,
            "parent": parent,
            "valid_until": valid_until,
            "former_names": [],
        }
        record = table.setdefault(code, fresh)
        if record["name"] != cleaned or record["parent"] != parent:
            raise SystemExit(f"{code}: inconsistent rows ({record['name']!r} vs {cleaned!r})")
        return code

    def read_rows(self) -> None:
        for row in self.rows:
            old, new = row["old"], row["new"]
            province = self.add(
                self.provinces, Level.PROVINCE, old["province_code"], old["province_name"], None, VALID_UNTIL
            )
            district = self.add(
                self.districts,
                Level.DISTRICT,
                old["district_code"],
                old["district_name"],
                province,
                VALID_UNTIL,
            )
            successor = self.new_commune[new["ward_code"]]
            self.successors[province].add(unit(successor).province_code)
            if old["ward_code"] and self._not_a_unit(old["ward_name"]):
                continue
            if old["ward_code"]:  # island districts without communes map as a whole
                commune = self.add(
                    self.communes, Level.COMMUNE, old["ward_code"], old["ward_name"], district, VALID_UNTIL
                )
                self.successors[commune].add(successor)
            else:
                self.successors[district].add(successor)

    def read_earlier_units(self) -> None:
        """The source's address tables are an older snapshot: units they list that the mapping
        does not were abolished before 30 June 2025 (date not recorded); they keep their place
        in the tree, so they still roll up to a province, but have no successor commune."""
        for sid, d in self.data["oldDistricts"].items():
            code = legacy_code(Level.DISTRICT, sid)
            if code in self.districts:
                self._former_name(self.districts[code], d["name_with_type"])
            else:
                parent = legacy_code(Level.PROVINCE, d["parent_code"])
                self.add(self.districts, Level.DISTRICT, sid, d["name_with_type"], parent, None)
        for sid, w in self.data["oldWards"].items():
            code = legacy_code(Level.COMMUNE, sid)
            if code in self.communes:
                self._former_name(self.communes[code], w["name_with_type"])
            elif self._not_a_unit(w["name_with_type"]):
                continue
            else:
                parent = legacy_code(Level.DISTRICT, w["parent_code"])
                self.add(self.communes, Level.COMMUNE, sid, w["name_with_type"], parent, None)
        for record in self.provinces.values():
            for alias in PROVINCE_ALIASES.get(record["name"], []):
                self._former_name(record, alias)

    def _not_a_unit(self, name: str) -> bool:
        """The source lists a military training area ("Trung Tâm Huấn Luyện Cấm Sơn") as a ward."""
        cleaned = clean_name(name)
        if split_kind(cleaned)[0] is not None:
            return False
        if cleaned not in self.skipped:
            self.skipped.append(cleaned)
        return True

    @staticmethod
    def _former_name(record: dict[str, Any], name: str) -> None:
        cleaned = clean_name(name)
        if cleaned != record["name"] and cleaned not in record["former_names"]:
            record["former_names"].append(cleaned)

    def check(self) -> None:
        for code, provinces in self.successors.items():
            if code.startswith("CU-TINH-") and len(provinces) != 1:
                raise SystemExit(f"{code} maps to several provinces: {sorted(provinces)}")
        province_of = {c: next(iter(self.successors[c])) for c in self.provinces}
        for table in (self.districts, self.communes):
            for code, record in table.items():
                parent = record["parent"]
                while not parent.startswith("CU-TINH-"):
                    parent = self.districts[parent]["parent"]
                if any(unit(s).province_code != province_of[parent] for s in self.successors.get(code, ())):
                    raise SystemExit(f"{code} has a successor outside its province's successor")

    def records(self, table: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for code in sorted(table, key=lambda c: int(c.rsplit("-", 1)[1])):
            record = {k: v for k, v in table[code].items() if v not in (None, [])}
            successors = sorted(self.successors.get(code, ()))
            if successors:
                record["successors"] = [[s, unit(s).name_vi] for s in successors]
            out.append(record)
        return out


def licence_text() -> str:
    dist = importlib.metadata.distribution(SOURCE)
    return dist.read_text("licenses/LICENSE") or dist.read_text("LICENSE") or dist.metadata["License"]


def build(generated_on: date) -> dict[str, Any]:
    import vietnam_address_converter
    from vietnam_address_converter.data import DEFAULT_DATA

    builder = Builder(DEFAULT_DATA)
    builder.resolve_new_units()
    builder.read_rows()
    builder.read_earlier_units()
    builder.check()
    meta = DEFAULT_DATA["mapping"]["meta"]
    catalogue = catalogue_source()
    provinces = builder.records(builder.provinces)
    districts = builder.records(builder.districts)
    communes = builder.records(builder.communes)
    licence = licence_text()
    copyright_line = next(
        (ln.strip() for ln in licence.splitlines() if ln.strip().startswith("Copyright")), ""
    )
    return {
        "about": (
            "Lắng Nghe legacy administrative units: provinces, districts and communes in force until "
            "30 June 2025 (districts abolished 1 July 2025), with their successors among the current "
            "units. valid_until null marks a unit abolished earlier, on a date the source does not record; "
            "it has no successor commune."
        ),
        "source": {
            "package": SOURCE,
            "version": vietnam_address_converter.__version__,
            "licence": "Apache-2.0",
            "copyright": copyright_line,
            "homepage": "https://github.com/trng28/address-converter",
            "table": f"{meta['source']}, {meta['row_count']} rows, version {meta['version']}",
            "changes": (
                "Extracted from vietnam_address_converter/data.py by langnghe.tools.data.legacy_units: "
                "rows regrouped into units; source IDs prefixed CU-TINH-/CU-HUYEN-/CU-XA-; names NFC "
                "with canonical kind prefixes and spaced dashes; the source's new-ward IDs replaced by "
                "current commune codes and names; older names of the same unit kept as former_names."
            ),
        },
        "successor_catalogue": {
            "package": catalogue.package,
            "version": catalogue.version,
            "data_version": catalogue.data_version,
        },
        "generated_on": generated_on.isoformat(),
        "generated_by": "tools/src/langnghe/tools/data/legacy_units.py",
        "counts": {
            "provinces": len(provinces),
            "districts": len(districts),
            "communes": len(communes),
            "communes_with_successor": sum(1 for c in communes if "successors" in c),
            "districts_in_force_until_2025_06_30": sum(1 for d in districts if "valid_until" in d),
            "communes_in_force_until_2025_06_30": sum(1 for c in communes if "valid_until" in c),
        },
        "skipped_not_units": builder.skipped,
        "licence_text": licence,
        "provinces": provinces,
        "districts": districts,
        "communes": communes,
    }


def dump(document: dict[str, Any]) -> bytes:
    """One record per line, so `zcat legacy_units.json.gz | diff` reads well."""
    head = {k: v for k, v in document.items() if k not in ("provinces", "districts", "communes")}
    parts = [json.dumps(head, ensure_ascii=False, indent=1)[:-2]]
    for table in ("provinces", "districts", "communes"):
        lines = ",\n".join(
            "  " + json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in document[table]
        )
        parts.append(f',\n "{table}": [\n{lines}\n ]')
    return ("".join(parts) + "\n}\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--generated-on", type=date.fromisoformat, default=date.today())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    document = build(args.generated_on)
    body = dump(document)
    json.loads(body)  # the hand-made layout must still be JSON
    args.out.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    print(
        f"{args.out}: {len(body):,} bytes of JSON, {args.out.stat().st_size:,} gzipped; {document['counts']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
