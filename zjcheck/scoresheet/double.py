"""One piece of evidence cited under two catalogue items of the 量化评分表
(XDC005: points claimed twice).

What a row cites is what its references name *for that row*: a tag (专利-1)
or a title names its item outright; a path names the items in the files it
names — a file or folder that holds several pieces of evidence (the whole
package in one PDF) counts only with the pieces that belong to the row's
catalogue item, so citing one big file under every row is no double claim.
A file that holds no recognised evidence is cited as itself (the same page
twice).  Rows that share a catalogue item (sub-rows of 项目) and rows that
claim no points are left alone: only two different items, both scored, make
points counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zjcheck.catalogue import Catalogue
from zjcheck.model import Document, Item
from zjcheck.scoresheet.model import Ref, ScoreSheet, SheetRow


@dataclass
class Cited:
    """One piece of evidence (or one unrecognised file) and the rows citing it."""

    key: str                          # item id, or "file:<path>"
    label: str                        # how the message names it
    item: Item | None = None
    rows: list[SheetRow] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)


def _row_items(row: SheetRow) -> set[str]:
    return set(row.items or ([row.catalogue_id] if row.catalogue_id else []))


def _row_materials(row: SheetRow, cat: Catalogue) -> set[str]:
    out: set[str] = set()
    for cid in _row_items(row):
        ci = cat.item(cid)
        if ci is not None:
            out |= set(ci.materials)
    return out


def row_citations(row: SheetRow, cat: Catalogue, items: dict[str, Item],
                  documents: dict[str, Document]) -> list[tuple[str, Ref]]:
    """(key, reference) of every piece of evidence the row's own references name for it."""
    mats = _row_materials(row, cat)
    out: list[tuple[str, Ref]] = []
    for ref in row.refs:
        if ref.kind in ("tag", "title"):
            out.extend((i, ref) for i in ref.items if i in items)
        elif ref.kind in ("path", "range"):
            for rel in ref.files:
                doc = documents.get(rel)
                if doc is None:
                    continue
                held = sorted({p.item_id for p in doc.pages if p.item_id and p.item_id in items})
                if len(held) > 1:
                    held = [i for i in held if items[i].material in mats]
                if held:
                    out.extend((i, ref) for i in held)
                elif doc.readable and not any(p.item_id for p in doc.pages):
                    out.append((f"file:{rel}", ref))
    seen: set[str] = set()
    return [(k, r) for k, r in out if not (k in seen or seen.add(k))]     # type: ignore[func-returns-value]


def double_citations(sheet: ScoreSheet, cat: Catalogue, items: list[Item], documents: list[Document]) -> list[Cited]:
    """Pieces of evidence cited by scored rows of two (or more) different catalogue items."""
    by_id = {i.id: i for i in items}
    docs = {d.rel: d for d in documents}
    found: dict[str, Cited] = {}
    for row in sheet.item_rows:
        score = sheet.score_of(row)
        if not _row_items(row) or score is None or score <= 0:
            continue
        for key, ref in row_citations(row, cat, by_id, docs):
            it = by_id.get(key)
            if key not in found:
                label = (f"{key}（{'、'.join(it.paths[:2])}）" if it is not None else key.removeprefix("file:"))
                found[key] = Cited(key, label, it)
            c = found[key]
            if row not in c.rows:
                c.rows.append(row)
                c.refs.append(ref)
    out = []
    for c in found.values():
        groups = [_row_items(r) for r in c.rows]
        if len(c.rows) > 1 and any(not (a & b) for k, a in enumerate(groups) for b in groups[k + 1:]):
            out.append(c)
    return out
