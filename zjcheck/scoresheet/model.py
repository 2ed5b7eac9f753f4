"""The score sheet as read: rows, cells, references, and the sheet's words.

Every number and reference a finding rests on is kept as a `Fact`
(zjcheck.evidence): a typed XLSX/DOCX cell is as sure as it gets; a cell
rebuilt from a text layer or an OCR'd table is not sure on its own (which
column a number belongs to is itself a guess) until the sheet's own totals
confirm it (`confirm`).  The words used live in data/score_sheet.toml.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from zjcheck.evidence import Fact, FactSource
from zjcheck.extract import squash

ROLES = ("refs", "score", "criteria", "cap", "label", "number")


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    return tomllib.loads(resources.files("zjcheck").joinpath("data/score_sheet.toml").read_text("utf-8"))


# ---------------------------------------------------------------- data

@dataclass
class Ref:
    """One reference written in a 系统佐证目录 cell."""

    text: str
    kind: str = "unknown"            # tag / path / title / range / platform / unknown
    items: list[str] = field(default_factory=list)   # evidence item ids it names
    files: list[str] = field(default_factory=list)   # files it names (path refs)
    problem: str | None = None       # why it names (some of) nothing
    sure: bool = True                # the problem is certain (SCO004), not a reading we could not follow (GEN012)
    members: list[str] = field(default_factory=list)  # a range written A~B: the names it stands for

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "kind": self.kind, "items": self.items, "files": self.files,
                             "problem": self.problem}
        if self.problem and not self.sure:
            d["sure"] = False
        if self.members:
            d["members"] = self.members
        return d


EMPTY_REF = "没有写明佐证材料"


@dataclass
class SheetRow:
    line: int                        # row number in the sheet (xlsx row, table row, OCR row)
    number: str = ""
    label: str = ""
    criteria: str = ""
    cap: float | None = None
    score: float | None = None
    score_text: str = ""
    refs_text: str = ""
    kind: str = "item"               # item / section / subtotal / total
    catalogue_id: str | None = None  # the first catalogue item the row names (its points count there)
    refs: list[Ref] = field(default_factory=list)
    items: list[str] = field(default_factory=list)   # every catalogue item it names (学历资历: two)
    cap_cell: int | None = None      # line of the cap cell (rows sharing a merged cap cell share it)
    score_cell: int | None = None    # line of the score cell (a merged 自评分 over sub-rows)
    refs_cell: int | None = None     # line of the reference cell
    facts: dict[str, Fact] = field(default_factory=dict)    # "score", "cap", "refs": as read

    @property
    def name(self) -> str:
        return self.label or self.criteria or self.number or f"第 {self.line} 行"

    def to_json(self) -> dict[str, Any]:
        d = {"line": self.line, "number": self.number, "label": self.label, "criteria": self.criteria,
             "cap": self.cap, "score": self.score, "refs_text": self.refs_text, "kind": self.kind,
             "catalogue_item": self.catalogue_id, "refs": [r.to_json() for r in self.refs]}
        if len(self.items) > 1:
            d["catalogue_items"] = self.items
        if self.cap_cell not in (None, self.line):
            d["cap_shared_with"] = self.cap_cell
        if self.score_cell not in (None, self.line):
            d["score_shared_with"] = self.score_cell
        sure = {k: f.strong for k, f in self.facts.items()}
        if not all(sure.values()):
            d["read_surely"] = sure
        return d


@dataclass
class ScoreSheet:
    path: str
    source: str                      # xlsx / docx / pdf-text / ocr
    page: int | None = None          # first page of the table (PDF, scans)
    rows: list[SheetRow] = field(default_factory=list)
    stated_total: float | None = None
    total_line: int | None = None
    route: str | None = None         # 破格 / 常规 when the sheet says so
    header_found: bool = False
    notes: list[str] = field(default_factory=list)   # what could not be read (GEN012)
    columns: list[str] = field(default_factory=list)         # roles of the header's columns
    unknown_columns: list[str] = field(default_factory=list)  # header texts that name no role
    stated_cap_total: float | None = None                    # the 合计 row's 分值 cell
    total_fact: Fact | None = None
    cap_total_fact: Fact | None = None
    route_fact: Fact | None = None
    template: bool = False           # the blank sheet `zjcheck init` writes: its caps are the catalogue's

    @property
    def item_rows(self) -> list[SheetRow]:
        return [r for r in self.rows if r.kind == "item"]

    @property
    def total(self) -> float:
        return round(sum(r.score or 0 for r in self.item_rows), 2)

    @property
    def typed(self) -> bool:
        """Cells typed into XLSX/DOCX (not rebuilt from a text layer or OCR)."""
        return self.source in ("xlsx", "docx")

    def rows_for(self, catalogue_id: str) -> list[SheetRow]:
        """Rows whose points count for the item (the first item a row names)."""
        return [r for r in self.item_rows if r.catalogue_id == catalogue_id]

    def rows_covering(self, catalogue_id: str) -> list[SheetRow]:
        """Rows that name the item, alone or combined with others (学历资历)."""
        return [r for r in self.item_rows if catalogue_id in r.items]

    def score_of(self, row: SheetRow) -> float | None:
        """The row's score, or that of the merged 自评分 cell it shares."""
        if row.score is not None or row.score_cell in (None, row.line):
            return row.score
        head = next((r for r in self.rows if r.line == row.score_cell), None)
        return head.score if head is not None else None

    def refs_of(self, row: SheetRow) -> list[Ref]:
        """The row's references, or those of the merged 系统佐证目录 cell it shares."""
        if row.refs or row.refs_cell in (None, row.line):
            return row.refs
        head = next((r for r in self.rows if r.line == row.refs_cell), None)
        return head.refs if head is not None else []

    def total_read(self) -> Fact | None:
        """The sum of the scores as a fact: as sure as the least sure score."""
        from zjcheck.evidence import derived
        facts = [r.facts.get("score") for r in self.item_rows if r.score is not None]
        return derived(self.total, facts)

    def to_json(self) -> dict[str, Any]:
        d = {"path": self.path, "source": self.source, "page": self.page,
             "header_found": self.header_found, "route": self.route,
             "stated_total": self.stated_total, "total": self.total,
             "rows": [r.to_json() for r in self.rows if r.kind != "section"]}
        if self.stated_cap_total is not None:
            d["stated_cap_total"] = self.stated_cap_total
        if self.unknown_columns:
            d["unknown_columns"] = self.unknown_columns
        return d


# ---------------------------------------------------------------- small parsers

_NUM = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)(?![\d])")
_PLAIN = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)分?")
_SUM = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)(?:[+＋](\d{1,3}(?:\.\d{1,2})?))+(?:=(\d{1,3}(?:\.\d{1,2})?))?分?")


def parse_number(text: str) -> float | None:
    """'12', '１２分', '12.5', ' 8 ' -> a number; '' or words -> None."""
    t = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    if not t:
        return None
    m = _NUM.search(t)
    return float(m.group(1)) if m else None


def parse_score(text: str) -> tuple[float | None, bool]:
    """(the score a 自评分 cell gives, whether the cell says only that).

    '8', '8分', '８', '8.5' are clean; '4+4' and '4+4=8' are their sum; a
    cell with more ('约8', '8（暂估）', '8 10') gives its first number, not
    surely."""
    t = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").replace("\u3000", "")
    if not t:
        return None, True
    m = _PLAIN.fullmatch(t)
    if m:
        return float(m.group(1)), True
    m = _SUM.fullmatch(t)
    if m:
        if m.group(3):
            return float(m.group(3)), True
        return round(sum(float(x) for x in re.findall(r"\d{1,3}(?:\.\d{1,2})?", t)), 2), True
    n = parse_number(t)
    return n, False


_CAP_WORDS = re.compile(r"(?:最高|最多|上限|满分|不超过|封顶|限|≤|<=)\D{0,3}?(\d{1,3}(?:\.\d)?)分?|"
                        r"(\d{1,3}(?:\.\d)?)分?(?:封顶|为限|以内)")
_UNIT = re.compile(r"/(?:篇|项|件|本|部|年|个|次|人)|每(?:篇|项|件|本|部|年|个|次)")


def parse_cap(text: str) -> tuple[float | None, bool]:
    """(the maximum a 分值/满分/上限 cell prints, whether it surely is one).

    '15', '15分' and '最高15分' are caps; '5分/篇' or '每项3分' is a unit
    value, not a cap (None); a cell with several numbers and no cap word is
    not read."""
    t = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    if not t:
        return None, True
    m = _PLAIN.fullmatch(t)
    if m:
        return float(m.group(1)), True
    m = _CAP_WORDS.search(t)
    if m:
        return float(m.group(1) or m.group(2)), True
    if _UNIT.search(t):
        return None, True
    nums = re.findall(r"\d{1,3}(?:\.\d{1,2})?", t)
    if len(nums) == 1:
        return float(nums[0]), False
    return None, False


def is_total(text: str) -> bool:
    t = squash(text)
    return bool(t) and any(t.startswith(squash(x)) or t == squash(x) for x in words()["total"])


def is_subtotal(text: str) -> bool:
    t = squash(text)
    return bool(t) and any(squash(x) in t and len(t) <= len(squash(x)) + 6 for x in words()["subtotal"])


def sheet_route(text: str) -> str | None:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t)
    w = words()
    if any(re.search(p, t) for p in w["route_exceptional"]):
        return "破格"
    if any(re.search(p, t) for p in w["route_normal"]):
        return "常规"
    return None


@dataclass
class GridCell:
    text: str
    cont: bool = False       # a continuation of a merged cell (from above or the left)
    formula: str | None = None   # a formula saved without its computed value
    origin: tuple[int, int] | None = None   # (row, column) where a merged cell starts
    conf: float | None = None    # OCR confidence 0–100 of the words it holds (None: typed)


Grid = list[list[GridCell]]


# ---------------------------------------------------------------- facts

def cell_source(sheet: ScoreSheet) -> FactSource:
    return {"xlsx": "sheet", "docx": "sheet", "pdf-text": "text-layer"}.get(sheet.source, "ocr")  # type: ignore[return-value]


def cell_fact(value: Any, cell: GridCell | None, sheet: ScoreSheet, *, clean: bool = True,
              raw: str | None = None) -> Fact:
    """A cell's value as a fact.  Typed cells: confidence 1.  A table rebuilt
    from a text layer or OCR: which column a word fell in is a guess, so the
    confidence stays below the strength policy's bar (data: rebuilt_confidence)
    until the sheet's totals confirm it; an empty OCR'd cell was not read at all."""
    src = cell_source(sheet)
    conf = 1.0
    if src != "sheet":
        cap = float(words()["rebuilt_confidence"][src])
        if src == "ocr":
            if cell is None or not cell.text.strip() or cell.conf is None:
                conf = 0.0
            else:
                conf = min(cell.conf / 100.0, cap)
        else:
            conf = cap
    if not clean:
        conf *= 0.5
    return Fact(value, src, round(conf, 3), sheet.path, sheet.page, raw=raw if raw is not None else
                (cell.text if cell is not None else None))


def confirm(sheet: ScoreSheet) -> None:
    """Let the sheet's own totals confirm a rebuilt table's numbers: when the
    scores add up to the 合计 cell, every score (and the total) was read in
    the right column; the same for the caps and the 分值 total."""
    if sheet.typed:
        return
    scored = [r for r in sheet.item_rows if r.score is not None and "score" in r.facts]
    if sheet.total_fact is not None and len(scored) >= 2 and abs(sheet.total - (sheet.stated_total or -1)) < 0.01:
        for r in scored:
            r.facts["score"] = _confirmed(r.facts["score"], "合计栏")
        sheet.total_fact = _confirmed(sheet.total_fact, "各行自评分之和")
    caps: dict[int, SheetRow] = {}
    for r in sheet.item_rows:
        if r.cap is not None and "cap" in r.facts:
            caps.setdefault(r.cap_cell or r.line, r)
    if sheet.cap_total_fact is not None and len(caps) >= 2 and \
            abs(sum(r.cap or 0 for r in caps.values()) - (sheet.stated_cap_total or -1)) < 0.01:
        for r in sheet.item_rows:
            if r.cap is not None and "cap" in r.facts:
                r.facts["cap"] = _confirmed(r.facts["cap"], "分值合计")


def _confirmed(f: Fact, where: str) -> Fact:
    f = f.confirmed(where)
    if f.source == "text-layer":          # a text layer's reading is sure once its place is confirmed
        f = replace(f, confidence=1.0)
    return f
