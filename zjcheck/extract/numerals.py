"""Chinese numerals: 二〇二四 → 2024, 十二 → 12, 第二十名 → 20, 壹拾万 → 100000.

cn2an does the arithmetic (it passed every case in tests/test_extract.py,
financial 大写 included); this module only picks the numeral out of its
surroundings and refuses what is not one.
"""

from __future__ import annotations

import re

import cn2an

DIGITS = "〇零○一二两三四五六七八九"
NUMERAL_CHARS = DIGITS + "十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億"
_DIGIT_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "两": 2, "O": 0}
_ORDINAL = re.compile(rf"第\s*([0-9]{{1,3}}|[{NUMERAL_CHARS}]{{1,6}})")


def to_int(s: str) -> int | None:
    """The integer a numeral writes (digits, 二〇二四, 三十一, 壹拾万), or None."""
    s = re.sub(r"\s+", "", s or "")
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if all(c in _DIGIT_VALUE for c in s):          # digit by digit: 二〇二四
        return int("".join(str(_DIGIT_VALUE[c]) for c in s))
    if not all(c in NUMERAL_CHARS for c in s):
        return None
    try:
        v = cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return int(v) if float(v).is_integer() else None


def ordinal(s: str) -> int | None:
    """The rank in 第二十名 / 第3完成人 / 排名第十 (the first 第… in `s`)."""
    m = _ORDINAL.search(s or "")
    return to_int(m.group(1)) if m else None
