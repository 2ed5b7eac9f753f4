"""Tesseract 5 with chi_sim+eng, through pytesseract (one process per page).

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
from zjcheck.ocr import OcrResult

LANGS = "chi_sim+eng"
CONFIG = "--oem 1 --psm 3 -c preserve_interword_spaces=1"
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    if not shutil.which("tesseract"):
        raise UsageError("找不到 tesseract：请安装 tesseract-ocr 和 tesseract-ocr-chi-sim"
                         "（Debian/Ubuntu：sudo apt-get install tesseract-ocr tesseract-ocr-chi-sim）")
    langs = set(pytesseract.get_languages(config=""))
    missing = {"chi_sim", "eng"} - langs
    if missing:
        raise UsageError(f"Tesseract 缺少语言包 {', '.join(sorted(missing))}："
                         "sudo apt-get install tesseract-ocr-chi-sim")
    return str(pytesseract.get_tesseract_version())


class TesseractEngine:
    name = "tesseract"

    def __init__(self) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def settings_key(self) -> str:
        return f"tesseract-{tesseract_version()}-{LANGS}-{CONFIG}"

    def recognise(self, image: Image.Image) -> OcrResult:
        data = pytesseract.image_to_data(image, lang=LANGS, config=CONFIG,
                                         output_type=pytesseract.Output.DICT)
        lines: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word and word.strip():
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                lines.setdefault(key, []).append(i)
        out: list[Line] = []
        confs: list[float] = []
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
            out.append(Line(text, (x0, y0, x1, y1), round(conf, 1) if conf is not None else None))
            confs.extend(cs)
            for i in idxs:
                if float(data["conf"][i]) >= 60:
                    good += len(_CJK.findall(data["text"][i])) + sum(ch.isalnum() and ch.isascii() for ch in data["text"][i])
        return OcrResult(out, round(sum(confs) / len(confs), 1) if confs else None, good)

    def orientation(self, image: Image.Image) -> int | None:
        try:
            osd = pytesseract.image_to_osd(image, config="--psm 0 -c min_characters_to_try=20",
                                           output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractError:
            return None
        if float(osd.get("orientation_conf", 0)) < 1.0:
            return None
        return int(osd.get("rotate", 0)) % 360
