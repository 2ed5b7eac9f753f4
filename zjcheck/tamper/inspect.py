"""Looking for signs of editing on every page, in the reading workers.

`inspect_all` is called by zjcheck.read.read_all once the pages are read: one
`InspectTask` per page not yet in the marks cache runs in the same worker
pool (same limits: a file that kills a worker is that page's loss, not the
run's), and each page's `PageText.marks` is filled.  Marks are cached per
file content beside the page cache (their own entry: a change here does not
invalidate OCR results).

`marks` of a page (all optional):

- ``file`` (first page only): pdf.file_marks / image.file_marks
- ``codes``: barcodes read [{format, text, box}]
- ``covered``, ``fonts``: pdf.page_marks, boxes in page pixels; ``runs``: the
  text runs of a text-layer page that may carry a code (where a printed value is)
- ``seals``: [{box, red, flat, aspect}] (seals.signature of each detected seal)
- ``error``: why the page could not be inspected (nothing is said about it)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zjcheck import limits

if TYPE_CHECKING:
    from zjcheck.cache import PageCache
    from zjcheck.model import PageText, SourceFile

SCHEMA = 7                 # bump when what a page's marks hold changes
QR_DPI = 200               # text-layer pages with a square picture are rendered this sharp to read a code
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class InspectTask:
    key: tuple[int, int]              # (file index, page index)
    path: str
    kind: str                         # pdf or an image kind
    index: int
    first: bool                       # the file's first page: also the file's own marks
    source: str                       # how the page was read (pdf-text / ocr)
    frame: tuple[int, int]            # the analysed page's size in pixels (boxes are in it)
    dpi: int
    rotation: int                     # degrees the page was turned (clockwise) before OCR
    seals: tuple[Box, ...]            # seals found on the page (pixels of the analysed image)

    def run(self) -> dict[str, Any]:
        """The page's marks; never raises (a failure is the page's `error`)."""
        try:
            return inspect_page(self)
        except (MemoryError, RecursionError) as e:
            return {"error": type(e).__name__}
        except Exception as e:  # noqa: BLE001 - nothing found is nothing said
            return {"error": f"{type(e).__name__}: {e}"[:200]}


def inspect_page(task: InspectTask) -> dict[str, Any]:
    from zjcheck.imaging import render
    from zjcheck.tamper import codes, image, pdf, seals
    marks: dict[str, Any] = {}
    if task.first:
        try:
            marks["file"] = pdf.file_marks(task.path) if task.kind == "pdf" else image.file_marks(task.path)
        except (MemoryError, limits.LimitExceeded):
            raise
        except Exception as e:  # noqa: BLE001 - a file whose history cannot be read says nothing
            marks["file"] = {"error": f"{type(e).__name__}"}
    img = None
    W, H = task.frame
    if task.kind == "pdf":
        look_for_code = task.source != "pdf-text"
        if task.source == "pdf-text":
            pm = pdf.page_marks(task.path, task.index)
            to_px = points_to_pixels(pm["page_box"], pm["rotation"], task.frame)
            if to_px is not None:
                marks["covered"] = [{**c, "box": to_px(c["box"]), "over_boxes": [to_px(b) for b in c["over_boxes"]]}
                                    for c in pm["covered"]]
                marks["fonts"] = [{**c, "box": to_px(c["box"])} for c in pm["fonts"]]
                if pm.get("runs"):
                    marks["runs"] = [{**c, "box": to_px(c["box"])} for c in pm["runs"]]
            look_for_code = pm["square_images"] > 0
        # seals drawn into a generated PDF are electronic seals, the same image by design: not compared
        scanned_seals = task.seals if task.source != "pdf-text" else ()
        if look_for_code or scanned_seals:
            dpi = max(task.dpi, QR_DPI) if look_for_code else task.dpi
            img = render.render_pdf_page(task.path, task.index, dpi or QR_DPI)
    else:
        img = render.load_image(task.path, task.index)
    if img is None or not W or not H:
        return marks
    sx, sy = W / img.width, H / img.height
    found = codes.decode(img, turned=task.rotation % 360 != 0)
    if found:
        marks["codes"] = [{**c, "box": _turn(_scale(c["box"], sx, sy), task.rotation, W, H)} for c in found]
    sigs = []
    for box in (task.seals if task.source != "pdf-text" else ())[:12]:
        sig = seals.signature(img, _scale(box, 1 / sx, 1 / sy))
        if sig is not None:
            sigs.append({"box": _turn(box, task.rotation, W, H), **sig})
    if sigs:
        marks["seals"] = sigs
    return marks


def _scale(box: Any, sx: float, sy: float) -> Box:
    return (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy)


def _turn(box: Box, rotation: int, W: int, H: int) -> list[float]:
    """A box of the page as analysed (W×H) in the frame turned `rotation`
    degrees clockwise, as the OCR lines are (zjcheck.report.html)."""
    x0, y0, x1, y1 = box
    r = rotation % 360
    if r == 90:
        x0, y0, x1, y1 = H - y1, x0, H - y0, x1
    elif r == 180:
        x0, y0, x1, y1 = W - x1, H - y1, W - x0, H - y0
    elif r == 270:
        x0, y0, x1, y1 = y0, W - x1, y1, W - x0
    return [round(float(v), 1) for v in (x0, y0, x1, y1)]


def points_to_pixels(page_box: list[float], rotation: int,
                      frame: tuple[int, int]) -> Callable[[list[float]], list[float]] | None:
    """PDF points (left, bottom, right, top) -> pixels of the page image; None for turned pages."""
    left, bottom, right, top = page_box
    W, H = frame
    if rotation % 360 or right <= left or top <= bottom or not W or not H:
        return None
    sx, sy = W / (right - left), H / (top - bottom)

    def to_px(b: list[float]) -> list[float]:
        return [round((b[0] - left) * sx, 1), round((top - b[3]) * sy, 1),
                round((b[2] - left) * sx, 1), round((top - b[1]) * sy, 1)]
    return to_px


# ---------------------------------------------------------------- main side

def _cache(cache: PageCache) -> PageCache | None:
    from zjcheck.cache import PageCache
    if cache.dir is None:
        return None
    return PageCache(cache.dir, f"tamper-{SCHEMA}|{cache.settings}")


def _get(tc: PageCache | None, sha: str) -> list[dict[str, Any]] | None:
    import json
    if tc is None:
        return None
    try:
        raw = json.loads(tc._path(sha).read_text("utf-8"))
        marks = raw["marks"]
        return marks if isinstance(marks, list) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def inspect_all(files: list[SourceFile], paths: dict[int, str], texts: dict[int, list[PageText | None]],
                run: Callable[[list[Any]], Any], cache: PageCache) -> None:
    """Fill `marks` of every page read (from the marks cache, or by running
    InspectTasks through `run`, the reader's worker pool)."""
    tc = _cache(cache)
    tasks: list[InspectTask] = []
    todo: dict[int, int] = {}
    for i, f in enumerate(files):
        pts = texts.get(i)
        if not pts or f.kind in ("docx", "xlsx"):
            continue
        cached = _get(tc, f.sha256)
        if cached is not None and len(cached) == len(pts):
            for pt, m in zip(pts, cached):
                if pt is not None:
                    pt.marks = m if isinstance(m, dict) else {}
            continue
        if i not in paths:
            continue
        kind = "pdf" if f.kind == "pdf" else f.kind
        for j, pt in enumerate(pts):
            if pt is None or pt.error:
                continue
            tasks.append(InspectTask((i, j), paths[i], kind, j, j == 0, pt.source, (pt.width, pt.height), pt.dpi,
                                     pt.rotation, tuple(tuple(float(v) for v in s.box) for s in pt.seals)))  # type: ignore[misc]
            todo[i] = todo.get(i, 0) + 1
    if not tasks:
        return
    failed: set[int] = set()
    for task, res, _ in run(tasks):
        i, j = task.key
        pt = texts[i][j]
        if isinstance(res, dict) and "error" not in res:
            pt.marks = res                           # type: ignore[union-attr]
        else:
            failed.add(i)
    if tc is None:
        return
    for i in todo:
        if i not in failed and all(p is not None and not p.error for p in texts[i]):
            tc._write(tc._path(files[i].sha256), {"marks": [p.marks for p in texts[i]]})  # type: ignore[union-attr]
