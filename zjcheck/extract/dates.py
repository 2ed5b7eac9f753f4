"""Dates, months and periods as documents write them.

    find_dates("2024年5月12日 … 2024.05.12 … 二〇二四年五月")   every date, impossible ones too
    date_after(text, ["授权公告日"])                            the first valid date after a label
    periods("202301–202312  12")                               缴费起止 periods, as (start, end) months
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from zjcheck.evidence import Fact
from zjcheck.extract.normalize import SPACE_BETWEEN_CJK, fuzzy_find, fuzzy_pattern, norm, squash
from zjcheck.extract.numerals import to_int
from zjcheck.extract.text import Text

YM = tuple[int, int]


@dataclass(frozen=True)
class DateMention:
    """A date written in a document; `value` is None when it cannot exist."""

    text: str
    year: int
    month: int
    day: int | None
    start: int
    value: date | None
    end: int = 0

    @property
    def valid(self) -> bool:
        return self.value is not None or self.day is None


_CN_NUM = "[0-9〇零○一二两三四五六七八九十]"
_DATE_PATTERNS = [
    # 2024年5月12日 / 2024 年 05 月 12 日 / 二〇二四年五月十二日
    re.compile(rf"(?P<y>(?:19|20)\d\d|[〇零○一二三四五六七八九]{{4}})\s*年\s*(?P<m>{_CN_NUM}{{1,3}})\s*月\s*(?:(?P<d>{_CN_NUM}{{1,3}})\s*日)?"),
    # 2024-05-12, 2024.5.12, 2024/05/12
    re.compile(r"(?<![\d])(?P<y>(?:19|20)\d\d)\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})(?![\d])"),
]


def find_dates(text: str) -> list[DateMention]:
    """Every date mentioned in `text`, including impossible ones (2月30日)."""
    t = unicodedata.normalize("NFKC", text)
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(t):
            if any(a <= m.start() < b for a, b in taken):
                continue
            y = to_int(m.group("y"))
            mo = to_int(m.group("m"))
            d = to_int(m.group("d")) if m.group("d") else None
            if y is None or mo is None or not (1 <= mo <= 12):
                continue
            if d is not None and not (1 <= d <= 31):
                continue
            try:
                value = date(y, mo, d or 1)
            except ValueError:
                value = None
            taken.append((m.start(), m.end()))
            out.append(DateMention(m.group(0), y, mo, d, m.start(), value, m.end()))
    out.sort(key=lambda dm: dm.start)
    return out


def date_after(text: str, labels: list[str], window: int = 40) -> date | None:
    """The first valid date written within `window` characters after a label."""
    t = unicodedata.normalize("NFKC", text)
    tn = SPACE_BETWEEN_CJK.sub("", t)
    for label in labels:
        for m in re.finditer(fuzzy_pattern(label), tn.lower()):
            for dm in find_dates(tn[m.end(): m.end() + window]):
                if dm.value is not None:
                    return dm.value
    return None


def parse_date(s: str) -> date | None:
    found = [d for d in find_dates(s) if d.value is not None]
    return found[0].value if found else None


def first_year(text: str, patterns: list[re.Pattern[str]]) -> int | None:
    """The year the first matching pattern captures (a 年度 on a form or card)."""
    t = squash(text)
    for rx in patterns:
        m = rx.search(t)
        if m:
            return int(m.group(1))
    return None


# ---------------------------------------------------------------- months and periods

def month_range(a: YM, b: YM) -> list[YM]:
    out: list[YM] = []
    y, m = a
    while (y, m) <= b and len(out) < 1200:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def shift(ym: YM, n: int) -> YM:
    k = ym[0] * 12 + ym[1] - 1 + n
    return k // 12, k % 12 + 1


def fmt_month(ym: YM) -> str:
    return f"{ym[0]}-{ym[1]:02d}"


_Y = r"(?:20[0-4]\d|19[5-9]\d)"
# one month: 2023.01 / 2023-1 / 2023/01 / 2023年1月 / 202301
_YM = rf"{_Y}\s?(?:[-./]\s?(?:0[1-9]|1[0-2]|[1-9](?!\d))|年\s?(?:0[1-9]|1[0-2]|[1-9])\s?月|(?:0[1-9]|1[0-2])(?!\d))"
# OCR reads the dash of 202201—202212 as 一 (the numeral one) or ― now and then
_DASH = r"\s*(?:至|到|~|～|-|—|–|－|一|―|ー)\s*"
_PERIOD = re.compile(rf"(?<![\d.])({_YM}){_DASH}({_YM})(?![\d])")
# 2023年1月至12月 / 2023.01-12: the end month in the same year
_PERIOD_SAME_YEAR = re.compile(rf"(?<![\d.])({_YM}){_DASH}(0[1-9]|1[0-2]|[1-9])\s?月?(?!\d|\s?[-./年]\s?\d)")
_YM_PARTS = re.compile(r"(\d{4})\D*(\d{1,2})")


def _ym(token: str) -> YM:
    m = _YM_PARTS.match(token)
    assert m is not None
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True)
class Period:
    start: YM
    end: YM
    span: tuple[int, int]

    @property
    def months(self) -> list[YM]:
        return month_range(self.start, self.end)


def periods(text: str) -> list[Period]:
    """Every 起止 period written in `text` (2023.01-2023.12, 202301–202312,
    2023年1月至2023年12月, 2023.01-12), end not before start.  The text is
    expected normalised (zjcheck.extract.norm)."""
    out: list[Period] = []
    taken: list[tuple[int, int]] = []
    for m in _PERIOD.finditer(text):
        a, b = _ym(m.group(1)), _ym(m.group(2))
        if a <= b:
            out.append(Period(a, b, m.span()))
            taken.append(m.span())
    for m in _PERIOD_SAME_YEAR.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        sep = re.search(r"\d{4}\s?([-./])", m.group(1))
        dash = text[m.end(1):m.start(2)].strip()
        if sep and dash == sep.group(1):
            continue            # 2023-01-05 is a date, not January to May
        a = _ym(m.group(1))
        b = (a[0], int(m.group(2)))
        if a <= b:
            out.append(Period(a, b, m.span()))
    out.sort(key=lambda p: p.span)
    return out


def date_fact(text: Text, labels: list[str], window: int = 40) -> Fact | None:
    """`date_after` on a Text: the first valid date within `window` characters
    after a label (on its row or running on to the next line), as a Fact that
    says where and how surely it was read."""
    v = text.normed
    for label in labels:
        lab = norm(label)
        pos = 0
        while (span := fuzzy_find(lab, v.s, pos)) is not None:
            pos = span[1]
            seg = v.s[span[1]: span[1] + window]
            for dm in find_dates(seg):
                if dm.value is not None:
                    start = span[1] + dm.start
                    return text.fact(dm.value, v, start, span[1] + dm.end)
    return None
