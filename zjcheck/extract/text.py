"""Text with provenance: the lines of one or more pages, each knowing its
page, source and OCR confidence, so that any value found in them becomes a
`Fact` (zjcheck.evidence) that says where and how surely it was read.

    t = Text.of(*item.pages_with("certificate"))     # visual rows of OCR'd pages
    m = re.search(r"zl\\s*(\\d{12})", t.normed.s)
    fact = t.fact(m.group(1), t.normed, *m.span(1))

A `View` is the joined text in one normal form (`normed`: zjcheck.extract.norm
per line, lines joined by "\\n"; `squashed`: no whitespace at all), with the
offset at which each line starts, so a match anywhere maps back to its lines.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from zjcheck.evidence import Fact, FactSource, page_source
from zjcheck.extract.normalize import norm, squash
from zjcheck.model import Item, Page, visual_rows


@dataclass(frozen=True)
class TextLine:
    text: str
    page: Page | None
    conf: float | None                      # OCR confidence 0–100; None: text layer / typed
    box: tuple[int, int, int, int] | None = None
    source: FactSource = "text-layer"


@dataclass(frozen=True)
class View:
    s: str
    starts: tuple[int, ...]          # offset of each line in `s`

    def line_at(self, pos: int) -> int:
        return max(0, bisect_right(self.starts, pos) - 1)

    def lines_in(self, start: int, end: int) -> range:
        return range(self.line_at(start), self.line_at(max(start, end - 1)) + 1)

    def line(self, i: int) -> str:
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.s)
        return self.s[self.starts[i]:end].rstrip("\n")


def _view(lines: list[str], sep: str) -> View:
    starts, parts, pos = [], [], 0
    for ln in lines:
        starts.append(pos)
        parts.append(ln)
        pos += len(ln) + len(sep)
    return View(sep.join(parts), tuple(starts))


class Text:
    """Lines with provenance.  Build with `Text.of(pages)`, `Text.of_item(item)`
    or `Text.plain(text)` (pure-logic tests, typed cells)."""

    def __init__(self, lines: list[TextLine]) -> None:
        self.lines = lines

    @classmethod
    def of(cls, *pages: Page, rows: bool = True) -> Text:
        """The pages' lines; OCR'd pages as visual rows (a label beside its
        value, as printed) when `rows`, else in reading order."""
        out: list[TextLine] = []
        for page in pages:
            src = page_source(page)
            lines = page.content.lines
            if not lines and page.text:
                out.extend(TextLine(t, page, None, None, src) for t in page.text.splitlines())
                continue
            if rows and any(ln.box for ln in lines):
                lines = visual_rows(lines)
            for ln in lines:
                conf = ln.conf if src == "ocr" else None
                out.append(TextLine(ln.text, page, conf if conf is not None or src != "ocr" else page.content.conf,
                                    ln.box, src))
        return cls(out)

    @classmethod
    def of_item(cls, item: Item, *parts: str, rows: bool = True) -> Text:
        pages = [p for p in item.pages if not parts or set(parts) & set(p.parts)]
        return cls.of(*pages, rows=rows)

    @classmethod
    def plain(cls, text: str, source: FactSource = "text-layer", conf: float | None = None) -> Text:
        return cls([TextLine(t, None, conf, None, source) for t in text.splitlines()])

    def __bool__(self) -> bool:
        return any(ln.text.strip() for ln in self.lines)

    @cached_property
    def raw(self) -> View:
        return _view([ln.text for ln in self.lines], "\n")

    @cached_property
    def normed(self) -> View:
        return _view([norm(ln.text).replace("\n", " ") for ln in self.lines], "\n")

    @cached_property
    def squashed(self) -> View:
        return _view([squash(ln.text) for ln in self.lines], "")

    def fact(self, value: Any, view: View, start: int, end: int, *, valid: bool = True,
             factor: float = 1.0) -> Fact:
        """The fact of a value read at view.s[start:end]: as sure as the least
        sure line it spans (`factor` < 1 when the parser had to repair it)."""
        idx = list(view.lines_in(start, end)) if self.lines else []
        return self._fact(value, idx, raw=view.s[start:end], valid=valid, factor=factor)

    def line_fact(self, value: Any, i: int, *, valid: bool = True, factor: float = 1.0) -> Fact:
        return self._fact(value, [i], raw=self.lines[i].text if self.lines else None, valid=valid, factor=factor)

    def _fact(self, value: Any, idx: list[int], *, raw: str | None, valid: bool, factor: float) -> Fact:
        if not idx:
            return Fact(value, "derived", 0.0, raw=raw, valid=valid)
        lines = [self.lines[i] for i in idx]
        first = lines[0]
        source: FactSource = "ocr" if any(ln.source == "ocr" for ln in lines) else first.source
        if source == "ocr":
            confs = [ln.conf for ln in lines if ln.source == "ocr"]
            conf = min((c if c is not None else 0.0) for c in confs) / 100.0
        else:
            conf = 1.0
        page = first.page
        return Fact(value, source, round(conf * factor, 3), page.doc.rel if page else None,
                    page.number if page else None, first.box, raw, valid)
