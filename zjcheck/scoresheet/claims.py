"""Judging claims: per catalogue item, the points claimed and how many the evidence supports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zjcheck.catalogue import Catalogue
from zjcheck.model import Finding
from zjcheck.scoresheet.model import EMPTY_REF, Ref, ScoreSheet, SheetRow
from zjcheck.scoresheet.refs import _item_order


@dataclass
class Claim:
    """What the sheet claims for one catalogue item, and how much holds."""

    item: str
    claimed: float | None = None
    cited: list[str] = field(default_factory=list)          # evidence item ids named
    failing: dict[str, list[str]] = field(default_factory=dict)   # item id -> error codes
    at_risk: float = 0.0
    supported: float | None = None
    reasons: list[str] = field(default_factory=list)
    combined_with: str | None = None      # its points are claimed on a row counted for this item
    cap: float | None = None              # the cap the sheet prints for the item's rows (None: not printed)

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "claimed": self.claimed, "cited": self.cited, "failing": self.failing,
                "at_risk": self.at_risk, "supported": self.supported, "reasons": self.reasons,
                "combined_with": self.combined_with, "cap": self.cap}


def evidence_errors(findings: Iterable[Finding]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(evidence id -> error codes, catalogue id -> item-level error codes), the
    score sheet's own findings left out."""
    by_ev: dict[str, list[str]] = {}
    by_item: dict[str, list[str]] = {}
    for f in findings:
        if f.severity != "error" or f.material == "score_sheet":
            continue
        if f.evidence:
            by_ev.setdefault(f.evidence, [])
            if f.code not in by_ev[f.evidence]:
                by_ev[f.evidence].append(f.code)
        elif f.item:
            by_item.setdefault(f.item, [])
            if f.code not in by_item[f.item]:
                by_item[f.item].append(f.code)
    return by_ev, by_item


def row_support(row: SheetRow, by_ev: dict[str, list[str]], item_level: list[str],
                refs: list[Ref] | None = None) -> tuple[float, list[str]]:
    """(points of the row that the evidence supports, evidence ids that fail).

    A reference whose evidence has an error, or that surely names nothing,
    takes its share of the row's points (a range naming some files does
    not); one pointing into the platform or one we could not follow takes
    none (nothing is known against it)."""
    score = row.score or 0.0
    if score <= 0:
        return 0.0, []
    refs = [r for r in (row.refs if refs is None else refs) if r.problem != EMPTY_REF]
    if not refs:
        return 0.0, []
    cited = [i for r in refs for i in r.items]
    failing = sorted({i for i in cited if i in by_ev}, key=_item_order)
    if item_level:
        return 0.0, failing
    bad = sum(1 for r in refs if any(i in by_ev for i in r.items) or (r.problem and r.sure and not r.items))
    return round(score * (len(refs) - bad) / len(refs), 2), failing


def assess(sheet: ScoreSheet | None, cat: Catalogue, findings: list[Finding]) -> dict[str, Claim]:
    """Per catalogue item: points claimed, evidence cited, points supported.

    A row naming several items (学历资历) counts its points once, for the
    first; the others list the evidence it cites of their materials."""
    out: dict[str, Claim] = {}
    if sheet is None:
        return out
    by_ev, by_item = evidence_errors(findings)
    official = bool(cat.rules.get("caps_official", False))
    mats = {i.id: i.materials for i in cat.items}
    for ci in cat.items:
        rows = sheet.rows_for(ci.id)
        claim = Claim(ci.id)
        scored = [r for r in rows if r.score is not None]
        if scored:
            claim.claimed = round(sum(r.score or 0 for r in scored), 2)
        supported = 0.0
        for r in rows:
            refs = sheet.refs_of(r)
            for ref in refs:
                for i in ref.items:
                    if i not in claim.cited:
                        claim.cited.append(i)
            sup, failing = row_support(r, by_ev, by_item.get(ci.id, []), refs)
            supported += sup
            for i in failing:
                claim.failing[i] = by_ev[i]
        for r in sheet.rows_covering(ci.id):
            if r.catalogue_id == ci.id:
                continue
            claim.combined_with = r.catalogue_id
            for ref in sheet.refs_of(r):
                for i in ref.items:
                    if i.rsplit("-", 1)[0] in mats[ci.id] and i not in claim.cited:
                        claim.cited.append(i)
        claim.cap = _printed_cap(sheet, rows)
        if claim.claimed is not None:
            if official and ci.cap is not None:
                supported = min(supported, ci.cap)
            claim.supported = round(min(supported, claim.claimed), 2)
            claim.at_risk = round(claim.claimed - claim.supported, 2)
        out[ci.id] = claim
    return out


def _printed_cap(sheet: ScoreSheet, rows: list[SheetRow]) -> float | None:
    """The sheet's own cap over these rows: its distinct 分值 cells added up
    (one merged cell over sub-rows counts once); None where a row prints none."""
    if not rows or any(r.cap_cell is None for r in rows):
        return None
    heads: dict[int, float | None] = {}
    for r in rows:
        head = r if r.cap_cell == r.line else next((x for x in sheet.rows if x.line == r.cap_cell), None)
        heads[r.cap_cell] = head.cap if head is not None else None       # type: ignore[index]
    if any(v is None for v in heads.values()):
        return None
    return round(sum(v for v in heads.values() if v is not None), 2)
