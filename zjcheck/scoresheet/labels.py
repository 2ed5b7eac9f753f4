"""Which catalogue item a row's 评价项目 names."""

from __future__ import annotations

import re

from zjcheck.catalogue import Catalogue, CatalogueItem
from zjcheck.extract import squash


def label_names(ci: CatalogueItem) -> list[str]:
    """Words that name a catalogue item in a sheet's 评价项目 column."""
    names = [ci.name, *re.split(r"[（）()、及与和,，]", ci.name)]
    names += [t for t in ci.tags if len(t) >= 2 and not t.isascii()]
    out = [squash(n) for n in names if len(squash(n)) >= 2]
    return sorted(set(out), key=len, reverse=True)


def match_label(text: str, cat: Catalogue) -> CatalogueItem | None:
    """The catalogue item a row's label names (the longest name found wins)."""
    t = squash(text)
    if not t:
        return None
    best: tuple[int, CatalogueItem] | None = None
    for ci in cat.items:
        for n in label_names(ci):
            if n in t and (best is None or len(n) > best[0]):
                best = (len(n), ci)
    return best[1] if best else None
