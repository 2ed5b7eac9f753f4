"""Normalising OCR'd and extracted text, and finding keywords in it.

OCR of Chinese text puts spaces between characters, mixes full- and
half-width punctuation and misreads a character now and then; everything
that matches keywords or numbers goes through `norm` first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")
_SPACE_AROUND_CJK_PUNCT = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[()\[\]:;,./·\-—])|(?<=[()\[\]:;,./·\-—])[ \t]+(?=[{_CJK}])")
_MULTI_SPACE = re.compile(r"[ \t\u3000]+")


def norm(text: str) -> str:
    """NFKC (full-width to half-width), no spaces inside CJK runs, lower case.
    Line breaks are kept, so a normalised text has the lines of the original."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u2014", "—").replace("\u2013", "-")
    t = SPACE_BETWEEN_CJK.sub("", t)
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


def fuzzy_find(keyword: str, text: str, start: int = 0) -> tuple[int, int] | None:
    """Span of the first place in `text` (from `start`) holding the keyword
    with at most one character misread; keywords shorter than 4 characters
    must match exactly.  Both are expected normalised.

    Pigeonhole: one substitution leaves one half of the keyword intact, so
    only places where a half occurs exactly need comparing."""
    n = len(keyword)
    exact = text.find(keyword, start)
    if n < 4:
        return (exact, exact + n) if exact != -1 else None
    best = exact if exact != -1 else None
    h = n // 2
    for part, offset in ((keyword[:h], 0), (keyword[h:], h)):
        p = text.find(part, start + offset)
        while p != -1 and (best is None or p - offset < best):
            q = p - offset
            if start <= q and q + n <= len(text) and sum(a != b for a, b in zip(text[q:q + n], keyword)) <= 1:
                best = q if best is None else min(best, q)
                break
            p = text.find(part, p + 1)
    return (best, best + n) if best is not None else None


def fuzzy_contains(keyword: str, text: str) -> bool:
    """Whether `text` contains the (normalised) keyword with at most one
    character misread; keywords shorter than 4 characters must match exactly."""
    return keyword in text or fuzzy_find(keyword, text) is not None
