"""Vietnamese name pools: surnames with their real frequencies, middle and given names by sex.

Surname shares follow the usual estimates for Vietnam (Nguyễn about 38%,
Trần 11%, Lê 9.5%, Phạm 7%, ...); the southern spellings Huỳnh and Võ are
more common than Hoàng and Vũ in Tây Ninh. Everything is NFC.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> names = full_names(rng, np.array([1, 2]))
>>> len(names), names[1].split()[1] in MIDDLE_FEMALE[0]
(2, True)
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SURNAMES",
    "SURNAME_SHARES",
    "MIDDLE_MALE",
    "MIDDLE_FEMALE",
    "GIVEN_MALE",
    "GIVEN_FEMALE",
    "draw_surnames",
    "draw_middle",
    "draw_given",
    "full_names",
]

_SURNAME_TABLE = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Huỳnh", 3.5),
    ("Hoàng", 1.6),
    ("Phan", 4.5),
    ("Võ", 3.2),
    ("Vũ", 0.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.6),
    ("Trương", 1.2),
    ("Đinh", 0.7),
    ("Lâm", 0.6),
    ("Mai", 0.5),
    ("Tô", 0.4),
    ("Châu", 0.4),
    ("Cao", 0.5),
    ("Lương", 0.5),
    ("Thái", 0.4),
    ("Tạ", 0.3),
    ("Đoàn", 0.6),
    ("Hà", 0.4),
    ("Lưu", 0.3),
    ("Thạch", 0.2),
    ("Kiều", 0.15),
    ("La", 0.15),
)
SURNAMES = np.array([s for s, _ in _SURNAME_TABLE], dtype=object)
SURNAME_SHARES = np.array([w for _, w in _SURNAME_TABLE]) / sum(w for _, w in _SURNAME_TABLE)

# (names, weights)
MIDDLE_MALE = (
    ["Văn", "Hữu", "Minh", "Thanh", "Quốc", "Công", "Đức", "Hoàng", "Ngọc", "Tấn", "Thành", "Gia", "Anh", "Trọng"],
    [40, 6, 9, 6, 5, 4, 4, 4, 3, 5, 4, 4, 3, 3],
)
MIDDLE_FEMALE = (
    ["Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thu", "Hồng", "Bảo", "Phương", "Minh", "Anh", "Thùy", "Khánh"],
    [55, 8, 6, 6, 4, 4, 4, 3, 3, 2, 2, 2, 1],
)
GIVEN_MALE = [
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Long", "Phúc", "Tài", "Hiếu", "Khang", "Bảo", "Huy",
    "Trung", "Sơn", "Thắng", "Quang", "Tâm", "Phong", "Lộc", "Đạt", "Khoa", "Vinh", "Tín", "Nghĩa",
    "Thành", "Toàn", "Sang", "Tùng", "Hòa", "Phát", "Tiến", "Cường", "Hưng", "Kiệt", "Lâm", "Nhân",
    "Quý", "Thiện", "Trí", "Vũ", "Duy", "An", "Bình", "Đông", "Hoàng", "Khánh", "Lợi", "Mạnh", "Thông",
]  # fmt: skip
GIVEN_FEMALE = [
    "Lan", "Hương", "Mai", "Hoa", "Linh", "Trang", "Thảo", "Ngọc", "Hạnh", "Nhung", "Hằng", "Yến",
    "Phương", "Thủy", "Loan", "Tuyết", "Diễm", "Vy", "Nhi", "Hân", "Anh", "Trâm", "Quyên", "My",
    "Châu", "Hồng", "Nga", "Oanh", "Xuân", "Thu", "Dung", "Hiền", "Huyền", "Liên", "Ly", "Như",
    "Tiên", "Uyên", "Vân", "Thư", "Giang", "Hà", "Kiều", "Lệ", "Mơ", "Nguyệt", "Phượng", "Sương",
]  # fmt: skip


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` surnames drawn from the national distribution (object array)."""
    return SURNAMES[rng.choice(len(SURNAMES), size=n, p=SURNAME_SHARES)]


def draw_middle(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """Middle names by sex (1 male, 2 female)."""
    out = np.empty(len(sex), dtype=object)
    for code, (pool, w) in ((1, MIDDLE_MALE), (2, MIDDLE_FEMALE)):
        m = sex == code
        p = np.asarray(w, dtype=float) / sum(w)
        out[m] = np.asarray(pool, dtype=object)[rng.choice(len(pool), size=int(m.sum()), p=p)]
    return out


def _zipf(n: int) -> np.ndarray:
    w = 1.0 / (np.arange(n) + 3.0)
    return w / w.sum()


def draw_given(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """Given names by sex (a mildly skewed choice, as real given names are)."""
    out = np.empty(len(sex), dtype=object)
    for code, pool in ((1, GIVEN_MALE), (2, GIVEN_FEMALE)):
        m = sex == code
        out[m] = np.asarray(pool, dtype=object)[rng.choice(len(pool), size=int(m.sum()), p=_zipf(len(pool)))]
    return out


def other_given(given: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """A given name of the same sex that differs from ``given`` (the next one in the pool)."""
    out = given.copy()
    for code, pool in ((1, GIVEN_MALE), (2, GIVEN_FEMALE)):
        m = sex == code
        index = {g: i for i, g in enumerate(pool)}
        cur = np.array([index.get(g, 0) for g in given[m]], dtype=int)
        out[m] = np.asarray(pool, dtype=object)[(cur + 1) % len(pool)]
    return out


def full_names(
    rng: np.random.Generator, sex: np.ndarray, surnames: np.ndarray | None = None
) -> np.ndarray:
    """Full names "Họ đệm tên" for persons of the given sexes."""
    sex = np.asarray(sex)
    sur = draw_surnames(rng, len(sex)) if surnames is None else surnames
    return sur + " " + draw_middle(rng, sex) + " " + draw_given(rng, sex)
