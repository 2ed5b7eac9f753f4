"""Rebuilding a scanned sheet's table from OCR lines and their boxes."""

from __future__ import annotations

import re
from statistics import median

from zjcheck.extract import norm, squash
from zjcheck.scoresheet.model import ROLES, Grid, GridCell, is_total, words


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
    # the header: the line (with its neighbours) naming the most roles, around
    # the score column's word or, where OCR lost that, the references' word
    best: tuple[int, float, float, dict[str, float]] | None = None     # (roles, -y, bottom, roles)
    for y, r, _ in cands:
        if r not in ("score", "refs"):
            continue
        near = [(yy, rr, xx) for yy, rr, xx in cands if abs(yy - y) < 60]
        roles: dict[str, float] = {}
        for _, rr, xx in sorted(near, key=lambda c: abs(c[0] - y)):
            roles.setdefault(rr, xx)
        enough = words()["min_roles"] if "score" in roles else 2
        if len(roles) >= enough and (best is None or (len(roles), -y) > best[:2]):
            best = (len(roles), -y, max(yy for yy, _, _ in near), roles)
    return (best[2], best[3]) if best else None


_STANDALONE = re.compile(r"\d{1,3}(?:\.\d)?")


def _bare(w: str) -> str:
    """A word without the punctuation OCR hangs on it ('5。' -> '5')."""
    return norm(w).strip().rstrip("。.,，、;；:：|")


def _infer_number_columns(lines: list[tuple[str, tuple[int, int, int, int]]], cols: dict[str, float],
                          top: float) -> None:
    """When OCR lost the 分值上限/自评分 header words (ruled tables often do),
    place those columns at the x-clusters of free-standing numbers between
    the criteria (or label) column and the references column: the left
    cluster is the cap, the right one the score."""
    left = cols.get("criteria", cols.get("label", 0.0))
    right = cols.get("refs", float("inf"))
    xs = []
    for text, box in lines:
        if (box[1] + box[3]) / 2 <= top:
            continue
        for w, x in (_pieces(text, box) if " " in text.strip() else [(text, (box[0] + box[2]) / 2)]):
            if _STANDALONE.fullmatch(_bare(w)) and left < x < right:
                xs.append(x)            # a number alone in its line, or a word of a line across cells
    xs.sort()
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


Line3 = tuple[str, tuple[int, int, int, int], "float | None"]     # text, box, confidence 0–100
_INDEX = re.compile(r"\d{1,2}[.、]?|[一二三四五六七八九十]{1,3}[、.]?|[(（][一二三四五六七八九十\d]{1,3}[)）]")
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,2})?分?")
_REFISH = re.compile(r"[/\\]|\.(?:pdf|jpe?g|png|tiff?|bmp|docx?|xlsx)$|[\u4e00-\u9fff][-_]?\d{1,2}(?:[、,~～-]|$)", re.I)


def _kind(token: str) -> str:
    t = _bare(token)
    if _NUMBER.fullmatch(t):
        return "num"
    if _REFISH.search(t):
        return "ref"
    if re.search(r"\d", t):
        return "rule"           # 得5分, 2分/项: words with a number are criteria, not a label
    return "text"


# type costs: how unlikely a kind of token is in a column (a column away costs about 1)
_COST = {
    "num": {"number": 0.3, "cap": 0.0, "score": 0.0, "label": 2.0, "criteria": 1.0, "refs": 1.5},
    "ref": {"number": 3.0, "cap": 3.0, "score": 3.0, "label": 1.5, "criteria": 0.8, "refs": 0.0},
    "rule": {"number": 3.0, "cap": 3.0, "score": 3.0, "label": 1.5, "criteria": 0.0, "refs": 1.0},
    "text": {"number": 3.0, "cap": 3.0, "score": 3.0, "label": 0.2, "criteria": 0.0, "refs": 0.5},
}
_NUMERIC = ("number", "cap", "score")
LABEL_LEN = 6
TWO_NUMBERS = 1.5       # two bare numbers in one number cell: rather two cells side by side


def _assign(tokens: list[tuple[str, float]], order: list[tuple[str, float]]) -> list[str]:
    """Roles for the words of one OCR line that ran across cells: the words
    keep their order, so they fall into the columns left to right (a
    monotone alignment) at the least cost of position (how far a word's
    estimated x is from the column) plus kind (a bare number belongs in a
    number column, a path or tag in the references)."""
    xs = [c for _, c in order]
    spacing = sorted(b - a for a, b in zip(xs, xs[1:]))
    unit = max(spacing[len(spacing) // 2] if spacing else 100.0, 1.0)
    n, k = len(tokens), len(order)
    inf = float("inf")
    best = [[inf] * k for _ in range(n)]
    back = [[0] * k for _ in range(n)]
    kinds = [_kind(w) for w, _ in tokens]
    for i, (w, x) in enumerate(tokens):
        kind = kinds[i]
        for j, (role, cx) in enumerate(order):
            cost = abs(x - cx) / unit + _COST[kind].get(role, 1.0)
            if role == "label" and len(w) > LABEL_LEN:
                cost += 0.8             # a label cell is short; a long phrase is the criteria
            if i == 0:
                best[i][j] = cost
                continue
            again = TWO_NUMBERS if kind == "num" and kinds[i - 1] == "num" and role in _NUMERIC else 0.0
            prev = min(range(j + 1), key=lambda p: best[i - 1][p] + (again if p == j else 0.0))
            best[i][j] = best[i - 1][prev] + (again if prev == j else 0.0) + cost
            back[i][j] = prev
    j = min(range(k), key=lambda p: best[n - 1][p])
    out = [""] * n
    for i in range(n - 1, -1, -1):
        out[i] = order[j][0]
        j = back[i][j]
    return out


def _place(lines3: list[Line3], cols: dict[str, float], top: float) -> list[tuple[str, str, float, float, float, float | None, bool]]:
    """Every word under the header with its column: (role, text, x, y, height, conf, split)."""
    order = sorted(cols.items(), key=lambda kv: kv[1])
    bounds = [(order[k][1] + order[k + 1][1]) / 2 for k in range(len(order) - 1)]

    def column(x: float) -> str:
        k = 0
        while k < len(bounds) and x > bounds[k]:
            k += 1
        return order[k][0]

    out: list[tuple[str, str, float, float, float, float | None, bool]] = []
    head_words = {squash(w) for ws in words()["header"].values() for w in ws}
    head_h = median([b[3] - b[1] for _t, b, _c in lines3 if abs((b[1] + b[3]) / 2 - top) < 60] or [40])
    for text, box, conf in lines3:
        yc = (box[1] + box[3]) / 2
        if yc <= top + 5:
            continue
        flat = squash(text)
        if yc < top + 1.2 * head_h and flat and any(flat in w for w in head_words):
            continue                    # the wrapped tail of a header cell (分值上 / 限)
        crosses = any(box[0] < b < box[2] for b in bounds)
        pieces = _pieces(text, box)
        if crosses and len(pieces) >= 2:       # a line OCR ran across cells: split it
            for (w, x), role in zip(pieces, _assign(pieces, order)):
                out.append((role, w, x, yc, box[3] - box[1], conf, True))
        else:
            xc = (box[0] + box[2]) / 2
            out.append((column(xc), text, xc, yc, box[3] - box[1], conf, False))
    return out


def grid_from_lines(lines: list[Line3] | list[tuple[str, tuple[int, int, int, int]]],
                    cols: dict[str, float] | None = None) -> tuple[Grid, dict[str, float] | None]:
    """A grid rebuilt from OCR lines with boxes: header columns by the x of
    their words; a line that ran across cells is cut into its words and
    those fall into the columns in order (`_assign`); rows are anchored on
    the 序号 column, then on 自评分 and 评价项目 words away from every
    anchor (sub-rows, rows without a number); every word joins the row whose
    anchor is nearest.  Each cell keeps the lowest confidence of its words."""
    lines3: list[Line3] = [(ln[0], ln[1], ln[2] if len(ln) > 2 else None) for ln in lines]  # type: ignore[misc]
    plain = [(t, b) for t, b, _ in lines3]
    head = _header_positions(plain)
    top = -1.0
    if head is not None:
        top, cols = head
        if "score" not in cols or "cap" not in cols:
            _infer_number_columns(plain, cols, top)
    if not cols or "score" not in cols:
        return [], None
    words_at = _place(lines3, cols, top)
    # the header's x are estimated from one long line: calibrate each column
    # on the words the first pass put there surely (a number beside another
    # number, a path), then place again
    natural = {"number": "num", "cap": "num", "score": "num", "refs": "ref"}
    seen: dict[str, list[float]] = {}
    for role, w, x, *_rest, split in words_at:
        if split and natural.get(role) == _kind(w):
            seen.setdefault(role, []).append(x)
    moved = {r: median(xs) for r, xs in seen.items() if len(xs) >= 3}
    if moved:
        new = {**cols, **moved}
        if [r for r, _ in sorted(new.items(), key=lambda kv: kv[1])] == [r for r, _ in sorted(cols.items(),
                                                                                                key=lambda kv: kv[1])]:
            cols = new
            words_at = _place(lines3, cols, top)
    order = sorted(cols.items(), key=lambda kv: kv[1])
    if not words_at:
        return [], cols
    short = sorted(h for _r, w, _x, _y, h, _c, _s in words_at if len(w) <= 4) or sorted(h for *_, h, _c, _s in words_at)
    th = short[len(short) // 2]
    anchors: list[float] = []

    def add(role: str, tol: float, test: re.Pattern[str] | None = None) -> None:
        for r, w, _x, y, _h, _c, _s in sorted(words_at, key=lambda a: a[3]):
            if r == role and (test is None or test.fullmatch(norm(w).strip())) and \
                    all(abs(y - a) > tol * th for a in anchors):
                anchors.append(y)

    add("number", 0.8, _INDEX)
    add("score", 0.8, _NUMBER)
    add("label", 1.0)
    for _r, w, _x, y, h, _c, _s in words_at:        # a total row written across the columns
        if is_total(w) and all(abs(y - a) > 0.8 * th for a in anchors):
            anchors.append(y)
    anchors.sort()
    if not anchors:
        return [], cols
    totals = [y for _r, w, _x, y, _h, _c, _s in words_at if is_total(w)]
    end = min(totals) + 0.8 * th if totals else float("inf")      # signatures and dates under the table
    rows: list[dict[str, list[tuple[float, str, float | None]]]] = [dict() for _ in anchors]
    for role, w, x, y, _h, conf, _s in words_at:
        if y > end:
            continue
        k = min(range(len(anchors)), key=lambda i: abs(anchors[i] - y))
        rows[k].setdefault(role, []).append((y * 10000 + x, w, conf))
    names = [r for r, _ in order]
    grid: Grid = [[GridCell(n) for n in (cols_name_header(names))]]
    for r in rows:
        cells = []
        for n in names:
            got = sorted(r.get(n, []))
            confs = [c for _, _, c in got if c is not None]
            cells.append(GridCell(_join([w for _, w, _ in got]), conf=min(confs) if confs else (None if not got else 0.0)))
        grid.append(cells)
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
