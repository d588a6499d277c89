"""Generators for realistic, invented demo people and numbers (used by ``seed_demo``).

Everything is drawn from one seeded random generator, so every run produces the same people and
``seed_demo`` can skip what already exists. No one named in the source article appears here.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from stdnum.cn import ric, uscc

from unionhub.core.validators import is_mobile

DEMO_PASSWORD = "Huishan@2026"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵钱严武戴孔汤华浦"
)
GIVEN_MALE = "伟强磊军勇杰涛斌波辉刚健明超亮平鹏飞浩宇俊峰建国志华文博海东立新晨阳翔凯鑫正"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧倩颖琳洁怡萍红梅兰月云秀佳悦欣晓雯婧蕾璐"
# People named in the source article are not reused for demo people.
EXCLUDED_NAMES = {"张敏", "郑香敏", "闫希军"}

# Birth-place codes: Wuxi's districts, and the provinces many of Huishan's workers come from.
LOCAL_REGIONS = ["320206", "320206", "320206", "320211", "320205", "320213", "320281", "320282"]
MIGRANT_REGIONS = ["341221", "341623", "412726", "411521", "510722", "500229", "522401", "362428"]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "199",
]  # fmt: skip
SCHOOLS_PRIMARY = [
    "惠山区钱桥实验小学",
    "无锡市堰桥实验小学",
    "惠山区洛社中心小学",
    "无锡市长安中心小学",
    "惠山区阳山中心小学",
]
SCHOOLS_MIDDLE = ["无锡市堰桥中学", "惠山区钱桥中学", "无锡市洛社初级中学", "无锡市玉祁高级中学"]
UNIVERSITIES = ["江南大学", "南京工业大学", "苏州大学", "无锡职业技术学院", "江苏大学"]


@dataclass
class DemoRandom:
    """One seeded generator with helpers for Chinese demo data."""

    seed: int = 20261124
    rng: random.Random = field(init=False)
    used_names: set[str] = field(default_factory=set)
    used_mobiles: set[str] = field(default_factory=set)
    used_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def name(self, gender: str) -> str:
        pool = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
        while True:
            given = self.rng.choice(pool)
            if self.rng.random() < 0.6:
                given += self.rng.choice(pool)
            candidate = self.rng.choice(SURNAMES) + given
            if candidate not in EXCLUDED_NAMES and candidate not in self.used_names:
                self.used_names.add(candidate)
                return candidate

    def child_name(self, surname: str, gender: str) -> str:
        pool = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
        return surname + self.rng.choice(pool) + self.rng.choice(pool)

    def birth_date(self, youngest: int, oldest: int, today: datetime.date) -> datetime.date:
        start = today.replace(year=today.year - oldest)
        end = today.replace(year=today.year - youngest)
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days))

    def id_number(self, birth: datetime.date, gender: str, *, migrant: bool = False) -> str:
        regions = MIGRANT_REGIONS if migrant else LOCAL_REGIONS
        while True:
            sequence = self.rng.randrange(0, 100)
            parity = self.rng.choice([1, 3, 5, 7, 9] if gender == "male" else [0, 2, 4, 6, 8])
            body = f"{self.rng.choice(regions)}{birth:%Y%m%d}{sequence:02d}{parity}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_mobiles and is_mobile(number):
                self.used_mobiles.add(number)
                return number

    def credit_code(self, region: str = "320206") -> str:
        """A unified social credit code with a valid organisation-code and final check character."""
        digits = f"{self.rng.randrange(10**8):08d}"
        weights = (3, 7, 9, 10, 5, 8, 4, 2)
        check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        org_code = digits + {10: "X", 11: "0"}.get(check, str(check))
        body = f"91{region}{org_code}"
        return body + uscc.calc_check_digit(body + "0")


def pdf_document(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF of a title and lines of Chinese text, for demo attachments (a hospital
    receipt, a certificate). The text is set in Adobe's standard Song font (STSong-Light), which
    PDF readers supply, so no font file is embedded."""

    def text(value: str) -> str:
        return "<" + value.encode("utf-16-be").hex().upper() + ">"

    ops = ["BT", "/F1 20 Tf", f"{297 - len(title) * 10} 770 Td", f"{text(title)} Tj", "ET"]
    for row, line in enumerate(lines):
        ops += ["BT", "/F1 12 Tf", f"72 {720 - 24 * row} Td", f"{text(line)} Tj", "ET"]
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 6 0 R /DW 1000 /W [1 95 500 814 907 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
