"""Organisation names: the unit after a label (用人单位：…, 工作单位：…) and
whether two readings name the same unit (OCR misreads, 简称 inside 全称)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz

from zjcheck.extract.normalize import fuzzy_pattern, squash


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
