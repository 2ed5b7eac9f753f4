"""The score sheet as read: rows, cells, references, and the sheet's words.

The words used live in data/score_sheet.toml.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

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
    kind: str = "unknown"            # tag / path / title / unknown
    items: list[str] = field(default_factory=list)   # evidence item ids it names
    files: list[str] = field(default_factory=list)   # files it names (path refs)
    problem: str | None = None       # why it names nothing

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "items": self.items, "files": self.files,
                "problem": self.problem}


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
    kind: str = "item"               # item / section / total
    catalogue_id: str | None = None
    refs: list[Ref] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.label or self.criteria or self.number or f"第 {self.line} 行"

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "number": self.number, "label": self.label, "criteria": self.criteria,
                "cap": self.cap, "score": self.score, "refs_text": self.refs_text, "kind": self.kind,
                "catalogue_item": self.catalogue_id, "refs": [r.to_json() for r in self.refs]}


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

    @property
    def item_rows(self) -> list[SheetRow]:
        return [r for r in self.rows if r.kind == "item"]

    @property
    def total(self) -> float:
        return round(sum(r.score or 0 for r in self.item_rows), 2)

    def rows_for(self, catalogue_id: str) -> list[SheetRow]:
        return [r for r in self.item_rows if r.catalogue_id == catalogue_id]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "source": self.source, "page": self.page,
                "header_found": self.header_found, "route": self.route,
                "stated_total": self.stated_total, "total": self.total,
                "rows": [r.to_json() for r in self.rows if r.kind != "section"]}


# ---------------------------------------------------------------- small parsers

_NUM = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)(?![\d])")


def parse_number(text: str) -> float | None:
    """'12', '１２分', '12.5', ' 8 ' -> a number; '' or words -> None."""
    t = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    if not t:
        return None
    m = _NUM.search(t)
    return float(m.group(1)) if m else None


def role_of(header_text: str) -> str | None:
    t = squash(header_text)
    if not t:
        return None
    w = words()["header"]
    if any(squash(x) in t for x in w["ignore"]):
        return None
    for role in ROLES:
        if any(squash(x) in t for x in w[role]):
            return role
    return None


def is_total(text: str) -> bool:
    t = squash(text)
    return bool(t) and any(t.startswith(squash(x)) or t == squash(x) for x in words()["total"])


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


Grid = list[list[GridCell]]
