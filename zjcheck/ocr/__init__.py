"""OCR engines behind one small interface (as OCRmyPDF's engine plugins).

An engine reads one page image and returns lines with boxes and confidences;
it can also say how a page is rotated.  Engines register under the entry-point
group `zjcheck.ocr`; the built-in one is Tesseract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Protocol

from PIL import Image

from zjcheck.errors import UsageError
from zjcheck.model import Line


@dataclass
class OcrResult:
    lines: list[Line] = field(default_factory=list)
    conf: float | None = None       # mean confidence 0–100 over recognised words
    good_chars: int = 0             # characters read with confidence ≥ 60

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


class OcrEngine(Protocol):
    name: str

    def settings_key(self) -> str:
        """Engine, version, languages and options: part of the page-cache key."""
        ...

    def recognise(self, image: Image.Image) -> OcrResult:
        ...

    def orientation(self, image: Image.Image) -> int | None:
        """Clockwise degrees (0/90/180/270) that make the page upright, or None."""
        ...


def available() -> dict[str, str]:
    found = {"tesseract": "zjcheck.ocr.tesseract:TesseractEngine"}
    for ep in entry_points(group="zjcheck.ocr"):
        found.setdefault(ep.name, ep.value)
    return found


def get_engine(name: str) -> OcrEngine:
    engines = available()
    if name not in engines:
        raise UsageError(f"未知的 OCR 引擎：{name}；可用：{', '.join(engines)}")
    module, _, attr = engines[name].partition(":")
    import importlib
    cls = getattr(importlib.import_module(module), attr)
    return cls()
