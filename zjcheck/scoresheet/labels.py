"""Which catalogue items a row's 评价项目 names.

By meaning, not by one spelling: every item has its catalogue name, its tags
and the synonyms of data/score_sheet.toml [labels].  The names found in a
label at places that do not overlap (longest first) are the items the row
covers: "学历资历" is two items, "专业技术工作经历" one (资历), "软件著作权"
is a patent-like right and not a book.  An OCR'd label with one misread
character still matches a name of four or more characters (rapidfuzz).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from zjcheck.catalogue import Catalogue, CatalogueItem
from zjcheck.extract import squash
from zjcheck.scoresheet.model import words


def label_names(ci: CatalogueItem) -> list[str]:
    """Words that name a catalogue item in a sheet's 评价项目 column."""
    names = [ci.name, *re.split(r"[（）()、及与和,，]", ci.name)]
    names += [t for t in ci.tags if len(t) >= 2 and not t.isascii()]
    names += words().get("labels", {}).get(ci.id, [])
    out = [squash(n) for n in names if len(squash(n)) >= 2]
    return sorted(set(out), key=len, reverse=True)


def _names(cat: Catalogue) -> tuple[tuple[str, str], ...]:
    """(name, catalogue id), longest names first."""
    return _names_of(tuple(cat.items))


@lru_cache(maxsize=8)
def _names_of(items: tuple[CatalogueItem, ...]) -> tuple[tuple[str, str], ...]:
    pairs = {(n, ci.id) for ci in items for n in label_names(ci)}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0], p[1])))


def match_items(text: str, cat: Catalogue) -> list[CatalogueItem]:
    """The catalogue items a label names, in the order they are written."""
    t = squash(text)
    if not t:
        return []
    taken: list[tuple[int, int, str]] = []
    for name, cid in _names(cat):
        start = 0
        while (k := t.find(name, start)) >= 0:
            if not any(a < k + len(name) and k < b for a, b, _ in taken):
                taken.append((k, k + len(name), cid))
            start = k + 1
    if not taken:
        fuzzy = _fuzzy(t, cat)
        return [fuzzy] if fuzzy else []
    out: list[CatalogueItem] = []
    for _, _, cid in sorted(taken):
        ci = cat.item(cid)
        if ci is not None and ci not in out:
            out.append(ci)
    return out


def _fuzzy(t: str, cat: Catalogue) -> CatalogueItem | None:
    """A name of 4+ characters found with one character misread (OCR)."""
    best: tuple[float, CatalogueItem] | None = None
    for name, cid in _names(cat):
        if len(name) < 4 or len(t) < len(name) - 1:
            continue
        al = fuzz.partial_ratio_alignment(name, t)
        if al is None:
            continue
        piece = t[al.dest_start:al.dest_end]
        if Levenshtein.distance(name, piece) <= 1 and (best is None or al.score > best[0]):
            ci = cat.item(cid)
            if ci is not None:
                best = (al.score, ci)
    return best[1] if best else None


def match_label(text: str, cat: Catalogue) -> CatalogueItem | None:
    """The (first) catalogue item a row's label names."""
    found = match_items(text, cat)
    return found[0] if found else None
