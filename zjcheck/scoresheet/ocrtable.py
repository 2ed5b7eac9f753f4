"""Rebuilding a scanned sheet's table from OCR lines and their boxes."""

from __future__ import annotations

import re

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
