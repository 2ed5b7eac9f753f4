"""Facts that know where they came from, and severity that follows them (SPEC §7).

Every value a checker reads for an error is a `Fact`: the value, where it was
read (text layer, typed sheet, OCR line, file name, the profile), how sure the
reading is and whether the value passed its own validation (a check digit, a
plausible date).  `strong(fact)` is the one policy that says whether an error
may rest on it; `codes.finding(..., needs=...)` applies it, turning an error
whose facts are missing or weak into GEN012 ("无法确认 …", naming what was not
read).  Checkers state what they need; they never decide severity by hand.

"Missing part" errors have their own rule (`missing_part`): the item must be
grouped with confidence, and no page anywhere in the package may be that part.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from zjcheck.model import Item, Page

FactSource = Literal["text-layer", "sheet", "ocr", "path", "profile", "derived"]


@lru_cache(maxsize=1)
def policy() -> dict[str, Any]:
    """zjcheck/data/evidence.toml: the thresholds of the strength policy."""
    return tomllib.loads(resources.files("zjcheck").joinpath("data/evidence.toml").read_text("utf-8"))


@dataclass(frozen=True)
class Fact:
    """One value as read, with its provenance.

    confidence: 0..1; 1.0 for a clean text layer, a typed cell or the profile;
    for OCR the confidence of the line(s) it was read from, lowered by the
    parser when it had to repair the reading.  `valid`: the value passed its
    own validation.  `confirmed_by`: where else the same value was read."""

    value: Any
    source: FactSource
    confidence: float = 1.0
    path: str | None = None
    page: int | None = None
    box: tuple[int, int, int, int] | None = None
    raw: str | None = None
    valid: bool = True
    confirmed_by: tuple[str, ...] = ()

    @property
    def strong(self) -> bool:
        return strong(self)

    def confirmed(self, where: str) -> Fact:
        return replace(self, confirmed_by=(*self.confirmed_by, where))

    def weakened(self, factor: float) -> Fact:
        """The same fact read less surely (a parser repaired it)."""
        return replace(self, confidence=round(self.confidence * factor, 3))

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "confidence": round(self.confidence, 3),
                             "path": self.path, "page": self.page, "strong": self.strong}
        if not self.valid:
            d["valid"] = False
        if self.confirmed_by:
            d["confirmed_by"] = list(self.confirmed_by)
        return d


def strong(fact: Fact | None) -> bool:
    """Whether an error may rest on this fact (the one policy, SPEC §7).

    Text layer, typed sheet and profile: yes when the value is valid.  OCR:
    the line confidence reaches `ocr_strong` and the value is valid, or
    another reading confirms it.  A file name alone: never."""
    if fact is None or not fact.valid:
        return False
    p = policy()
    if fact.source in ("text-layer", "sheet", "profile"):
        return fact.confidence >= p["layer_strong"]
    if fact.source == "derived":
        return fact.confidence >= p["derived_strong"]
    if fact.source == "ocr":
        return fact.confidence >= p["ocr_strong"] or (bool(fact.confirmed_by)
                                                       and fact.confidence >= p["ocr_confirmed"])
    return False


def weakest(facts: Iterable[Fact | None]) -> Fact | None:
    """The least sure of several facts (None when one is missing)."""
    out: Fact | None = None
    for f in facts:
        if f is None:
            return None
        if out is None or (strong(out) and not strong(f)) or f.confidence < out.confidence:
            out = f
    return out


def derived(value: Any, facts: Iterable[Fact | None], *, valid: bool = True) -> Fact | None:
    """A value computed from other facts is as sure as the least sure of them."""
    fs = list(facts)
    if any(f is None for f in fs):
        return None
    if not fs:
        return Fact(value, "derived", 1.0, valid=valid)
    low = min(fs, key=lambda f: (strong(f), f.confidence))       # type: ignore[arg-type]
    conf = low.confidence if strong(low) else min(low.confidence, policy()["derived_strong"] - 0.01)
    return Fact(value, "derived", conf, low.path, low.page, low.box, valid=valid and all(f.valid for f in fs))  # type: ignore[union-attr]


def set_facts(item: Item, facts: Mapping[str, Any]) -> None:
    """A checker's facts on the item: plain values in `facts` (the JSON), the
    `Fact`s behind them (value with provenance) in `provenance`."""
    item.facts, item.provenance = {}, {}
    for key, value in facts.items():
        if isinstance(value, Fact):
            item.facts[key] = value.value.isoformat() if isinstance(value.value, date) else value.value
            item.provenance[key] = value
        else:
            item.facts[key] = value


def page_source(page: Page) -> FactSource:
    return {"pdf-text": "text-layer", "doc-text": "sheet", "ocr": "ocr"}.get(page.content.source, "ocr")  # type: ignore[return-value]


def page_fact(value: Any, page: Page, conf: float | None = None, *, raw: str | None = None,
              valid: bool = True, box: tuple[int, int, int, int] | None = None) -> Fact:
    """A fact read on one page; `conf` is the OCR line confidence 0–100 (None: the page's)."""
    source = page_source(page)
    if source == "ocr":
        c = conf if conf is not None else page.content.conf
        confidence = (c or 0.0) / 100.0
    else:
        confidence = 1.0
    return Fact(value, source, round(confidence, 3), page.doc.rel, page.number, box, raw, valid)


def unsure(needs: Mapping[str, Fact | None]) -> list[str]:
    """The labels of the needed facts that were not read, or not read surely."""
    out = []
    for label, f in needs.items():
        if f is None:
            out.append(f"{label}未能识别")
        elif not f.valid:
            out.append(f"{label}识别结果不合规范")
        elif not strong(f):
            out.append(f"{label}识别可信度低")
    return out


# ---------------------------------------------------------------- missing parts

@dataclass
class PartSearch:
    """Where a part an item lacks could still be: pages that might be it."""

    pages: list[Page] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.pages)


def could_be_part(material: str, part: str, pages: Iterable[Page], item: Item | None = None) -> PartSearch:
    """Pages of the package that might be `part` of a `material` item although
    recognition did not put them there: pages whose second-best reading is the
    part (within the margin of evidence.toml) when they are unassigned, only
    weakly recognised as what they are, or lie in the item's own folders (a
    seal page is the seal page of its own document: the surely recognised
    signature page of a labour contract elsewhere is not a project's); and
    unrecognised pages in the item's own folders."""
    p = policy()
    folders = {pg.doc.rel.rsplit("/", 1)[0] if "/" in pg.doc.rel else "" for pg in (item.pages if item else [])}
    mine = {id(pg) for pg in item.pages} if item is not None else set()
    found = PartSearch()
    for pg in pages:
        if id(pg) in mine:
            continue
        folder = pg.doc.rel.rsplit("/", 1)[0] if "/" in pg.doc.rel else ""
        alt = pg.alternatives.get(material)
        if alt and alt[1] == part and pg.material != material and pg.score - alt[0] <= p["part_margin"] \
                and (pg.material == "other" or pg.score < p["page_confident"] or folder in folders):
            found.pages.append(pg)
            found.reasons.append(f"{pg.ref} 也可能是该部分")
            continue
        if folders and folder in folders and pg.material == "other":
            found.pages.append(pg)
            found.reasons.append(f"{pg.ref} 未能识别，可能就是该部分")
    return found


def grouping_confident(item: Item) -> bool:
    """Whether the item surely is one of its material: at least one of its
    pages was recognised from its own text with a clear score (not only
    continued from the page before, or guessed from a path)."""
    return any(pg.score >= policy()["page_confident"] for pg in item.pages)
