"""Readers the publication checkers share (paper, book): titles compared
across pages with OCR noise, ISBNs, a name read with one character misread.

    core("基于改进 PID 算法的…")           CJK, digits and latin letters only
    partial_ratio(title, other_page_text)  best similarity of a title to any window
    find_isbns(text)                       ISBNs written after the word ISBN, compacted
    close_name("周建华", text)              the name with one character misread
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from stdnum import isbn as _isbn

from zjcheck.extract.normalize import squash

_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")


def core(text: str) -> str:
    """Only CJK characters, digits and latin letters: what survives OCR reliably."""
    return _KEEP.sub("", squash(text))


def partial_ratio(needle: str, haystack: str) -> float:
    """Best similarity (0..1) of `needle` to any window of `haystack` (both `core`d).

    A title printed on another page with a misread character or two still
    scores high; a different title scores low.
    """
    n, h = core(needle), core(haystack)
    if not n or not h:
        return 0.0
    if n in h:
        return 1.0
    if len(h) <= len(n):
        return SequenceMatcher(None, n, h, autojunk=False).ratio()
    best = 0.0
    chars = set(n)
    for width in {len(n) - 1, len(n), len(n) + 1}:
        for i in range(0, len(h) - width + 1):
            w = h[i:i + width]
            if w[0] not in chars and w[-1] not in chars:
                continue
            sm = SequenceMatcher(None, n, w, autojunk=False)
            if sm.quick_ratio() <= best:
                continue
            best = max(best, sm.ratio())
    return best


def fix_digits(s: str) -> str:
    """OCR letter/digit confusions inside a number: o->0, l/i/|->1."""
    return s.translate(str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "|": "1"}))


def find_isbns(text: str) -> list[str]:
    """ISBNs written after the word ISBN (10 or 13 digits, OCR spaces tolerated), compacted."""
    t = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for m in re.finditer(r"i\s*s\s*b\s*n\s*(?:书号|号|为|是)?\s*[:：]?\s*((?:[0-9oO][\s\-—–]{0,3}){9,13}[0-9xX]?)", t, re.I):
        raw = fix_digits(re.sub(r"[\s\-—–]", "", m.group(1))).upper()
        if len(raw) in (10, 13) or len(raw) > 13 and raw[:3] in ("978", "979"):
            raw = raw[:13] if len(raw) > 13 else raw
            out.append(raw)
        elif len(raw) > 10 and not raw.startswith(("978", "979")):
            out.append(raw[:10])
    return out


def isbn_ok(number: str) -> bool:
    return _isbn.is_valid(number)


def close_name(name: str, text: str) -> bool:
    """The name with one character misread (same surname), for 'could not confirm'."""
    n, t = squash(name), squash(text)
    if len(n) < 3:
        return False
    pat = re.escape(n[0]) + "".join(
        "(?:" + "|".join(re.escape(n[1:][:i]) + "." + re.escape(n[1:][i + 1:]) for i in range(len(n) - 1)) + ")")
    return bool(re.search(pat, t))
