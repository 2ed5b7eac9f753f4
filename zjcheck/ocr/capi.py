"""Tesseract in process, through the C API of the system's libtesseract.

The `tesseract` command loads its language models (≈0.4 s for chi_sim+eng)
on every call; a page that needs a second look pays that again.  Here each
worker process loads the models once and keeps them: the same library as the
command, the same settings, hence the same words, boxes and confidences
(tests/test_ocr_capi.py compares the two on fixture pages).

Only the handful of stable C API calls zjcheck needs are bound (capi.h has
been unchanged for them since Tesseract 4).  When the library cannot be
loaded (another OS, another major version), `load()` returns None and the
engine falls back to the command through pytesseract.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import lru_cache

from PIL import Image

TSV_FIELDS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
              "left", "top", "width", "height", "conf", "text")
_LIB_NAMES = ("libtesseract.so.5", "libtesseract.5.dylib")
OEM_LSTM_ONLY = 1
OEM_DEFAULT = 3       # what the command uses for `-l osd` (the OSD model has no LSTM)


@lru_cache(maxsize=1)
def load() -> ctypes.CDLL | None:
    """The system libtesseract 5 with its C API declared, or None."""
    if os.environ.get("ZJCHECK_TESSERACT_CLI"):      # force the command (benchmarks, debugging)
        return None
    names = [*_LIB_NAMES, ctypes.util.find_library("tesseract")]
    for name in filter(None, names):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        try:
            _declare(lib)
        except AttributeError:
            continue
        if lib.TessVersion().decode().split(".")[0] == "5":
            return lib
    return None


def _declare(lib: ctypes.CDLL) -> None:
    p, c, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    sigs = {
        "TessVersion": ([], c),
        "TessBaseAPICreate": ([], p),
        "TessBaseAPIDelete": ([p], None),
        "TessBaseAPIInit2": ([p, c, c, i], i),
        "TessBaseAPISetVariable": ([p, c, c], i),
        "TessBaseAPISetPageSegMode": ([p, i], None),
        "TessBaseAPISetImage": ([p, c, i, i, i, i], None),
        "TessBaseAPIRecognize": ([p, p], i),
        "TessBaseAPIGetTsvText": ([p, i], p),          # char* we must free with TessDeleteText
        "TessBaseAPIDetectOrientationScript": ([p, ctypes.POINTER(i), ctypes.POINTER(ctypes.c_float),
                                                ctypes.POINTER(c), ctypes.POINTER(ctypes.c_float)], i),
        "TessBaseAPIClear": ([p], None),
        "TessDeleteText": ([p], None),
    }
    for name, (args, res) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = res


def version() -> str | None:
    lib = load()
    return lib.TessVersion().decode() if lib else None


class Api:
    """One initialised TessBaseAPI (models loaded once, reused for every page)."""

    def __init__(self, lib: ctypes.CDLL, langs: str, variables: dict[str, str], datapath: str | None = None):
        self._lib = lib
        self._h = lib.TessBaseAPICreate()
        oem = OEM_DEFAULT if langs == "osd" else OEM_LSTM_ONLY
        if lib.TessBaseAPIInit2(self._h, datapath.encode() if datapath else None, langs.encode(), oem):
            lib.TessBaseAPIDelete(self._h)
            self._h = None
            raise RuntimeError(f"tesseract: cannot load {langs}")
        for k, v in variables.items():
            lib.TessBaseAPISetVariable(self._h, k.encode(), v.encode())

    def __del__(self) -> None:
        if getattr(self, "_h", None):
            self._lib.TessBaseAPIDelete(self._h)
            self._h = None

    def _set_image(self, image: Image.Image) -> bytes:
        if image.mode not in ("L", "RGB"):
            image = image.convert("L")
        bpp = 1 if image.mode == "L" else 3
        data = image.tobytes()
        self._lib.TessBaseAPISetImage(self._h, data, image.width, image.height, bpp, image.width * bpp)
        return data           # the caller keeps the buffer alive until Recognize is done

    def data(self, image: Image.Image, psm: int) -> dict[str, list]:
        """What `pytesseract.image_to_data(..., output_type=DICT)` returns."""
        lib = self._lib
        lib.TessBaseAPISetPageSegMode(self._h, psm)
        keep = self._set_image(image)
        try:
            if lib.TessBaseAPIRecognize(self._h, None):
                raise RuntimeError("tesseract: recognition failed")
            ptr = lib.TessBaseAPIGetTsvText(self._h, 0)
            try:
                tsv = ctypes.string_at(ptr).decode("utf-8", "replace") if ptr else ""
            finally:
                if ptr:
                    lib.TessDeleteText(ptr)
        finally:
            lib.TessBaseAPIClear(self._h)
            del keep
        return parse_tsv(tsv)

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        """(degrees the page is turned counter-clockwise, confidence), as `--psm 0`."""
        lib = self._lib
        lib.TessBaseAPISetPageSegMode(self._h, 0)
        keep = self._set_image(image)
        deg, conf = ctypes.c_int(), ctypes.c_float()
        script, sconf = ctypes.c_char_p(), ctypes.c_float()
        try:
            ok = lib.TessBaseAPIDetectOrientationScript(self._h, ctypes.byref(deg), ctypes.byref(conf),
                                                        ctypes.byref(script), ctypes.byref(sconf))
        finally:
            lib.TessBaseAPIClear(self._h)
            del keep
        return (deg.value, conf.value) if ok else None


def parse_tsv(tsv: str) -> dict[str, list]:
    """TSV rows (no header, as the C API gives them) into columns; numbers as int/float."""
    out: dict[str, list] = {k: [] for k in TSV_FIELDS}
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < len(TSV_FIELDS) - 1:
            continue
        cells += [""] * (len(TSV_FIELDS) - len(cells))
        for k, v in zip(TSV_FIELDS, cells):
            if k == "text":
                out[k].append(v)
            elif k == "conf":       # the command's TSV has whole numbers; so has this
                out[k].append(int(float(v)))
            else:
                out[k].append(int(v))
    return out
