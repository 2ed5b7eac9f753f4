"""Reading the applicant's 量化评分表 (附件2 item 15) into a ScoreSheet.

The sheet comes in the forms applicants use: XLSX (merged cells, the header
not on row 1, extra columns, numbers as text, formulas with cached values),
DOCX tables (sometimes split over several tables), PDFs with a text layer,
and scans (OCR lines with boxes: rows and columns are rebuilt from
positions, zjcheck.scoresheet.ocrtable).  Every form is turned into a grid of
cells; the header row is found by its words (自评分, 佐证, 分值), never by its
position; then each row is an item row, a section heading, a subtotal or the
total.  Rows are mapped to catalogue items by meaning (labels.py); cells
merged over several rows (one 满分 or 自评分 for two sub-rows) are kept as
groups, so a cap applies to the rows it spans.
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
from zjcheck.scoresheet.labels import match_items
from zjcheck.scoresheet.model import (_NUM, ROLES, Grid, GridCell, ScoreSheet, SheetRow, cell_fact, confirm, is_subtotal,
                                      is_total, parse_cap, parse_number, parse_score, sheet_route, words)
from zjcheck.scoresheet.ocrtable import grid_from_lines
from zjcheck.scoresheet.refs import _NUMTOK, _has_ext

Header = tuple[int, dict[int, str], list[str]]     # (row index, {column: role}, texts naming no role)
MULTI = ("label", "criteria")                       # roles several columns may have (一级指标 | 二级指标)
# a section heading: 一、基本条件（30分） / （二）业绩成果 / 第一部分
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}[部分项类])")


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def role_of(header_text: str) -> str | None:
    """The role a header cell names: a cell that is exactly one role's word
    first ("标准分" is a cap), then the first role whose word it contains."""
    t = squash(header_text)
    if not t:
        return None
    w = words()["header"]
    if any(squash(x) in t for x in w["ignore"]):
        return None
    for role in ROLES:
        if any(squash(x) == t for x in w[role]):
            return role
    for role in ROLES:
        if any(squash(x) in t for x in w[role]):
            return role
    return None


def find_header(grid: Grid, limit: int = 40) -> Header | None:
    """(row index, {column: role}, unknown header texts) of the header row, found by its words.

    A header that spans two rows (a merged "评分" over "分值上限 | 自评分") is
    read as the two rows' texts joined per column."""
    best: tuple[int, int, dict[int, str], list[str]] | None = None
    for i, row in enumerate(grid[:limit]):
        for span in (1, 2):
            if i + span > len(grid):
                continue
            width = max(len(grid[i + k]) for k in range(span))
            texts = ["".join(dict.fromkeys(grid[i + k][c].text for k in range(span) if c < len(grid[i + k])))
                     for c in range(width)]
            roles: dict[int, str] = {}
            unknown: list[str] = []
            for c, t in enumerate(texts):
                r = role_of(t)
                if r and (r in MULTI or r not in roles.values()):
                    if r in MULTI and c > 0 and roles.get(c - 1) == r and texts[c - 1] == t:
                        continue            # one header cell merged over two columns
                    roles[c] = r
                elif t.strip() and not r and not any(squash(x) in squash(t) for x in words()["header"]["ignore"]):
                    unknown.append(t.strip())
            if "score" in roles.values() and len(set(roles.values())) >= words()["min_roles"]:
                n = len(set(roles.values()))
                if best is None or n > best[1]:
                    best = (i + span - 1, n, roles, unknown)
        if best is not None and i > best[0] + 1:
            break
    return (best[0], best[2], best[3]) if best else None


def rows_from_grid(grid: Grid, cat: Catalogue, sheet: ScoreSheet, lines: list[int] | None = None,
                   head: Header | None = None) -> Header | None:
    """Fill sheet.rows from a grid whose header row is found by its words
    (or given: a table continuing the one with the header).  Returns the header."""
    if head is None:
        head = find_header(grid)
        if head is None:
            return None
        start = head[0] + 1
    else:
        start = 0
    _hi, roles, unknown = head
    if not sheet.header_found:
        sheet.header_found = True
        sheet.columns = [roles[c] for c in sorted(roles)]
        sheet.unknown_columns = unknown
    col = {r: c for c, r in sorted(roles.items(), reverse=True) if r not in MULTI}
    label_cols = [c for c in sorted(roles) if roles[c] == "label"]
    crit_cols = [c for c in sorted(roles) if roles[c] == "criteria"]
    after_total = sheet.total_line is not None

    def line_of(i: int) -> int:
        return lines[i] if lines and i < len(lines) else i + 1

    for i in range(start, len(grid)):
        cells = grid[i]
        line = line_of(i)

        def cell(role: str) -> GridCell | None:
            c = col.get(role)
            return cells[c] if c is not None and c < len(cells) else None

        def own(role: str) -> str:
            """The cell's text unless it continues a merged cell from above or the left."""
            x = cell(role)
            return "" if x is None or x.cont else x.text.strip()

        def group(role: str) -> int | None:
            """The line where the role's (merged) cell starts."""
            x = cell(role)
            if x is None:
                return None
            return line_of(x.origin[0]) if x.origin is not None else line

        def joined(cols: list[int]) -> str:
            ts = [cells[c].text.strip() for c in cols if c < len(cells) and cells[c].text.strip()]
            return " / ".join(dict.fromkeys(ts))

        texts = [c.text.strip() for c in cells if c.text.strip()]
        if not texts:
            continue
        number = cell("number").text.strip() if cell("number") is not None else ""     # type: ignore[union-attr]
        row = SheetRow(line=line, number=number, label=joined(label_cols), criteria=joined(crit_cols),
                       score_text=own("score"), refs_text=own("refs"))
        sc = cell("score")
        if sc is not None and sc.formula:
            what = "合计" if any(is_total(t) for t in texts) else f"“{row.label or row.number}”的自评分"
            sheet.notes.append(f"第 {line} 行{what}是公式 {sc.formula}，文件中没有保存计算结果，"
                               "无法核对（请在 Excel/WPS 中打开后保存）")
        cap_text = own("cap")
        row.cap, cap_clean = parse_cap(cap_text)
        row.score, score_clean = parse_score(row.score_text)
        row.cap_cell, row.score_cell, row.refs_cell = group("cap"), group("score"), group("refs")
        first = texts[0]
        if is_total(row.number) or is_total(row.label) or is_total(first):
            _total_row(row, cells, col, first, sheet, score_clean)
            sheet.rows.append(row)
            after_total = True
            continue
        if after_total:
            continue            # signature lines, dates, notes under the table
        if is_subtotal(row.number) or is_subtotal(row.label) or is_subtotal(first):
            row.kind = "subtotal"
            sheet.rows.append(row)
            continue
        found = []
        for c in reversed(label_cols):      # the most specific label column first (二级指标 before 一级指标)
            if c < len(cells) and cells[c].text.strip():
                found = match_items(cells[c].text, cat)
                if found:
                    break
        if not found and not row.label:
            found = match_items(row.criteria, cat)
        elif not found and not sheet.typed:
            found = match_items(row.label + row.criteria, cat)[:1]   # OCR put part of the label beside it
        spread = len(texts) >= 2 and len(set(texts)) == 1       # one text merged across the row
        shares = row.score_cell not in (None, line)
        heading = _HEADING.match(squash(row.label or first)) is not None
        alone = len({c.text.strip() for c in cells if c.text.strip() and not c.cont}) <= 1   # a label and nothing else
        if row.score is None and not row.score_text and not row.refs_text and not shares and \
                (not found or spread or heading or (alone and row.cap is None)):
            row.kind = "section"
        row.items = [ci.id for ci in found]
        row.catalogue_id = row.items[0] if row.items else None
        if sc is not None and not sc.cont:
            row.facts["score"] = cell_fact(row.score, sc, sheet, clean=score_clean)
        if cell("cap") is not None and not cell("cap").cont:                 # type: ignore[union-attr]
            row.facts["cap"] = cell_fact(row.cap, cell("cap"), sheet, clean=cap_clean)
        if cell("refs") is not None and not cell("refs").cont:               # type: ignore[union-attr]
            row.facts["refs"] = cell_fact(row.refs_text, cell("refs"), sheet)
        sheet.rows.append(row)
    return head


def _total_row(row: SheetRow, cells: list[GridCell], col: dict[str, int], first: str, sheet: ScoreSheet,
               clean: bool) -> None:
    """The 合计 row: the stated total (its 自评分 cell, else its last number) and the caps' total."""
    row.kind = "total"
    row.catalogue_id = None
    stated = row.score
    sc = col.get("score")
    cell = cells[sc] if sc is not None and sc < len(cells) else None
    if stated is None:
        capc = col.get("cap")
        rest = [(c.text.strip(), c) for k, c in enumerate(cells)
                if c.text.strip() and not c.cont and k != capc and not is_total(c.text)]
        nums = [(parse_number(t), c) for t, c in rest if parse_number(t) is not None]
        stated, cell = nums[-1] if nums else (None, None)
        clean = False
        if stated is None:
            m = _NUM.search(unicodedata.normalize("NFKC", first))
            stated = float(m.group(1)) if m else None
    sheet.stated_total = stated
    sheet.total_line = row.line
    if stated is not None:
        sheet.total_fact = cell_fact(stated, cell, sheet, clean=clean)
    capc = col.get("cap")
    if capc is not None and capc < len(cells) and not cells[capc].cont:
        sheet.stated_cap_total, cap_clean = parse_cap(cells[capc].text)
        if sheet.stated_cap_total is not None:
            sheet.cap_total_fact = cell_fact(sheet.stated_cap_total, cells[capc], sheet, clean=cap_clean)


def grid_from_xlsx(data: bytes) -> tuple[list[tuple[str, Grid, list[int]]], list[str]]:
    """(sheets as (title, grid, row numbers), notes) from an XLSX file.

    Merged ranges are filled from their top-left cell (marked as
    continuations, with the cell where they start); formulas are read by
    their cached values."""
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
                    merged[(r, c)] = (rng.min_row, rng.min_col)
        grid: Grid = []
        rownums: list[int] = []
        max_col = ws.max_column or 0
        for r in range(1, (ws.max_row or 0) + 1):
            cells: list[GridCell] = []
            for c in range(1, max_col + 1):
                src = merged.get((r, c))
                origin = (src[0] - 1, src[1] - 1) if src is not None else None
                if src is not None and src != (r, c):
                    v = ws.cell(*src).value
                    cells.append(GridCell(_cell_text(v), cont=True, origin=origin))
                    continue
                v = ws.cell(r, c).value
                if v is None:
                    if formulas is None:
                        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
                    fv = formulas[ws.title].cell(r, c).value
                    if isinstance(fv, str) and fv.startswith("="):
                        cells.append(GridCell("", formula=fv, origin=origin))
                        continue
                cells.append(GridCell(_cell_text(v), origin=origin))
            grid.append(cells)
            rownums.append(r)
        out.append((ws.title, grid, rownums))
    return out, notes


def grid_from_docx(data: bytes) -> tuple[list[Grid], str]:
    """(tables as grids, paragraph text) from a DOCX file; merged cells are
    detected by the same underlying cell repeating (vertically: vMerge;
    horizontally: gridSpan)."""
    import docx
    d = docx.Document(io.BytesIO(data))
    grids: list[Grid] = []
    for t in d.tables:
        grid: Grid = []
        seen: dict[Any, tuple[int, int]] = {}      # keyed by the element itself: keeps lxml's proxies alive
        for r, row in enumerate(t.rows):
            cells: list[GridCell] = []
            for c, cell in enumerate(row.cells):
                tc = cell._tc
                first = seen.setdefault(tc, (r, c))
                cells.append(GridCell(cell.text.strip(), cont=first != (r, c), origin=first))
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
    references, its free-standing numbers the cap and score (in header order).
    Where a number sits is a guess here: the facts stay unsure until the
    totals confirm them."""
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
            if sheet.stated_total is not None:
                sheet.total_fact = cell_fact(sheet.stated_total, GridCell(raw), sheet)
            sheet.rows.append(SheetRow(first_line + k + 1, label=toks[0], kind="total", score=sheet.stated_total))
            break
        found = match_items(raw, cat)
        if not found:
            continue
        number = toks.pop(0) if toks and re.fullmatch(r"\d{1,2}|[一二三四五六七八九十]{1,2}[、.]?", toks[0]) else ""
        refs = [x for x in toks if "/" in x or _has_ext(x) or tag_rx.match(squash(x))]
        nums = [parse_number(x) for x in toks if x not in refs and re.fullmatch(r"\d{1,3}(?:\.\d+)?分?", x)]
        words_ = [x for x in toks if x not in refs and not re.fullmatch(r"\d{1,3}(?:\.\d+)?分?", x)]
        row = SheetRow(first_line + k + 1, number=number, label=words_[0] if words_ else found[0].name,
                       criteria=" ".join(words_[1:]), refs_text="、".join(refs), catalogue_id=found[0].id,
                       items=[ci.id for ci in found])
        if len(nums) >= 2:
            row.cap, row.score = (nums[-2], nums[-1]) if cap_first else (nums[-1], nums[-2])
        elif nums:
            row.score = nums[0]
        row.score_text = "" if row.score is None else f"{row.score:g}"
        src = GridCell(raw)
        row.facts = {"score": cell_fact(row.score, src, sheet), "refs": cell_fact(row.refs_text, src, sheet)}
        if row.cap is not None:
            row.facts["cap"] = cell_fact(row.cap, src, sheet)
        sheet.rows.append(row)


# ---------------------------------------------------------------- documents

def _route(sheet: ScoreSheet, text: str, conf: float | None = None) -> None:
    sheet.route = sheet_route(text)
    if sheet.route is not None:
        cell = GridCell(sheet.route, conf=conf if conf is not None else 100.0)
        sheet.route_fact = cell_fact(sheet.route, cell, sheet)


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
        sheet.template = "zjcheck" in text.lower()        # the sheet `zjcheck init` wrote (its notes say so)
        _route(sheet, text)
        return sheet
    if kind == "docx":
        sheet = ScoreSheet(doc.rel, "docx")
        try:
            grids, paras = grid_from_docx(data)
        except Exception as e:  # noqa: BLE001
            sheet.notes.append(f"无法按表格读取（{type(e).__name__}）")
            return sheet
        text = paras
        head = None
        width = 0
        offset = 0
        for grid in grids:
            text += "\n" + "\n".join(" ".join(c.text for c in r) for r in grid)
            lines = [offset + k + 1 for k in range(len(grid))]
            if head is None:
                head = rows_from_grid(grid, cat, sheet, lines)
                width = max((len(r) for r in grid), default=0)
            elif sheet.total_line is None and grid and max(len(r) for r in grid) == width and find_header(grid) is None:
                rows_from_grid(grid, cat, sheet, lines, head=head)     # the table goes on after a page break
            offset += len(grid)
        _route(sheet, text)
        return sheet
    sheet = ScoreSheet(doc.rel, "ocr" if doc.text_source == "ocr" else "pdf-text")
    cols: dict[str, float] | None = None
    route_text = ""
    route_conf: float | None = None
    for page in doc.pages:
        route_text += "\n" + page.text
        route_conf = page.content.conf if route_conf is None else min(route_conf, page.content.conf or 0)
        boxed = [(ln.text, ln.box, ln.conf) for ln in page.content.lines if ln.box and ln.text.strip()]
        before = max((r.line for r in sheet.rows), default=0)     # lines go on across pages
        was = sheet.header_found
        if sheet.page is None:
            sheet.page = page.number          # facts made while reading the first page point at it
        if boxed:
            grid, cols = grid_from_lines(boxed, cols)  # type: ignore[arg-type]
        else:
            grid = grid_from_text(page.text)
        if grid:
            rows_from_grid(grid, cat, sheet, [before + k + 1 for k in range(len(grid))])
        if not sheet.header_found and not boxed:
            rows_from_text_lines(page.text, cat, sheet, before)
        if sheet.header_found and not was:
            sheet.page = page.number
        elif not sheet.header_found:
            sheet.page = None
    confirm(sheet)
    _route(sheet, route_text, route_conf)
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
