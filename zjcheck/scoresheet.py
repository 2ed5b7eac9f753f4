"""Reading the applicant's 量化评分表 (附件2 item 15) and resolving its 系统佐证目录.

The sheet comes in the forms applicants use: XLSX (merged cells, the header
not on row 1, extra columns, numbers as text, formulas with cached values),
DOCX tables, PDFs with a text layer, and scans (OCR lines with boxes: rows
and columns are rebuilt from positions).  Every form is turned into a grid of
cells; the header row is found by its words (自评分, 佐证, 分值), never by its
position; then each row is an item row, a section heading or the total.

The words used live in data/score_sheet.toml.
"""

from __future__ import annotations

import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from zjcheck.catalogue import Catalogue, CatalogueItem
from zjcheck.model import Document, Finding, Item
from zjcheck.extract import fuzzy_pattern, norm, squash

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


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


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


# ---------------------------------------------------------------- grids

@dataclass
class GridCell:
    text: str
    cont: bool = False       # a continuation of a merged cell (from above or the left)
    formula: str | None = None   # a formula saved without its computed value


Grid = list[list[GridCell]]


def find_header(grid: Grid, limit: int = 40) -> tuple[int, dict[int, str]] | None:
    """(row index, {column: role}) of the header row, found by its words.

    A header that spans two rows (a merged "评分" over "分值上限 | 自评分") is
    read as the two rows' texts joined per column."""
    best: tuple[int, int, dict[int, str]] | None = None
    for i, row in enumerate(grid[:limit]):
        for span in (1, 2):
            if i + span > len(grid):
                continue
            texts = ["".join(grid[i + k][c].text if c < len(grid[i + k]) else "" for k in range(span))
                     for c in range(max(len(grid[i + k]) for k in range(span)))]
            roles: dict[int, str] = {}
            for c, t in enumerate(texts):
                r = role_of(t)
                if r and r not in roles.values():
                    roles[c] = r
            if "score" in roles.values() and len(set(roles.values())) >= words()["min_roles"]:
                n = len(set(roles.values()))
                if best is None or n > best[1]:
                    best = (i + span - 1, n, roles)
        if best is not None and i > best[0] + 1:
            break
    return (best[0], best[2]) if best else None


def rows_from_grid(grid: Grid, cat: Catalogue, sheet: ScoreSheet, lines: list[int] | None = None) -> None:
    """Fill sheet.rows from a grid whose header row is found by its words."""
    head = find_header(grid)
    if head is None:
        return
    hi, roles = head
    sheet.header_found = True
    col = {r: c for c, r in roles.items()}
    after_total = False
    for i in range(hi + 1, len(grid)):
        cells = grid[i]
        line = lines[i] if lines else i + 1

        def get(role: str, keep_cont: bool = True) -> str:
            c = col.get(role)
            if c is None or c >= len(cells):
                return ""
            cell = cells[c]
            return "" if cell.cont and not keep_cont else cell.text.strip()

        texts = [c.text.strip() for c in cells if c.text.strip()]
        if not texts:
            continue
        row = SheetRow(line=line, number=get("number"), label=get("label"), criteria=get("criteria"),
                       score_text=get("score", keep_cont=False), refs_text=get("refs", keep_cont=False))
        sc = col.get("score")
        if sc is not None and sc < len(cells) and cells[sc].formula:
            what = "合计" if any(is_total(t) for t in texts) else f"“{row.label or row.number}”的自评分"
            sheet.notes.append(f"第 {line} 行{what}是公式 {cells[sc].formula}，文件中没有保存计算结果，"
                               "无法核对（请在 Excel/WPS 中打开后保存）")
        cap_text = get("cap", keep_cont=False) or get("cap")
        row.cap = parse_number(cap_text)
        row.score = parse_number(row.score_text)
        first = texts[0]
        if is_total(row.number) or is_total(row.label) or is_total(first):
            row.kind = "total"
            row.catalogue_id = None
            stated = row.score
            if stated is None:
                capc = col.get("cap")
                rest = [c.text.strip() for k, c in enumerate(cells)
                        if c.text.strip() and not c.cont and k != capc and not is_total(c.text)]
                nums = [parse_number(t) for t in rest if parse_number(t) is not None]
                stated = nums[-1] if nums else None
                if stated is None:
                    m = _NUM.search(unicodedata.normalize("NFKC", first))
                    stated = float(m.group(1)) if m else None
            sheet.stated_total = stated
            sheet.total_line = line
            sheet.rows.append(row)
            after_total = True
            continue
        if after_total:
            continue            # signature lines, dates, notes under the table
        ci = match_label(row.label, cat) or (match_label(row.criteria, cat) if not row.label else None)
        spread = len(texts) >= 2 and len(set(texts)) == 1       # one text merged across the row
        if row.score is None and not row.refs_text and (ci is None or spread):
            row.kind = "section"
        row.catalogue_id = ci.id if ci else None
        sheet.rows.append(row)


def grid_from_xlsx(data: bytes) -> tuple[list[tuple[str, Grid, list[int]]], list[str]]:
    """(sheets as (title, grid, row numbers), notes) from an XLSX file.

    Merged ranges are filled from their top-left cell (marked as
    continuations); formulas are read by their cached values."""
    import openpyxl
    notes: list[str] = []
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    formulas = None
    out: list[tuple[str, Grid, list[int]]] = []
    for ws in wb.worksheets:
        merged: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        merged[(r, c)] = (rng.min_row, rng.min_col)
        grid: Grid = []
        rownums: list[int] = []
        max_col = ws.max_column or 0
        for r in range(1, (ws.max_row or 0) + 1):
            cells: list[GridCell] = []
            for c in range(1, max_col + 1):
                src = merged.get((r, c))
                if src is not None:
                    v = ws.cell(*src).value
                    cont = src[0] != r       # only vertical merges continue a cell
                    cells.append(GridCell(_cell_text(v), cont=cont or src[1] != c))
                    continue
                v = ws.cell(r, c).value
                if v is None:
                    if formulas is None:
                        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
                    fv = formulas[ws.title].cell(r, c).value
                    if isinstance(fv, str) and fv.startswith("="):
                        cells.append(GridCell("", formula=fv))
                        continue
                cells.append(GridCell(_cell_text(v)))
            grid.append(cells)
            rownums.append(r)
        out.append((ws.title, grid, rownums))
    return out, notes


def grid_from_docx(data: bytes) -> tuple[list[Grid], str]:
    """(tables as grids, paragraph text) from a DOCX file; merged cells are
    detected by the same underlying cell repeating."""
    import docx
    d = docx.Document(io.BytesIO(data))
    grids: list[Grid] = []
    for t in d.tables:
        grid: Grid = []
        prev: list[Any] = []
        for row in t.rows:
            cells: list[GridCell] = []
            tcs = []
            for c, cell in enumerate(row.cells):
                tc = cell._tc
                above = prev[c] if c < len(prev) else None
                left = tcs[-1] if tcs else None
                cells.append(GridCell(cell.text.strip(), cont=(tc is above) or (tc is left)))
                tcs.append(tc)
            prev = tcs
            grid.append(cells)
        grids.append(grid)
    paras = "\n".join(p.text for p in d.paragraphs)
    return grids, paras


# ---------------------------------------------------------------- positions (scans)

def _char_w(ch: str) -> float:
    return 1.0 if ch.isascii() else 2.0


def _pieces(text: str, box: tuple[int, int, int, int]) -> list[tuple[str, float]]:
    """Words of an OCR line with their estimated x-centres (CJK counts double width)."""
    x0, _, x1, _ = box
    total = sum(_char_w(c) for c in text) or 1.0
    out: list[tuple[str, float]] = []
    pos = 0.0
    for m in re.finditer(r"\S+|\s+", text):
        w = sum(_char_w(c) for c in m.group(0))
        if not m.group(0).isspace():
            out.append((m.group(0), x0 + (x1 - x0) * (pos + w / 2) / total))
        pos += w
    return out


def _header_positions(lines: list[tuple[str, tuple[int, int, int, int]]]) -> tuple[float, dict[str, float]] | None:
    """(header y, {role: x-centre}) from the OCR lines that carry header words."""
    cands: list[tuple[float, str, float]] = []
    w = words()["header"]
    for text, box in lines:
        t = norm(text)
        flat = re.sub(r"\s+", "", t)
        if not flat:
            continue
        yc = (box[1] + box[3]) / 2
        taken: list[tuple[int, int]] = []
        for role in ROLES:
            for kw in w[role]:
                k = flat.find(squash(kw))
                if k < 0 or any(a <= k < b for a, b in taken):
                    continue
                if any(squash(x) in flat[max(0, k - 2):k + len(squash(kw)) + 2] for x in w["ignore"]):
                    continue
                taken.append((k, k + len(squash(kw))))
                frac = (sum(_char_w(c) for c in flat[:k]) + sum(_char_w(c) for c in squash(kw)) / 2) / \
                    (sum(_char_w(c) for c in flat) or 1)
                cands.append((yc, role, box[0] + (box[2] - box[0]) * frac))
                break
    best: tuple[int, float, dict[str, float]] | None = None
    anchor = "score" if any(r == "score" for _, r, _ in cands) else "refs"
    for y, r, _ in cands:
        if r != anchor:
            continue
        near = [(yy, rr, xx) for yy, rr, xx in cands if abs(yy - y) < 60]
        roles: dict[str, float] = {}
        for _, rr, xx in sorted(near, key=lambda c: abs(c[0] - y)):
            roles.setdefault(rr, xx)
        if len(roles) >= (words()["min_roles"] if anchor == "score" else 2) and (best is None or len(roles) > best[0]):
            best = (len(roles), max(yy for yy, _, _ in near), roles)
    return (best[1], best[2]) if best else None


_STANDALONE = re.compile(r"\d{1,3}(?:\.\d)?")


def _infer_number_columns(lines: list[tuple[str, tuple[int, int, int, int]]], cols: dict[str, float],
                          top: float) -> None:
    """When OCR lost the 分值上限/自评分 header words (ruled tables often do),
    place those columns at the x-clusters of free-standing numbers between
    the criteria (or label) column and the references column: the left
    cluster is the cap, the right one the score."""
    left = cols.get("criteria", cols.get("label", 0.0))
    right = cols.get("refs", float("inf"))
    xs = sorted((box[0] + box[2]) / 2 for text, box in lines if (box[1] + box[3]) / 2 > top
                and _STANDALONE.fullmatch(text.strip()) and left < (box[0] + box[2]) / 2 < right)
    if not xs:
        return
    gaps = [(xs[k + 1] - xs[k], k) for k in range(len(xs) - 1)]
    big = max(gaps, default=(0.0, -1))
    if big[0] > 40:
        k = big[1]
        lo, hi = xs[:k + 1], xs[k + 1:]
        if "cap" not in cols:
            cols["cap"] = sum(lo) / len(lo)
        if "score" not in cols:
            cols["score"] = sum(hi) / len(hi)
    elif "score" not in cols:
        cols["score"] = sum(xs) / len(xs)


def grid_from_lines(lines: list[tuple[str, tuple[int, int, int, int]]],
                    cols: dict[str, float] | None = None) -> tuple[Grid, dict[str, float] | None]:
    """A grid rebuilt from OCR lines with boxes: header columns by the x of
    their words, rows anchored on the 序号/评价项目 column, every other word
    joined to the row whose centre is nearest."""
    head = _header_positions(lines)
    top = -1.0
    if head is not None:
        top, cols = head
        if "score" not in cols or "cap" not in cols:
            _infer_number_columns(lines, cols, top)
    if not cols or "score" not in cols:
        return [], None
    order = sorted(cols.items(), key=lambda kv: kv[1])
    bounds = [(order[k][1] + order[k + 1][1]) / 2 for k in range(len(order) - 1)]

    def column(x: float) -> str:
        k = 0
        while k < len(bounds) and x > bounds[k]:
            k += 1
        return order[k][0]

    words_at: list[tuple[str, str, float, float, float]] = []    # role, text, x, y, height
    for text, box in lines:
        yc = (box[1] + box[3]) / 2
        if yc <= top + 5:
            continue
        inside = [x for x in cols.values() if box[0] <= x <= box[2]]
        if len(inside) >= 2:            # a line OCR ran across cells: split it by position
            for w, x in _pieces(text, box):
                words_at.append((column(x), w, x, yc, box[3] - box[1]))
        else:
            xc = (box[0] + box[2]) / 2
            words_at.append((column(xc), text, xc, yc, box[3] - box[1]))
    # rows: anchored on the short cells (序号, 评价项目, 佐证, numbers); lines
    # closer than 1.5 line heights belong to one row (a wrapped cell)
    anchor_roles = {"number", "label", "refs", "score", "cap"}
    heights = sorted(h for *_, h in words_at) or [30.0]
    lh = heights[len(heights) // 2]
    anchors: list[float] = []
    for role, w, _x, y, h in sorted(words_at, key=lambda a: a[3]):
        if role not in anchor_roles:
            continue
        if anchors and y - anchors[-1] < lh * 1.5:
            continue
        anchors.append(y)
    # a total row written across the label column when the 序号 column is the anchor
    for role, w, _x, y, h in words_at:
        if is_total(w) and all(abs(y - a) > h for a in anchors):
            anchors.append(y)
    anchors.sort()
    if not anchors:
        return [], cols
    rows: list[dict[str, list[tuple[float, str]]]] = [dict() for _ in anchors]
    for role, w, x, y, _h in words_at:
        k = min(range(len(anchors)), key=lambda i: abs(anchors[i] - y))
        rows[k].setdefault(role, []).append((y * 10000 + x, w))
    names = [r for r, _ in order]
    grid: Grid = [[GridCell(n) for n in (cols_name_header(names))]]
    for r in rows:
        grid.append([GridCell(_join([w for _, w in sorted(r.get(n, []))])) for n in names])
    return grid, cols


def cols_name_header(roles: list[str]) -> list[str]:
    """Header texts for a rebuilt grid (so find_header recognises it)."""
    w = words()["header"]
    return [w[r][0] for r in roles]


def _join(ws: list[str]) -> str:
    out = ""
    for w in ws:
        if out and (out[-1].isascii() and out[-1].isalnum()) and (w[0].isascii() and w[0].isalnum()):
            out += " "
        out += w
    return out


def grid_from_text(text: str) -> Grid:
    """A grid from a text layer: cells split at tabs or runs of 2+ spaces."""
    grid: Grid = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = [c for c in re.split(r"\t|\s{2,}", line.strip())]
        grid.append([GridCell(c) for c in cells])
    return grid


def rows_from_text_lines(text: str, cat: Catalogue, sheet: ScoreSheet, first_line: int = 0) -> None:
    """A sheet from text lines that do not split into cells (a text layer that
    joins cells with single spaces): after a line with the header words, a
    line naming a catalogue item is a row; its tag- or path-like words are the
    references, its free-standing numbers the cap and score (in header order)."""
    lines = text.splitlines()
    head_at = None
    cap_first = True
    for k, line in enumerate(lines):
        t = squash(line)
        if "自评" in t and ("佐证" in t or "分值" in t or "评价项目" in t):
            head_at = k
            a, b = t.find("分值"), t.find("自评")
            cap_first = not (a >= 0 and b >= 0 and b < a)
            break
    if head_at is None:
        return
    sheet.header_found = True
    tag_rx = re.compile("^(?:" + "|".join(re.escape(squash(t)) for ci in cat.items for t in ci.tags) +
                        r")[\u4e00-\u9fff]{0,4}?[-_·第]?" + _NUMTOK + "$", re.I)
    for k in range(head_at + 1, len(lines)):
        raw = unicodedata.normalize("NFKC", lines[k]).strip()
        if not raw:
            continue
        toks = re.sub(r"\s*([-_/])\s*", r"\1", raw).split()
        if toks and is_total(toks[0] if not toks[0].isdigit() or len(toks) == 1 else toks[1]):
            nums = [parse_number(x) for x in toks if re.fullmatch(r"\d{1,3}(?:\.\d+)?分?", x)]
            sheet.stated_total = nums[-1] if nums else None
            sheet.total_line = first_line + k + 1
            sheet.rows.append(SheetRow(first_line + k + 1, label=toks[0], kind="total", score=sheet.stated_total))
            break
        ci = match_label(raw, cat)
        if ci is None:
            continue
        number = toks.pop(0) if toks and re.fullmatch(r"\d{1,2}|[一二三四五六七八九十]{1,2}[、.]?", toks[0]) else ""
        refs = [x for x in toks if "/" in x or _has_ext(x) or tag_rx.match(squash(x))]
        nums = [parse_number(x) for x in toks if x not in refs and re.fullmatch(r"\d{1,3}(?:\.\d+)?分?", x)]
        words_ = [x for x in toks if x not in refs and not re.fullmatch(r"\d{1,3}(?:\.\d+)?分?", x)]
        row = SheetRow(first_line + k + 1, number=number, label=words_[0] if words_ else ci.name,
                       criteria=" ".join(words_[1:]), refs_text="、".join(refs), catalogue_id=ci.id)
        if len(nums) >= 2:
            row.cap, row.score = (nums[-2], nums[-1]) if cap_first else (nums[-1], nums[-2])
        elif nums:
            row.score = nums[0]
        row.score_text = "" if row.score is None else f"{row.score:g}"
        sheet.rows.append(row)


# ---------------------------------------------------------------- documents

def parse_document(doc: Document, cat: Catalogue) -> ScoreSheet | None:
    """The score sheet in one document, or None when it holds no sheet table."""
    kind = doc.file.kind
    try:
        data = doc.file.read_bytes() if kind in ("xlsx", "docx") else b""
    except OSError:
        return None
    if kind == "xlsx":
        sheet = ScoreSheet(doc.rel, "xlsx")
        try:
            sheets, notes = grid_from_xlsx(data)
        except Exception as e:  # noqa: BLE001 - a broken file is the walker's GEN001
            sheet.notes.append(f"无法按表格读取（{type(e).__name__}）")
            return sheet
        text = ""
        for _title, grid, nums in sheets:
            if sheet.header_found:
                break
            rows_from_grid(grid, cat, sheet, nums)
            text = "\n".join(" ".join(c.text for c in r) for r in grid)
        sheet.notes.extend(notes)
        sheet.route = sheet_route(text)
        return sheet
    if kind == "docx":
        sheet = ScoreSheet(doc.rel, "docx")
        try:
            grids, paras = grid_from_docx(data)
        except Exception as e:  # noqa: BLE001
            sheet.notes.append(f"无法按表格读取（{type(e).__name__}）")
            return sheet
        text = paras
        for grid in grids:
            text += "\n" + "\n".join(" ".join(c.text for c in r) for r in grid)
            if not sheet.header_found:
                rows_from_grid(grid, cat, sheet)
        sheet.route = sheet_route(text)
        return sheet
    sheet = ScoreSheet(doc.rel, "ocr" if doc.text_source == "ocr" else "pdf-text")
    cols: dict[str, float] | None = None
    route_text = ""
    for page in doc.pages:
        route_text += "\n" + page.text
        boxed = [(ln.text, ln.box) for ln in page.content.lines if ln.box and ln.text.strip()]
        before = len(sheet.rows)
        if boxed:
            grid, cols = grid_from_lines(boxed, cols)  # type: ignore[arg-type]
        else:
            grid = grid_from_text(page.text)
        was = sheet.header_found
        if grid:
            rows_from_grid(grid, cat, sheet, [before + k + 1 for k in range(len(grid))])
        if not sheet.header_found and not boxed:
            rows_from_text_lines(page.text, cat, sheet, before)
        if sheet.header_found and not was:
            sheet.page = page.number
    sheet.route = sheet_route(route_text)
    return sheet


def find_sheet(items: list[Item], documents: Iterable[Document], cat: Catalogue) -> ScoreSheet | None:
    """The best-read score sheet among the score_sheet items' documents, or
    (when recognition missed it) among documents that mention 自评分."""
    docs: dict[str, Document] = {}
    for it in items:
        for p in it.pages:
            docs.setdefault(p.doc.rel, p.doc)
    if not docs:
        pat = re.compile(fuzzy_pattern("量化评分表") + "|" + fuzzy_pattern("系统佐证目录") + "|自评分")
        for d in documents:
            if any(pat.search(norm(p.text)) for p in d.pages):
                docs.setdefault(d.rel, d)
    rank = {"xlsx": 0, "docx": 1, "pdf-text": 2, "ocr": 3}
    found: list[ScoreSheet] = []
    for d in docs.values():
        s = parse_document(d, cat)
        if s is not None:
            found.append(s)
    if not found:
        return None
    found.sort(key=lambda s: (-len(s.item_rows), rank.get(s.source, 9)))
    return found[0]


# ---------------------------------------------------------------- references

_CN = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_NUMTOK = r"(\d{1,3}|[一二三四五六七八九十]{1,3})"


def _to_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if len(s) == 1:
        return _CN.get(s)
    if s.startswith("十"):
        return 10 + _CN.get(s[1], 0)
    if len(s) == 2 and s[1] == "十":
        return _CN.get(s[0], 0) * 10
    if len(s) == 3 and s[1] == "十":
        return _CN.get(s[0], 0) * 10 + _CN.get(s[2], 0)
    return None


def split_refs(text: str) -> list[str]:
    """Tokens of a 系统佐证目录 cell: '论文-1、论文-2', 'P-3；P-4', '06-论文/论文1'."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s*([-_/\\])\s*", r"\1", t)
    # a folder numbered as a checklist heading (七、专利/专利一) keeps its 、
    t = re.sub(r"(?<![^、,;\s])([一二三四五六七八九十]{1,3})、(?=(?![一二三四五六七八九十])[\u4e00-\u9fff][^、,;\s]+)",
               "\\1\x00", t)
    out: list[str] = []
    for piece in re.split(r"[、,;\n\r]+|(?<![\d])\.(?!\w{2,4}\b)", t):
        piece = piece.replace("\x00", "、").strip().strip("《》“”\"'()（）[]【】")
        if not piece:
            continue
        if "/" in piece or "\\" in piece or _has_ext(piece):
            out.append(piece.replace("\\", "/"))
        else:
            flat = norm(piece)
            out.extend(x for x in re.split(r"\s+", flat) if x) if _all_tagish(flat) else out.append(flat)
    return out


def _has_ext(s: str) -> bool:
    return any(s.lower().endswith(e) for e in words()["extensions"])


def _all_tagish(s: str) -> bool:
    parts = s.split()
    return len(parts) > 1 and all(re.search(r"\d|[一二三四五六七八九十]$", p) for p in parts)


def _tags(cat: Catalogue) -> list[tuple[str, CatalogueItem]]:
    tags = [(squash(t), ci) for ci in cat.items for t in ci.tags]
    return sorted(tags, key=lambda tc: len(tc[0]), reverse=True)


def _strip_prefix(comp: str) -> str:
    return re.sub(r"^\d{1,3}[-_.、\s]*", "", comp)


def _path_matches(token: str, rel: str) -> bool:
    tok = [squash(c) for c in PurePosixPath(token.strip("/")).parts if c not in (".", "")]
    parts = [squash(c) for c in PurePosixPath(rel).parts]
    if not tok:
        return False
    stems = parts[:-1] + [squash(PurePosixPath(rel).stem), parts[-1]]
    full = parts[:-1] + [parts[-1]]
    for seq in (full, stems[:-2] + [stems[-2]]):
        for start in range(len(seq)):
            window = seq[start:start + len(tok)]
            if len(window) == len(tok) and all(a == b or _strip_prefix(a) == _strip_prefix(b)
                                               for a, b in zip(window, tok)):
                return True
    return False


def resolve(token: str, cat: Catalogue, items: list[Item], documents: list[Document],
            row_item: CatalogueItem | None = None, last_tag: CatalogueItem | None = None) -> Ref:
    """What one reference names: the n-th item of a tag's material, the items
    with pages under a path, or the item whose text holds a title."""
    ref = Ref(token)
    flat = squash(token)
    if not flat or flat in {squash(x) for x in words()["empty_refs"]}:
        ref.problem = "没有写明佐证材料"
        return ref
    # a path: 06-论文/论文1, 专利/ZL2021….pdf
    if "/" in token or _has_ext(token):
        ref.kind = "path"
        for d in documents:
            if _path_matches(token, d.rel):
                ref.files.append(d.rel)
        ref.items = sorted({p.item_id for d in documents if d.rel in ref.files for p in d.pages if p.item_id},
                           key=_item_order)
        if not ref.files:
            ref.problem = f"材料中没有路径为“{token}”的文件或文件夹"
        return ref
    # a tag: 专利-1, 论文2, P-3, 论文一; a bare number after a tag: 论文1、2
    m = None
    ci: CatalogueItem | None = None
    for tag, c in _tags(cat):
        mm = re.fullmatch(re.escape(tag) + r"[\u4e00-\u9fff]{0,4}?[-_·第]?" + _NUMTOK +
                          r"(?:\s*[~～至到—]\s*" + _NUMTOK + r")?[篇项件个本份号]?", flat)
        if mm:
            m, ci = mm, c
            break
        if flat == tag:
            ci = c
            break
    if ci is None and last_tag is not None:
        mm = re.fullmatch(_NUMTOK + r"(?:\s*[~～至到—]\s*" + _NUMTOK + r")?[篇项件个本份号]?", flat)
        if mm:
            m, ci = mm, last_tag
    if ci is not None:
        ref.kind = "tag"
        mine = [i for i in items if i.material in ci.materials]
        mine.sort(key=lambda i: (ci.materials.index(i.material), _item_order(i.id)))
        if m is None:
            ref.items = [i.id for i in mine]
            if not mine:
                ref.problem = f"材料中没有找到“{ci.name}”的材料"
            return ref
        lo = _to_int(m.group(1)) or 0
        hi = _to_int(m.group(2)) if m.group(2) else lo
        hi = hi or lo
        wanted = list(range(lo, hi + 1)) if 0 < lo <= hi <= lo + 30 else [lo]
        ref.items = [mine[n - 1].id for n in wanted if 0 < n <= len(mine)]
        lost = [n for n in wanted if not 0 < n <= len(mine)]
        if lost:
            have = f"材料中只找到 {len(mine)} 份“{ci.name}”材料" if mine else f"材料中没有找到“{ci.name}”的材料"
            ref.problem = f"“{token}”指向第 {'、'.join(map(str, lost))} 份，{have}"
        return ref
    # a title (or a file/folder name written without a slash)
    for d in documents:
        if _path_matches(token, d.rel) or flat in squash(PurePosixPath(d.rel).stem):
            ref.files.append(d.rel)
    if ref.files:
        ref.kind = "path"
        ref.items = sorted({p.item_id for d in documents if d.rel in ref.files for p in d.pages if p.item_id},
                           key=_item_order)
        return ref
    if len(flat) >= 5:
        ref.kind = "title"
        pool = sorted(items, key=lambda i: 0 if row_item and i.material in row_item.materials else 1)
        pat = re.compile(fuzzy_pattern(flat) if len(flat) <= 40 else re.escape(flat))
        for it in pool:
            if pat.search(squash(it.text)):
                ref.items.append(it.id)
                break
        if not ref.items:
            ref.problem = f"材料中没有找到题名为“{token}”的材料"
        return ref
    ref.problem = f"无法识别的佐证写法“{token}”（应写成 论文-1、专利-2 或材料的文件夹路径）"
    return ref


def _item_order(item_id: str) -> tuple[str, int]:
    mat, _, n = item_id.rpartition("-")
    return (mat, int(n) if n.isdigit() else 0)


def resolve_sheet(sheet: ScoreSheet, cat: Catalogue, items: list[Item], documents: list[Document]) -> None:
    """Resolve every item row's references (Ref.items, Ref.problem)."""
    for row in sheet.item_rows:
        row.refs = []
        if not row.refs_text.strip():
            continue
        ci = cat.item(row.catalogue_id) if row.catalogue_id else None
        last: CatalogueItem | None = None
        for tok in split_refs(row.refs_text):
            ref = resolve(tok, cat, items, documents, ci, last)
            if ref.kind == "tag":
                last = _tag_item(tok, cat) or last
            row.refs.append(ref)


def _tag_item(token: str, cat: Catalogue) -> CatalogueItem | None:
    flat = squash(token)
    for tag, c in _tags(cat):
        if flat.startswith(tag):
            return c
    return None


def has_refs(row: SheetRow) -> bool:
    return any(r.problem != "没有写明佐证材料" for r in row.refs)


# ---------------------------------------------------------------- judging claims

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

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "claimed": self.claimed, "cited": self.cited, "failing": self.failing,
                "at_risk": self.at_risk, "supported": self.supported, "reasons": self.reasons}


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


def row_support(row: SheetRow, by_ev: dict[str, list[str]], item_level: list[str]) -> tuple[float, list[str]]:
    """(points of the row that the evidence supports, evidence ids that fail)."""
    score = row.score or 0.0
    if score <= 0:
        return 0.0, []
    refs = [r for r in row.refs if r.problem != "没有写明佐证材料"]
    if not refs:
        return 0.0, []
    cited = [i for r in refs for i in r.items]
    failing = sorted({i for i in cited if i in by_ev}, key=_item_order)
    if item_level:
        return 0.0, failing
    good_refs = sum(1 for r in refs if r.items and not r.problem and not any(i in by_ev for i in r.items))
    return round(score * good_refs / len(refs), 2), failing


def assess(sheet: ScoreSheet | None, cat: Catalogue, findings: list[Finding]) -> dict[str, Claim]:
    """Per catalogue item: points claimed, evidence cited, points supported."""
    out: dict[str, Claim] = {}
    if sheet is None:
        return out
    by_ev, by_item = evidence_errors(findings)
    for ci in cat.items:
        rows = sheet.rows_for(ci.id)
        claim = Claim(ci.id)
        scored = [r for r in rows if r.score is not None]
        if scored:
            claim.claimed = round(sum(r.score or 0 for r in scored), 2)
        supported = 0.0
        for r in rows:
            for ref in r.refs:
                for i in ref.items:
                    if i not in claim.cited:
                        claim.cited.append(i)
            sup, failing = row_support(r, by_ev, by_item.get(ci.id, []))
            supported += sup
            for i in failing:
                claim.failing[i] = by_ev[i]
        if claim.claimed is not None:
            if ci.cap is not None:
                supported = min(supported, ci.cap)
            claim.supported = round(min(supported, claim.claimed), 2)
            claim.at_risk = round(claim.claimed - claim.supported, 2)
        out[ci.id] = claim
    return out
