"""Helpers for pure-logic tests: items and contexts built from text, no OCR."""

from __future__ import annotations

from datetime import date
from typing import Any

from zjcheck import catalogue
from zjcheck.model import Document, Item, Line, Page, PageText, Profile, SourceFile
from zjcheck.pipeline import set_facts
from zjcheck.plugins import Context


def make_page(text: str, parts: list[str], material: str, rel: str = "x.pdf", number: int = 1,
              source: str = "ocr", conf: float = 90.0, seals: int = 0) -> Page:
    from zjcheck.model import Seal
    # a content hash of its own per page: pages compare unequal without walking
    # Document.pages (dataclass __eq__ would recurse through page -> doc -> pages)
    sf = SourceFile(rel=rel, kind="pdf", mime="application/pdf", size=1, sha256=f"{rel}#{number}")
    doc = Document(sf)
    lines = [Line(t, None, conf) for t in text.splitlines() if t.strip()]
    pt = PageText(text, source, lines, conf=conf, good_chars=len(text),  # type: ignore[arg-type]
                  seals=[Seal((0, 0, 10, 10), "round", 0.9)] * seals)
    page = Page(doc, number, pt, material=material, parts=list(parts), score=10)
    doc.pages.append(page)
    return page


def make_item(material: str, pages: list[tuple[str, list[str]]], item_id: str | None = None,
              rel: str = "x.pdf") -> Item:
    ps = [make_page(t, parts, material, rel=rel, number=n) for n, (t, parts) in enumerate(pages, 1)]
    item = Item(item_id or f"{material}-1", material, ps)
    for p in ps:
        p.item_id = item.id
    return item


PROFILE = dict(name="周建华", employer="浙江恒锐机电科技有限公司", title_date=date(2019, 12, 20),
               graduation_date=date(2007, 6, 30), route="常规")


def make_context(items: list[Item] | None = None, **profile: Any) -> Context:
    prof = Profile(**{**PROFILE, **profile})
    return Context(profile=prof, catalogue=catalogue.load(), items=list(items or []),
                   documents=[p.doc for it in (items or []) for p in it.pages])


def run_checker(module: Any, items: list[Item], **profile: Any) -> list:
    """facts() then check(), as the pipeline does; returns the findings."""
    ctx = make_context(items, **profile)
    for it in items:
        set_facts(it, module.facts(it, ctx))
    return list(module.check(items, ctx))


def codes(findings: list) -> list[str]:
    return sorted(f.code for f in findings)
