"""Page clean-up before OCR, the second look at skipped ink, and row rebuilding
(pure imaging and geometry; no OCR)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from zjcheck.imaging import prepare, recover
from zjcheck.model import Line, visual_rows

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def _page() -> Image.Image:
    img = Image.new("RGB", (1200, 800), "white")
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 36, index=2)
    d.line((100, 100, 1100, 100), fill="black", width=3)          # a table rule
    d.line((100, 100, 100, 700), fill="black", width=3)
    d.text((150, 150), "项目负责人", font=f, fill="black")
    d.text((150, 300), "周建华", font=f, fill="black")              # the cell OCR skipped
    d.ellipse((700, 400, 1000, 700), outline=(220, 30, 30), width=12)  # seal ink
    return img


def test_rules_and_seal_ink_are_erased_text_kept() -> None:
    g = np.asarray(prepare.for_ocr(_page()))
    assert g[100, 600] > 200 and g[400, 100] > 200               # rules gone
    assert g[550, 700:712].min() > 200                           # red ring gone
    assert (g[150:200, 150:340] < 128).sum() > 200                # text still there


def test_missed_blobs_finds_only_uncovered_text() -> None:
    g = prepare.for_ocr(_page())
    read = [Line("项目负责人", (140, 140, 340, 200), 90.0)]
    blobs = recover.missed_blobs(g, read)
    assert len(blobs) == 1
    x0, y0, x1, y1 = blobs[0]
    assert x0 <= 160 and y0 <= 310 and x1 >= 250 and y1 >= 330
    strip, spans = recover.stack(g, blobs)
    assert strip.height > spans[0][1] > spans[0][0] >= 0


def test_recover_maps_lines_back_to_their_blob() -> None:
    from zjcheck.ocr import OcrResult
    g = prepare.for_ocr(_page())
    read = [Line("项目负责人", (140, 140, 340, 200), 90.0)]
    blob = recover.missed_blobs(g, read)[0]

    def fake_engine(strip: Image.Image, block: bool = False) -> OcrResult:
        assert block
        return OcrResult([Line("周建华", (30, 30, 120, 70), 91.0), Line("x", (0, 0, 1, 1), 10.0)])

    got = recover.recover(g, read, fake_engine)
    assert [(ln.text, ln.box) for ln in got] == [("周建华", blob)]


def test_visual_rows_pair_labels_with_values() -> None:
    lines = [Line("姓 名", (100, 100, 160, 130), 90.0), Line("性 别", (100, 160, 160, 190), 88.0),
             Line("周建华", (300, 102, 400, 128), 95.0), Line("男", (300, 161, 330, 189), 40.0)]
    rows = visual_rows(lines)
    assert [r.text for r in rows] == ["姓 名  周建华", "性 别  男"]
    assert rows[1].conf == 40.0                                   # a row is as sure as its worst line
