"""Vietnamese personal names for demo data (common family, middle and given names)."""

import random

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vi",
    "Lường",
    "Hà",
    "Nông",
    "Lăng",
    "Hoàng",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Triệu",
    "Chu",
    "Mã",
    "Vy",
]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Xuân"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Bích", "Kim"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Tuấn",
    "Việt",
    "Vinh",
    "Đạt",
    "Hiếu",
    "Trung",
    "Tùng",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Phương",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
    "Quỳnh",
    "Loan",
    "Huyền",
]
STREETS = [
    "Trần Đăng Ninh",
    "Lê Lợi",
    "Bà Triệu",
    "Ngô Quyền",
    "Tam Thanh",
    "Hùng Vương",
    "Phai Vệ",
    "Chi Lăng",
    "Lý Thái Tổ",
    "Quang Trung",
    "Nguyễn Du",
    "Bắc Sơn",
]
VILLAGES = [
    "Thôn Bản Chu",
    "Thôn Nà Lầu",
    "Thôn Khòn Khuyên",
    "Thôn Pác Cáp",
    "Thôn Nà Pàn",
    "Thôn Còn Quan",
    "Thôn Bó Củng",
    "Thôn Nà Thâm",
    "Thôn Khuổi Khỉn",
    "Thôn Bản Đon",
]


def person_name(rng: random.Random, sex: str | None = None) -> tuple[str, str]:
    """A plausible full name and its sex ("M"/"F")."""
    sex = sex or rng.choice("MF")
    if sex == "M":
        parts = [rng.choice(FAMILY), rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE)]
    else:
        parts = [rng.choice(FAMILY), rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE)]
    return " ".join(parts), sex


def street_address(rng: random.Random, urban: bool) -> str:
    if urban:
        return f"Số {rng.randint(1, 250)} đường {rng.choice(STREETS)}"
    return rng.choice(VILLAGES)
