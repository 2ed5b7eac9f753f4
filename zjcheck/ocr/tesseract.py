"""Tesseract 5 with chi_sim+eng.

In process through the system libtesseract's C API when it loads (zjcheck.ocr.capi:
models loaded once per worker), else the `tesseract` command through
pytesseract; both give the same words, boxes and confidences.

Tesseract is run with OMP_THREAD_LIMIT=1: parallelism comes from OCR'ing
pages in separate worker processes, which is faster on few cores than
Tesseract's own OpenMP threads.
"""

from __future__ import annotations

import os
import re
import shutil
from functools import lru_cache

import pytesseract
from PIL import Image

from zjcheck.errors import UsageError
from zjcheck.model import Line
from zjcheck.ocr import OcrResult, capi

# chi_sim+eng (issue 2).  Measured alternative: chi_sim alone read the fixture
# pages with a lower character error rate (0.178 vs 0.195 on ten pages) and
# read 大写 amounts that chi_sim+eng turns into Latin junk, but the checkers'
# parsers are tuned on chi_sim+eng output and regressed with it (ISSN, 验证码,
# contract dates); ZJCHECK_TESSERACT_LANGS=chi_sim selects it.
LANGS = os.environ.get("ZJCHECK_TESSERACT_LANGS", "chi_sim+eng")
CONFIG = "--oem 1 --psm 3 -c preserve_interword_spaces=1"
BLOCK_CONFIG = "--oem 1 --psm 6 -c preserve_interword_spaces=1"   # one uniform block of text
OSD_CONFIG = "--psm 0 -c min_characters_to_try=20"
# The same settings for the in-process API (page segmentation mode by config).
_PSM = {CONFIG: 3, BLOCK_CONFIG: 6}
_VARIABLES = {"preserve_interword_spaces": "1", "debug_file": "/dev/null"}
_OSD_VARIABLES = {"min_characters_to_try": "20", "debug_file": "/dev/null"}
_APIS: dict[str, capi.Api] = {}      # per worker process: languages -> loaded API
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_JUNK = re.compile(r"\W*[A-Za-z]{2,}\W*")   # a word of Latin letters (maybe in brackets)
JUNK_CONF = 75.0                                      # ... read with less confidence than this


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    if not shutil.which("tesseract"):
        raise UsageError("找不到 tesseract：请安装 tesseract-ocr 和 tesseract-ocr-chi-sim"
                         "（Debian/Ubuntu：sudo apt-get install tesseract-ocr tesseract-ocr-chi-sim）")
    langs = set(pytesseract.get_languages(config=""))
    missing = set(LANGS.split("+")) - langs
    if missing:
        raise UsageError(f"Tesseract 缺少语言包 {', '.join(sorted(missing))}："
                         "sudo apt-get install tesseract-ocr-chi-sim")
    return str(pytesseract.get_tesseract_version())


def _uncompressed(image: Image.Image) -> Image.Image:
    """pytesseract hands Tesseract a temporary file in the image's format, PNG
    by default; PNM is written ~20× faster and Tesseract reads it as well."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    image.format = "PPM"          # Pillow writes P5 (PGM) for L and P6 for RGB
    return image


class TesseractEngine:
    name = "tesseract"

    def __init__(self) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def settings_key(self) -> str:
        return f"tesseract-{tesseract_version()}-{LANGS}-{CONFIG}-{BLOCK_CONFIG}-reread1"

    def recognise(self, image: Image.Image, block: bool = False) -> OcrResult:
        out, confs, good, suspects = self._read(image, LANGS, BLOCK_CONFIG if block else CONFIG)
        if suspects and not block:
            self._reread_chinese(image, out, suspects)
        return OcrResult(out, round(sum(confs) / len(confs), 1) if confs else None, good)

    @staticmethod
    def _api(langs: str) -> capi.Api | None:
        """The loaded in-process API for these languages, or None (use the command)."""
        lib = capi.load()
        if lib is None:
            return None
        if langs not in _APIS:
            _APIS[langs] = capi.Api(lib, langs, _OSD_VARIABLES if langs == "osd" else _VARIABLES)
        return _APIS[langs]

    @staticmethod
    def _data(image: Image.Image, langs: str, config: str) -> dict[str, list]:
        api = TesseractEngine._api(langs)
        if api is not None:
            return api.data(image, _PSM[config])
        return pytesseract.image_to_data(_uncompressed(image), lang=langs, config=config,
                                         output_type=pytesseract.Output.DICT)

    @staticmethod
    def _read(image: Image.Image, langs: str, config: str) -> tuple[list[Line], list[float], int, list[int]]:
        """Lines, word confidences, well-read characters, and the lines that
        hold a poorly read Latin word among Chinese (see _reread_chinese)."""
        data = TesseractEngine._data(image, langs, config)
        lines: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word and word.strip():
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                lines.setdefault(key, []).append(i)
        out: list[Line] = []
        confs: list[float] = []
        suspects: list[int] = []
        good = 0
        for idxs in lines.values():
            words = [data["text"][i] for i in idxs]
            cs = [float(data["conf"][i]) for i in idxs if float(data["conf"][i]) >= 0]
            x0 = min(data["left"][i] for i in idxs)
            y0 = min(data["top"][i] for i in idxs)
            x1 = max(data["left"][i] + data["width"][i] for i in idxs)
            y1 = max(data["top"][i] + data["height"][i] for i in idxs)
            text = " ".join(words)
            conf = sum(cs) / len(cs) if cs else None
            if _CJK.search(text) and any(_LATIN_JUNK.fullmatch(data["text"][i]) and float(data["conf"][i]) < JUNK_CONF
                                         for i in idxs):
                suspects.append(len(out))
            out.append(Line(text, (x0, y0, x1, y1), round(conf, 1) if conf is not None else None))
            confs.extend(cs)
            for i in idxs:
                if float(data["conf"][i]) >= 60:
                    good += len(_CJK.findall(data["text"][i])) + sum(ch.isalnum() and ch.isascii() for ch in data["text"][i])
        return out, confs, good, suspects

    def _reread_chinese(self, image: Image.Image, out: list[Line], suspects: list[int]) -> None:
        """With chi_sim+eng, Tesseract picks the English model for rare Chinese
        characters inside a Chinese line: 壹佰贰拾万元整 comes out as "AS) Saale".
        Those lines are cut out, stacked into one strip and read again with
        chi_sim alone (one extra call per page); a re-reading that holds more
        Chinese characters replaces the line."""
        from zjcheck.imaging.recover import stack
        boxes = [out[k].box for k in suspects]
        strip, spans = stack(image.convert("L"), boxes)  # type: ignore[arg-type]
        again, _, _, _ = self._read(strip, "chi_sim", BLOCK_CONFIG)
        for k, (s0, s1) in zip(suspects, spans):
            parts = [ln for ln in again if ln.box and s0 <= (ln.box[1] + ln.box[3]) / 2 <= s1]
            if not parts:
                continue
            text = " ".join(ln.text for ln in parts)
            if len(_CJK.findall(text)) > len(_CJK.findall(out[k].text)):
                confs = [ln.conf for ln in parts if ln.conf is not None]
                out[k] = Line(text, out[k].box, min(confs) if confs else out[k].conf)

    def orientation(self, image: Image.Image) -> int | None:
        api = self._api("osd")
        if api is not None:
            found = api.orientation(image)
            if found is None:
                return None
            degrees, conf = found
            rotate = (360 - degrees) % 360       # what the command prints as "Rotate:"
        else:
            try:
                osd = pytesseract.image_to_osd(_uncompressed(image), config=OSD_CONFIG,
                                               output_type=pytesseract.Output.DICT)
            except pytesseract.TesseractError:
                return None
            rotate, conf = int(osd.get("rotate", 0)), float(osd.get("orientation_conf", 0))
        if conf < 1.0:
            return None
        return rotate % 360
