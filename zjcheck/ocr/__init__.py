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

    def recognise(self, image: Image.Image, block: bool = False) -> OcrResult:
        """Read a page; `block=True`: the image is one block of short lines
        (the strip of skipped snippets that zjcheck.imaging.recover builds)."""
        ...

    def orientation(self, image: Image.Image) -> int | None:
        """Clockwise degrees (0/90/180/270) that make the page upright, or None."""
        ...


BUILTIN = {
    "tesseract": "zjcheck.ocr.tesseract:TesseractEngine",
    "rapidocr": "zjcheck.ocr.rapidocr:RapidOcrEngine",     # optional extra: zjcheck[rapidocr]
}
# `--ocr auto`: the first engine here whose packages are installed.  RapidOCR
# reads the rendered certificates better at a similar speed (bench/README.md).
AUTO_ORDER = ("rapidocr", "tesseract")
_NEEDS = {"rapidocr": ("rapidocr", "onnxruntime")}


def available() -> dict[str, str]:
    """Engine name -> "module:Class" (built-in ones and the `zjcheck.ocr` entry points)."""
    found = dict(BUILTIN)
    for ep in entry_points(group="zjcheck.ocr"):
        found.setdefault(ep.name, ep.value)
    return found


def installed(name: str) -> bool:
    """Whether the packages an engine needs can be imported (without importing them)."""
    from importlib.util import find_spec
    return all(find_spec(m) is not None for m in _NEEDS.get(name, ()))


def resolve(name: str) -> str:
    """The concrete engine for a name; `auto` picks the first installed one of AUTO_ORDER.
    A name may carry an engine option after a colon (`rapidocr:onnxruntime`: the backend)."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        return next((n for n in AUTO_ORDER if installed(n)), "tesseract")
    return name


def get_engine(name: str) -> OcrEngine:
    engines = available()
    name, _, option = resolve(name).partition(":")
    if name not in engines:
        raise UsageError(f"未知的 OCR 引擎：{name}；可用：{', '.join([*engines, 'auto'])}")
    module, _, attr = engines[name].partition(":")
    import importlib
    try:
        cls = getattr(importlib.import_module(module), attr)
    except ImportError as e:
        raise UsageError(f"OCR 引擎 {name} 无法加载（缺少 {e.name}）：请安装它，或改用 --ocr tesseract") from e
    if not option:
        return cls()
    try:
        return cls(option)
    except TypeError:
        raise UsageError(f"OCR 引擎 {name} 没有选项（{option}）") from None
