"""RapidOCR (PP-OCR detection + recognition models run by OpenVINO or onnxruntime).

The models ship inside the `rapidocr` wheel; they are passed by explicit
path so the library never reaches its download code (no network, nothing
written into site-packages), and the visualiser (which downloads a font) is
never called.

Backend (bench/README.md): OpenVINO where its CPU plugin computes in
bfloat16 (CPUs with AVX512-BF16 or AMX): it reads the compliant package's
pages in about 0.6x onnxruntime's time, also with two workers once its
inference threads are no longer pinned (both workers' threads were pinned
to the same core).  Elsewhere onnxruntime, which OpenVINO in float32 does not
beat.  Both are main dependencies.  The backend, its version and the
precision are part of the settings key (the page cache never mixes them).
`ZJCHECK_RAPIDOCR_BACKEND=onnxruntime|openvino` or `--ocr rapidocr:openvino`
chooses one.

One instance per worker process; the backend and OpenCV get one thread each
(ZJCHECK_OCR_THREADS overrides) because parallelism comes from the page
workers, as with Tesseract.

RapidOCR returns text *segments* (one per detected box).  They are put back
into reading order as lines: a page with a prose gutter is read column by
column, segments on one row are joined left to right, and segments far apart
on a row (two pages of a booklet spread) stay separate lines.
"""

from __future__ import annotations

import math
import os
import re
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from statistics import median

import numpy as np
from PIL import Image

from zjcheck.errors import UsageError
from zjcheck.model import Line
from zjcheck.ocr import OcrResult

INSTALL_HINT = "pip install rapidocr onnxruntime（zjcheck 的默认依赖）"
MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
BACKENDS = ("onnxruntime", "openvino")      # `auto`: fast_openvino(), else the first one installed
# The page is scaled down so that its longer side is at most this many pixels
# before detection and recognition (A4 at 200 dpi is 2339 px high).
DET_MAX_SIDE = int(os.environ.get("ZJCHECK_RAPIDOCR_MAX_SIDE", "2000"))
# Detection runs on a smaller copy (longer side at most this many pixels;
# 0: the page as above); recognition still reads the full-size crops.  On the
# compliant package (bench/README.md): 0 → 178 s cold, median page CER 2.3 %;
# 1280 → 83–96 s, 2.2 %; 960 → 71 s, 4.0 %.
DET_SIDE = int(os.environ.get("ZJCHECK_RAPIDOCR_DET_SIDE", "1280"))
# Text segments recognised per model call.  One at a time is faster than
# RapidOCR's default 6 on one thread (no padding to the widest of the batch,
# smaller working set) and needs less memory (bench/README.md).
REC_BATCH = int(os.environ.get("ZJCHECK_RAPIDOCR_REC_BATCH", "1"))
# Recognition inputs (a text segment scaled exactly as RapidOCR does, to the
# model's 48 px height; RapidOCR pads to >= 320 px but otherwise to the
# segment's own width) are padded on the right to one of a few widths: above
# 320 px each width is the last times REC_WIDTH_GROWTH, rounded up to a
# multiple of REC_WIDTH_STEP (320, 448, 576, 768, 960, 1216, ...; growth 1:
# plain multiples of the step; step 0: off).  OpenVINO keeps memory for every
# input shape it has run, and more for wider ones: replaying the compliant
# package's 1916 recognition inputs (417 widths) took 1155 MB unpadded,
# 498 MB in 32 px steps, 421 MB in 64 px steps and 331 MB with growth 1.25
# (10 widths), all in the same time (bench/README.md).
# Measured on OpenVINO only; onnxruntime runs its own input shapes (no padding).
REC_WIDTH_STEP = int(os.environ.get("ZJCHECK_RAPIDOCR_REC_STEP", "64"))
REC_WIDTH_GROWTH = float(os.environ.get("ZJCHECK_RAPIDOCR_REC_GROWTH", "1.25"))
REC_MIN_WIDTH = 320
# OpenVINO keeps the kernels it compiled for this many input shapes (0: its
# default, 5000).  Fewer save address space but cost recompiles: 20 was 1.09×
# slower on 30 pages (bench/README.md), so the default stays.
OV_SHAPE_CACHE = int(os.environ.get("ZJCHECK_RAPIDOCR_OV_CACHE", "0") or 0)
# OpenVINO's CPU plugin pins its inference thread to a core by default, and
# two worker processes, each unaware of the other, pin theirs to the same
# core: both then share one core, which is why OpenVINO's 0.55x in one
# process did not carry into the two-worker pipeline (bench/README.md).
# Pinning is always switched off (ENABLE_CPU_PINNING=NO).
# OpenVINO's CPU plugin reserves about 1.7 GB more address space than
# onnxruntime (thread pools, kernel caches; resident memory grows far less).
# The worker's address-space cap (zjcheck/limits.py) is meant for what a page
# brings, so loading OpenVINO widens it by this much, once per process.
OV_ADDRESS_SPACE = 2 * 1024 ** 3
TEXT_SCORE = 0.5          # segments scored below this are dropped (RapidOCR's default)
GOOD_SCORE = 0.6          # segment score (0–1) from which its characters count as well read
LAYOUT = "cols5"          # bump when the segment → line assembly changes (page-cache key)
_COUNTED = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


def _import():  # type: ignore[no-untyped-def]
    try:
        import rapidocr
    except ImportError as e:
        raise UsageError(f"OCR 引擎 rapidocr 未安装（缺少 {e.name}）：请运行 {INSTALL_HINT}，"
                         "或改用 --ocr tesseract") from e
    return rapidocr


def backend_installed(name: str) -> bool:
    return find_spec(name) is not None


def choose_backend(name: str | None = None) -> str:
    """The inference backend: `name`, else ZJCHECK_RAPIDOCR_BACKEND, else
    OpenVINO where it computes in bfloat16, else the first of BACKENDS that
    is installed."""
    name = (name or os.environ.get("ZJCHECK_RAPIDOCR_BACKEND") or "auto").strip().lower()
    if name == "auto":
        if backend_installed("openvino") and fast_openvino():
            return "openvino"
        return next((b for b in BACKENDS if backend_installed(b)), "onnxruntime")
    if name not in BACKENDS:
        raise UsageError(f"rapidocr 不支持推理后端 {name}；可用：{', '.join(BACKENDS)}、auto")
    if not backend_installed(name):
        extra = "pip install 'zjcheck[openvino]'" if name == "openvino" else "pip install onnxruntime"
        raise UsageError(f"rapidocr 的推理后端 {name} 未安装：请运行 {extra}，或改用其他后端")
    return name


def backend_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def padded_width(own: int, step: int = REC_WIDTH_STEP, growth: float = REC_WIDTH_GROWTH) -> int:
    """The input width a segment of `own` px is padded to (REC_WIDTH_STEP)."""
    if step <= 0:
        return own
    width = REC_MIN_WIDTH if growth > 1 else step
    while width < own:
        width = -(-math.ceil(width * growth if growth > 1 else width + step) // step) * step
    return width


def padded_input(rec, img: np.ndarray, max_wh_ratio: float, step: int = REC_WIDTH_STEP,  # type: ignore[no-untyped-def]
                 growth: float = REC_WIDTH_GROWTH) -> np.ndarray:
    """rapidocr's TextRecognizer.resize_norm_img with the padded width taken
    from padded_width(): the segment scaled to the model's height,
    normalised to [-1, 1], zeros on the right."""
    import cv2
    channels, height, _ = rec.rec_image_shape
    own = int(height * max_wh_ratio)         # RapidOCR's input width
    width = padded_width(own, step, growth)
    h, w = img.shape[:2]
    resized_w = min(own, int(math.ceil(height * w / float(h))))
    resized = cv2.resize(img, (resized_w, height)).astype("float32").transpose((2, 0, 1)) / 255
    resized -= 0.5
    resized /= 0.5
    out = np.zeros((channels, height, width), dtype=np.float32)
    out[:, :, :resized_w] = resized
    return out


_widened = False


def widen_address_space(extra: int) -> None:
    """Raise this process's soft RLIMIT_AS (when one is set) by `extra` bytes."""
    global _widened
    if _widened:
        return
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            new = soft + extra if hard == resource.RLIM_INFINITY else min(hard, soft + extra)
            resource.setrlimit(resource.RLIMIT_AS, (new, hard))
        _widened = True
    except (ImportError, ValueError, OSError):
        pass


@lru_cache(maxsize=1)
def fast_openvino() -> bool:
    """Whether OpenVINO computes in bfloat16 here: then it reads a page in
    about 0.6x onnxruntime's time, also with two workers (bench/README.md);
    in float32 it is no faster than onnxruntime and needs more memory."""
    try:
        return openvino_precision() == "bf16"
    except Exception:  # noqa: BLE001 - a broken OpenVINO install: onnxruntime
        return False


def openvino_precision() -> str:
    """The inference precision OpenVINO's CPU plugin uses by default here
    (bf16 on CPUs with bfloat16 instructions, else f32)."""
    import openvino
    hint = openvino.Core().get_property("CPU", "INFERENCE_PRECISION_HINT")
    return str(hint.to_string() if hasattr(hint, "to_string") else hint)


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, backend: str | None = None) -> None:
        rapidocr = _import()
        self.backend = choose_backend(backend)
        from importlib.metadata import PackageNotFoundError, version
        try:
            self._version = version("rapidocr")
        except PackageNotFoundError:
            self._version = getattr(rapidocr, "__version__", "?")
        model_dir = Path(rapidocr.__file__).resolve().parent / "models"
        paths = {k: model_dir / v for k, v in MODELS.items()}
        missing = [p.name for p in paths.values() if not p.is_file()]
        if missing:
            raise UsageError(f"rapidocr {self._version} 的安装包里没有模型文件 {', '.join(missing)}；"
                             f"zjcheck 不会联网下载模型，请安装带模型的版本：{INSTALL_HINT}")
        self._paths = paths
        self._threads = max(1, int(os.environ.get("ZJCHECK_OCR_THREADS", "1") or 1))
        self._ocr = None            # built on first use (in the worker process)
        self._precision: str | None = None

    def backend_key(self) -> str:
        """Backend, its version and the precision it computes in."""
        if self.backend == "openvino":
            if self._precision is None:
                self._precision = openvino_precision()
            return f"openvino{backend_version('openvino')}-{self._precision}"
        return f"ort{backend_version('onnxruntime')}"

    def settings_key(self) -> str:
        models = "+".join(MODELS.values())
        return (f"rapidocr-{self._version}-{self.backend_key()}-{models}"
                f"-det{DET_MAX_SIDE}-{DET_SIDE}-b{REC_BATCH}-p{self.width_step()}{self.growth_key()}-s{TEXT_SCORE}-{LAYOUT}")

    def growth_key(self) -> str:
        return f"g{REC_WIDTH_GROWTH:g}" if self.width_step() > 0 and REC_WIDTH_GROWTH > 1 else ""

    def width_step(self) -> int:
        """Recognition inputs padded to a multiple of this width (OpenVINO only; 0: off)."""
        return REC_WIDTH_STEP if self.backend == "openvino" else 0

    def _engine(self):  # type: ignore[no-untyped-def]
        if self._ocr is None:
            import cv2
            from rapidocr import RapidOCR
            from rapidocr.utils.typings import EngineType
            cv2.setNumThreads(self._threads)
            params = {
                "Global.log_level": "error",
                "Global.max_side_len": DET_MAX_SIDE,
                "Global.text_score": TEXT_SCORE,
                "EngineConfig.onnxruntime.intra_op_num_threads": self._threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                "EngineConfig.openvino.inference_num_threads": self._threads,
                "Rec.rec_batch_num": max(1, REC_BATCH),
            }
            for section in MODELS:
                params[f"{section}.engine_type"] = EngineType(self.backend)
            if DET_SIDE:
                params["Det.limit_type"] = "max"
                params["Det.limit_side_len"] = DET_SIDE
            for section, path in self._paths.items():
                params[f"{section}.model_path"] = str(path)
            if self.backend == "openvino":
                widen_address_space(OV_ADDRESS_SPACE)
                from rapidocr.inference_engine.openvino import main as ov_main
                base = ov_main.CPUConfig
                extra = {"ENABLE_CPU_PINNING": "NO"}       # two workers must not share one core (above)
                if OV_SHAPE_CACHE > 0:
                    extra["CPU_RUNTIME_CACHE_CAPACITY"] = str(OV_SHAPE_CACHE)

                class CPUConfig(base):  # type: ignore[misc, valid-type]
                    def get_config(self) -> dict:
                        return {**super().get_config(), **extra}
                ov_main.CPUConfig = CPUConfig
                try:
                    ocr = RapidOCR(params=params)
                    det = ocr._load_det_model()
                    ocr._load_cls_model()
                    ocr._load_rec_model()
                    config = CPUConfig(ocr.cfg.EngineConfig["openvino"]).get_config()
                finally:
                    ov_main.CPUConfig = base
                if DET_SIDE:
                    from zjcheck.ocr.ovcanvas import CanvasDetector
                    white = (1.0 - np.asarray(det.mean, dtype=np.float32)) / np.asarray(det.std, dtype=np.float32)
                    det.session = CanvasDetector(det.session, self._paths["Det"], config, DET_SIDE, white)
            else:
                ocr = RapidOCR(params=params)
            if self.width_step() > 0:
                rec = ocr._load_rec_model()
                rec.resize_norm_img = lambda img, ratio, _rec=rec: padded_input(_rec, img, ratio)
            self._ocr = ocr
        return self._ocr

    def segments(self, image: Image.Image) -> list[tuple[str, tuple[int, int, int, int], float]]:
        """Raw detected segments: (text, box, score 0–1)."""
        arr = np.asarray(image.convert("RGB"))
        out = self._engine()(arr)
        txts = getattr(out, "txts", None)
        if not txts:
            return []
        segs = []
        for quad, txt, score in zip(out.boxes, txts, out.scores):
            q = np.asarray(quad, dtype=float).reshape(-1, 2)
            box = (int(q[:, 0].min()), int(q[:, 1].min()), int(q[:, 0].max()), int(q[:, 1].max()))
            if txt and txt.strip():
                segs.append((txt.strip(), box, float(score)))
        return segs

    def recognise(self, image: Image.Image, block: bool = False) -> OcrResult:
        segs = self.segments(image)
        lines = assemble(segs, image.width)
        weights = [(max(1, len(_COUNTED.findall(t))), s) for t, _, s in segs]
        total = sum(w for w, _ in weights)
        conf = round(100 * sum(w * s for w, s in weights) / total, 1) if total else None
        # Only upright segments count as well read: on a page turned a quarter
        # the detector still finds (tall) lines, and few good characters make
        # the pipeline ask orientation() and read the page turned upright.
        good = sum(len(_COUNTED.findall(t)) for t, b, s in segs
                   if s >= GOOD_SCORE and ((b[2] - b[0]) >= (b[3] - b[1]) or len(t) <= 1))
        return OcrResult(lines, conf, good)

    def orientation(self, image: Image.Image) -> int | None:
        """Clockwise degrees that make the page upright: Tesseract's OSD when
        Tesseract is there, else the quarter turn whose reading has more
        upright well-read characters (RapidOCR's own classifier only tells
        0° from 180° per line)."""
        try:
            from zjcheck.ocr.tesseract import TesseractEngine, tesseract_version
            tesseract_version()
            rot = TesseractEngine().orientation(image)
            if rot is not None:
                return rot
        except Exception:  # noqa: BLE001 - no Tesseract: decide by reading
            pass
        small = image.copy()
        small.thumbnail((1200, 1200))
        score = {deg: self.recognise(small.rotate(-deg, expand=True)).good_chars for deg in (0, 90, 270)}
        best = max(score, key=lambda d: score[d])
        return best if score[best] > score[0] else None


# ------------------------------------------------------------ reading order

Seg = tuple[str, tuple[int, int, int, int], float]


def _gutter(segs: list[Seg], width: int) -> tuple[int, bool] | None:
    """(x, wide) of a vertical gutter between two columns, or None.

    Only segments that are long runs of text (≥ 8 line heights wide) vote, so
    label/value forms (short labels, a gap, values) are never split."""
    if len(segs) < 6:
        return None
    h = median(b[3] - b[1] for _, b, _ in segs) or 1
    lo, hi = int(0.25 * width), int(0.75 * width)
    covered = np.zeros(width + 1, dtype=bool)
    for _, b, _ in segs:
        if b[2] - b[0] < 0.6 * width:           # full-width headings may cross the gutter
            covered[max(0, b[0]):min(width, b[2]) + 1] = True
    free = np.flatnonzero(~covered[lo:hi]) + lo
    # A wide empty band (≥ 4 line heights: two pages of a booklet spread)
    # separates columns whatever they hold; a narrow one only between prose.
    runs = np.split(free, np.flatnonzero(np.diff(free) > 1) + 1) if free.size else []
    wide = [r for r in runs if r.size >= 4 * h]
    if wide:
        run = max(wide, key=len)
        x = int(run[run.size // 2])
        left = sum(1 for _, b, _ in segs if b[2] <= x)
        right = sum(1 for _, b, _ in segs if b[0] >= x)
        if left >= 3 and right >= 3:
            return x, True
    prose = [b for _, b, _ in segs if (b[2] - b[0]) >= 8 * h and (b[2] - b[0]) < 0.6 * width]
    if len(prose) < 6:
        return None
    # Between prose columns a scan's skew and the detector's padded boxes may
    # leave no fully free band: take the x crossed by the fewest segments.
    crossing = np.zeros(width + 1, dtype=int)
    for _, b, _ in segs:
        if b[2] - b[0] < 0.6 * width:
            crossing[max(0, b[0]):min(width, b[2]) + 1] += 1
    band = crossing[lo:hi]
    least = int(band.min())
    if least > max(1, len(segs) // 30):
        return None
    free = np.flatnonzero(band == least) + lo
    x = int(free[np.argmin(np.abs(free - width / 2))])
    left = sum(1 for b in prose if b[2] <= x)
    right = sum(1 for b in prose if b[0] >= x)
    return (x, False) if left >= 3 and right >= 3 else None


def _rows(segs: list[Seg]) -> list[Line]:
    """Group segments into rows by vertical overlap; split a row at wide gaps."""
    segs = sorted(segs, key=lambda s: (s[1][1] + s[1][3]) / 2)
    rows: list[list[Seg]] = []
    for s in segs:
        b = s[1]
        if rows:
            last = rows[-1]
            top = median(x[1][1] for x in last)
            bot = median(x[1][3] for x in last)
            overlap = min(bot, b[3]) - max(top, b[1])
            if overlap >= 0.5 * min(bot - top, b[3] - b[1]):
                last.append(s)
                continue
        rows.append([s])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda s: s[1][0])
        h = median(s[1][3] - s[1][1] for s in row) or 1
        group: list[Seg] = [row[0]]
        for s in row[1:]:
            if s[1][0] - group[-1][1][2] > 6 * h:
                lines.append(_line(group))
                group = []
            group.append(s)
        lines.append(_line(group))
    return lines


def _line(group: list[Seg]) -> Line:
    box = (min(s[1][0] for s in group), min(s[1][1] for s in group),
           max(s[1][2] for s in group), max(s[1][3] for s in group))
    n = [max(1, len(s[0])) for s in group]
    conf = sum(k * s[2] for k, s in zip(n, group)) / sum(n)
    return Line(" ".join(s[0] for s in group), box, round(100 * conf, 1))


def _side_by_side(boxes: list[tuple[int, int, int, int]], x: int, h: float) -> list[tuple[int, int, int, int]]:
    """The boxes with a box on the other side of `x` within two line heights of their row."""
    left = [b for b in boxes if b[2] <= x]
    right = [b for b in boxes if b[0] >= x]

    def near(b: tuple[int, int, int, int], others: list[tuple[int, int, int, int]]) -> bool:
        return any(o[1] < b[3] + 2 * h and o[3] > b[1] - 2 * h for o in others)
    return [b for b in left if near(b, right)] + [b for b in right if near(b, left)]


def assemble(segs: list[Seg], width: int) -> list[Line]:
    """Segments → lines in reading order (columns of prose left to right)."""
    if not segs:
        return []
    found = _gutter(segs, width)
    if found is None:
        return _rows(segs)
    x, wide = found
    # Split the page at the gutter only between the first and last row that
    # keeps to one side (for prose: the first and last prose row):
    # the header above and the footer below stay full-width rows.
    h = median(b[3] - b[1] for _, b, _ in segs) or 1
    sides = [b for _, b, _ in segs if b[2] <= x or b[0] >= x]
    spans = sides if wide else [b for b in sides if b[2] - b[0] >= 8 * h]
    y0, y1 = min(b[1] for b in spans), max(b[3] for b in spans)
    if not wide:
        # Columns of prose start side by side: a long line on one side with
        # nothing beside it (a running header, a journal name) does not start
        # them, or the title and abstract below it would be split in two.
        # (They may end unevenly: the last page's right column is often short.)
        y0 = min((b[1] for b in _side_by_side(spans, x, h)), default=y0)
    above = [s for s in segs if s[1][3] <= y0 + 0.5 * h]
    below = [s for s in segs if s[1][1] >= y1 - 0.5 * h]
    mid = [s for s in segs if s not in above and s not in below]
    left = [s for s in mid if (s[1][0] + s[1][2]) / 2 < x]
    right = [s for s in mid if (s[1][0] + s[1][2]) / 2 >= x]
    return _rows(above) + _rows(left) + _rows(right) + _rows(below)
