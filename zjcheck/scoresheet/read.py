"""Reading the applicant's 量化评分表 (附件2 item 15) into a ScoreSheet.

The sheet comes in the forms applicants use: XLSX (merged cells, the header
not on row 1, extra columns, numbers as text, formulas with cached values),
DOCX tables, PDFs with a text layer, and scans (OCR lines with boxes: rows
and columns are rebuilt from positions, zjcheck.scoresheet.ocrtable).  Every
form is turned into a grid of cells; the header row is found by its words
(自评分, 佐证, 分值), never by its position; then each row is an item row, a
section heading or the total.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from zjcheck.catalogue import Catalogue
from zjcheck.extract import fuzzy_pattern, norm, squash
from zjcheck.model import Document, Item
from zjcheck.scoresheet.labels import match_label
from zjcheck.scoresheet.model import (_NUM, Grid, GridCell, ScoreSheet, SheetRow, is_total, parse_number, role_of,
                                      sheet_route, words)
from zjcheck.scoresheet.ocrtable import grid_from_lines
from zjcheck.scoresheet.refs import _NUMTOK, _has_ext


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


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
