"""The fields (lĩnh vực) petitions are aggregated by, with stable codes.

The first thirteen are those that provincial news reports on dialogue conferences list; the rest
are what a People's Committee's report by field needs in practice. Codes are part of the wire
contract (`field_code` on `petition.received`, pattern `^[a-z_]{2,40}$`): never rename one, only
add. Keywords are written with diacritics; the field suggestion (`langnghe.tools.fields`) matches
them without.

One file on purpose, though over 500 lines: nearly all of it is the taxonomy itself (each
field's code, Vietnamese name, description and keywords). As Python it is typed, checked with
the code that reads it and needs no loading step (a data file would need one, and a check of
its shape); the few functions at the end are its lookups.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    code: str
    name_vi: str
    description_vi: str
    keywords: tuple[str, ...]
    named_in_articles: bool


OTHER = "other"

FIELDS: tuple[Field, ...] = (
    Field(
        "cadre_ethics",
        "Công tác cán bộ, đạo đức công vụ",
        "Thái độ, tác phong, trách nhiệm của cán bộ, công chức khi tiếp dân và giải quyết công việc; "
        "gây phiền hà, sách nhiễu; tuyển dụng, bố trí cán bộ; trưởng thôn, tổ trưởng tổ dân phố.",
        (
            "thái độ",
            "tác phong",
            "đạo đức công vụ",
            "gây phiền hà",
            "sách nhiễu",
            "hách dịch",
            "cửa quyền",
            "đùn đẩy",
            "giờ hành chính",
            "giờ làm việc",
            "lề lối làm việc",
            "cán bộ phụ trách",
            "tiếp công dân",
        ),
        True,
    ),
    Field(
        "staff_policy",
        "Chế độ, chính sách đối với cán bộ, công chức, viên chức và người lao động",
        "Lương, phụ cấp, nâng lương, chế độ nghỉ việc, tinh giản biên chế của cán bộ, công chức, viên "
        "chức, người hoạt động không chuyên trách; quyền lợi của người lao động tại doanh nghiệp.",
        (
            "phụ cấp",
            "không chuyên trách",
            "nâng lương",
            "tinh giản biên chế",
            "dôi dư",
            "chế độ nghỉ việc",
            "người lao động",
            "nợ lương",
            "trả lương",
            "hợp đồng lao động",
            "viên chức",
            "tiền lương",
        ),
        True,
    ),
    Field(
        "agriculture",
        "Nông nghiệp, lâm nghiệp",
        "Sản xuất nông, lâm nghiệp, thủy lợi nội đồng, giống, vật tư, dịch bệnh cây trồng, vật nuôi, "
        "khuyến nông, bảo vệ và phát triển rừng, tiêu thụ nông sản.",
        (
            "nông nghiệp",
            "lâm nghiệp",
            "thủy lợi",
            "kênh mương",
            "giống cây",
            "con giống",
            "giống lúa",
            "phân bón",
            "khuyến nông",
            "chăn nuôi",
            "dịch tả lợn",
            "thú y",
            "cây trồng",
            "trồng rừng",
            "bảo vệ rừng",
            "nông sản",
            "bao tiêu",
            "sản xuất nông nghiệp",
        ),
        True,
    ),
    Field(
        "urban_planning",
        "Quy hoạch, quản lý đô thị và trật tự xây dựng",
        "Lập, công bố, thực hiện quy hoạch; cấp phép và trật tự xây dựng; lấn chiếm vỉa hè; cải tạo "
        "nhà tập thể cũ; mỹ quan đô thị.",
        (
            "quy hoạch",
            "quy hoạch treo",
            "quy hoạch chi tiết",
            "trật tự xây dựng",
            "trật tự đô thị",
            "giấy phép xây dựng",
            "sai phép",
            "vượt tầng",
            "lấn chiếm vỉa hè",
            "nhà tập thể",
            "chỉ giới xây dựng",
            "mỹ quan đô thị",
            "cơi nới",
            "cấp phép xây dựng",
        ),
        True,
    ),
    Field(
        "land",
        "Quản lý đất đai",
        "Cấp, cấp đổi giấy chứng nhận quyền sử dụng đất (sổ đỏ); chuyển mục đích, tách thửa; tranh "
        "chấp, lấn chiếm đất; đo đạc, bản đồ địa chính; giao đất, giao rừng; đất công ích; giá đất.",
        (
            "sổ đỏ",
            "giấy chứng nhận quyền sử dụng đất",
            "quyền sử dụng đất",
            "chuyển mục đích",
            "tách thửa",
            "tranh chấp đất",
            "ranh giới",
            "lấn chiếm đất",
            "đất công",
            "đo đạc",
            "địa chính",
            "giao đất",
            "thửa đất",
            "giá đất",
            "tiền sử dụng đất",
            "đất đai",
        ),
        True,
    ),
    Field(
        "site_clearance",
        "Giải phóng mặt bằng, bồi thường, tái định cư",
        "Thu hồi đất thực hiện dự án; kiểm đếm, đơn giá, phương án bồi thường, hỗ trợ; chi trả tiền "
        "bồi thường; bố trí tái định cư, hạ tầng khu tái định cư; đất dịch vụ.",
        (
            "giải phóng mặt bằng",
            "bồi thường",
            "đền bù",
            "tái định cư",
            "thu hồi đất",
            "kiểm đếm",
            "bàn giao mặt bằng",
            "phương án bồi thường",
            "đất dịch vụ",
            "di dời",
        ),
        True,
    ),
    Field(
        "party_building",
        "Công tác xây dựng Đảng",
        "Sinh hoạt chi bộ, kết nạp và quản lý đảng viên, kiểm điểm, kỷ luật đảng viên, công tác cán "
        "bộ của cấp ủy, đảng viên giữ mối liên hệ nơi cư trú.",
        (
            "đảng viên",
            "chi bộ",
            "sinh hoạt chi bộ",
            "kết nạp đảng",
            "điều lệ đảng",
            "đảng phí",
            "bí thư chi bộ",
            "xây dựng đảng",
            "kiểm điểm tự phê bình",
        ),
        True,
    ),
    Field(
        "socio_economic",
        "Phát triển kinh tế - xã hội",
        "Thu hút đầu tư, doanh nghiệp, việc làm, dạy nghề, chợ, làng nghề, sản phẩm OCOP, vốn vay "
        "phát triển sản xuất kinh doanh, kế hoạch phát triển kinh tế - xã hội.",
        (
            "kinh tế",
            "phát triển kinh tế",
            "việc làm",
            "thu hút đầu tư",
            "doanh nghiệp",
            "làng nghề",
            "ocop",
            "khởi nghiệp",
            "giải quyết việc làm",
            "xuất khẩu lao động",
            "thu nhập",
            "kinh doanh",
            "vốn vay",
        ),
        True,
    ),
    Field(
        "new_rural_areas",
        "Xây dựng nông thôn mới",
        "Tiêu chí nông thôn mới, nông thôn mới nâng cao, khu dân cư kiểu mẫu; huy động và công khai "
        "đóng góp; nợ xây dựng cơ bản; duy trì tiêu chí sau đạt chuẩn.",
        (
            "nông thôn mới",
            "tiêu chí",
            "kiểu mẫu",
            "đạt chuẩn",
            "đóng góp xây dựng",
            "nhà văn hóa",
            "hàng rào xanh",
            "hiến đất",
            "bê tông hóa",
            "nợ đọng xây dựng",
        ),
        True,
    ),
    Field(
        "tourism_services",
        "Du lịch, dịch vụ, giá cả, vệ sinh an toàn thực phẩm",
        "Quản lý hoạt động du lịch, homestay, giá dịch vụ, niêm yết giá, chèo kéo khách, bán hàng "
        "rong; giá cả thị trường; vệ sinh an toàn thực phẩm.",
        (
            "du lịch",
            "du khách",
            "khách du lịch",
            "homestay",
            "niêm yết giá",
            "chặt chém",
            "chèo kéo",
            "bán hàng rong",
            "an toàn thực phẩm",
            "vệ sinh an toàn thực phẩm",
            "nguồn gốc",
            "hết hạn sử dụng",
            "giá cả",
            "quản lý thị trường",
            "dịch vụ lưu trú",
        ),
        True,
    ),
    Field(
        "village_conventions",
        "Vi phạm quy ước khu dân cư trong việc cưới, việc tang",
        "Tổ chức việc cưới, việc tang kéo dài, linh đình, tốn kém, thách cưới, tảo hôn; mở loa, dựng "
        "rạp, rải vàng mã; thực hiện hương ước, quy ước thôn, bản, tổ dân phố.",
        (
            "quy ước",
            "hương ước",
            "việc cưới",
            "việc tang",
            "đám cưới",
            "đám tang",
            "đám ma",
            "đám hiếu",
            "tang lễ",
            "thách cưới",
            "tảo hôn",
            "vàng mã",
            "linh đình",
            "nếp sống văn minh",
        ),
        True,
    ),
    Field(
        "women_leaving_locality",
        "Phụ nữ bỏ đi khỏi địa phương",
        "Phụ nữ, trẻ em gái bỏ đi khỏi địa phương, sang biên giới làm thuê hoặc lấy chồng trái phép, "
        "nguy cơ bị mua bán người; hỗ trợ gia đình và người trở về.",
        (
            "phụ nữ bỏ đi",
            "bỏ đi",
            "đi khỏi địa phương",
            "phụ nữ",
            "lấy chồng nước ngoài",
            "môi giới hôn nhân",
            "mua bán người",
            "lừa bán",
            "biên giới",
            "tái hòa nhập",
        ),
        True,
    ),
    Field(
        "unresolved_pressing",
        "Vấn đề bức xúc chưa được giải quyết",
        "Kiến nghị đã nêu nhiều lần, vụ việc tồn đọng, kéo dài, chưa được trả lời hoặc giải quyết dứt "
        "điểm; kết luận chưa được thực hiện; đơn thư vượt cấp, nguy cơ điểm nóng.",
        (
            "bức xúc",
            "tồn đọng",
            "kiến nghị nhiều lần",
            "vụ việc kéo dài",
            "kéo dài nhiều năm",
            "giải quyết dứt điểm",
            "chưa được giải quyết",
            "chưa được trả lời",
            "vượt cấp",
            "điểm nóng",
            "đơn thư",
            "nhiều kỳ",
        ),
        True,
    ),
    Field(
        "environment",
        "Tài nguyên, môi trường",
        "Ô nhiễm nước, không khí, tiếng ồn; chất thải chăn nuôi, công nghiệp; thu gom, xử lý rác; "
        "khai thác cát, khoáng sản trái phép; đổ trộm phế thải.",
        (
            "môi trường",
            "ô nhiễm",
            "nước thải",
            "rác thải",
            "thu gom rác",
            "mùi hôi",
            "khói bụi",
            "tiếng ồn",
            "phế thải",
            "khai thác cát",
            "khoáng sản",
            "chất thải",
            "bãi rác",
            "đổ trộm",
        ),
        False,
    ),
    Field(
        "infrastructure",
        "Giao thông, hạ tầng kỹ thuật",
        "Đường giao thông, cầu, cống, thoát nước, đê kè, chiếu sáng, đèn tín hiệu, vỉa hè; cấp điện, "
        "cấp nước sinh hoạt.",
        (
            "đường giao thông",
            "xuống cấp",
            "ổ gà",
            "sạt lở",
            "cầu treo",
            "cầu tràn",
            "cống thoát nước",
            "thoát nước",
            "ngập úng",
            "chiếu sáng",
            "đèn đường",
            "đèn tín hiệu",
            "tuyến đê",
            "điện lưới",
            "nước sạch",
            "cấp nước",
            "mặt đường",
            "đường liên thôn",
        ),
        False,
    ),
    Field(
        "education",
        "Giáo dục, đào tạo",
        "Trường, lớp, phòng học, giáo viên, khoản thu trong trường học, dạy thêm, học sinh bỏ học, "
        "bán trú, tuyển sinh mầm non.",
        (
            "trường học",
            "học sinh",
            "giáo viên",
            "phòng học",
            "mầm non",
            "tiểu học",
            "năm học",
            "học phí",
            "dạy thêm",
            "bán trú",
            "phụ huynh",
            "bỏ học",
        ),
        False,
    ),
    Field(
        "health",
        "Y tế, chăm sóc sức khỏe",
        "Khám chữa bệnh, trạm y tế, bệnh viện, thuốc, phòng chống dịch bệnh, tiêm chủng, hành nghề y, "
        "dược; y tế thôn bản.",
        (
            "y tế",
            "trạm y tế",
            "bệnh viện",
            "bác sĩ",
            "khám chữa bệnh",
            "khám bệnh",
            "thiếu thuốc",
            "nhà thuốc",
            "tiêm chủng",
            "vắc xin",
            "sốt xuất huyết",
            "dịch bệnh",
            "cấp cứu",
            "sức khỏe",
        ),
        False,
    ),
    Field(
        "social_policy",
        "Chính sách xã hội, bảo hiểm xã hội, bảo hiểm y tế",
        "Người có công, trợ cấp xã hội, người cao tuổi, người khuyết tật, hộ nghèo, cận nghèo, hỗ trợ "
        "nhà ở, cứu đói; bảo hiểm xã hội, cấp thẻ bảo hiểm y tế, trợ cấp thất nghiệp.",
        (
            "người có công",
            "liệt sĩ",
            "thương binh",
            "bệnh binh",
            "trợ cấp xã hội",
            "hộ nghèo",
            "cận nghèo",
            "người khuyết tật",
            "người cao tuổi",
            "bảo hiểm xã hội",
            "bảo hiểm y tế",
            "thẻ bảo hiểm y tế",
            "lương hưu",
            "cứu đói",
            "mồ côi",
        ),
        False,
    ),
    Field(
        "security_order",
        "An ninh, trật tự an toàn xã hội",
        "Trộm cắp, ma túy, cờ bạc, tín dụng đen, lừa đảo, đua xe, gây rối; quản lý cư trú; an toàn "
        "giao thông; tôn giáo, đạo lạ trái phép; buôn lậu.",
        (
            "an ninh",
            "an ninh trật tự",
            "trật tự an toàn xã hội",
            "công an",
            "trộm cắp",
            "ma túy",
            "cờ bạc",
            "đánh bạc",
            "lô đề",
            "tín dụng đen",
            "cho vay nặng lãi",
            "lừa đảo",
            "đua xe",
            "tuần tra",
            "tạm trú",
            "nồng độ cồn",
            "buôn lậu",
        ),
        False,
    ),
    Field(
        "administrative_procedures",
        "Thủ tục hành chính, dịch vụ công",
        "Hộ tịch, khai sinh, cư trú, căn cước, định danh điện tử, chứng thực, dịch vụ công trực "
        "tuyến; giấy tờ, phí, lệ phí, thời hạn giải quyết thủ tục; nơi nộp hồ sơ sau sắp xếp.",
        (
            "thủ tục hành chính",
            "hộ tịch",
            "khai sinh",
            "đăng ký thường trú",
            "cư trú",
            "căn cước",
            "định danh điện tử",
            "vneid",
            "chứng thực",
            "dịch vụ công",
            "trực tuyến",
            "lệ phí",
            "giấy tờ",
        ),
        False,
    ),
    Field(
        OTHER,
        "Lĩnh vực khác",
        "Văn hóa, thể thao, thông tin, truyền thanh, viễn thông, di tích, tín ngưỡng, nghĩa trang, "
        "quốc phòng và các nội dung không thuộc lĩnh vực nào ở trên.",
        (
            "văn nghệ",
            "thể thao",
            "truyền thanh",
            "sóng điện thoại",
            "phát sóng",
            "internet",
            "di tích",
            "lễ hội",
            "thư viện",
            "nghĩa trang",
            "nghĩa vụ quân sự",
            "công đức",
        ),
        False,
    ),
)

FIELD_BY_CODE: dict[str, Field] = {f.code: f for f in FIELDS}
FIELD_CODES: tuple[str, ...] = tuple(f.code for f in FIELDS)


class UnknownField(KeyError):
    """A code that is not in the taxonomy."""


def field_by_code(code: str) -> Field:
    try:
        return FIELD_BY_CODE[code]
    except KeyError:
        raise UnknownField(code) from None


def is_known_field(code: str) -> bool:
    return code in FIELD_BY_CODE
