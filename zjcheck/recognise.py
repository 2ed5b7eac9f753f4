"""Recognition: which material and part each page is, and which pages form an item.

Page level first (keywords, number patterns, seals, with folder and file
names as hints; data/materials.toml), then grouping pages into items: one
paper spread over five files, or five patents in one PDF.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from zjcheck.materials import MaterialSpec, PartSpec, recognition
from zjcheck.model import Document, Item, Page
from zjcheck.extract import fuzzy_contains, norm, squash

STRONG_W, WEAK_W, PATTERN_W, NEGATIVE_W, PATH_W, SEAL_W = 3.0, 1.0, 3.0, 6.0, 2.0, 2.0
MIN_TEXT_SCORE = 3.0     # path hints alone never decide a page


def _hits(patterns: tuple[re.Pattern[str], ...], text: str, cap: int = 4) -> int:
    n = 0
    for p in patterns:
        if p.search(text):
            n += 1
            if n >= cap:
                break
    return n


def _word_hits(words: tuple[str, ...], text: str, cap: int = 4, fuzzy: bool = False) -> int:
    n = 0
    for w in words:
        if (fuzzy_contains(w, text) if fuzzy else w in text):
            n += 1
            if n >= cap:
                break
    return n


def score_part(part: PartSpec, mat: MaterialSpec, text: str, path: str, seals: int) -> tuple[float, float]:
    """(total score, score from the page's own text) of one part for one page."""
    t = STRONG_W * _word_hits(part.strong, text, fuzzy=True) + WEAK_W * _word_hits(part.weak, text)
    t += PATTERN_W * _hits(part.patterns, text, cap=3)
    t -= NEGATIVE_W * _word_hits(part.negative, text, cap=3)
    if part.seal_bonus and seals:
        t += SEAL_W
    total = t
    if any(h and h in path for h in mat.path_hints):
        total += PATH_W
    if any(h and h in path for h in part.path_hints):
        total += PATH_W
    return total, t


def classify_page(page: Page) -> None:
    """Set page.material, page.parts and page.score from its text and path."""
    rec = recognition()
    text = norm(page.text)
    path = norm(page.doc.rel)
    seals = len(page.content.seals)
    scored: list[tuple[float, float, PartSpec]] = []
    for mat in rec.materials.values():
        if mat.id == "other":
            continue
        for part in mat.parts.values():
            total, own = score_part(part, mat, text, path, seals)
            if own >= MIN_TEXT_SCORE:
                scored.append((total, own, part))
    if not scored:
        page.material, page.parts, page.score = "other", [], 0.0
        return
    scored.sort(key=lambda s: (-s[0], -s[1]))
    alternatives: dict[str, tuple[float, str]] = {}
    for total, _own, part in scored:
        alternatives.setdefault(part.material, (total, part.id))
    page.alternatives = alternatives
    best_total, _, best = scored[0]
    if best_total < rec.min_score:
        page.material, page.parts, page.score = "other", [], best_total
        return
    page.material = best.material
    page.score = best_total
    page.parts = [best.id] + [p.id for t, _, p in scored[1:]
                              if p.material == best.material and t >= rec.also_score and p.id != best.id]


SWITCH_MARGIN = 6.0   # how much better another material may score before a page leaves its file's


def classify_document(doc: Document) -> None:
    """Classify each page; a page with no cues that follows a recognised page
    of the same file continues it (a paper's second page of body text); a page
    that scores nearly as well for the material most of its file is (the
    signature page of a 劳动合同 also looks like a contract's 盖章页) joins it."""
    rec = recognition()
    for page in doc.pages:
        classify_page(page)
    counts = Counter(p.material for p in doc.pages if p.material != "other")
    if len(counts) > 1:
        dominant, n = counts.most_common(1)[0]
        if n > len(doc.pages) / 2:
            for page in doc.pages:
                alt = page.alternatives.get(dominant)
                if page.material not in ("other", dominant) and alt and page.score - alt[0] <= SWITCH_MARGIN \
                        and alt[0] >= rec.min_score:
                    page.material, page.parts, page.score = dominant, [alt[1]], alt[0]
    _lone_pages(doc)
    prev: Page | None = None
    for page in doc.pages:
        if page.material == "other" and prev is not None and prev.material != "other" \
                and page.content.text.strip():
            mat = rec.materials[prev.material]
            spec = mat.parts.get(prev.parts[0]) if prev.parts else None
            cont = prev.parts[0] if spec is not None and spec.continues else mat.continuation
            if cont is None and spec is not None and not spec.starts_item:
                cont = prev.parts[0]
            if cont:
                page.material, page.parts, page.score = prev.material, [cont], 0.0
        if page.material != "other":
            prev = page


def _lone_pages(doc: Document) -> None:
    """A page that cannot start an item (a seal or signature page, a contract's
    other clauses) and is the only page of its material in a file whose other
    pages are all of one material it also scores for, is that material's page:
    the signature page of a labour contract, page 2 of a 社保 certificate, is no
    project of its own, however many 盖章/签字 cues it has."""
    rec = recognition()
    for page in doc.pages:
        if page.material == "other" or not page.parts:
            continue
        others = [p.material for p in doc.pages if p is not page and p.material != "other"]
        if not others or len(set(others)) != 1 or page.material in others:
            continue
        home = others[0]
        part = rec.materials[page.material].parts.get(page.parts[0])
        alt = page.alternatives.get(home)
        if part is not None and not part.starts_item and alt:
            page.material, page.parts, page.score = home, [alt[1]], alt[0]


# ---------------------------------------------------------------- grouping

_CN_ORD = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


def name_hint(rel: str, mat: MaterialSpec) -> str | None:
    """The item number a path gives, e.g. 论文1/…, 专利-2.pdf, 项目二 -> "1", "2"."""
    words = [h for h in mat.path_hints if h]
    if not words:
        return None
    rx = re.compile("(?:" + "|".join(re.escape(w) for w in words) + r")\s*[-_ ]?\s*(\d{1,3}|[一二三四五六七八九十]{1,2})(?!\d)")
    parts = PurePosixPath(norm(rel)).parts
    for comp in (PurePosixPath(parts[-1]).stem, *reversed(parts[:-1])):
        m = rx.search(comp)
        if m:
            g = m.group(1)
            return str(int(g)) if g.isdigit() else str(_CN_ORD.get(g[0], 0) if len(g) == 1 else g)
    return None


def identity(pages: list[Page], mat: MaterialSpec) -> str | None:
    for page in pages:
        text = norm(page.text)
        for rx in mat.identity:
            m = rx.search(text)
            if m:
                return squash(m.group(1) if m.groups() else m.group(0)).replace("·", ".")
    return None


@dataclass
class _Segment:
    pages: list[Page]
    dir: str
    hint: str | None
    ident: str | None
    starts: set[str] = field(default_factory=set)


def _segments(pages: list[Page], mat: MaterialSpec) -> list[_Segment]:
    """Runs of pages of one file, cut where an item-starting part repeats."""
    segs: list[_Segment] = []
    by_doc: dict[str, list[Page]] = defaultdict(list)
    for p in pages:
        by_doc[p.doc.rel].append(p)
    for rel, doc_pages in by_doc.items():
        cur: list[Page] = []
        seen_start: set[str] = set()
        for p in doc_pages:
            main = p.parts[0] if p.parts else None
            # a starting part read only faintly (a body page's running head looking like a
            # cover) does not cut a file in two where the material asks for a surer start
            is_start = bool(main and mat.parts.get(main) and mat.parts[main].starts_item) \
                and p.score >= mat.start_score
            # a part that 'continues' and fills several pages in a row (a 论文集's cover
            # and title page, a journal's front and back cover) is one part, not two items
            if is_start and cur and mat.parts[main].continues and cur[-1].parts[:1] == [main]:
                is_start = False
            if cur and is_start and (main in seen_start or mat.grouping == "file" and seen_start):
                segs.append(_seg(cur, rel, mat, seen_start))
                cur, seen_start = [], set()
            cur.append(p)
            if is_start:
                seen_start.add(main)
        if cur:
            segs.append(_seg(cur, rel, mat, seen_start))
    return segs


def _seg(pages: list[Page], rel: str, mat: MaterialSpec, starts: set[str]) -> _Segment:
    return _Segment(list(pages), str(PurePosixPath(rel).parent), name_hint(rel, mat),
                    identity(pages, mat), set(starts))


def _merge_file(segs: list[_Segment]) -> list[list[_Segment]]:
    groups: list[list[_Segment]] = []
    for s in segs:
        for g in groups:
            if s.ident and any(o.ident == s.ident for o in g):
                g.append(s)
                break
            if s.hint and all(o.dir == s.dir and o.hint == s.hint for o in g) \
                    and not (s.ident and any(o.ident and o.ident != s.ident for o in g)):
                g.append(s)
                break
        else:
            groups.append([s])
    return groups


def _whole(pages: list[Page], mat: MaterialSpec) -> bool:
    """Whether pages look like an item of their own: two or more parts that are no attachments
    (a cover with its 目录 or body), not one starting page beside another item's files."""
    return len({p.parts[0] for p in pages if p.parts and p.parts[0] not in mat.attachments}) >= 2


def _merge_folder(segs: list[_Segment], mat: MaterialSpec | None = None) -> list[list[_Segment]]:
    by_key: dict[tuple[str, str | None], list[_Segment]] = defaultdict(list)
    for s in segs:
        by_key[(s.dir, s.hint)].append(s)
    groups: list[list[_Segment]] = []
    for members in by_key.values():
        cur: list[_Segment] = []
        starts: set[str] = set()
        ident: str | None = None
        for s in members:
            clash = bool(s.starts & starts) or bool(s.ident and ident and s.ident != ident)
            if clash and mat is not None and mat.attachments \
                    and not (_whole(s.pages, mat) and _whole([p for x in cur for p in x.pages], mat)):
                clash = False       # a folder is one item unless it clearly holds several
            if cur and clash:
                groups.append(cur)
                cur, starts, ident = [], set(), None
            cur.append(s)
            starts |= s.starts
            ident = ident or s.ident
        if cur:
            groups.append(cur)
    return groups


_WINDOW = 10           # CJK characters of a line (a title) an attachment must share with its item
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{%d,}" % _WINDOW)


def _join_keys(pages: list[Page], mat: MaterialSpec) -> set[str]:
    keys: set[str] = set()
    for p in pages:
        t = squash(p.text)
        for rx in mat.join_keys:
            keys.update(re.sub(r"[^0-9x]", "", m.group(1) if m.groups() else m.group(0)) for m in rx.finditer(t))
    return keys


def _join_attachments(groups: list[list[_Segment]], mat: MaterialSpec) -> list[list[_Segment]]:
    """A group made only of attachment parts (a CIP lookup screenshot, a 出版证明
    saved beside the book's own folder) is no item of its own: it joins the one
    group it names (the same ISBN in `join_keys`, or a long line of its text, such
    as the title, found in that group's text), or, with `join_only`, the only group
    when the package holds one and nothing contradicts it.  Otherwise it stays apart, and its
    checker must not take it for a complete item with missing parts."""
    if not mat.attachments:
        return groups

    def pages(g: list[_Segment]) -> list[Page]:
        return [p for s in g for p in s.pages]

    def attachment_only(g: list[_Segment]) -> bool:
        return all(p.parts and p.parts[0] in mat.attachments for p in pages(g))

    core = [g for g in groups if not attachment_only(g)]
    if not core or len(core) == len(groups):
        return groups
    core_keys = [_join_keys(pages(g), mat) for g in core]
    core_text = ["".join(squash(p.text) for p in pages(g)) for g in core]
    out = list(core)
    loose: list[list[_Segment]] = []
    for g in groups:
        if attachment_only(g):
            loose.extend([s] for s in g)        # each file on its own: two lookups may name two books
    rest: list[list[_Segment]] = []
    for g in loose:
        keys = _join_keys(pages(g), mat)
        windows = {run[k:k + _WINDOW] for p in pages(g) for line in p.text.splitlines()
                   for run in _CJK_RUN.findall(squash(line)) for k in range(len(run) - _WINDOW + 1)}
        named = [i for i in range(len(core)) if keys & core_keys[i]]
        if not named:
            named = [i for i in range(len(core)) if any(w in core_text[i] for w in windows)]
        if len(named) == 1:
            core[named[0]].extend(g)
        elif not named and mat.join_only and len(core) == 1 \
                and not (keys and core_keys[0] and not keys & core_keys[0]):
            core[0].extend(g)
        elif rest and rest[-1][0].dir == g[0].dir and rest[-1][0].hint == g[0].hint:
            rest[-1].extend(g)                  # what joins nothing stays together as before
        else:
            rest.append(g)
    return out + rest


_NUMBER_RUN = re.compile(r"\d+|[一二三四五六七八九十]{1,3}")


def natural_key(rel: str) -> tuple[tuple[int, object], ...]:
    """A path's sort key with its numbers as numbers, Chinese ones too, so
    论文二 comes before 论文三 and 论文10 after 论文9 (items are numbered in
    this order, and the score sheet cites them by number)."""
    from zjcheck.extract import to_int
    out: list[tuple[int, object]] = []      # numbers (0, n) before text (1, s), as digits before letters
    pos = 0
    for m in _NUMBER_RUN.finditer(rel):
        if m.start() > pos:
            out.append((1, rel[pos:m.start()]))
        n = to_int(m.group(0))
        out.append((0, n) if n is not None else (1, m.group(0)))
        pos = m.end()
    if pos < len(rel):
        out.append((1, rel[pos:]))
    return tuple(out)


def group(pages: list[Page]) -> list[Item]:
    """Group recognised pages into items, numbered per material in path order."""
    rec = recognition()
    by_mat: dict[str, list[Page]] = defaultdict(list)
    for p in pages:
        if p.material != "other":
            by_mat[p.material].append(p)
    items: list[Item] = []
    for mid, mpages in by_mat.items():
        mat = rec.materials[mid]
        if mat.grouping == "single":
            groups = [[_Segment(mpages, "", None, None)]]
        else:
            segs = _segments(mpages, mat)
            groups = _merge_file(segs) if mat.grouping == "file" else _merge_folder(segs, mat)
            groups = _join_attachments(groups, mat)
        for n, g in enumerate(sorted(groups, key=lambda g: (natural_key(g[0].pages[0].doc.rel),
                                                            g[0].pages[0].number)), 1):
            item = Item(id=f"{mid}-{n}", material=mid,
                        pages=[p for s in g for p in s.pages])
            for p in item.pages:
                p.item_id = item.id
            items.append(item)
    order = {m: i for i, m in enumerate(rec.materials)}
    items.sort(key=lambda it: (order.get(it.material, 99), int(it.id.rsplit("-", 1)[1])))
    return items
