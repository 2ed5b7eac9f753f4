"""Reading: the text of every page (PDF text layer, or OCR) and what the
page image shows (seals, ink), pages in parallel worker processes.

Each page is analysed once per content hash and settings; results are kept
in the page cache (each page as soon as it is read, so a killed run keeps
its work) and an unchanged package is read again without OCR.  Everything
that parses a file's contents runs in the workers, bounded by
zjcheck.limits; the main process only walks, hashes and decides.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import unicodedata
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from zjcheck import limits
from zjcheck.cache import PageCache
from zjcheck.codes import finding
from zjcheck.model import Document, Finding, Line, Page, PageText, SourceFile

# pypdf reports damaged files ("EOF marker not found") through logging; the
# damage is the page's finding, not a line on the user's terminal
logging.getLogger("pypdf").addHandler(logging.NullHandler())
logging.getLogger("pypdf").propagate = False

MIN_LAYER_CHARS = 20       # a PDF page with fewer characters in its text layer is OCR'd
SEAL_DPI = 100             # pages with a text layer are rendered this small for seals
INK_DPI = 36               # … and this small when they can hold no seal (black text only): for `ink`
LOW_TEXT_CHARS = 15        # fewer well-read characters than this on an inked page: GEN005
MIN_SIDE_PX = 500          # a page image narrower than this cannot carry legible A4 text
PAPER_MIN = 0.25           # a picture with less paper-like area than this is not a document
# A text layer is garbled (fonts without a usable ToUnicode map) when, of its
# visible characters, more than BAD_SHARE are control, private-use,
# unassigned or replacement characters, or more than SOUP_SHARE belong to
# scripts a Chinese document does not use (a CID read as a code point lands
# anywhere: Hangul, Yi, Cyrillic, box drawing …); or when, of its CJK
# characters (at least MIN_CJK), fewer than COMMON_SHARE are GB 2312 hanzi;
# or when a page without CJK is mostly symbols.  Such pages are OCR'd like
# scans; every other layer is kept (a journal PDF that breaks its lines at
# every formula is still right text).
BAD_SHARE = 0.05
SOUP_SHARE = 0.15
MIN_CJK = 20
COMMON_SHARE = 0.6
SYMBOL_SHARE = 0.35


@dataclass(frozen=True)
class ReadSettings:
    engine: str = "auto"
    dpi: int = 200
    jobs: int = max(1, os.cpu_count() or 1)


@dataclass
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    pages_ocr: int = 0        # pages OCR'd in this run (0 when all came from the cache)
    pages_cached: int = 0
    unreadable: int = 0


# ---------------------------------------------------------------- page analysis helpers

_ENGINES: dict[str, object] = {}


def _engine(name: str):  # type: ignore[no-untyped-def]
    if name not in _ENGINES:
        from zjcheck.ocr import get_engine
        _ENGINES[name] = get_engine(name)
    return _ENGINES[name]


def _ink(img: Image.Image) -> float:
    g = np.asarray(img.convert("L").resize((200, int(200 * img.height / max(img.width, 1)) or 1)))
    return float((g < 128).mean())


def _paper(img: Image.Image) -> float:
    """Share of paper-like pixels (light and unsaturated): high on any scan or
    photo of a document, low on a picture of something else (a landscape)."""
    hsv = np.asarray(img.convert("RGB").resize((160, max(1, int(160 * img.height / max(img.width, 1))))).convert("HSV"))
    return round(float(((hsv[..., 2] > 150) & (hsv[..., 1] < 64)).mean()), 3)


@lru_cache(maxsize=1)
def _common_hanzi() -> frozenset[str]:
    """The 6763 hanzi of GB 2312 (levels 1 and 2): real Chinese text is made of
    them almost entirely; a layer decoded through a wrong font map is not."""
    out = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(out)


_RADICALS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")
_LEADERS = set("….·-—_=~ ")


# Unicode blocks a Chinese document's text is made of (Greek and math for formulae)
_USUAL = ((0x20, 0x24F), (0x370, 0x3FF), (0x2000, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x27BF),
          (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3200, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
          (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x20000, 0x2FFFF))


def _usual(c: str) -> bool:
    o = ord(c)
    return any(a <= o <= b for a, b in _USUAL)


def repair_layer(text: str) -> str:
    """A text layer with Kangxi radicals or CJK compatibility ideographs where
    the unified hanzi belong (⼀ for 一, a common ToUnicode quirk) made plain;
    everything else unchanged."""
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def layer_problem(text: str) -> str | None:
    """Why a PDF page's text layer is not real text (None: it is usable)."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return None
    bad = sum(1 for c in chars if unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") or c == "\ufffd")
    if bad >= 5 and bad > BAD_SHARE * len(chars):
        return f"文字层含 {bad} 个控制、私用区或无法解码的字符"
    soup = sum(1 for c in chars if not _usual(c))
    if soup >= 10 and soup > SOUP_SHARE * len(chars):
        return f"文字层中有 {soup} 个字符属于中文文件不用的文字或符号区（字体编码映射错误）"
    cjk = [c for c in (unicodedata.normalize("NFKC", c) for c in chars)
           if "\u3400" <= c <= "\u9fff" or "\U00020000" <= c <= "\U0002ffff"]
    if len(cjk) >= MIN_CJK:
        common = _common_hanzi()
        share = sum(1 for c in cjk if c in common) / len(cjk)
        if share < COMMON_SHARE:
            return f"文字层的汉字中只有 {share:.0%} 是常用字（字体编码映射错误）"
    else:
        body = [c for c in chars if c not in _LEADERS]
        symbols = sum(1 for c in body if not (c.isalnum() or "\u3400" <= c <= "\u9fff"))
        if len(body) >= 20 and symbols > SYMBOL_SHARE * len(body):
            return f"文字层几乎全是符号（{symbols}/{len(body)}）"
    return None


# ---------------------------------------------------------------- worker side
#
# Everything that parses the evidence's contents (PDF structure, text layers,
# page rendering, image decoding, Office parts, OCR) runs in worker
# processes, each with its address space capped and every task with a CPU
# budget (zjcheck.limits): a bomb or a decoder crash ends a worker, never
# the run, and becomes a finding for its file or page.

@dataclass(frozen=True)
class FileTask:
    """Look at one file before its pages are read: page count, encryption,
    pixel limits; Office documents are read whole here."""

    index: int
    path: str
    kind: str


@dataclass(frozen=True)
class PageTask:
    key: tuple[int, int]      # (file index, page index)
    path: str
    kind: str                 # pdf or an image kind
    index: int
    dpi: int
    engine: str


@dataclass
class Probe:
    pages: int = 0                             # pages to read
    declared: int = 0                          # pages the file has (more than `pages` when capped)
    texts: list[PageText] | None = None        # Office documents: their text (no page tasks)
    problem: tuple[str, str] | None = None     # (code, message): the file cannot be read
    partial: tuple[str, str] | None = None     # (code, message): the file was read in part


Task = FileTask | PageTask


def _fail(code: str, message: str) -> PageText:
    """A page that could not be read, with the code of its finding."""
    return PageText("", "none", error=f"{code} {message}")


def _error_parts(error: str) -> tuple[str, str]:
    """(code, message) of a PageText.error (older errors carry no code: GEN001)."""
    code, _, rest = error.partition(" ")
    if re.fullmatch(r"GEN0\d\d", code):
        return code, rest
    return "GEN001", error


def _why(e: BaseException) -> tuple[str, str]:
    """(code, message) for an exception raised while reading."""
    if isinstance(e, limits.LimitExceeded):
        return e.code, str(e)
    if isinstance(e, MemoryError):
        return "GEN001", limits.out_of_memory(limits.worker_memory())
    if isinstance(e, RecursionError):
        return "GEN001", "文件结构嵌套过深（疑似损坏或恶意构造），无法读取：请重新导出"
    return "GEN001", f"{type(e).__name__}: {e}"[:160]


def _init_worker() -> None:
    limits.setup_worker()
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the main process's to handle
    # zjcheck's own handler (cli.py) must not run in a worker forked from a process that set it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def work(task: Task) -> tuple[Task, object, bool]:
    """Run one task in a worker: (task, Probe or PageText, whether OCR ran).  Never raises."""
    limits.start_budget()
    if isinstance(task, FileTask):
        try:
            return task, probe_file(task), False
        except BaseException as e:  # noqa: BLE001 - MemoryError too: the file's finding
            return task, Probe(problem=_why(e)), False
    if not isinstance(task, PageTask):          # another reader's task (zjcheck.tamper.inspect): it never raises
        return task, task.run(), False
    key, pt, ocr = analyse_page(task)
    limits.release_memory()
    return task, pt, ocr


@lru_cache(maxsize=2)
def _reader(path: str):  # type: ignore[no-untyped-def]
    """One pypdf reader per document (and worker), decrypted with the empty
    password when only an owner password is set: reading page k does not
    parse pages 1…k-1 again (a reader per page made a 2000-page PDF quadratic)."""
    from pypdf import PdfReader
    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def probe_file(task: FileTask) -> Probe:
    if task.kind in ("docx", "xlsx"):
        return _office(task)
    if task.kind == "pdf":
        return _probe_pdf(task.path)
    from zjcheck.imaging.render import image_frames
    n = image_frames(task.path)
    return _capped(n)


def _capped(n: int) -> Probe:
    if n > limits.PAGES:
        return Probe(pages=limits.PAGES, declared=n, partial=("GEN010", limits.too_many_pages(n)))
    return Probe(pages=n, declared=n)


def _probe_pdf(path: str) -> Probe:
    """Page count, or why the PDF cannot be read (GEN002: a password is needed to open it)."""
    from pypdf import PdfReader
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unsupported crypto is still "encrypted"
                ok = 0
            if not ok:
                return Probe(problem=("GEN002", "PDF 设有打开密码，无法读取内容"))
        n = len(reader.pages)
    except (MemoryError, limits.LimitExceeded):
        raise
    except Exception as e:  # noqa: BLE001 - pypdf's many ways to fail on a damaged file
        err: str = str(e) or type(e).__name__
        try:
            from zjcheck.imaging.render import pdf_page_count
            n = pdf_page_count(path)
        except Exception:  # noqa: BLE001
            return Probe(problem=("GEN001", f"PDF 文件已损坏或不完整，无法打开（{err[:80]}）"))
    if n == 0:
        return Probe(problem=("GEN001", "PDF 文件没有页面"))
    return _capped(n)


def pdf_page_problem(page) -> None:  # type: ignore[no-untyped-def]
    """Raise LimitExceeded when a PDF page is no document page: an absurd
    size, an image over the pixel limit, or a stream that decompresses past
    the limit (a flate bomb: a few MB that inflate to gigabytes).  Checked
    on the raw streams before pypdf or pdfium decode anything."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject
    box = page.mediabox
    w, h = float(box.width), float(box.height)
    if not (math.isfinite(w) and math.isfinite(h)) or max(abs(w), abs(h)) > limits.PDF_PAGE_POINTS:
        raise limits.LimitExceeded(f"页面尺寸异常（{abs(w):.0f}×{abs(h):.0f} 点，超过 200 英寸），未读取：请重新导出该 PDF")
    seen: set[int] = set()
    budget = [2000]                                   # objects looked at per page

    def stream(obj) -> None:  # type: ignore[no-untyped-def]
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen or budget[0] <= 0:
                return
            seen.add(obj.idnum)
            budget[0] -= 1
            obj = obj.get_object()
        if isinstance(obj, ArrayObject):
            for x in obj:
                stream(x)
            return
        if not isinstance(obj, StreamObject):
            return
        filters = obj.get("/Filter")
        first = filters[0] if isinstance(filters, ArrayObject) and filters else filters
        raw = getattr(obj, "_data", b"") or b""
        cap = limits.PDF_STREAM_BYTES
        if obj.get("/Subtype") == "/Image":
            from zjcheck.imaging.render import check_pixels
            try:
                iw, ih = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
                bpc = int(obj.get("/BitsPerComponent", 8) or 8)
            except (TypeError, ValueError):
                iw = ih = 0
                bpc = 8
            if iw > 0 and ih > 0:
                check_pixels(iw, ih)
                # an image's data is as large as its pixels (4 components at most: CMYK), no larger
                cap = max(cap, iw * ih * 4 * max(1, min(bpc, 16)) // 8 + (1 << 20))
            if first in ("/DCTDecode", "/DCT"):
                size = _jpeg_size(raw)
                if size:
                    check_pixels(*size)
        if first in ("/FlateDecode", "/Fl") and raw:
            n = limits.inflated_size((raw[i:i + (1 << 20)] for i in range(0, len(raw), 1 << 20)), cap)
            if n > cap:
                raise limits.LimitExceeded(limits.bomb(n, len(raw)).replace("解压后", "页面中的数据解压后超过"))
        resources = obj.get("/Resources")
        if isinstance(resources, (DictionaryObject, IndirectObject)):
            xobjects(resources)

    def xobjects(resources) -> None:  # type: ignore[no-untyped-def]
        res = resources.get_object() if isinstance(resources, IndirectObject) else resources
        if not isinstance(res, DictionaryObject):
            return
        xo = res.get("/XObject")
        xo = xo.get_object() if isinstance(xo, IndirectObject) else xo
        if isinstance(xo, DictionaryObject):
            for v in list(xo.values())[:500]:
                stream(v)

    stream(page.get("/Contents"))
    xobjects(page.get("/Resources"))


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) a JPEG declares in its SOF marker (what the decoder will
    allocate, whatever the PDF's /Width says), or None."""
    i = 2
    n = len(data)
    while i + 9 < n and data[i] == 0xFF:
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h = int.from_bytes(data[i + 5:i + 7], "big")
            w = int.from_bytes(data[i + 7:i + 9], "big")
            return (w, h) if w and h else None
        i += 2 + length
    return None


def _pdf_layer_text(path: str, index: int) -> str:
    page = _reader(path).pages[index]
    pdf_page_problem(page)
    try:
        # some CID-font layers (fpdf2, a few office tools) decode with a NUL before every character
        return (page.extract_text() or "").replace("\x00", "")[: limits.PAGE_CHARS]
    except (MemoryError, RecursionError):
        raise
    except Exception:    # noqa: BLE001 - a broken text layer is read by OCR instead
        return ""


_COLOUR_OPS = re.compile(rb"(?<![A-Za-z0-9_])(?:rg|RG|k|K|sc|scn|SC|SCN|cs|CS|sh|BI|Do)(?![A-Za-z0-9_])")


def _black_text_only(path: str, index: int) -> tuple[int, int] | None:
    """The page's size in pixels at SEAL_DPI when the page can hold no seal:
    no annotation, no image or form, no shading or pattern, and no operator
    that sets a colour (the default is black).  Such pages (a journal's text
    PDF, a 2000-page book) need no render for seal detection; any other page
    returns None and is rendered."""
    from pypdf.generic import DictionaryObject
    try:
        page = _reader(path).pages[index]
        if page.get("/Annots"):
            return None
        res = page.get("/Resources")
        res = res.get_object() if res is not None else None
        if isinstance(res, DictionaryObject) and any(res.get(k) for k in ("/XObject", "/Shading", "/Pattern")):
            return None
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        if _COLOUR_OPS.search(data):
            return None
        box = page.cropbox
        w, h = float(box.width), float(box.height)
        if int(page.get("/Rotate", 0) or 0) % 180:
            w, h = h, w
        return round(w * SEAL_DPI / 72), round(h * SEAL_DPI / 72)
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - not sure: render the page
        return None


def _imghash(img: Image.Image) -> str | None:
    """The page's perceptual hash (BAT001 across applicants); None if it cannot be made."""
    from zjcheck.imaging.phash import page_hash
    try:
        return page_hash(img)
    except Exception:  # noqa: BLE001 - a hash is a hint for the batch, never a reason to lose the page
        return None


def _lines(text: str) -> list[Line]:
    return [Line(t) for t in text.splitlines()[: limits.PAGE_LINES] if t.strip()]


def analyse_page(task: PageTask) -> tuple[tuple[int, int], PageText, bool]:
    """Read one page: (key, result, whether OCR ran).  Never raises."""
    from zjcheck.imaging import prepare, recover, render, seal
    try:
        if task.kind == "pdf":
            try:
                layer = repair_layer(_pdf_layer_text(task.path, task.index))
            except (limits.LimitExceeded, MemoryError, RecursionError):
                raise
            except Exception:  # noqa: BLE001 - pypdf cannot read the page: pdfium may
                layer = ""
            if len("".join(layer.split())) >= MIN_LAYER_CHARS and layer_problem(layer) is None:
                size = _black_text_only(task.path, task.index)
                if size is not None:       # no colour, image or annotation: no seal can be there
                    img = render.render_pdf_page(task.path, task.index, INK_DPI)
                    return task.key, PageText(layer, "pdf-text", _lines(layer), width=size[0], height=size[1],
                                              dpi=SEAL_DPI, ink=_ink(img), imghash=_imghash(img)), False
                img = render.render_pdf_page(task.path, task.index, SEAL_DPI)
                seals, others, like = seal.analyse(img)
                dpi = SEAL_DPI
                if seals:       # read the seals' rims on a sharper render
                    img = render.render_pdf_page(task.path, task.index, task.dpi)
                    seals, others, like = seal.analyse(img, seal.engine_reader(_engine(task.engine)))
                    dpi = task.dpi
                return task.key, PageText(layer, "pdf-text", _lines(layer), width=img.width, height=img.height,
                                          dpi=dpi, seals=seals, red_marks=others, seal_like=like,
                                          gray=seal.is_gray(img), ink=_ink(img), imghash=_imghash(img)), False
            img = render.render_pdf_page(task.path, task.index, task.dpi)
            dpi = task.dpi
        else:
            img = render.load_image(task.path, task.index)
            dpi = render.image_dpi(task.path)
        engine = _engine(task.engine)
        seals, others, like = seal.analyse(img, seal.engine_reader(engine))
        ink = _ink(img)
        gray = prepare.for_ocr(img)
        res = engine.recognise(gray)
        rotation, used = 0, gray
        if res.good_chars < 40 and ink > 0.002:
            rot = engine.orientation(gray)
            if rot:
                turned = gray.rotate(-rot, expand=True)
                alt = engine.recognise(turned)
                if alt.good_chars > res.good_chars:
                    res, rotation, used = alt, rot, turned
        lines = list(res.lines)[: limits.PAGE_LINES]
        if lines:
            lines += recover.recover(used, lines, engine.recognise)
        return task.key, PageText("\n".join(ln.text for ln in lines)[: limits.PAGE_CHARS], "ocr", lines,
                                  conf=res.conf, good_chars=res.good_chars, rotation=rotation, width=img.width,
                                  height=img.height, dpi=dpi, seals=seals, red_marks=others,
                                  seal_like=like, gray=seal.is_gray(img),
                                  ink=round(ink, 4), paper=_paper(img),
                                  imghash=_imghash(img.rotate(-rotation, expand=True) if rotation else img)), True
    except BaseException as e:  # noqa: BLE001 - any failure is the page's (GEN001/GEN010), MemoryError too
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return task.key, _fail(*_why(e)), False


# ---------------------------------------------------------------- Office documents

def _office_bounds(path: str) -> None:
    """Refuse a .docx/.xlsx whose parts declare more than an Office file
    holds (python-docx and openpyxl load parts whole; zipfile never
    inflates a part past its declared size)."""
    import zipfile
    from zjcheck.filetypes import zip_entries
    with open(path, "rb") as f:
        n = zip_entries(f)
    if n is None:
        raise zipfile.BadZipFile("no end of central directory")     # damaged: GEN001, not a limit
    if n > limits.OFFICE_PARTS:
        raise limits.LimitExceeded(f"文档内部有 {n} 个部件，超过上限 {limits.OFFICE_PARTS} 个，未读取：请用 Office 重新另存")
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    total = sum(i.file_size for i in infos)
    big = max(infos, key=lambda i: i.file_size, default=None)
    if big is not None and big.file_size > limits.OFFICE_PART_BYTES:
        raise limits.LimitExceeded(
            f"文档中的“{big.filename[:40]}”解压后 {limits.size(big.file_size)}，超过上限 "
            f"{limits.size(limits.OFFICE_PART_BYTES)}（疑似压缩炸弹），未读取：请用 Office 重新另存，或另存为 PDF")
    if total > limits.OFFICE_BYTES:
        raise limits.LimitExceeded(f"文档解压后共 {limits.size(total)}，超过上限 {limits.size(limits.OFFICE_BYTES)}，"
                                   f"未读取：请压缩文档中的图片，或另存为 PDF")


def _office(task: FileTask) -> Probe:
    try:
        _office_bounds(task.path)
        if task.kind == "docx":
            import docx
            d = docx.Document(task.path)
            parts = [p.text for p in d.paragraphs]
            for t in d.tables:
                for row in t.rows:
                    cells: list[str] = []
                    for c in row.cells:
                        if not cells or cells[-1] != c.text:
                            cells.append(c.text)
                    parts.append("\t".join(cells))
            texts, partial = ["\n".join(parts)], None
        else:
            texts, partial = _sheets(task.path)
    except (limits.LimitExceeded, MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - a broken office file is GEN001
        return Probe(problem=("GEN001", f"文档已损坏，无法打开（{type(e).__name__}）"))
    pts = [PageText(t[: limits.PAGE_CHARS], "doc-text", _lines(t)) for t in texts] or [PageText("", "doc-text")]
    return Probe(pages=len(pts), declared=len(pts), texts=pts, partial=partial)


def _sheets(path: str) -> tuple[list[str], tuple[str, str] | None]:
    """The text of each worksheet, rows × columns bounded: a sheet may
    declare a million rows of 16384 columns in a few KB."""
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    pages: list[str] = []
    partial = None
    try:
        for ws in wb.worksheets[:50]:
            rows: list[str] = []
            seen = 0
            declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
            if declared_rows > limits.SHEET_ROWS or declared_cols > limits.SHEET_COLUMNS:
                partial = ("GEN010", f"表格“{str(ws.title)[:30]}”声明了 {declared_rows} 行 × {declared_cols} 列，"
                                     f"超过上限（{limits.SHEET_ROWS} 行、{limits.SHEET_COLUMNS} 列），只读取了前面部分："
                                     f"请删除多余的行列后另存，或另存为 PDF")
            width = min(declared_cols or limits.SHEET_COLUMNS, limits.SHEET_COLUMNS)
            for row in ws.iter_rows(values_only=True, max_col=width):
                seen += 1
                if seen > 10 * limits.SHEET_ROWS or len(rows) >= limits.SHEET_ROWS:
                    partial = partial or ("GEN010", f"表格“{str(ws.title)[:30]}”超过 {limits.SHEET_ROWS} 行，只读取了前面部分："
                                         f"请删除多余的行后另存，或另存为 PDF")
                    break
                if any(v is not None and v != "" for v in row):
                    line = "\t".join("" if v is None else str(v) for v in row)
                    if line.strip():
                        rows.append(line if declared_cols else line.rstrip("\t"))
            pages.append("\n".join(rows))
    finally:
        wb.close()
    return pages or [""], partial


# ---------------------------------------------------------------- main side

@contextmanager
def spooled(files: list[SourceFile]) -> Iterator[dict[int, str]]:
    """Paths on disk for every file; archive members go to a private temp dir
    (never the evidence folder) that is removed afterwards, also when the run
    is stopped (Ctrl-C, SIGTERM: see cli.py).  A member that cannot be
    copied (the zip changed under the run) has no path."""
    import zipfile
    tmp: str | None = None
    paths: dict[int, str] = {}
    archives: dict[str, zipfile.ZipFile] = {}
    try:
        for i, f in enumerate(files):
            if f.path is not None and f.data is None:
                paths[i] = str(f.path)
                continue
            if tmp is None:
                clean_stale_temp()
                tmp = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
            p = os.path.join(tmp, f"{i}-{f.sha256[:16]}{Path(f.rel).suffix[:8]}")
            try:
                fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    archive = getattr(f, "archive", None)
                    if archive is not None:
                        key = str(archive)
                        if key not in archives:
                            archives[key] = zipfile.ZipFile(archive)
                        f.copy_to(out.write, archives[key])   # type: ignore[attr-defined]
                    else:
                        out.write(f.read_bytes())
                paths[i] = p
            except Exception:  # noqa: BLE001 - the file's finding is made by read_all
                with suppress(OSError):
                    os.unlink(p)
        yield paths
    finally:
        for z in archives.values():
            z.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


TEMP_PREFIX = "zjcheck-"


def _ours(path: str) -> bool:
    return re.fullmatch(rf"{TEMP_PREFIX}(\d+)-\w+", os.path.basename(path)) is not None


MAX_SOCKET_DIR = 80        # multiprocessing puts "listener-xxxxxxxx" under it; AF_UNIX paths stop at 107 bytes


def _short_temp() -> str:
    for d in ("/tmp", "/dev/shm", "/var/tmp"):
        if os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK):
            return d
    return tempfile.gettempdir()


def clean_stale_temp() -> None:
    """Remove temp copies left by runs of this user that were killed
    (SIGKILL leaves no chance to clean up): zjcheck-<pid>-… of dead pids."""
    root = os.path.dirname(tempfile.gettempdir()) if _ours(tempfile.gettempdir()) else tempfile.gettempdir()
    for folder in dict.fromkeys((root, _short_temp())):
        _clean_in(folder)


def _clean_in(root: str) -> None:
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        m = re.fullmatch(rf"{TEMP_PREFIX}(\d+)-\w+", name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        path = os.path.join(root, name)
        try:
            if os.lstat(path).st_uid != os.getuid():
                continue
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


@contextmanager
def private_temp() -> Iterator[str]:
    """A temp folder of this run (zjcheck-<pid>-…) that every temp file of the
    run goes into, also those of multiprocessing (pymp-…) and of the worker
    processes (TMPDIR), removed when the run ends in any way; one left by a
    killed run is removed by the next (clean_stale_temp)."""
    from multiprocessing import process
    clean_stale_temp()
    old_dir, old_env = tempfile.tempdir, os.environ.get("TMPDIR")
    path = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
    tempfile.tempdir = path
    os.environ["TMPDIR"] = path
    # multiprocessing's own temp folder (the forkserver's socket) inside ours: it
    # then registers no exit handler that would look for a folder we removed
    config = process.current_process()._config          # type: ignore[attr-defined]
    mp_dir = None
    if config.get("tempdir") is None:
        mp_dir = os.path.join(path, "mp")
        if len(mp_dir) <= MAX_SOCKET_DIR:
            os.mkdir(mp_dir, 0o700)
        else:      # a socket path must fit in 108 bytes: a deep TMPDIR would stop the forkserver
            mp_dir = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=_short_temp())
        config["tempdir"] = mp_dir
    try:
        yield path
    finally:
        tempfile.tempdir = old_dir
        if old_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_env
        if mp_dir is not None and config.get("tempdir") == mp_dir:
            config["tempdir"] = None
        if mp_dir is not None:
            shutil.rmtree(mp_dir, ignore_errors=True)
        shutil.rmtree(path, ignore_errors=True)


def read_all(files: list[SourceFile], settings: ReadSettings, cache: PageCache,
             progress: Callable[[int, int], None] | None = None, pool: SharedPool | None = None) -> ReadResult:
    """Every page of every file, from the cache or read in worker processes
    (`pool`: the caller's, kept across runs; otherwise one for this call)."""
    out = ReadResult()
    docs: dict[int, Document] = {}
    texts: dict[int, list[PageText | None]] = {}
    partial: dict[int, tuple[str, str]] = {}
    probes: list[FileTask] = []
    with spooled(files) as paths, Runner(settings.jobs, pool) as runner:
        for i, f in enumerate(files):
            docs[i] = Document(f)
            cached = cache.get(f.sha256)
            if cached is not None:
                texts[i] = list(cached)
                if f.kind not in ("docx", "xlsx"):
                    out.pages_cached += len(cached)
            elif i not in paths:
                _unreadable(out, docs[i], ("GEN001", "文件在检查过程中被改动或无法复制，未读取：请在检查结束前不要修改材料"))
            else:
                probes.append(FileTask(i, paths[i], f.kind))
        tasks: list[PageTask] = []
        weight: dict[int, float] = {}
        budget = limits.PACKAGE_PAGES - sum(len(t) for t in texts.values())
        for task, res, _ocr in runner.run(probes):
            i = task.index
            f, probe = files[i], res
            assert isinstance(probe, Probe)
            if probe.problem or probe.partial:
                _limit(f, (probe.problem or probe.partial)[1])      # type: ignore[index]
            if probe.problem:
                _unreadable(out, docs[i], probe.problem)
                continue
            if probe.texts is not None:
                texts[i] = list(probe.texts)
                if probe.partial:
                    partial[i] = probe.partial
                else:
                    cache.put(f.sha256, probe.texts)
                continue
            n = probe.pages
            if n > budget:
                n = max(0, budget)
                probe.partial = ("GEN010", f"材料总页数超过上限 {limits.PACKAGE_PAGES} 页：此文件共 {probe.declared} 页，"
                                           f"只读取了前 {n} 页，请只上传申报需要的页面")
                if n == 0:
                    _unreadable(out, docs[i], probe.partial)
                    continue
            budget -= n
            if probe.partial:
                partial[i] = probe.partial
            texts[i] = [cache.get_page(f.sha256, j) for j in range(n)]
            out.pages_cached += sum(1 for p in texts[i] if p is not None)
            kind = "pdf" if f.kind == "pdf" else f.kind
            tasks.extend(PageTask((i, j), paths[i], kind, j, settings.dpi, settings.engine)
                         for j in range(n) if texts[i][j] is None)
            weight[i] = f.size / max(n, 1)
        # Longest first: a heavy scan left for last keeps one worker busy while
        # the others idle.  Bytes per page stand in for the cost (text-layer and
        # vector pages are small files and cheap to read).  Pages of one file
        # stay together (one reader per document in each worker).
        tasks.sort(key=lambda t: (-weight[t.key[0]], t.key))
        total = len(tasks)
        if progress:
            progress(0, total)
        for done, (task, pt, ocr_ran) in enumerate(runner.run(tasks), 1):
            assert isinstance(task, PageTask) and isinstance(pt, PageText)
            i, j = task.key
            texts[i][j] = pt
            out.pages_ocr += ocr_ran
            if not pt.error and i not in partial:
                cache.put_page(files[i].sha256, j, pt)      # a run killed now keeps this page
            if progress:
                progress(done, total)
        from zjcheck.tamper.inspect import inspect_all
        inspect_all(files, paths, texts, runner.run, cache)      # signs of editing (TMP001-TMP005)
    for i, f in enumerate(files):
        doc = docs[i]
        pts = texts.get(i)
        if pts is None:
            out.documents.append(doc)
            continue
        page_texts: list[PageText] = [p if p is not None else _fail("GEN001", "未读取") for p in pts]
        if i not in partial and f.kind not in ("docx", "xlsx"):
            cache.put(f.sha256, page_texts)
        if i in partial:
            out.findings.append(finding(partial[i][0], partial[i][1], path=f.rel))
        errors = [p for p in page_texts if p.error]
        if errors and len(errors) == len(page_texts):
            code, message = _error_parts(errors[0].error or "")
            out.findings.append(finding(code, f"文件无法读取（{message}）" if code == "GEN001" else message,
                                        path=f.rel))
            doc.readable = False
            out.unreadable += 1
        for j, pt in enumerate(page_texts):
            if pt.error and len(errors) < len(page_texts):
                code, message = _error_parts(pt.error)
                out.findings.append(finding(code, f"第 {j + 1} 页无法读取（{message}）" if code == "GEN001"
                                            else f"第 {j + 1} 页：{message}", path=f.rel, page=j + 1))
            doc.pages.append(Page(doc, j + 1, pt))
        sources = {p.source for p in page_texts if p.source != "none"}
        doc.text_source = sources.pop() if len(sources) == 1 else ("ocr" if "ocr" in sources else "none")  # type: ignore[assignment]
        out.documents.append(doc)
    return out


def _limit(f: SourceFile, why: str) -> None:
    """Mark a file that hit a limit so that no later reader (a checker that
    parses the workbook itself, the HTML report) opens it again."""
    if hasattr(f, "limited"):
        f.limited = why        # type: ignore[attr-defined]


def _unreadable(out: ReadResult, doc: Document, problem: tuple[str, str]) -> None:
    out.findings.append(finding(problem[0], problem[1], path=doc.rel))
    doc.readable = False
    out.unreadable += 1


class SharedPool:
    """One set of OCR worker processes for many runs (zjcheck batch): started
    on first use, so a batch served entirely from the page cache starts none."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _new_pool(self.jobs)
        return self._pool

    def reset(self) -> None:
        """Drop the pool (after a worker died); the next run starts a new one."""
        if self._pool is not None:
            _kill(self._pool)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@contextmanager
def shared_pool(jobs: int) -> Iterator[SharedPool]:
    """A worker pool for several read_all() calls (a batch of applicants):
    pass it as read_all(..., pool=pool); closed when the block ends."""
    pool = SharedPool(max(1, jobs))
    try:
        yield pool
    except BaseException:
        pool.reset()            # stopped (Ctrl-C, SIGTERM): end the workers now, do not wait for them
        raise
    finally:
        pool.close()


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker)


def _kill(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now (a stuck or stopped run), without waiting for their tasks."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        with suppress(Exception):
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with suppress(Exception):
            p.join(5)


class Runner:
    """Runs tasks in worker processes and survives them: a worker that dies
    (a decoder's abort, the CPU budget's SIGXCPU, the kernel's OOM kill) or
    hangs (no task finished for limits.wall_seconds()) is replaced, and the
    tasks it may have held are run again one at a time, so that the one that
    kills a worker is known and becomes a finding for its page or file."""

    def __init__(self, jobs: int, shared: SharedPool | None = None) -> None:
        self.jobs = max(1, jobs)
        self.shared = shared          # a pool the caller keeps across runs (a batch), or None
        self._pool: ProcessPoolExecutor | None = None
        self._solo: ProcessPoolExecutor | None = None
        self.suspect = False          # a worker died: run the rest one at a time

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        for pool in (self._pool, self._solo):
            if pool is None:
                continue
            if exc_type is None:
                pool.shutdown(wait=True, cancel_futures=True)
            else:
                _kill(pool)           # stopped: do not wait for pages nobody will read
        if exc_type is not None and self.shared is not None:
            self.shared.reset()

    def _shared(self) -> ProcessPoolExecutor:
        if self.shared is not None:
            return self.shared.get()
        if self._pool is None:
            self._pool = _new_pool(self.jobs)
        return self._pool

    def _drop_shared(self) -> None:
        if self.shared is not None:
            self.shared.reset()
        elif self._pool is not None:
            _kill(self._pool)
            self._pool = None

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, object, bool]]:
        if not tasks:
            return
        os.environ["OMP_THREAD_LIMIT"] = "1"
        pending = list(tasks)
        if not self.suspect:
            pending = yield from self._together(pending)
        for task in pending:
            yield self._alone(task)

    def _together(self, tasks: list[Task]) -> Generator[tuple[Task, object, bool], None, list[Task]]:
        """All tasks on the pool; returns those left unfinished when a worker died or hung."""
        pool = self._shared()
        futures = {pool.submit(work, t): t for t in tasks}
        left = set(futures)
        handed: set[Future[tuple[Task, object, bool]]] = set()
        try:
            while left:
                done, left = wait(left, timeout=limits.wall_seconds(), return_when=FIRST_COMPLETED)
                if not done:
                    raise TimeoutError
                for fut in done:
                    res = _result(fut, futures[fut])
                    handed.add(fut)
                    yield res
        except (BrokenProcessPool, TimeoutError):
            self.suspect = True
            self._drop_shared()
            rest = [f for f in futures if f not in handed]
            good = [f for f in rest if f.done() and not f.cancelled() and f.exception() is None]
            for fut in good:
                yield fut.result()
            return [futures[f] for f in rest if f not in good]
        finally:
            for fut in left:
                fut.cancel()
        return []

    def _alone(self, task: Task) -> tuple[Task, object, bool]:
        """One task on a one-worker pool: when the worker dies, this task killed it."""
        if self._solo is None:
            self._solo = _new_pool(1)
        pool = self._solo
        fut = pool.submit(work, task)
        procs = list((getattr(pool, "_processes", None) or {}).values())
        try:
            wait([fut], timeout=limits.wall_seconds())
            if not fut.done():
                raise TimeoutError
            return _result(fut, task)
        except (BrokenProcessPool, TimeoutError) as e:
            timed_out = isinstance(e, TimeoutError)
            _kill(pool)
            self._solo = None
            code = next((p.exitcode for p in procs if p.exitcode), None)
            message = _death(code, timed_out)
            if isinstance(task, FileTask):
                return task, Probe(problem=("GEN001", message)), False
            return task, _fail("GEN001", message), False


def _result(fut: Future[tuple[Task, object, bool]], task: Task) -> tuple[Task, object, bool]:
    """A finished task's result; a result that did not come back (it could not
    be pickled …) is the task's failure.  A dead pool is raised."""
    try:
        return fut.result()
    except BrokenProcessPool:
        raise
    except Exception as e:  # noqa: BLE001
        why = _why(e)
        if isinstance(task, FileTask):
            return task, Probe(problem=why), False
        return task, _fail(*why), False


def _death(exitcode: int | None, timed_out: bool) -> str:
    """Why a worker died, for the finding (see zjcheck.limits)."""
    if timed_out or exitcode == -signal.SIGXCPU:
        return limits.out_of_time(limits.page_seconds())
    if exitcode == -signal.SIGKILL:
        return limits.out_of_memory(limits.worker_memory())
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(exitcode)
        return limits.crashed(f"{name}，可能是内存超限或文件损坏")
    return limits.crashed(f"退出码 {exitcode}")


def low_text_pages(doc: Document) -> list[Page]:
    """Pages too small, blurred or faint to read (GEN005): an inked page where
    OCR found too little, or a picture too small to hold legible text.  A
    large picture with no paper in it (a landscape) is no document at all:
    not GEN005 (see `is_picture`)."""
    out = []
    for p in doc.pages:
        c = p.content
        if c.source != "ocr":
            continue
        tiny = 0 < min(c.width, c.height) < MIN_SIDE_PX and c.good_chars < 50
        if tiny or (c.ink > 0.002 and c.good_chars < LOW_TEXT_CHARS and not is_picture(p)):
            out.append(p)
    return out


def is_picture(page: Page) -> bool:
    """A photo of something that is not a document: large enough to be read,
    next to nothing read on it, and hardly any paper-like area."""
    c = page.content
    return (c.source == "ocr" and c.paper is not None and c.paper < PAPER_MIN
            and min(c.width, c.height) >= MIN_SIDE_PX and c.good_chars < LOW_TEXT_CHARS)
