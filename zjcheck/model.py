"""The data that flows through the pipeline: files, pages, items, findings.

walk -> SourceFile; read -> Document(pages); recognise -> Page.material/parts;
group -> Item; check -> Finding.  Everything here is plain data so that it can
cross process boundaries and be written as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
TextSource = Literal["pdf-text", "doc-text", "ocr", "none"]

MATERIALS: tuple[str, ...] = (
    "education", "title", "pension", "employment", "cont_edu", "paper", "book",
    "patent", "standard", "project", "honor", "assessment", "summary",
    "score_sheet", "other",
)


@dataclass
class SourceFile:
    """One file of the evidence package, as found by the walker."""

    rel: str                      # path relative to the evidence root, '/'-separated
    kind: str                     # pdf, image, docx, xlsx, or an unsupported kind
    mime: str
    size: int
    sha256: str
    data: bytes | None = None     # bytes for archive members; None: read from `path`
    path: Path | None = None      # on disk, for folder input

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


@dataclass
class Line:
    text: str
    box: tuple[int, int, int, int] | None = None   # x0, y0, x1, y1 in page pixels
    conf: float | None = None


def visual_rows(lines: list[Line]) -> list[Line]:
    """Merge lines whose boxes share most of their height into one row."""
    boxed = sorted((ln for ln in lines if ln.box), key=lambda ln: (ln.box[1] + ln.box[3]) / 2)  # type: ignore[index]
    rows: list[list[Line]] = []
    for ln in boxed:
        y0, y1 = ln.box[1], ln.box[3]  # type: ignore[index]
        if rows:
            r0 = min(x.box[1] for x in rows[-1])  # type: ignore[index]
            r1 = max(x.box[3] for x in rows[-1])  # type: ignore[index]
            overlap = min(y1, r1) - max(y0, r0)
            if overlap > 0.5 * min(y1 - y0, r1 - r0):
                rows[-1].append(ln)
                continue
        rows.append([ln])
    out: list[Line] = []
    for row in rows:
        row.sort(key=lambda x: x.box[0])  # type: ignore[index]
        confs = [x.conf for x in row if x.conf is not None]
        box = (min(x.box[0] for x in row), min(x.box[1] for x in row),  # type: ignore[index]
               max(x.box[2] for x in row), max(x.box[3] for x in row))  # type: ignore[index]
        out.append(Line("  ".join(x.text for x in row), box, min(confs) if confs else None))
    return out


@dataclass
class Seal:
    box: tuple[int, int, int, int]
    shape: str            # round / ellipse / square (a 法人名章 or a personal seal)
    score: float
    colour: float = 0.0   # how surely the ink is red (0-1)
    text: str | None = None          # the unit's name read around the rim; None: not read
    text_conf: float | None = None   # the OCR confidence of `text` (0-100)


@dataclass
class PageText:
    """What reading one page produced; cached on disk as JSON."""

    text: str
    source: TextSource
    lines: list[Line] = field(default_factory=list)
    conf: float | None = None          # mean word confidence (OCR only)
    good_chars: int = 0                # characters read with confidence >= 60 (OCR only)
    ink: float = 0.0                   # share of dark pixels: 0 means a blank page
    rotation: int = 0                  # degrees applied before OCR (clockwise)
    width: int = 0                     # analysed image size in pixels
    height: int = 0
    dpi: int = 0
    seals: list[Seal] = field(default_factory=list)
    red_marks: int = 0                 # red blobs that are not seal-shaped
    seal_like: int = 0                 # of those, red marks of a seal's size (maybe a seal, unconfirmed)
    gray: bool = False                 # the page image has no colour (a black-and-white scan)
    paper: float | None = None         # share of paper-like pixels (light, unsaturated); None: not measured
    error: str | None = None           # why the page could not be read
    imghash: str | None = None         # perceptual hash of the page image (zjcheck.imaging.phash), for BAT001
    # signs of editing seen on the page (zjcheck.tamper.inspect); cached on their own, not in to_json
    marks: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text, "source": self.source, "conf": self.conf,
            "good_chars": self.good_chars, "ink": self.ink,
            "rotation": self.rotation, "width": self.width, "height": self.height,
            "dpi": self.dpi, "red_marks": self.red_marks, "error": self.error, "paper": self.paper,
            "seal_like": self.seal_like, "gray": self.gray, "imghash": self.imghash,
            "lines": [[ln.text, list(ln.box) if ln.box else None, ln.conf] for ln in self.lines],
            "seals": [[list(s.box), s.shape, s.score, s.colour, s.text, s.text_conf] for s in self.seals],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PageText:
        return cls(
            text=d["text"], source=d["source"], conf=d.get("conf"),
            good_chars=d.get("good_chars", 0), ink=d.get("ink", 0.0),
            rotation=d.get("rotation", 0), width=d.get("width", 0),
            height=d.get("height", 0), dpi=d.get("dpi", 0),
            red_marks=d.get("red_marks", 0), error=d.get("error"), paper=d.get("paper"),
            seal_like=d.get("seal_like", 0), gray=d.get("gray", False), imghash=d.get("imghash"),
            lines=[Line(t, tuple(b) if b else None, c) for t, b, c in d.get("lines", [])],
            seals=[Seal(tuple(s[0]), *s[1:]) for s in d.get("seals", [])],
        )


@dataclass(eq=False)   # compared by identity: a page is itself, not its equal content
class Page:
    doc: Document
    number: int                          # 1-based
    content: PageText
    material: str = "other"
    parts: list[str] = field(default_factory=list)   # first is the main part
    score: float = 0.0                   # recognition confidence
    item_id: str | None = None
    alternatives: dict[str, tuple[float, str]] = field(default_factory=dict)  # material -> (score, part)

    @property
    def text(self) -> str:
        return self.content.text

    @property
    def row_text(self) -> str:
        """The page's OCR lines regrouped into visual rows (left to right).

        Tesseract reads a ruled table or a label/value certificate column by
        column; a row of 姓名 | 周建华 | 项目负责人 comes back as three blocks.
        Rows rebuilt from the line boxes put each label beside its value.
        Text-layer pages (no boxes) return their text unchanged."""
        return "\n".join(ln.text for ln in visual_rows(self.content.lines)) if any(
            ln.box for ln in self.content.lines) else self.text

    @property
    def ref(self) -> str:
        return f"{self.doc.rel}#{self.number}" if self.doc.pages and len(self.doc.pages) > 1 else self.doc.rel


@dataclass(eq=False)   # compared by identity: a page is itself, not its equal content
class Document:
    file: SourceFile
    pages: list[Page] = field(default_factory=list)
    text_source: TextSource = "none"
    readable: bool = True

    @property
    def rel(self) -> str:
        return self.file.rel


@dataclass(eq=False)   # compared by identity: a page is itself, not its equal content
class Item:
    """One piece of evidence (a paper, a patent, a contract) made of pages."""

    id: str                   # e.g. paper-1
    material: str
    pages: list[Page] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)   # parsed by the checker
    provenance: dict[str, Any] = field(default_factory=dict)  # fact key -> zjcheck.evidence.Fact

    def fact(self, key: str) -> Any:
        """The Fact (value with provenance) behind facts[key], or None."""
        return self.provenance.get(key)

    def parts(self) -> set[str]:
        return {p for page in self.pages for p in page.parts}

    def pages_with(self, part: str) -> list[Page]:
        return [p for p in self.pages if part in p.parts]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)

    @property
    def paths(self) -> list[str]:
        seen: dict[str, None] = {}
        for p in self.pages:
            seen.setdefault(p.doc.rel, None)
        return list(seen)


@dataclass
class Finding:
    code: str
    severity: Severity
    material: str
    message: str
    path: str | None = None
    page: int | None = None
    item: str | None = None          # catalogue item id
    evidence: str | None = None      # evidence item id (paper-1)
    fix: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "severity": self.severity, "material": self.material,
            "item": self.item, "evidence": self.evidence, "path": self.path,
            "page": self.page, "message": self.message, "fix": self.fix,
            **({"data": self.data} if self.data else {}),
        }


@dataclass
class Profile:
    """Who the applicant is; from zjcheck.toml, CLI options or inference."""

    name: str | None = None
    id_number: str | None = None
    employer: str | None = None
    title_date: date | None = None
    graduation_date: date | None = None
    route: str = "常规"                    # 常规 or 破格
    sources: dict[str, str] = field(default_factory=dict)  # field -> profile/cli/inferred
    inferred_from: dict[str, str] = field(default_factory=dict)  # inferred field -> material it was read on
    facts: dict[str, Any] = field(default_factory=dict)  # inferred field -> zjcheck.evidence.Fact
