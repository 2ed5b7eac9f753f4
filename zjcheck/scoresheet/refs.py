"""Resolving the 系统佐证目录: what each reference written on the sheet names.

A cell holds a list (论文-1、论文-2; 专利1,2), ranges (论文1-3, 论文一至论文三,
08考核2021.jpg~08考核2025.jpg, 12-年度考核/2021.jpg～2025.jpg), paths in the
applicant's own folder names (五、论文/论文一 — the 、 in a real folder name
does not split the cell), tags (P-2, 专利二), titles, or words pointing into
the 职称管理服务平台 (系统自动提取).  Each reference becomes a `Ref`: the
evidence items it names, and when it names nothing, why — `sure` when the
reference was understood and what it names is not in the package (SCO004),
not sure when we could not follow the writing (GEN012).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath

from rapidfuzz.distance import Levenshtein

from zjcheck.catalogue import Catalogue, CatalogueItem
from zjcheck.extract import fuzzy_pattern, norm, squash
from zjcheck.model import Document, Item
from zjcheck.scoresheet.model import EMPTY_REF, Ref, ScoreSheet, SheetRow, words

_CN_DIGITS = "一二三四五六七八九十"
_CN = {c: i for i, c in enumerate(_CN_DIGITS, 1)}
_NUMTOK = r"(\d{1,3}|[一二三四五六七八九十]{1,3})"
_SEP = r"[、,;\n\r]+|(?<![\d])\.(?!\w{2,4}\b)"


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


def _cn(n: int) -> str:
    """1..99 in Chinese numerals (三, 十二, 二十)."""
    if n <= 10:
        return _CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens - 1]) + "十" + (_CN_DIGITS[ones - 1] if ones else "")


def _marks() -> str:
    return "".join(re.escape(m) for m in words()["range_marks"])


def split_refs(text: str, known: Iterable[str] = ()) -> list[str]:
    """Tokens of a 系统佐证目录 cell: '论文-1、论文-2', 'P-3；P-4', '06-论文/论文1'.

    `known`: the package's own folder and file names; one holding a
    separator (五、论文) is kept whole."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s*([-_/\\])\s*", r"\1", t)
    t = re.sub(rf"\s*([{_marks()}])\s*", r"\1", t)
    keep: list[str] = []
    for name in sorted({unicodedata.normalize("NFKC", k) for k in known}, key=len, reverse=True):
        if name and re.search(_SEP, name) and name in t:
            t = t.replace(name, f"\x00{len(keep)}\x00")
            keep.append(name)

    def back(s: str) -> str:
        return re.sub(r"\x00(\d+)\x00", lambda m: keep[int(m.group(1))], s)

    out: list[str] = []
    for piece in re.split(_SEP, t):
        piece = back(piece.strip().strip("《》“”\"'()（）[]【】"))
        if not piece:
            continue
        if "/" in piece or "\\" in piece or _has_ext(piece) or piece in keep:
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


_PREFIX = re.compile(r"^(?:\d{1,3}[-_.、\s]*|[一二三四五六七八九十]{1,3}[-_.、]|[(（][一二三四五六七八九十\d]{1,3}[)）])")


def _strip_prefix(comp: str) -> str:
    """A folder's ordering prefix away: 06-论文, 五、论文, （五）论文 -> 论文."""
    return _PREFIX.sub("", comp)


def _same(a: str, b: str) -> bool:
    """Two path components written alike: equal, equal without their ordering
    prefixes, or one character apart in a long name with the same digits."""
    if a == b or _strip_prefix(a) == _strip_prefix(b):
        return True
    a, b = _strip_prefix(a), _strip_prefix(b)
    if _has_ext(a) and _has_ext(b) and a.rsplit(".", 1)[0] == b.rsplit(".", 1)[0]:
        return True                     # 论文1.pdf written for 论文1.jpg
    return (min(len(a), len(b)) >= 6 and re.findall(r"\d+", a) == re.findall(r"\d+", b)
            and Levenshtein.distance(a, b) <= 1)


def _path_matches(token: str, rel: str, roots: frozenset[str] = frozenset()) -> bool:
    """Whether a path written on the sheet names the file `rel` (or a folder
    above it).  Leading components of the token that are no folder of the
    package (the applicant's own top folder, `roots`) are dropped."""
    tok = [squash(c) for c in PurePosixPath(token.strip("/")).parts if c not in (".", "")]
    while len(tok) > 1 and roots and tok[0] not in roots and _strip_prefix(tok[0]) not in roots:
        tok = tok[1:]
    parts = [squash(c) for c in PurePosixPath(rel).parts]
    if not tok:
        return False
    stems = parts[:-1] + [squash(PurePosixPath(rel).stem), parts[-1]]
    full = parts[:-1] + [parts[-1]]
    for seq in (full, stems[:-2] + [stems[-2]]):
        for start in range(len(seq)):
            window = seq[start:start + len(tok)]
            if len(window) == len(tok) and all(_same(a, b) for a, b in zip(window, tok)):
                return True
    return False


def _components(documents: Iterable[Document]) -> frozenset[str]:
    out: set[str] = set()
    for d in documents:
        p = PurePosixPath(d.rel)
        for c in (*p.parts, p.stem):
            out.add(squash(c))
            out.add(_strip_prefix(squash(c)))
    return frozenset(out)


# ---------------------------------------------------------------- ranges

_NUM_ANY = re.compile(r"\d{1,4}|[一二三四五六七八九十]{1,3}")


def expand_range(token: str) -> list[str] | None:
    """The names a range stands for: '论文1-3' -> 论文1, 论文2, 论文3;
    '08考核2021.jpg~08考核2025.jpg' -> the five file names; '论文一至论文三',
    '专利-1～3', '12-年度考核/2021.jpg~2025.jpg', '2024~2026年度学时卡.png'.
    None when the token is no range (or a silly one: backwards, over 40)."""
    t = unicodedata.normalize("NFKC", token).strip()
    m = re.search(rf"[{_marks()}]", t)
    if m:
        left, right = t[:m.start()].strip(), t[m.end():].strip()
    else:
        mm = re.fullmatch(r"(.*[^\d\-_/])(\d{1,4})-(\d{1,4})([^\d]*)", t)       # 论文1-3
        m2 = re.fullmatch(r"([^\d]+?)([-_]?)(\d{1,4})-\1\2(\d{1,4})([^\d]*)", t)   # P1-P3, 论文-1-论文-3
        if mm:
            left, right = mm.group(1) + mm.group(2) + mm.group(4), mm.group(3) + mm.group(4)
        elif m2:
            left, right = m2.group(1) + m2.group(2) + m2.group(3) + m2.group(5), m2.group(4) + m2.group(5)
        else:
            return None
    if not left or not right:
        return None
    ln = list(_NUM_ANY.finditer(left))
    rn = list(_NUM_ANY.finditer(right))
    if not ln or not rn:
        return None
    choice: tuple[str, re.Match[str], re.Match[str], str] | None = None   # (prefix, low, high, suffix)
    for a in reversed(ln):
        for b in rn:
            pre_l, suf_l = left[:a.start()], left[a.end():]
            pre_r, suf_r = right[:b.start()], right[b.end():]
            if squash(suf_l) == squash(suf_r) and (squash(pre_l).endswith(squash(pre_r)) or not pre_r):
                choice = (pre_l, a, b, suf_l)        # 论文1~论文3, 考核2021.jpg~2025.jpg, 年度考核/考核2021.jpg~考核2025.jpg
            elif not pre_r and not suf_r and b is rn[0]:
                choice = (pre_l, a, b, suf_l)        # 论文1~3
            elif not pre_l and not suf_l and a is ln[0]:
                choice = (pre_r, a, b, suf_r)        # 2024~2026年度….png
            if choice:
                break
        if choice:
            break
    if choice is None:
        return None
    pre, a, b, suf = choice
    lo, hi = _to_int(a.group(0)), _to_int(b.group(0))
    if lo is None or hi is None or not lo < hi <= lo + 40:
        return None
    cn = not a.group(0).isdigit()
    width = len(a.group(0)) if a.group(0).isdigit() and a.group(0).startswith("0") else 0
    return [f"{pre}{_cn(n) if cn else str(n).zfill(width)}{suf}" for n in range(lo, hi + 1)]


# ---------------------------------------------------------------- one reference

def resolve(token: str, cat: Catalogue, items: list[Item], documents: list[Document],
            row_item: CatalogueItem | None = None, last_tag: CatalogueItem | None = None,
            unsure_counts: frozenset[str] = frozenset(), _in_range: bool = False) -> Ref:
    """What one reference names: the items with pages under a path, the n-th
    item of a tag's material, each member of a range, or the item whose text
    holds a title.  `unsure_counts`: materials of which the package may hold
    more items than were recognised (a page that may be one), so "only N
    found" is not sure."""
    ref = Ref(token)
    flat = squash(token)
    w = words()
    if not flat or flat in {squash(x) for x in w["empty_refs"]}:
        ref.problem = EMPTY_REF
        return ref
    if any(squash(x) in flat for x in w["platform_refs"]):
        ref.kind = "platform"               # the platform's 业绩档案: nothing to find in the folder
        return ref
    roots = _components(documents)
    # a path: 06-论文/论文1, 专利/ZL2021….pdf
    if "/" in token or _has_ext(token):
        ref.kind = "path"
        ref.files = [d.rel for d in documents if _path_matches(token, d.rel, roots)]
        ref.items = _items_of(ref.files, documents)
        if not ref.files:
            members = None if _in_range else expand_range(token)
            if members:
                return _range(ref, members, cat, items, documents, row_item, unsure_counts)
            ref.problem = f"材料中没有路径为“{token}”的文件或文件夹"
        return ref
    # a tag: 专利-1, 论文2, P-3, 论文一; a bare number after a tag: 论文1、2
    m = None
    ci: CatalogueItem | None = None
    used = ""
    rng = rf"(?:\s*[{_marks()}]\s*" + _NUMTOK + ")?"
    for cand in (flat, re.sub(r"^[^\d/]{2,12}?[-_:：·]", "", flat)):      # 业绩成果-论文-1: the platform's section first
        for tag, c in _tags(cat):
            mm = re.fullmatch(re.escape(tag) + r"[\u4e00-\u9fff]{0,4}?[-_·第]?" + _NUMTOK + rng + r"[篇项件个本份号]?",
                              cand)
            if mm:
                m, ci, used = mm, c, tag
                break
            if cand == tag:
                ci, used = c, tag
                break
        if ci is not None:
            break
    if ci is None and last_tag is not None:
        mm = re.fullmatch(_NUMTOK + rng + r"[篇项件个本份号]?", flat)
        if mm:
            m, ci = mm, last_tag
    if ci is not None:
        ref = _tag(ref, ci, m, items, documents, unsure_counts)
        if ref.problem and used.isascii() and len(used) <= 2 and row_item is not None and row_item.id != ci.id:
            ref.sure = False            # P3 in a paper's row: a page, more likely than the third patent
        return ref
    if not _in_range:
        members = expand_range(token)
        if members:
            return _range(ref, members, cat, items, documents, row_item, unsure_counts)
    # a title (or a file/folder name written without a slash)
    for d in documents:
        if _path_matches(token, d.rel, roots) or flat in squash(PurePosixPath(d.rel).stem):
            ref.files.append(d.rel)
    if ref.files:
        ref.kind = "path"
        ref.items = _items_of(ref.files, documents)
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
            ref.sure = False            # a title searched in read text: not finding it is no proof
        return ref
    ref.problem = f"无法识别的佐证写法“{token}”（应写成 论文-1、专利-2 或材料的文件夹路径）"
    ref.sure = False
    return ref


def _items_of(files: list[str], documents: list[Document]) -> list[str]:
    return sorted({p.item_id for d in documents if d.rel in files for p in d.pages if p.item_id}, key=_item_order)


def _tag(ref: Ref, ci: CatalogueItem, m: re.Match[str] | None, items: list[Item], documents: list[Document],
         unsure_counts: frozenset[str]) -> Ref:
    ref.kind = "tag"
    mine = [i for i in items if i.material in ci.materials]
    mine.sort(key=lambda i: (ci.materials.index(i.material), _item_order(i.id)))
    unsure = any(mat in unsure_counts for mat in ci.materials)
    if m is None:
        ref.items = [i.id for i in mine]
        if not mine:
            ref.problem = f"材料中没有找到“{ci.name}”的材料"
            ref.sure = not unsure
        return ref
    lo = _to_int(m.group(1)) or 0
    hi = _to_int(m.group(2)) if m.group(2) else lo
    hi = hi or lo
    wanted = list(range(lo, hi + 1)) if 0 < lo <= hi <= lo + 30 else [lo]
    for n in wanted:
        named = _named(ci, n, mine)
        if named is not None:
            ref.items.append(named.id)
        elif 0 < n <= len(mine):
            ref.items.append(mine[n - 1].id)
    lost = [n for n in wanted if not 0 < n <= len(mine) and _named(ci, n, mine) is None]
    if lost:
        have = f"材料中只找到 {len(mine)} 份“{ci.name}”材料" if mine else f"材料中没有找到“{ci.name}”的材料"
        ref.problem = f"“{ref.text}”指向第 {'、'.join(map(str, lost))} 份，{have}"
        ref.sure = not unsure
    return ref


def _named(ci: CatalogueItem, n: int, mine: list[Item]) -> Item | None:
    """The item whose folder or file is named for the n-th one (论文3/, 专利三.jpg, paper3/)."""
    stems = {squash(t) for t in ci.tags if not t.isascii() or len(t) > 1} | {squash(ci.name)}
    stems |= {squash(m) for m in ci.materials}
    names = {f"{s}{x}" for s in stems for x in (str(n), _cn(n), f"-{n}", f"_{n}", f"第{n}", f"第{_cn(n)}")}
    for it in mine:
        for rel in it.paths:
            p = PurePosixPath(rel)
            comps = [_strip_prefix(squash(c)) for c in (*p.parts[:-1], p.stem)]
            if any(c in names for c in comps):
                return it
    return None


def _range(ref: Ref, members: list[str], cat: Catalogue, items: list[Item], documents: list[Document],
           row_item: CatalogueItem | None, unsure_counts: frozenset[str]) -> Ref:
    """A range: each member resolved on its own; the ones that name nothing are the problem."""
    ref.kind = "range"
    ref.members = members
    last: CatalogueItem | None = None
    lost: list[Ref] = []
    for name in members:
        sub = resolve(name, cat, items, documents, row_item, last, unsure_counts, _in_range=True)
        if sub.kind == "tag":
            last = _tag_item(name, cat) or last
        for f in sub.files:
            if f not in ref.files:
                ref.files.append(f)
        for i in sub.items:
            if i not in ref.items:
                ref.items.append(i)
        if sub.problem:
            lost.append(sub)
    if lost and len(lost) == len(members) and ("/" in ref.text or _has_ext(ref.text)) \
            and not re.search(rf"[{_marks()}]", ref.text):
        ref.kind = "path"                   # 表2021-2025.pdf: a file name, not a range
        ref.members = []
        ref.problem = f"材料中没有路径为“{ref.text}”的文件或文件夹"
    elif lost:
        names = "、".join(r.text.rsplit("/", 1)[-1] for r in lost)
        why = "" if lost[0].kind == "path" else f"（{lost[0].problem}）"
        ref.problem = f"范围“{ref.text}”中的 {names} 在材料中找不到{why}"
        ref.sure = all(r.sure for r in lost)
    return ref


def _item_order(item_id: str) -> tuple[str, int]:
    mat, _, n = item_id.rpartition("-")
    return (mat, int(n) if n.isdigit() else 0)


def unsure_materials(cat: Catalogue, items: list[Item], documents: list[Document]) -> frozenset[str]:
    """Materials of which the package may hold more than the items recognised:
    a page of another material whose second reading is this one, or an
    unrecognised page in a folder that holds this material's items."""
    from zjcheck.evidence import policy
    margin = float(policy()["part_margin"])
    folders: dict[str, set[str]] = {}
    for it in items:
        for rel in it.paths:
            folders.setdefault(it.material, set()).add(rel.rsplit("/", 1)[0] if "/" in rel else "")
    out: set[str] = set()
    for d in documents:
        for p in d.pages:
            for mat, (score, _part) in p.alternatives.items():
                if mat != p.material and p.score - score <= margin:
                    out.add(mat)
            if p.material == "other":
                folder = d.rel.rsplit("/", 1)[0] if "/" in d.rel else ""
                out |= {m for m, fs in folders.items() if folder in fs}
    return frozenset(out)


def resolve_sheet(sheet: ScoreSheet, cat: Catalogue, items: list[Item], documents: list[Document]) -> None:
    """Resolve every item row's references (Ref.items, Ref.problem)."""
    known = {c for d in documents for c in PurePosixPath(d.rel).parts}
    unsure = unsure_materials(cat, items, documents)
    for row in sheet.item_rows:
        row.refs = []
        if not row.refs_text.strip():
            continue
        ci = cat.item(row.catalogue_id) if row.catalogue_id else None
        last: CatalogueItem | None = None
        for tok in split_refs(row.refs_text, known):
            ref = resolve(tok, cat, items, documents, ci, last, unsure)
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
    return any(r.problem != EMPTY_REF for r in row.refs)
