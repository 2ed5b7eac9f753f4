"""Organisation names: the unit after a label (用人单位：…, 工作单位：…) and
whether two readings name the same unit (OCR misreads, 简称 inside 全称)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from zjcheck.extract.normalize import fuzzy_pattern, squash

if TYPE_CHECKING:
    from zjcheck.evidence import Fact
    from zjcheck.extract.text import Text


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/extract.toml").read_text("utf-8"))
    return raw["orgs"]


@lru_cache(maxsize=1)
def org_pattern() -> re.Pattern[str]:
    """An organisation name: 4–40 Han characters (brackets allowed) ending in a suffix."""
    suffixes = "|".join(re.escape(s) for s in _table()["suffixes"])
    return re.compile(rf"([\u4e00-\u9fff()]{{4,40}}?(?:{suffixes}))")


def org_after(text: str, labels: Sequence[str], window: int = 60) -> str | None:
    """The first organisation name written right after one of the labels."""
    t = squash(text)
    rx = org_pattern()
    for label in labels:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            o = rx.search(t[m.end(): m.end() + window])
            if o and o.start() <= 3:
                return o.group(1).lstrip(":：")
    return None


def same_org(a: str, b: str) -> bool:
    """Same organisation, allowing an OCR misread or two in long names and a
    short form inside the full one."""
    a, b = squash(a), squash(b)
    if a == b or a in b or b in a:
        return True
    return fuzz.ratio(a, b) >= _table()["same_ratio"]


def org_value_pattern() -> re.Pattern[str]:
    """An organisation name as the value after a label, past a bracketed
    qualifier and a colon (用人单位（甲方）：宁波甬江智能装备有限公司)."""
    return re.compile(r"(?:\([^)]{1,8}\))?[::]?\s*" + org_pattern().pattern)


_SEAL_WORDS = ("盖章", "公章", "签章", "印章")


def _orgs_in(line: str) -> list[re.Match[str]]:
    """Organisation names in one line, cell by cell (a visual row joins cells with wide spaces)."""
    return [m for cell in re.split(r"\s{2,}|\t", line) for m in org_pattern().finditer(squash(cell))]


def signing_org(text: Text, tail: int = 10) -> Fact | None:
    """The organisation that signs a letter or certificate: in its last `tail`
    lines, the one named with a seal word ((盖章)) or on a line next to a date,
    else the last one named.  None when the end of the text names none."""
    from zjcheck.extract.dates import find_dates

    n = len(text.lines)
    found: list[tuple[int, int, str]] = []        # (rank, line, name)
    for i in range(max(0, n - tail), n):
        sq = squash(text.lines[i].text)
        for m in _orgs_in(text.lines[i].text):
            near = " ".join(squash(text.lines[j].text) for j in range(max(0, i - 1), min(n, i + 2)))
            rank = 2 if any(w in sq for w in _SEAL_WORDS) else 1 if find_dates(near) else 0
            found.append((rank, i, m.group(1).lstrip(":：")))
    if not found:
        return None
    rank, i, name = max(found)
    # a name under the seal is often misread, mostly by losing characters: the
    # same unit written in full elsewhere (the letterhead), read surely, is the
    # better reading
    from zjcheck.evidence import strong

    best = text.line_fact(name, i)
    for j, ln in enumerate(text.lines):
        for m in _orgs_in(ln.text):
            other = m.group(1).lstrip(":：")
            if other != name and same_org(other, name):
                f = text.line_fact(other, j)
                if strong(f) and (len(other), f.confidence) > (len(best.value), best.confidence):
                    best = f
    return best
