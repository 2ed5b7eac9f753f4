"""Red seal detector (zjcheck/imaging/seal.py) on rendered pages: pure imaging, no OCR.

Pages come from the bench's builders (fixture toolkit: the same seals, fonts,
scan and photo effects as the sample packages).
"""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bench import seal_bench as sb
from fixtures.render.canvas import RED
from fixtures.render.seal import oval_seal, red_logo, round_seal, stamp
from zjcheck.imaging import seal


def _stamped(key: str, kind: str = "round", strength: float = 0.9, angle: float = 0, on_text: bool = False,
             how: str = "scan") -> tuple[Image.Image, tuple[int, int]]:
    pg = sb._page(key)
    s = (round_seal("浙江恒锐机电科技有限公司", sb.DPI, key, strength=strength, bottom_text="合同专用章")
         if kind == "round" else oval_seal("浙江工业大学", sb.DPI, key, strength=strength))
    centre = (pg.px(150), pg.px(60 if on_text else 250))
    stamp(pg.img, s, centre, angle)
    return sb._finish(pg, key, how), centre


@pytest.mark.parametrize("kind,strength,angle,on_text,how", [
    ("round", 0.9, 0, False, "scan"),
    ("round", 0.35, 17, True, "scan"),          # faint, rotated, over black text
    ("round", 0.55, -35, True, "photo"),        # phone photo: perspective, uneven light
    ("oval", 0.9, 0, False, "scan"),
    ("oval", 0.35, -35, False, "scan"),         # faint 合同专用章
    ("oval", 0.55, 17, True, "photo"),
])
def test_finds_seal(kind: str, strength: float, angle: float, on_text: bool, how: str) -> None:
    img, centre = _stamped(f"t-{kind}-{strength}-{angle}-{on_text}-{how}", kind, strength, angle, on_text, how)
    seals, _ = seal.detect(img)
    assert len(seals) == 1, seals
    x0, y0, x1, y1 = seals[0].box
    if how == "scan":    # the box is where the seal was stamped (scan skew is small)
        assert x0 < centre[0] < x1 and y0 < centre[1] < y1
    if kind == "oval" and how == "scan":
        assert seals[0].shape == "ellipse"
    if kind == "round" and how == "scan":
        assert seals[0].shape == "round"


def test_two_seals_on_a_page_seen_at_an_angle() -> None:
    pg = sb._page("t-two")
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", sb.DPI, "t-two-a", strength=0.6), (pg.px(60), pg.px(235)), 8)
    stamp(pg.img, oval_seal("浙江工业大学", sb.DPI, "t-two-b", strength=0.6), (pg.px(150), pg.px(235)), -12)
    img = sb._squash(sb._finish(pg, "t-two", "scan"), 0.6, 0.2)
    seals, _ = seal.detect(img)
    assert len(seals) == 2


def _negative(key: str, draw) -> tuple[list, int]:  # type: ignore[no-untyped-def]
    pg = sb._page(key)
    draw(pg)
    return seal.detect(sb._finish(pg, key, "scan"))


def test_red_logo_is_not_a_seal() -> None:
    seals, others = _negative("t-logo", lambda pg: red_logo(pg, 20, 8))
    assert seals == [] and others >= 1


def test_red_heading_and_rule_are_not_seals() -> None:
    def draw(pg) -> None:  # type: ignore[no-untyped-def]
        pg.center(262, "浙江恒锐机电科技有限公司文件", 26, bold=True, fill=RED)
        pg.hline(15, 195, 275, 0.8, fill=RED)
    seals, others = _negative("t-heading", draw)
    assert seals == [] and others >= 1


def test_large_red_characters_are_not_seals() -> None:
    def draw(pg) -> None:  # type: ignore[no-untyped-def]
        for i, ch in enumerate("回国图"):
            pg.text(40 + i * 50, 240, ch, 72, bold=True, fill=RED)
    seals, _ = _negative("t-chars", draw)
    assert seals == []


def test_square_name_chop_and_pen_circle_are_not_seals() -> None:
    def draw(pg) -> None:  # type: ignore[no-untyped-def]
        sb._name_chop(pg, 150, 240)
        ImageDraw.Draw(pg.img).ellipse([pg.px(120), pg.px(45), pg.px(175), pg.px(80)], outline=(200, 30, 35),
                                        width=pg.px(0.7))
    seals, others = _negative("t-chop", draw)
    assert seals == [] and others >= 1


def test_seal_in_black_and_white_scan_is_not_found() -> None:
    pg = sb._page("t-gray")
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", sb.DPI, "t-gray"), (pg.px(150), pg.px(240)), 10)
    assert seal.detect(sb._finish(pg, "t-gray", "gray")) == ([], 0)


def test_blank_and_tiny_pages() -> None:
    assert seal.detect(Image.new("RGB", (800, 1100), (250, 248, 240))) == ([], 0)
    assert seal.detect(Image.new("RGB", (3, 3), (200, 20, 20))) == ([], 0)


def test_redness_ignores_paper_tint_and_brown_desk() -> None:
    import numpy as np
    px = np.array([[[251, 249, 242], [255, 247, 229], [122, 92, 66], [214, 28, 38], [241, 180, 182]]], np.uint8)
    r = seal.redness(px)[0]
    assert r[0] < seal.WEAK_RED and r[1] < seal.WEAK_RED and r[2] == 0
    assert r[3] >= seal.STRONG_RED and r[4] >= seal.WEAK_RED
