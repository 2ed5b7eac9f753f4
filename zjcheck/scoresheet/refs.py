"""Resolving the 系统佐证目录: what each reference written on the sheet names."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from zjcheck.catalogue import Catalogue, CatalogueItem
from zjcheck.extract import fuzzy_pattern, norm, squash
from zjcheck.model import Document, Item
from zjcheck.scoresheet.model import Ref, ScoreSheet, SheetRow, words


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
    out: list[str] = []
    for piece in re.split(r"[、,;\n\r]+|(?<![\d])\.(?!\w{2,4}\b)", t):
        piece = piece.strip().strip("《》“”\"'()（）[]【】")
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
