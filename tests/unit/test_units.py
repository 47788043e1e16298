"""Administrative units, current and legacy, roll-up, jurisdiction and the agencies registry.

Expectations about merged provinces were checked against the shipped legacy data (and agree
with Resolution 202/2025/QH15 as reported). Current codes are the official list's (see
data/README.md); the sample of codes below fails on the 2025.x draft list, which is what pip
gives Python 3.11 when `vietnam-provinces` is installed.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from langnghe.domain.units import (
    DISTRICTS_ABOLISHED_ON,
    LEGACY_VALID_UNTIL,
    AgencyKind,
    LegacyUnit,
    Level,
    Unit,
    UnitError,
    UnitKind,
    build_agency_registry,
    catalogue_source,
    check_agency_code,
    communes_of,
    covered_communes,
    current_communes,
    current_provinces,
    find_commune,
    find_legacy,
    find_province,
    is_within,
    legacy_source,
    legacy_unit,
    legacy_units,
    legacy_units_under,
    predecessors_of,
    province,
    roll_up,
    successor_of,
    unit,
    units_under,
)
from langnghe.domain.units.legacy import legacy_province_of
from langnghe.domain.units.names import name_key, split_kind, split_loose_kind

BEFORE_REFORM = date(2023, 5, 10)
AFTER_REFORM = date(2026, 3, 2)

LAO_CAI, PHU_THO, HCMC, HA_NOI = "15", "25", "79", "01"
SA_PA_WARD, TA_VAN, SONG_LO = "03006", "03037", "08848"


def _error(exc: pytest.ExceptionInfo[UnitError]) -> tuple[str, int]:
    assert exc.value.message and exc.value.message == str(exc.value)
    return exc.value.code, exc.value.status


# --- current units -----------------------------------------------------------------------


def test_there_are_34_provinces_and_3321_communes() -> None:
    provinces, communes = current_provinces(), current_communes()
    # Resolution 202/2025/QH15 of the National Assembly: 34 provinces, 28 tỉnh and 6 thành phố.
    assert len(provinces) == 34
    assert sum(p.kind is UnitKind.TINH for p in provinces) == 28
    assert sum(p.kind is UnitKind.THANH_PHO for p in provinces) == 6
    # The National Assembly Standing Committee's 2025 resolutions on each province's communes:
    # 3,321 in all, 2,621 xã, 687 phường and 13 đặc khu as reported when they took effect on
    # 1 July 2025; the official list has the same split.
    assert len(communes) == 3321
    kinds = [c.kind for c in communes]
    assert (kinds.count(UnitKind.XA), kinds.count(UnitKind.PHUONG), kinds.count(UnitKind.DAC_KHU)) == (
        2621,
        687,
        13,
    )
    assert sum(len(communes_of(p.code)) for p in provinces) == 3321


def test_the_catalogue_is_the_official_release_whatever_the_python_version() -> None:
    source = catalogue_source()
    assert (source.package, source.licence) == ("vietnam-provinces", "GPL-3.0-or-later")
    assert int(source.version.split(".")[0]) >= 2026  # 2025.x is the draft
    assert sorted(p.code for p in current_provinces()) == [
        "01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25",
        "31", "33", "37", "38", "40", "42", "44", "46", "48", "51", "52", "56",
        "66", "68", "75", "79", "80", "82", "86", "91", "92", "96",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "name", "province_code"),
    [
        # Codes that name another commune in the draft (its name there in the comment).
        ("00226", "Phường Văn Miếu - Quốc Tử Giám", HA_NOI),  # draft: Kim Liên
        ("00331", "Phường Hoàng Mai", HA_NOI),  # draft: Yên Sở
        ("01537", "Xã Lý Quốc", "04"),  # draft: Vinh Quý
        ("01558", "Xã Hạ Lang", "04"),  # draft: Lý Quốc
        ("01561", "Xã Vinh Quý", "04"),  # draft: Hạ Lang
        ("13285", "Phường Phủ Lý", "37"),  # draft: Châu Sơn
        ("13291", "Phường Phù Vân", "37"),  # draft: Phủ Lý
        ("13318", "Phường Châu Sơn", "37"),  # draft: Phù Vân
        ("31207", "Phường Thốt Nốt", "92"),  # draft: Thuận Hưng
        # Communes the draft gives another code (the draft's in the comment).
        ("00082", "Phường Cửa Nam", HA_NOI),  # draft: 00073
        ("00229", "Phường Kim Liên", HA_NOI),  # draft: 00226
        ("00340", "Phường Yên Sở", HA_NOI),  # draft: 00331
        ("26800", "Phường Linh Xuân", HCMC),  # draft: 26794
        ("31228", "Phường Thuận Hưng", "92"),  # draft: 31207
        # The same in both.
        ("00004", "Phường Ba Đình", HA_NOI),
        (SA_PA_WARD, "Phường Sa Pa", LAO_CAI),
        (SONG_LO, "Xã Sông Lô", PHU_THO),
    ],
)
def test_communes_have_the_official_codes_not_the_drafts(code: str, name: str, province_code: str) -> None:
    found = unit(code)
    assert (found.name_vi, found.province_code) == (name, province_code)


@pytest.mark.parametrize("draft_code", ["00073", "00130", "13666", "26794", "31212"])
def test_codes_only_the_draft_has_are_unknown(draft_code: str) -> None:
    with pytest.raises(UnitError) as exc:
        unit(draft_code)
    assert _error(exc) == ("unit.not_found", 404)


def test_codes_are_statistics_office_codes_with_leading_zeros() -> None:
    assert all(
        len(p.code) == 2 and p.code.isdigit() and p.level is Level.PROVINCE for p in current_provinces()
    )
    assert all(len(c.code) == 5 and c.code.isdigit() and c.level is Level.COMMUNE for c in current_communes())
    assert unit(HA_NOI).name_vi == "Thành phố Hà Nội"
    assert unit("00004").name_vi == "Phường Ba Đình"


def test_names_are_nfc_with_diacritics_and_their_kind() -> None:
    for u in (*current_provinces(), *current_communes()):
        assert unicodedata.normalize("NFC", u.name_vi) == u.name_vi
        assert u.name_vi == f"{u.kind.prefix} {u.short_name_vi}"
        assert "  " not in u.name_vi
    assert unit(LAO_CAI).name_vi == "Tỉnh Lào Cai"
    assert unit(SA_PA_WARD).name_vi == "Phường Sa Pa"
    assert (unit(TA_VAN).kind.label, unit(TA_VAN).short_name_vi) == ("xã", "Tả Van")
    assert unit("11948").kind is UnitKind.DAC_KHU  # Bạch Long Vĩ


def test_every_commune_has_its_province() -> None:
    sa_pa = unit(SA_PA_WARD)
    assert sa_pa.parent_code == sa_pa.province_code == LAO_CAI
    assert province(LAO_CAI).parent_code is None and province(LAO_CAI).province_code == LAO_CAI
    assert all(c.parent_code == p.code for p in current_provinces() for c in communes_of(p.code))


def test_communes_are_found_by_name_whatever_the_spelling() -> None:
    assert find_commune(LAO_CAI, "Phường Sa Pa").code == SA_PA_WARD
    assert find_commune(LAO_CAI, "Ta Van").code == TA_VAN
    assert find_province("Lao Cai").code == LAO_CAI
    hoa_khanh = find_commune("80", "Xã Hòa Khánh")  # the catalogue writes "Hoà"
    assert find_commune("80", "xã hoà khánh") == hoa_khanh
    # Xã Thanh An and Xã Thạnh An are both in Hồ Chí Minh City: an exact spelling wins...
    assert find_commune(HCMC, "Thanh An").name_vi == "Xã Thanh An"
    assert find_commune(HCMC, "Xã Thạnh An").name_vi == "Xã Thạnh An"
    # ...and without diacritics, Xã Văn Lang and Xã Văn Lăng (Thái Nguyên) cannot be told apart.
    with pytest.raises(UnitError) as exc:
        find_commune("19", "Van Lang")
    assert _error(exc) == ("unit.name_ambiguous", 422)


@pytest.mark.parametrize(
    ("province_name", "commune_name", "code"),
    [
        ("Tinh Lao Cai", "Phuong Sa Pa", SA_PA_WARD),
        ("tinh lao cai", "phuong sa pa", SA_PA_WARD),
        ("TINH LAO CAI", "PHUONG SA PA", SA_PA_WARD),
        ("TỈNH LÀO CAI", "PHƯỜNG SA PA", SA_PA_WARD),
        ("Lao Cai", "Sa Pa", SA_PA_WARD),
        ("Lào Cai", "xa Ta Van", TA_VAN),
        ("Lao Cai", "Xa Tả Van", TA_VAN),  # the kind without diacritics, the name with them
        ("Phu Tho", "Xa Song Lo", SONG_LO),
        ("thanh pho ha noi", "phuong ba dinh", "00004"),
        ("Thanh pho Ho Chi Minh", "Xa Thạnh An", "27676"),
        ("Hai Phong", "Dac khu Bach Long Vi", "11948"),
        ("Thanh Hoa", "Quan Son", "15016"),  # xã Quan Sơn: "Quan" is not read as quận here
        ("Ninh Binh", "Phuong Phu Van", "13291"),
    ],
)
def test_current_units_are_found_without_diacritics_with_or_without_their_kind(
    province_name: str, commune_name: str, code: str
) -> None:
    found = find_commune(find_province(province_name).code, commune_name)
    assert found.code == code


def test_a_kind_typed_without_diacritics_tells_apart_units_it_alone_distinguishes() -> None:
    dong_thap = find_province("Dong Thap").code  # phường Mỹ Tho and xã Mỹ Thọ
    assert find_commune(dong_thap, "Phuong My Tho").name_vi == "Phường Mỹ Tho"
    assert find_commune(dong_thap, "XA MY THO").name_vi == "Xã Mỹ Thọ"
    with pytest.raises(UnitError) as exc:
        find_commune(dong_thap, "My Tho")
    assert _error(exc) == ("unit.name_ambiguous", 422)


def test_a_name_without_diacritics_that_fits_several_units_is_refused_and_says_why() -> None:
    with pytest.raises(UnitError) as exc:
        find_commune("19", "xa van lang")  # xã Văn Lang and xã Văn Lăng, both in Thái Nguyên
    assert _error(exc) == ("unit.name_ambiguous", 422)
    assert "Xã Văn Lang (02143)" in exc.value.message and "Xã Văn Lăng (05665)" in exc.value.message
    assert "khi không xét dấu" in exc.value.message and "Hãy ghi tên có dấu" in exc.value.message
    assert find_commune("19", "Xã Văn Lang").name_vi == "Xã Văn Lang"


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _typings(name: str, short: str) -> set[str]:
    """How a clerk may type a unit: with or without kind and diacritics, in any case."""
    plain, plain_short = _without_diacritics(name), _without_diacritics(short)
    return {name, short, name.upper(), plain, plain_short, plain.upper(), plain_short.lower()}


def _plain_typings(name: str, short: str) -> set[str]:
    return {_without_diacritics(name).lower(), _without_diacritics(short).upper()}


def _finds_itself(find: Callable[[str], Any], typed: str, code: str, short: str) -> bool:
    """The unit is found, or listed in an ambiguous answer, or the typed name is exactly
    another unit's name (an exact spelling wins: "Thanh An" is xã Thanh An, not Thạnh An)."""
    try:
        found = find(typed)
    except UnitError as exc:
        return exc.code.endswith("name_ambiguous") and f"({code})" in exc.message
    typed_name = name_key(split_loose_kind(typed)[1])
    return found.code == code or name_key(split_kind(found.name_vi)[1]) == typed_name != name_key(short)


def test_every_current_unit_is_found_however_it_is_typed() -> None:
    def finder(u: Unit) -> Callable[[str], Unit]:
        if u.parent_code is None:
            return find_province
        return lambda typed: find_commune(u.province_code, typed)

    misses = [
        (u.name_vi, typed)
        for u in (*current_provinces(), *current_communes())
        for typed in _typings(u.name_vi, u.short_name_vi)
        if not _finds_itself(finder(u), typed, u.code, u.short_name_vi)
    ]
    assert misses == []


# --- legacy units and their successors ------------------------------------------------------


def test_legacy_data_names_its_source_and_licence() -> None:
    source = legacy_source()
    assert (source.package, source.version, source.licence) == (
        "vietnam-address-converter",
        "1.0.5",
        "Apache-2.0",
    )
    assert source.counts["provinces"] == 63


def test_legacy_mapping_covers_the_63_provinces_their_districts_and_communes() -> None:
    provinces, districts, communes = (legacy_units(level) for level in Level)
    assert len(provinces) == 63
    # 696 districts in force on 30 June 2025, plus huyện Yên Dũng abolished earlier.
    assert len(districts) == 697
    assert sum(d.valid_until == LEGACY_VALID_UNTIL for d in districts) == 696
    # 10,037 communes in force on 30 June 2025, all mapped; 158 abolished earlier, unmapped.
    assert len(communes) == 10195
    in_force = [c for c in communes if c.valid_until == LEGACY_VALID_UNTIL]
    assert len(in_force) == 10037
    assert all(c.successor_codes for c in in_force)
    assert all(not c.successor_codes for c in communes if c.valid_until is None)
    assert date(2025, 7, 1) == DISTRICTS_ABOLISHED_ON


def test_every_current_commune_but_one_has_a_legacy_predecessor() -> None:
    # The source maps no old commune to xã Suối Tọ (Sơn La); the official conversion table
    # maps old xã Suối Tọ there. A known gap of vietnam-address-converter 1.0.5.
    orphans = [c.name_vi for c in current_communes() if not predecessors_of(c.code)]
    assert orphans == ["Xã Suối Tọ"]


@pytest.mark.parametrize(
    ("old_province", "new_code", "new_name"),
    [
        ("Hà Giang", "08", "Tỉnh Tuyên Quang"),
        ("Vĩnh Phúc", PHU_THO, "Tỉnh Phú Thọ"),
        ("Hà Nam", "37", "Tỉnh Ninh Bình"),
        ("Yên Bái", LAO_CAI, "Tỉnh Lào Cai"),
        ("Bắc Kạn", "19", "Tỉnh Thái Nguyên"),
        ("Hải Dương", "31", "Thành phố Hải Phòng"),
        ("Bình Dương", HCMC, "Thành phố Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", HCMC, "Thành phố Hồ Chí Minh"),
        ("Thừa Thiên Huế", "46", "Thành phố Huế"),  # a former name
        ("Cao Bằng", "04", "Tỉnh Cao Bằng"),  # not merged
    ],
)
def test_merged_provinces_roll_up_to_their_new_province(
    old_province: str, new_code: str, new_name: str
) -> None:
    old = find_legacy(old_province)
    assert old.level is Level.PROVINCE and old.valid_until == LEGACY_VALID_UNTIL
    assert [u.name_vi for u in successor_of(old.code)] == [new_name]
    assert successor_of(old.code)[0].code == new_code
    rolled = roll_up(old.code, BEFORE_REFORM)
    assert (rolled.province_code, rolled.commune, rolled.legacy) == (new_code, None, True)
    assert rolled.communes and all(c.province_code == new_code for c in rolled.communes)


def test_a_merged_province_covers_only_part_of_its_successor() -> None:
    yen_bai, lao_cai = find_legacy("Yên Bái"), find_legacy("Lào Cai")
    yen_bai_communes = {c.code for c in covered_communes(yen_bai.code)}
    lao_cai_communes = {c.code for c in covered_communes(lao_cai.code)}
    assert yen_bai_communes and lao_cai_communes
    assert yen_bai_communes | lao_cai_communes <= {c.code for c in communes_of(LAO_CAI)}
    assert SA_PA_WARD in lao_cai_communes and SA_PA_WARD not in yen_bai_communes


def test_thi_xa_sa_pa_maps_to_six_communes_of_lao_cai() -> None:
    sa_pa = find_legacy("Lào Cai", "Thị xã Sa Pa")
    assert (sa_pa.level, sa_pa.kind, sa_pa.valid_until) == (
        Level.DISTRICT,
        UnitKind.THI_XA,
        LEGACY_VALID_UNTIL,
    )
    successors = successor_of(sa_pa.code)
    assert {u.name_vi for u in successors} == {
        "Phường Sa Pa",
        "Xã Tả Van",
        "Xã Tả Phìn",
        "Xã Bản Hồ",
        "Xã Mường Bo",
        "Xã Ngũ Chỉ Sơn",
    }
    assert all(u.province_code == LAO_CAI and is_within(u.code, LAO_CAI) for u in successors)
    assert len(legacy_units_under(sa_pa.code)) == 16


def test_huyen_song_lo_of_vinh_phuc_maps_to_five_communes_of_phu_tho() -> None:
    song_lo = find_legacy("Vĩnh Phúc", "Huyện Sông Lô")
    successors = successor_of(song_lo.code)
    assert {u.name_vi for u in successors} == {
        "Xã Sông Lô",
        "Xã Hải Lựu",
        "Xã Tam Sơn",
        "Xã Sơn Đông",
        "Xã Yên Lãng",
    }
    assert all(u.province_code == PHU_THO for u in successors)
    assert SONG_LO in {u.code for u in successors}
    rolled = roll_up(song_lo.code, BEFORE_REFORM)
    assert (rolled.province_code, rolled.commune_code) == (
        PHU_THO,
        None,
    )  # several communes: not determinable
    assert rolled.communes == successors


def test_a_legacy_commune_rolls_up_to_its_one_new_commune() -> None:
    cau_may = find_legacy("Lao Cai", "Sa Pa", "Cau May")  # as a clerk might type it
    assert cau_may.name_vi == "Phường Cầu Mây"
    rolled = roll_up(cau_may.code, BEFORE_REFORM)
    assert (rolled.province_code, rolled.commune_code, rolled.code_in_force) == (LAO_CAI, SA_PA_WARD, True)


def test_a_split_legacy_commune_lists_all_its_successors() -> None:
    doi_can = find_legacy("Hà Nội", "Quận Ba Đình", "Phường Đội Cấn")
    assert {u.name_vi for u in successor_of(doi_can.code)} == {"Phường Ba Đình", "Phường Ngọc Hà"}
    rolled = roll_up(doi_can.code, BEFORE_REFORM)
    assert (rolled.province_code, rolled.commune) == (HA_NOI, None)
    assert len(rolled.communes) == 2


def test_an_island_district_without_communes_became_a_special_zone() -> None:
    bach_long_vi = find_legacy("Hải Phòng", "Bạch Long Vĩ")
    rolled = roll_up(bach_long_vi.code, BEFORE_REFORM)
    assert rolled.commune is not None and rolled.commune.name_vi == "Đặc khu Bạch Long Vĩ"
    assert rolled.commune.kind is UnitKind.DAC_KHU


def test_a_unit_abolished_before_the_reform_still_rolls_up_to_its_province() -> None:
    yen_dung = find_legacy("Bắc Giang", "Huyện Yên Dũng")
    assert yen_dung.valid_until is None and successor_of(yen_dung.code) == ()
    rolled = roll_up(yen_dung.code, BEFORE_REFORM)
    assert (rolled.province_code, rolled.commune, rolled.communes, rolled.code_in_force) == (
        "24",
        None,
        (),
        None,
    )


def test_old_records_find_a_unit_by_its_former_name() -> None:
    merged = find_legacy("Hà Nội", "Đống Đa", "Phường Phương Liên")
    assert merged.name_vi == "Phường Phương Liên - Trung Tự"
    assert "Phường Phương Liên" in merged.former_names


def test_ambiguous_legacy_names_are_refused_with_the_options() -> None:
    with pytest.raises(UnitError) as exc:
        find_legacy("Hậu Giang", "Long Mỹ")  # huyện Long Mỹ and thị xã Long Mỹ
    assert _error(exc) == ("legacy_unit.name_ambiguous", 422)
    assert "Thị xã Long Mỹ" in exc.value.message and "Huyện Long Mỹ" in exc.value.message
    assert find_legacy("Hậu Giang", "Thị xã Long Mỹ").kind is UnitKind.THI_XA


@pytest.mark.parametrize(
    "names",
    [
        ("Vinh Phuc", "Huyen Song Lo"),
        ("VINH PHUC", "HUYEN SONG LO"),
        ("tinh vinh phuc", "huyen song lo"),
        ("Tỉnh Vĩnh Phúc", "Huyện Sông Lô"),
        ("Vĩnh Phúc", "Huyen Sông Lô"),
        ("Vinh Phuc", "Song Lo"),
    ],
)
def test_legacy_units_are_found_without_diacritics_with_or_without_their_kind(names: tuple[str, str]) -> None:
    assert find_legacy(*names).name_vi == "Huyện Sông Lô"


def test_legacy_communes_are_found_however_typed() -> None:
    assert find_legacy("Lao Cai", "Thi xa Sa Pa", "Phuong Cau May").name_vi == "Phường Cầu Mây"
    assert find_legacy("THANH PHO HA NOI", "QUAN BA DINH", "PHUONG DOI CAN").name_vi == "Phường Đội Cấn"
    assert (
        find_legacy("Ha Noi", "quan dong da", "phuong phuong lien").name_vi == "Phường Phương Liên - Trung Tự"
    )
    assert find_legacy("Hau Giang", "Thi xa Long My").kind is UnitKind.THI_XA
    assert find_legacy("Hau Giang", "Huyen Long My").kind is UnitKind.HUYEN


def test_ambiguous_legacy_names_without_diacritics_say_why() -> None:
    assert find_legacy("Dong Thap", "Thanh pho Cao Lanh").kind is UnitKind.THANH_PHO
    assert find_legacy("Dong Thap", "Huyen Cao Lanh").kind is UnitKind.HUYEN
    with pytest.raises(UnitError) as exc:
        find_legacy("Dong Thap", "Cao Lanh")
    assert _error(exc) == ("legacy_unit.name_ambiguous", 422)
    assert "khi không xét dấu" in exc.value.message
    with pytest.raises(UnitError) as exc:
        find_legacy("Đồng Tháp", "Cao Lãnh")  # with diacritics: only the kind would tell
    assert _error(exc) == ("legacy_unit.name_ambiguous", 422)
    assert "khi không xét dấu" not in exc.value.message and "Hãy chọn theo mã" in exc.value.message


def test_every_legacy_district_and_commune_is_found_however_it_is_typed() -> None:
    def finder(u: LegacyUnit) -> Callable[[str], LegacyUnit]:
        province = legacy_province_of(u.code).name_vi
        if u.level is Level.DISTRICT:
            return lambda typed: find_legacy(province, typed)
        district = legacy_unit(u.parent_code or "").name_vi
        return lambda typed: find_legacy(province, district, typed)

    misses = [
        (u.name_vi, typed)
        for u in legacy_units()
        if u.level is not Level.PROVINCE
        for typed in _plain_typings(u.name_vi, split_kind(u.name_vi)[1])
        if not _finds_itself(finder(u), typed, u.code, split_kind(u.name_vi)[1])
    ]
    assert misses == []


def test_legacy_names_are_nfc_and_successors_stay_in_the_successor_province() -> None:
    for old in legacy_units():
        assert unicodedata.normalize("NFC", old.name_vi) == old.name_vi
        new_province = roll_up(old.code, BEFORE_REFORM).province_code
        assert all(unit(c).province_code == new_province for c in old.successor_codes if unit(c).parent_code)


def test_current_codes_roll_up_to_themselves() -> None:
    rolled = roll_up(TA_VAN, AFTER_REFORM)
    assert (rolled.province_code, rolled.commune_code, rolled.legacy, rolled.code_in_force) == (
        LAO_CAI,
        TA_VAN,
        False,
        True,
    )
    assert roll_up(LAO_CAI, AFTER_REFORM).communes == communes_of(LAO_CAI)


def test_codes_used_outside_their_time_roll_up_but_are_flagged() -> None:
    assert roll_up(TA_VAN, BEFORE_REFORM).code_in_force is False  # a re-coded 2023 record
    cau_may = find_legacy("Lào Cai", "Sa Pa", "Cầu Mây").code
    assert roll_up(cau_may, AFTER_REFORM).code_in_force is False  # an old address on an identity card
    assert roll_up(cau_may, LEGACY_VALID_UNTIL).code_in_force is True


# --- jurisdiction ------------------------------------------------------------------------------


def test_a_commune_is_within_its_province_and_itself_only() -> None:
    assert is_within(SA_PA_WARD, LAO_CAI)
    assert is_within(SA_PA_WARD, SA_PA_WARD) and is_within(LAO_CAI, LAO_CAI)
    assert not is_within(SA_PA_WARD, HA_NOI)
    assert not is_within(LAO_CAI, SA_PA_WARD)
    assert not is_within(SA_PA_WARD, TA_VAN)


def test_units_under_a_province_are_its_communes() -> None:
    assert units_under(LAO_CAI) == communes_of(LAO_CAI)
    assert units_under(SA_PA_WARD) == ()


def test_within_works_across_generations() -> None:
    sa_pa, cau_may = find_legacy("Lào Cai", "Sa Pa"), find_legacy("Lào Cai", "Sa Pa", "Cầu Mây")
    old_lao_cai, yen_bai = find_legacy("Lào Cai"), find_legacy("Yên Bái")
    assert is_within(cau_may.code, sa_pa.code) and is_within(cau_may.code, old_lao_cai.code)
    assert not is_within(cau_may.code, yen_bai.code)
    assert is_within(cau_may.code, LAO_CAI) and is_within(cau_may.code, SA_PA_WARD)
    assert is_within(sa_pa.code, LAO_CAI) and not is_within(sa_pa.code, SA_PA_WARD)  # six communes
    assert is_within(SA_PA_WARD, sa_pa.code)  # all of phường Sa Pa came from thị xã Sa Pa
    assert not is_within(LAO_CAI, old_lao_cai.code)  # today's Lào Cai includes Yên Bái
    assert is_within("04", find_legacy("Cao Bằng").code)


# --- agencies ------------------------------------------------------------------------------------


def test_every_unit_gets_its_peoples_committee_and_front_committee() -> None:
    registry = build_agency_registry()
    assert len(registry) == 34 * (2 + 11) + 3321 * 2
    ubnd = registry.agency("UBND-XA-03006")
    assert (ubnd.name_vi, ubnd.kind, ubnd.unit_code) == (
        "Ủy ban nhân dân phường Sa Pa",
        AgencyKind.PEOPLES_COMMITTEE,
        SA_PA_WARD,
    )
    assert registry.agency("MTTQ-XA-03037").name_vi == "Ủy ban Mặt trận Tổ quốc Việt Nam xã Tả Van"
    assert registry.agency("UBND-TINH-01").name_vi == "Ủy ban nhân dân thành phố Hà Nội"
    assert registry.agency("MTTQ-TINH-15").kind is AgencyKind.FRONT_COMMITTEE
    department = registry.agency("SO-NNMT-15")
    assert (department.name_vi, department.kind) == (
        "Sở Nông nghiệp và Môi trường tỉnh Lào Cai",
        AgencyKind.DEPARTMENT,
    )
    assert [a.code for a in registry.agencies_of(TA_VAN)] == ["UBND-XA-03037", "MTTQ-XA-03037"]


def test_agencies_within_a_province_include_its_communes_agencies() -> None:
    registry = build_agency_registry({"provinces": [LAO_CAI]})
    within = registry.agencies_within(LAO_CAI)
    assert len(within) == len(registry) == 13 + 2 * len(communes_of(LAO_CAI))
    assert registry.agencies_within(SA_PA_WARD) == registry.agencies_of(SA_PA_WARD)
    assert registry.has_jurisdiction("SO-NNMT-15", TA_VAN)
    assert not registry.has_jurisdiction("UBND-XA-03006", TA_VAN)
    assert registry.has_jurisdiction("UBND-TINH-15", find_legacy("Yên Bái").code)  # an old record


def test_the_province_configures_departments_offices_and_extra_agencies() -> None:
    registry = build_agency_registry(
        {
            "provinces": [LAO_CAI],
            "departments": ["NNMT", "XD", {"abbr": "DL", "name_vi": "Sở Du lịch"}],
            "commune_offices": ["KT"],
            "agencies": [
                {
                    "code": "CA-XA-03006",
                    "name_vi": "Công an phường Sa Pa",
                    "kind": "police",
                    "unit_code": SA_PA_WARD,
                },
                {
                    "code": "UBND-XA-03037",
                    "name_vi": "UBND xã Tả Van",
                    "kind": "peoples_committee",
                    "unit_code": TA_VAN,
                },
            ],
            "exclude": ["SO-XD-15"],
        }
    )
    assert [a.code for a in registry.agencies_of(LAO_CAI)] == [
        "UBND-TINH-15",
        "MTTQ-TINH-15",
        "SO-NNMT-15",
        "SO-DL-15",
    ]
    assert registry.agency("SO-DL-15").name_vi == "Sở Du lịch tỉnh Lào Cai"
    assert registry.agency("PHONG-KT-03037").name_vi == "Phòng Kinh tế xã Tả Van"
    assert registry.agency("CA-XA-03006").kind is AgencyKind.POLICE
    assert registry.agency("UBND-XA-03037").name_vi == "UBND xã Tả Van"  # renamed by configuration
    assert "SO-XD-15" not in registry and "UBND-XA-00004" not in registry  # out of scope


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"departmens": []}, "departmens"),
        ({"provinces": ["03006"]}, "provinces[0]"),
        ({"departments": ["NOPE"]}, "departments[0]"),
        ({"departments": [{"abbr": "dl", "name_vi": "Sở Du lịch"}]}, "departments[0].abbr"),
        ({"exclude": ["SO-XX-15"]}, "exclude"),
        (
            {"agencies": [{"code": "ca xa", "name_vi": "x", "kind": "police", "unit_code": TA_VAN}]},
            "agencies[0].code",
        ),
        (
            {"agencies": [{"code": "CA-1", "name_vi": "x", "kind": "army", "unit_code": TA_VAN}]},
            "agencies[0].kind",
        ),
        (
            {"agencies": [{"code": "CA-1", "name_vi": "x", "kind": "police", "unit_code": "99999"}]},
            "agencies[0].unit_code",
        ),
        ({"agencies": [{"code": "CA-1", "name_vi": "x", "kind": "police"}]}, "agencies[0]"),
        (  # a reserved pattern naming another unit
            {
                "agencies": [
                    {
                        "code": "UBND-XA-03006",
                        "name_vi": "x",
                        "kind": "peoples_committee",
                        "unit_code": TA_VAN,
                    }
                ]
            },
            "agencies[0].code",
        ),
        (  # outside the configured scope
            {
                "provinces": [LAO_CAI],
                "agencies": [{"code": "CA-1", "name_vi": "x", "kind": "police", "unit_code": "00004"}],
            },
            "agencies[0].unit_code",
        ),
    ],
)
def test_bad_configuration_is_refused_with_the_field(config: dict[str, object], field: str) -> None:
    with pytest.raises(UnitError) as exc:
        build_agency_registry(config)
    assert exc.value.field == field
    assert exc.value.code in {"agency.config_invalid", "agency.code_invalid"}


def test_agency_codes_are_validated() -> None:
    registry = build_agency_registry({"provinces": [LAO_CAI]})
    assert check_agency_code("UBND-XA-03006") == "UBND-XA-03006"
    for bad in ("ubnd-xa-03006", "UBND--XA", "UBND XA", "Ủ-1", "A" * 65, ""):
        with pytest.raises(UnitError) as exc:
            registry.agency(bad)
        assert _error(exc) == ("agency.code_invalid", 422)
    with pytest.raises(UnitError) as exc:
        registry.agency("UBND-XA-00004")  # well formed, not in this registry
    assert _error(exc) == ("agency.not_found", 404)


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: unit("99"), ("unit.not_found", 404)),
        (lambda: unit("3006"), ("unit.not_found", 404)),  # codes keep their leading zeros
        (lambda: unit("CU-XA-132912"), ("unit.legacy_code", 422)),
        (lambda: communes_of(SA_PA_WARD), ("unit.not_a_province", 422)),
        (lambda: legacy_unit("CU-XA-1"), ("legacy_unit.not_found", 404)),
        (lambda: successor_of("15"), ("legacy_unit.not_found", 404)),
        (lambda: roll_up("XYZ", BEFORE_REFORM), ("unit.not_found", 404)),
        (lambda: is_within(SA_PA_WARD, "XYZ"), ("unit.not_found", 404)),
        (lambda: find_legacy("Lào Cai", "Huyện Không Có"), ("legacy_unit.name_not_found", 404)),
        (lambda: find_commune(LAO_CAI, "Phường Không Có"), ("unit.name_not_found", 404)),
    ],
)
def test_unknown_codes_and_names_raise_a_domain_error(call: object, expected: tuple[str, int]) -> None:
    assert callable(call)
    with pytest.raises(UnitError) as exc:
        call()
    assert _error(exc) == expected
    assert unicodedata.normalize("NFC", exc.value.message) == exc.value.message
    assert any(ch in exc.value.message for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_importing_the_package_loads_no_data_and_not_the_build_tool() -> None:
    code = (
        "import sys, langnghe.domain.units as u; "
        "assert 'vietnam_provinces' not in sys.modules; "
        "u.roll_up('CU-HUYEN-1840', __import__('datetime').date(2023, 1, 1)); "
        "assert 'vietnam_address_converter' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
