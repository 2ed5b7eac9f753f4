"""Red seal detector (zjcheck/imaging/seal.py): real seal images made by others
(tests/realdev/seals), rendered pages of every seal kind, and negatives.

Pure imaging except the rim-text tests, which run the default OCR engine on a
few strips.
"""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bench import seal_bench as sb
from fixtures.render.canvas import RED
from fixtures.render.seal import (electronic_seal, esign_screenshot, flat_oval_seal, oval_seal, paste_over,
                                  red_logo, round_seal, signature, square_seal, stamp)
from zjcheck.imaging import seal

REAL = {s.name: s for s in sb.realdev()}


# ---------------------------------------------------------------- real images made by others

@pytest.mark.parametrize("name", sorted(REAL))
def test_realdev_counts(name: str) -> None:
    """Every image of tests/realdev/seals: as many seals as a person counts (MANIFEST.tsv)."""
    s = REAL[name]
    seals, _ = seal.detect(s.image)
    assert len(seals) == s.seals, seals


def test_realdev_kinds() -> None:
    """The square 法人名章 beside a round 公章 and a round 财务专用章; an oval seal beside a round one."""
    shapes = [x.shape for x in seal.detect(REAL["screenshot_company_finance_and_legal_rep_seals.png"].image)[0]]
    assert sorted(shapes) == ["round", "round", "square"]
    shapes = [x.shape for x in seal.detect(REAL["contract_gov_procurement_round_and_oval_seals_signatures.jpg"].image)[0]]
    assert sorted(shapes) == ["ellipse", "round"]
    assert [x.shape for x in seal.detect(REAL["esign_screenshot_square_name_eseal.png"].image)[0]] == ["square"]


def test_realdev_boxes() -> None:
    """Boxes are where the imprints are (business licence: lower right, not the 国徽 at the top)."""
    (s,), _ = seal.detect(REAL["business_license_round_seal_and_red_emblem.png"].image)
    x0, y0, x1, y1 = s.box
    assert 940 < x0 < 1000 and 560 < y0 < 620 and 1130 < x1 < 1190 and 740 < y1 < 800
    assert s.colour > 0.5


# ---------------------------------------------------------------- rendered pages

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


@pytest.mark.parametrize("lines,arc", [(("中国工商银行", "电子回单专用章", "(001)"), ""),
                                       (("转账凭证专用章", "(2)"), "浙江恒锐机电科技有限公司")])
def test_oval_seal_with_horizontal_text(lines: tuple[str, ...], arc: str) -> None:
    pg = sb._page("t-flat", sb.RECEIPT, "网上银行电子回单")
    stamp(pg.img, flat_oval_seal(lines, sb.DPI, "t-flat", strength=0.5, arc=arc), (pg.px(160), pg.px(75)), -6)
    seals, _ = seal.detect(sb._finish(pg, "t-flat", "scan"))
    assert [s.shape for s in seals] == ["ellipse"]


def test_square_name_seal() -> None:
    """A square 法人名章 (阳文) is a seal, of its own shape."""
    pg = sb._page("t-chop")
    stamp(pg.img, square_seal("王立群", sb.DPI, "t-chop", strength=0.6), (pg.px(150), pg.px(250)), 4)
    signature(pg, 120, 270, "王立群", "t-chop")
    seals, _ = seal.detect(sb._finish(pg, "t-chop", "photo"))
    assert [s.shape for s in seals] == ["square"]


@pytest.mark.parametrize("overlap", [False, True])
def test_three_seals_on_a_page(overlap: bool) -> None:
    """公章, 财务专用章 and 法人名章 side by side, or the 名章 stamped over the 公章's ring."""
    pg = sb._page("t-three")
    sb.three_seals(pg, "t-three", 0.5, overlap=overlap)
    seals, _ = seal.detect(sb._finish(pg, "t-three", "scan"))
    assert sorted(s.shape for s in seals) == ["round", "round", "square"], seals
    boxes = sorted(s.box for s in seals)
    for a, b in zip(boxes, boxes[1:]):     # one box for each imprint
        assert a != b


def test_two_seals_on_a_page_seen_at_an_angle() -> None:
    pg = sb._page("t-two")
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", sb.DPI, "t-two-a", strength=0.6), (pg.px(60), pg.px(235)), 8)
    stamp(pg.img, oval_seal("浙江工业大学", sb.DPI, "t-two-b", strength=0.6), (pg.px(150), pg.px(235)), -12)
    img = sb._squash(sb._finish(pg, "t-two", "scan"), 0.6, 0.2)
    seals, _ = seal.detect(img)
    assert len(seals) == 2


@pytest.mark.parametrize("cover", [None, (0.8, 0.17)])
def test_electronic_seal_in_a_screenshot(cover: tuple[float, float] | None) -> None:
    """An e-seal drawn over the text, in an e-signing app's screenshot (a red ⊗ icon
    beside a field box), also with a floating button hiding part of the seal."""
    pg = sb._page("t-eseal")
    paste_over(pg.img, electronic_seal("浙江工业大学", sb.DPI), (pg.px(150), pg.px(60)))
    seals, _ = seal.detect(esign_screenshot(sb._finish(pg, "t-eseal", "clean"), "t-eseal", cover=cover))
    assert [s.shape for s in seals] == ["round"]


def test_partial_seal_cut_by_the_page_edge() -> None:
    pg = sb._page("t-edge")
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", sb.DPI, "t-edge"), (pg.px(200), pg.px(150)), 0)
    seals, _ = seal.detect(sb._finish(pg, "t-edge", "clean"))
    assert [s.shape for s in seals] == ["round"]


def test_seal_filling_the_image() -> None:
    """A tight crop of one seal is a page too."""
    im = Image.new("RGB", (260, 260), (250, 248, 244))
    stamp(im, round_seal("浙江恒锐机电科技有限公司", 150, "t-crop"), (130, 130))
    assert len(seal.detect(im)[0]) == 1


# ---------------------------------------------------------------- red marks that are not seals

def _negative(key: str, draw, how: str = "scan") -> tuple[list, int]:  # type: ignore[no-untyped-def]
    pg = sb._page(key)
    draw(pg)
    return seal.detect(sb._finish(pg, key, how))


def test_red_logo_is_not_a_seal() -> None:
    seals, others = _negative("t-logo", lambda pg: red_logo(pg, 20, 8))
    assert seals == [] and others >= 1


def test_red_heading_and_rule_are_not_seals() -> None:
    def draw(pg) -> None:  # type: ignore[no-untyped-def]
        pg.center(262, "浙江恒锐机电科技有限公司文件", 26, bold=True, fill=RED)
        pg.hline(15, 195, 275, 0.8, fill=RED)
    seals, others = _negative("t-heading", draw)
    assert seals == [] and others >= 1


@pytest.mark.parametrize("how", ["scan", "photo"])
def test_large_red_characters_are_not_seals(how: str) -> None:
    """回, 国 and 图 are a frame with strokes inside: their strokes are thick and few for a 名章."""
    def draw(pg) -> None:  # type: ignore[no-untyped-def]
        for i, ch in enumerate("回国图"):
            pg.text(40 + i * 50, 240, ch, 72, bold=True, fill=RED)
    seals, _ = _negative("t-chars", draw, how)
    assert seals == []


def test_pen_circle_table_lines_and_handwriting_are_not_seals() -> None:
    def draw(pg) -> None:  # type: ignore[no-untyped-def]
        ImageDraw.Draw(pg.img).ellipse([pg.px(120), pg.px(45), pg.px(175), pg.px(80)], outline=(200, 30, 35),
                                        width=pg.px(0.7))
        sb._red_table(pg)
        signature(pg, 130, 275, "王立群", "t-red", size_pt=28, color=(200, 30, 35))
    seals, others = _negative("t-marks", draw)
    assert seals == [] and others >= 1


def test_unsigned_screenshot_has_no_seal() -> None:
    """The red ⊗ delete icon of an e-signing app is round and red, but no seal."""
    shot = esign_screenshot(sb._finish(sb._page("t-unsigned"), "t-unsigned", "clean"), "t-unsigned")
    assert seal.detect(shot)[0] == []


def test_seal_in_black_and_white_scan_is_not_found() -> None:
    pg = sb._page("t-gray")
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", sb.DPI, "t-gray"), (pg.px(150), pg.px(240)), 10)
    img = sb._finish(pg, "t-gray", "gray")
    assert seal.detect(img) == ([], 0)
    assert seal.is_gray(img) and not seal.is_gray(sb._finish(pg, "t-gray", "scan"))


def test_blank_and_tiny_pages() -> None:
    assert seal.detect(Image.new("RGB", (800, 1100), (250, 248, 240))) == ([], 0)
    assert seal.detect(Image.new("RGB", (3, 3), (200, 20, 20))) == ([], 0)


def test_pink_paper_is_not_red() -> None:
    """A pink paper cast (flat-fielded away) does not make the whole page one red mark."""
    im = Image.new("RGB", (900, 1200), (250, 222, 226))
    stamp(im, round_seal("浙江恒锐机电科技有限公司", 150, "t-pink", strength=0.5), (450, 600))
    seals, others, _ = seal.analyse(im)
    assert len(seals) == 1 and others == 0


def test_seal_like_marks_are_counted() -> None:
    """A red mark of a seal's size that is no sure seal (a ring, less than half of it
    there; a red disc) counts as a mark that may be a seal; small red writing does not."""
    im = Image.new("RGB", (1240, 1754), (250, 248, 244))
    d = ImageDraw.Draw(im)
    d.arc([500, 700, 740, 940], 0, 150, fill=(200, 30, 35), width=6)
    d.ellipse([200, 1200, 440, 1440], fill=(200, 30, 35))
    d.text((100, 100), "同意", fill=(200, 30, 35))
    seals, others, like = seal.analyse(im)
    assert seals == [] and like == 2 and others == 3


def test_redness_ignores_paper_tint_and_brown_desk() -> None:
    import numpy as np
    px = np.array([[[251, 249, 242], [255, 247, 229], [122, 92, 66], [214, 28, 38], [241, 180, 182]]], np.uint8)
    r = seal.redness(px)[0]
    assert r[0] < seal.WEAK_RED and r[1] < seal.WEAK_RED and r[2] == 0
    assert r[3] >= seal.STRONG_RED and r[4] >= seal.WEAK_RED


# ---------------------------------------------------------------- the rim text

class _FakeEngine:
    """Reads nothing surely: the rim stays unread (None), never a guess."""

    def __init__(self, text: str, conf: float) -> None:
        self.text, self.conf = text, conf
        self.seen: list[Image.Image] = []

    def recognise(self, image: Image.Image, block: bool = False):  # type: ignore[no-untyped-def]
        from zjcheck.model import Line
        from zjcheck.ocr import OcrResult
        self.seen.append(image)
        return OcrResult([Line(self.text, (0, 0, image.width, image.height), self.conf)], self.conf, 0)


def _contract_seal_page() -> Image.Image:
    pg = sb._page("t-rim")
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", sb.DPI, "t-rim", strength=0.8, bottom_text="合同专用章"),
          (pg.px(150), pg.px(60)), 12)
    return sb._finish(pg, "t-rim", "scan")


def test_rim_unrolled_into_a_strip() -> None:
    eng = _FakeEngine("浙江恒锐机电科技有限公司", 97.0)
    seals, _ = seal.detect(_contract_seal_page(), seal.engine_reader(eng))
    assert seals[0].text == "浙江恒锐机电科技有限公司" and seals[0].text_conf == 97.0
    strip = eng.seen[0]
    assert strip.width > 4 * strip.height                     # a long strip, the ring unrolled


def test_rim_not_read_when_unsure() -> None:
    seals, _ = seal.detect(_contract_seal_page(), seal.engine_reader(_FakeEngine("浙江恒锐机电科技有限公司", 60.0)))
    assert seals[0].text is None and seals[0].text_conf is None
    seals, _ = seal.detect(_contract_seal_page(), seal.engine_reader(_FakeEngine("公司", 99.0)))
    assert seals[0].text is None


def test_rim_read_by_rapidocr() -> None:
    """The default engine reads the unit's name on the unrolled rim: on a rendered seal
    and on a real one (a scanned business licence's 登记机关 seal)."""
    from zjcheck.ocr import get_engine
    read = seal.engine_reader(get_engine("rapidocr"))       # the default engine: a main dependency
    seals, _ = seal.detect(_contract_seal_page(), read)
    assert seals[0].text in (None, "浙江恒锐机电科技有限公司")     # never another name
    seals, _ = seal.detect(REAL["business_license_round_seal_and_red_emblem.png"].image, read)
    assert seals[0].text == "武汉市市场监督管理局"
    seals, _ = seal.detect(REAL["screenshot_company_finance_and_legal_rep_seals.png"].image, read)
    assert [s.text for s in seals if s.shape == "round"] == ["北京中导开源科技有限公司"] * 2
    # a square e-seal: its four characters in the order a seal is read (右上, 右下, 左上, 左下)
    seals, _ = seal.detect(REAL["esign_screenshot_square_name_eseal.png"].image, read)
    assert [s.text for s in seals] == ["张斌之印"]


def test_results_are_plain_json() -> None:
    """What the reader stores in the page cache is plain JSON (no numpy numbers)."""
    import json

    from zjcheck.model import PageText
    for s in REAL.values():
        seals, others, like = seal.analyse(s.image)
        d = PageText("", "ocr", seals=seals, red_marks=others, seal_like=like).to_json()
        assert PageText.from_json(json.loads(json.dumps(d))).seals == seals
