"""Text normalisation and the small parsers every checker needs (dates, names).

OCR of Chinese text puts spaces between characters, mixes full- and
half-width punctuation and misreads a character now and then; everything
that matches keywords or numbers goes through `norm` first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")
_SPACE_AROUND_CJK_PUNCT = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[()\[\]:;,./·\-—])|(?<=[()\[\]:;,./·\-—])[ \t]+(?=[{_CJK}])")
_MULTI_SPACE = re.compile(r"[ \t\u3000]+")

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def norm(text: str) -> str:
    """NFKC (full-width to half-width), no spaces inside CJK runs, lower case."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u2014", "—").replace("\u2013", "-")
    t = _SPACE_BETWEEN_CJK.sub("", t)
    t = _SPACE_AROUND_CJK_PUNCT.sub("", t)
    t = _MULTI_SPACE.sub(" ", t)
    return t.lower()


def squash(text: str) -> str:
    """`norm` and then no whitespace at all: for matching names and numbers."""
    return re.sub(r"\s+", "", norm(text))


@lru_cache(maxsize=4096)
def fuzzy_pattern(keyword: str) -> str:
    """A regex matching `keyword` with at most one character misread.

    Only for keywords of 4+ characters: shorter ones would match too much.
    """
    kw = norm(keyword)
    if len(kw) < 4:
        return re.escape(kw)
    variants = [re.escape(kw)]
    for i in range(len(kw)):
        variants.append(re.escape(kw[:i]) + "." + re.escape(kw[i + 1:]))
    return "(?:" + "|".join(variants) + ")"


def fuzzy_contains(keyword: str, text: str) -> bool:
    """Whether `text` contains the (normalised) keyword with at most one
    character misread; keywords shorter than 4 characters must match exactly.

    Pigeonhole: one substitution leaves one half of the keyword intact, so
    only places where a half occurs exactly need comparing.  Much cheaper
    than compiling a regex per keyword on every run.
    """
    if keyword in text:
        return True
    n = len(keyword)
    if n < 4:
        return False
    h = n // 2
    for part, offset in ((keyword[:h], 0), (keyword[h:], h)):
        p = text.find(part)
        while p != -1:
            q = p - offset
            if 0 <= q and q + n <= len(text) and sum(a != b for a, b in zip(text[q:q + n], keyword)) <= 1:
                return True
            p = text.find(part, p + 1)
    return False


# ---------------------------------------------------------------- dates

@dataclass(frozen=True)
class DateMention:
    """A date written in a document; `value` is None when it cannot exist."""

    text: str
    year: int
    month: int
    day: int | None
    start: int
    value: date | None

    @property
    def valid(self) -> bool:
        return self.value is not None or self.day is None


def _cn_number(s: str) -> int | None:
    """二〇二四 -> 2024, 十二 -> 12, 三十一 -> 31, digits pass through."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if all(c in CN_DIGITS for c in s):          # 二〇二四
        return int("".join(str(CN_DIGITS[c]) for c in s))
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = CN_DIGITS.get(head, 1) if head else 1
        ones = CN_DIGITS.get(tail, 0) if tail else 0
        if (head and head not in CN_DIGITS) or (tail and tail not in CN_DIGITS):
            return None
        return tens * 10 + ones
    return None


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
            y = _cn_number(m.group("y"))
            mo = _cn_number(m.group("m"))
            d = _cn_number(m.group("d")) if m.group("d") else None
            if y is None or mo is None or not (1 <= mo <= 12):
                continue
            if d is not None and not (1 <= d <= 31):
                continue
            try:
                value = date(y, mo, d or 1)
            except ValueError:
                value = None
            taken.append((m.start(), m.end()))
            out.append(DateMention(m.group(0), y, mo, d, m.start(), value))
    out.sort(key=lambda dm: dm.start)
    return out


def date_after(text: str, labels: list[str], window: int = 40) -> date | None:
    """The first valid date written within `window` characters after a label."""
    t = unicodedata.normalize("NFKC", text)
    tn = _SPACE_BETWEEN_CJK.sub("", t)
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


# ---------------------------------------------------------------- names

def name_in(name: str, text: str) -> bool:
    """Whether a Chinese personal name occurs in the text, OCR spacing ignored."""
    return bool(name) and squash(name) in squash(text)
