"""Reading: the text of every page (PDF text layer, or OCR) and what the
page image shows (seals, ink), pages in parallel worker processes.

Each page is analysed once per content hash and settings; results are kept
in the page cache so an unchanged package is read again without OCR.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

import unicodedata
from functools import lru_cache

from zjcheck.cache import PageCache

from zjcheck.codes import finding
from zjcheck.model import Document, Finding, Line, Page, PageText, SourceFile

# pypdf reports damaged files ("EOF marker not found") through logging; the
# damage is the page's finding, not a line on the user's terminal
logging.getLogger("pypdf").addHandler(logging.NullHandler())
logging.getLogger("pypdf").propagate = False

MIN_LAYER_CHARS = 20       # a PDF page with fewer characters in its text layer is OCR'd
SEAL_DPI = 100             # pages with a text layer are rendered this small for seals
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


@dataclass(frozen=True)
class PageTask:
    key: tuple[int, int]      # (file index, page index)
    path: str
    kind: str                 # pdf or an image kind
    index: int
    dpi: int
    engine: str


@dataclass
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    pages_ocr: int = 0        # pages OCR'd in this run (0 when all came from the cache)
    pages_cached: int = 0
    unreadable: int = 0


# ---------------------------------------------------------------- worker side

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


def _pdf_layer_text(path: str, index: int) -> str:
    from pypdf import PdfReader
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        # some CID-font layers (fpdf2, a few office tools) decode with a NUL before every character
        return (reader.pages[index].extract_text() or "").replace("\x00", "")
    except Exception:    # a broken text layer is read by OCR instead
        return ""


def analyse_page(task: PageTask) -> tuple[tuple[int, int], PageText, bool]:
    """Read one page: (key, result, whether OCR ran).  Never raises."""
    from zjcheck.imaging import prepare, recover, render, seal
    try:
        if task.kind == "pdf":
            layer = repair_layer(_pdf_layer_text(task.path, task.index))
            if len("".join(layer.split())) >= MIN_LAYER_CHARS and layer_problem(layer) is None:
                img = render.render_pdf_page(task.path, task.index, SEAL_DPI)
                seals, others, like = seal.analyse(img)
                dpi = SEAL_DPI
                if seals:       # read the seals' rims on a sharper render
                    img = render.render_pdf_page(task.path, task.index, task.dpi)
                    seals, others, like = seal.analyse(img, seal.engine_reader(_engine(task.engine)))
                    dpi = task.dpi
                lines = [Line(t) for t in layer.splitlines() if t.strip()]
                return task.key, PageText(layer, "pdf-text", lines, width=img.width, height=img.height,
                                          dpi=dpi, seals=seals, red_marks=others, seal_like=like,
                                          gray=seal.is_gray(img), ink=_ink(img)), False
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
        lines = list(res.lines)
        if lines:
            lines += recover.recover(used, lines, engine.recognise)
        return task.key, PageText("\n".join(ln.text for ln in lines), "ocr", lines, conf=res.conf,
                                  good_chars=res.good_chars, rotation=rotation, width=img.width,
                                  height=img.height, dpi=dpi, seals=seals, red_marks=others,
                                  seal_like=like, gray=seal.is_gray(img),
                                  ink=round(ink, 4), paper=_paper(img)), True
    except Exception as e:  # noqa: BLE001 - any failure is the page's, reported as GEN001
        return task.key, PageText("", "none", error=f"{type(e).__name__}: {e}"), False


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


# ---------------------------------------------------------------- main side

@contextmanager
def spooled(files: list[SourceFile]) -> Iterator[dict[int, str]]:
    """Paths on disk for every file; archive members go to a private temp dir
    (never the evidence folder) that is removed afterwards."""
    tmp: str | None = None
    paths: dict[int, str] = {}
    try:
        for i, f in enumerate(files):
            if f.path is not None:
                paths[i] = str(f.path)
            else:
                if tmp is None:
                    tmp = tempfile.mkdtemp(prefix="zjcheck-")
                p = os.path.join(tmp, f"{i}-{f.sha256[:16]}{Path(f.rel).suffix[:8]}")
                fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(f.data or b"")
                paths[i] = p
        yield paths
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _pdf_pages(f: SourceFile, path: str) -> tuple[int, Finding | None]:
    """Page count, or the finding that says why the PDF cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unsupported crypto is still "encrypted"
                ok = 0
            if not ok:
                return 0, finding("GEN002", "PDF 设有打开密码，无法读取内容", path=f.rel)
        n = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError, RecursionError) as e:
        n = 0
        err: str = str(e) or type(e).__name__
        try:
            from zjcheck.imaging.render import pdf_page_count
            n = pdf_page_count(path)
        except Exception:  # noqa: BLE001
            return 0, finding("GEN001", f"PDF 文件已损坏或不完整，无法打开（{err[:80]}）", path=f.rel)
    if n == 0:
        return 0, finding("GEN001", "PDF 文件没有页面", path=f.rel)
    return n, None


def _office_text(f: SourceFile, path: str) -> tuple[list[str], Finding | None]:
    try:
        if f.kind == "docx":
            import docx
            d = docx.Document(path)
            parts = [p.text for p in d.paragraphs]
            for t in d.tables:
                for row in t.rows:
                    cells: list[str] = []
                    for c in row.cells:
                        if not cells or cells[-1] != c.text:
                            cells.append(c.text)
                    parts.append("\t".join(cells))
            return ["\n".join(parts)], None
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        pages = []
        for ws in wb.worksheets:
            rows = ["\t".join("" if v is None else str(v) for v in row)
                    for row in ws.iter_rows(values_only=True)]
            pages.append("\n".join(r for r in rows if r.strip()))
        wb.close()
        return pages or [""], None
    except Exception as e:  # noqa: BLE001 - a broken office file is GEN001
        return [], finding("GEN001", f"文档已损坏，无法打开（{type(e).__name__}）", path=f.rel)


def read_all(files: list[SourceFile], settings: ReadSettings, cache: PageCache,
             progress: Callable[[int, int], None] | None = None) -> ReadResult:
    out = ReadResult()
    docs: dict[int, Document] = {}
    texts: dict[int, list[PageText | None]] = {}
    tasks: list[PageTask] = []
    weight: dict[int, float] = {}
    with spooled(files) as paths:
        for i, f in enumerate(files):
            doc = Document(f)
            docs[i] = doc
            cached = cache.get(f.sha256)
            if cached is not None:
                texts[i] = list(cached)
                if f.kind not in ("docx", "xlsx"):
                    out.pages_cached += len(cached)
                continue
            if f.kind in ("docx", "xlsx"):
                pages, problem = _office_text(f, paths[i])
                if problem:
                    out.findings.append(problem)
                    doc.readable = False
                    out.unreadable += 1
                    continue
                texts[i] = [PageText(t, "doc-text", [Line(x) for x in t.splitlines() if x.strip()])
                            for t in pages]
                continue
            if f.kind == "pdf":
                n, problem = _pdf_pages(f, paths[i])
            else:
                try:
                    from zjcheck.imaging.render import image_frames
                    n, problem = image_frames(paths[i]), None
                except Exception as e:  # noqa: BLE001
                    n, problem = 0, finding("GEN001", f"图片已损坏，无法打开（{type(e).__name__}）", path=f.rel)
            if problem:
                out.findings.append(problem)
                doc.readable = False
                out.unreadable += 1
                continue
            texts[i] = [None] * n
            kind = "pdf" if f.kind == "pdf" else f.kind
            tasks.extend(PageTask((i, j), paths[i], kind, j, settings.dpi, settings.engine) for j in range(n))
            weight[i] = f.size / n
        # Longest first: a heavy scan left for last keeps one worker busy while
        # the others idle.  Bytes per page stand in for the cost (text-layer and
        # vector pages are small files and cheap to read).
        tasks.sort(key=lambda t: -weight[t.key[0]])
        total = len(tasks)
        if progress:
            progress(0, total)
        for done, (key, pt, ocr_ran) in enumerate(_run(tasks, settings.jobs), 1):
            texts[key[0]][key[1]] = pt
            out.pages_ocr += ocr_ran
            if progress:
                progress(done, total)
    for i, f in enumerate(files):
        doc = docs[i]
        pts = texts.get(i)
        if pts is None:
            out.documents.append(doc)
            continue
        page_texts: list[PageText] = [p if p is not None else PageText("", "none", error="未读取") for p in pts]
        cache.put(f.sha256, page_texts)
        errors = [p for p in page_texts if p.error]
        if errors and len(errors) == len(page_texts):
            out.findings.append(finding("GEN001", f"文件无法读取（{errors[0].error[:100]}）", path=f.rel))
            doc.readable = False
            out.unreadable += 1
        for j, pt in enumerate(page_texts):
            if pt.error and len(errors) < len(page_texts):
                out.findings.append(finding("GEN001", f"第 {j + 1} 页无法读取（{pt.error[:100]}）",
                                            path=f.rel, page=j + 1))
            doc.pages.append(Page(doc, j + 1, pt))
        sources = {p.source for p in page_texts if p.source != "none"}
        doc.text_source = sources.pop() if len(sources) == 1 else ("ocr" if "ocr" in sources else "none")  # type: ignore[assignment]
        out.documents.append(doc)
    return out


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
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_SHARED: SharedPool | None = None


@contextmanager
def shared_pool(jobs: int) -> Iterator[SharedPool | None]:
    """Within this block every read_all() uses the same worker pool."""
    global _SHARED
    if jobs <= 1:
        yield None
        return
    pool, previous = SharedPool(jobs), _SHARED
    _SHARED = pool
    try:
        yield pool
    finally:
        _SHARED = previous
        pool.close()


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker)


def _run(tasks: list[PageTask], jobs: int) -> Iterator[tuple[tuple[int, int], PageText, bool]]:
    if not tasks:
        return
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if _SHARED is not None:
        futures = [_SHARED.get().submit(analyse_page, t) for t in tasks]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            for fut in futures:
                fut.cancel()
        return
    if jobs <= 1 or len(tasks) == 1:
        for t in tasks:
            yield analyse_page(t)
        return
    with _new_pool(min(jobs, len(tasks))) as pool:
        futures = [pool.submit(analyse_page, t) for t in tasks]
        for fut in as_completed(futures):
            yield fut.result()


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
