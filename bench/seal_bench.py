"""Precision and recall of the red-seal detector (zjcheck/imaging/seal.py), on two sets.

1. realdev: the real seal images in tests/realdev/seals (MANIFEST.tsv: how many
   imprints a person counts on each; one of them is a negative).  Made by others:
   scans, phone photos, screenshots of e-signing apps, crops.
2. fixtures: pages rendered with the fixture toolkit (the same seals, fonts, scan
   and photo effects as the sample packages): round and oval seals of varying ink
   strength, rotation and overlap with text, scanned or photographed; oval 专用章
   with horizontal text (bank 电子回单 / 转账凭证 seals); square 法人名章; electronic
   seals over text in a screenshot, one partly hidden by a floating button; two or
   three seals on one page, side by side or overlapping, also seen at an angle;
   and pages with red marks that are not seals (a red company logo, a red 红头
   heading and rule, large red characters, a red pen circle, red table lines, red
   handwriting, a red delete icon in a screenshot, a seal turned gray by a
   black-and-white scan).

Prints a table per condition and the totals of each set.

    .venv/bin/python bench/seal_bench.py [--quick] [--set realdev|fixtures]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.render import effects  # noqa: E402
from fixtures.render.canvas import Page, RED  # noqa: E402
from fixtures.render.seal import (electronic_seal, esign_screenshot, flat_oval_seal, oval_seal,  # noqa: E402
                                  paste_over, red_logo, round_seal, signature, square_seal, stamp)
from zjcheck.imaging import seal as detector  # noqa: E402

DPI = 150
REALDEV = ROOT / "tests" / "realdev" / "seals"
TEXT = ("甲方（委托方）：浙江恒锐机电科技有限公司　法定代表人：王立群　委托代理人：周建华　"
        "乙方（受托方）：浙江工业大学　签订日期：2023年3月15日　开户银行：中国工商银行杭州分行　"
        "本合同一式四份，甲乙双方各执两份，具有同等法律效力。")
RECEIPT = ("中国工商银行网上银行电子回单　电子回单号码：0017-2385-4410-7728　付款人：浙江恒锐机电科技有限公司　"
           "账号：1202 0211 0990 0123 456　收款人：浙江工业大学　金额：人民币（大写）叁拾伍万元整　"
           "用途：技术开发费　交易时间：2023-04-02 10:15:32")


@dataclass
class Sample:
    name: str
    condition: str
    image: Image.Image
    seals: int          # how many real seals are on it


def load(path: Path) -> Image.Image:
    """An image as the reader sees it (RGB; transparency composited on white)."""
    im = Image.open(path)
    if im.mode in ("RGBA", "LA", "P"):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        bg.alpha_composite(im)
        im = bg
    return im.convert("RGB")


def realdev() -> list[Sample]:
    """The real images of tests/realdev/seals with the counts of MANIFEST.tsv."""
    with open(REALDEV / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Sample(r["file"], r["file"], load(REALDEV / r["file"]), int(r["seals"])) for r in rows]


def _page(key: str, text: str = TEXT, title: str = "技术开发（委托）合同") -> Page:
    pg = Page(dpi=DPI)
    pg.center(20, title, 18, bold=True)
    y = 40.0
    for _ in range(6):
        y = pg.paragraph(20, y, 170, text, 11) + 2
    return pg


def _squash(im: Image.Image, fy: float, shear: float) -> Image.Image:
    """An affine view of the page, as when photographed at an angle."""
    w, h = im.size
    return im.transform((w, round(h * fy)), Image.AFFINE, (1, shear, -shear * h * fy / 2, 0, 1 / fy, 0),
                        Image.BICUBIC, fillcolor=(240, 240, 238))


def _finish(pg: Page, key: str, how: str) -> Image.Image:
    rp = pg.finish("project", ["seal_page"], None)
    if how == "scan":
        return effects.scan(rp, key).image
    if how == "photo":
        return effects.photo(rp, key, out_size=(1200, 1600)).image
    if how == "gray":
        return effects.scan(rp, key).image.convert("L").convert("RGB")
    return rp.image


def positives(quick: bool = False) -> list[Sample]:
    out: list[Sample] = []
    strengths = [0.25, 0.35, 0.55, 0.9]
    angles = [0, 17, -35]
    hows = ["scan", "photo"]
    kinds = ["round", "oval"]
    overlaps = [True, False]
    if quick:
        strengths, angles, overlaps = [0.3, 0.9], [17], [True]
    for kind in kinds:
        for st in strengths:
            for ang in angles:
                for ov in overlaps:
                    for how in hows:
                        key = f"{kind}-{st}-{ang}-{ov}-{how}"
                        pg = _page(key)
                        if kind == "round":
                            s = round_seal("浙江恒锐机电科技有限公司", DPI, key, strength=st, bottom_text="合同专用章")
                        else:
                            s = oval_seal("浙江工业大学", DPI, key, strength=st)
                        cy = 60 if ov else 250
                        stamp(pg.img, s, (pg.px(150), pg.px(cy)), ang)
                        out.append(Sample(key, f"{kind} strength {st} {how}{' on text' if ov else ''}",
                                          _finish(pg, key, how), 1))
    out += new_kinds(quick)
    # two seals on one page (甲方 and 乙方), and a page seen at a steep angle
    for st in ([0.4, 0.9] if not quick else [0.5]):
        key = f"two-{st}"
        pg = _page(key)
        stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", DPI, key + "a", strength=st), (pg.px(60), pg.px(235)), 8)
        stamp(pg.img, round_seal("浙江工业大学", DPI, key + "b", strength=st), (pg.px(150), pg.px(235)), -12)
        out.append(Sample(key, f"two seals strength {st} scan", _finish(pg, key, "scan"), 2))
        for fy, sh in ((0.7, 0.15), (0.55, -0.25)):
            k2 = f"{key}-tilt{fy}"
            out.append(Sample(k2, f"two seals strength {st} tilted (y x{fy})",
                              _squash(_finish(pg, k2, "scan"), fy, sh), 2))
    return out


def three_seals(pg: Page, key: str, st: float, overlap: bool = False) -> None:
    """公章, 财务专用章 and 法人名章 side by side (or the 名章 over the 公章's edge)."""
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", DPI, key + "a", strength=st), (pg.px(50), pg.px(240)), 6)
    stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", DPI, key + "b", strength=st, diameter_mm=38,
                             bottom_text="财务专用章"), (pg.px(105), pg.px(240)), -9)
    x = 72 if overlap else 158
    stamp(pg.img, square_seal("王立群", DPI, key + "c", strength=st), (pg.px(x), pg.px(262 if overlap else 240)), 3)


def new_kinds(quick: bool = False) -> list[Sample]:
    """The seal kinds of issue 22: oval 专用章 with horizontal text, square 名章, e-seals
    on screenshots, several seals on one page."""
    out: list[Sample] = []
    hows = ["scan", "photo"]
    strengths = [0.45, 0.9] if not quick else [0.6]
    for st in strengths:
        for how in hows:
            key = f"receipt-{st}-{how}"
            pg = _page(key, RECEIPT, "网上银行电子回单")
            stamp(pg.img, flat_oval_seal(("中国工商银行", "电子回单专用章", "(001)"), DPI, key, strength=st),
                  (pg.px(160), pg.px(75)), 0)
            out.append(Sample(key, f"oval 电子回单专用章 strength {st} {how} on text", _finish(pg, key, how), 1))
            key = f"transfer-{st}-{how}"
            pg = _page(key, RECEIPT, "转账凭证")
            stamp(pg.img, flat_oval_seal(("转账凭证专用章", "(2)"), DPI, key, strength=st, inner_ring=False,
                                         arc="浙江恒锐机电科技有限公司"), (pg.px(150), pg.px(250)), -8)
            out.append(Sample(key, f"oval 转账凭证专用章 strength {st} {how}", _finish(pg, key, how), 1))
            key = f"chop-{st}-{how}"
            pg = _page(key)
            stamp(pg.img, square_seal("王立群", DPI, key, strength=st), (pg.px(150), pg.px(250)), 4)
            signature(pg, 120, 270, "王立群", key)
            out.append(Sample(key, f"square 法人名章 strength {st} {how}", _finish(pg, key, how), 1))
            key = f"three-{st}-{how}"
            pg = _page(key)
            three_seals(pg, key, st)
            out.append(Sample(key, f"公章+财务章+名章 side by side strength {st} {how}", _finish(pg, key, how), 3))
            key = f"overlap-{st}-{how}"
            pg = _page(key)
            three_seals(pg, key, st, overlap=True)
            out.append(Sample(key, f"名章 over the 公章's edge + 财务章 strength {st} {how}", _finish(pg, key, how), 3))
    for cover in (None, (0.8, 0.17)):
        key = f"eseal-{cover}"
        pg = _page(key)
        paste_over(pg.img, electronic_seal("浙江工业大学", DPI), (pg.px(150), pg.px(60)))
        shot = esign_screenshot(_finish(pg, key, "clean"), key, cover=cover)
        cond = "e-seal over text, screenshot" + (", partly hidden by a button" if cover else "")
        out.append(Sample(key, cond, shot, 1))
        key = f"eseal-two-{cover}"
        pg = _page(key)
        paste_over(pg.img, electronic_seal("浙江工业大学", DPI), (pg.px(60), pg.px(60)))
        paste_over(pg.img, square_seal("周建华", DPI, key, texture=False, color=(230, 0, 18)), (pg.px(150), pg.px(60)))
        out.append(Sample(key, "e-seal and square e-seal, screenshot", esign_screenshot(_finish(pg, key, "clean"), key,
                                                                                       cover=cover), 2))
    return out


def _red_table(pg: Page) -> None:
    for i in range(7):
        pg.hline(20, 190, 200 + i * 10, 0.4, fill=RED)
    for x in (20, 60, 120, 190):
        pg.vline(x, 200, 260, 0.4, fill=RED)
    for i in range(6):
        pg.text(25, 203 + i * 10, f"第{i + 1}项　检测数据　合格", 10)


def negatives(quick: bool = False) -> list[Sample]:
    out: list[Sample] = []
    hows = ["scan", "photo"] if not quick else ["scan"]
    for how in hows:
        key = f"logo-{how}"
        pg = _page(key)
        red_logo(pg, 20, 8)
        out.append(Sample(key, f"red logo {how}", _finish(pg, key, how), 0))
        key = f"heading-{how}"
        pg = _page(key)
        pg.center(262, "浙江恒锐机电科技有限公司文件", 26, bold=True, fill=RED)
        pg.hline(15, 195, 275, 0.8, fill=RED)
        out.append(Sample(key, f"red heading and rule {how}", _finish(pg, key, how), 0))
        key = f"bigchar-{how}"
        pg = _page(key)
        for i, ch in enumerate("回国图"):
            pg.text(40 + i * 50, 240, ch, 72, bold=True, fill=RED)
        out.append(Sample(key, f"large red characters 回国图 {how}", _finish(pg, key, how), 0))
        key = f"pen-{how}"
        pg = _page(key)
        ImageDraw.Draw(pg.img).ellipse([pg.px(120), pg.px(45), pg.px(175), pg.px(80)], outline=(200, 30, 35),
                                        width=pg.px(0.7))
        out.append(Sample(key, f"red pen circle round text {how}", _finish(pg, key, how), 0))
        key = f"table-{how}"
        pg = _page(key)
        _red_table(pg)
        out.append(Sample(key, f"red table lines {how}", _finish(pg, key, how), 0))
        key = f"redpen-{how}"
        pg = _page(key)
        signature(pg, 130, 250, "王立群", key, size_pt=28, color=(200, 30, 35))
        signature(pg, 40, 262, "同意", key + "b", size_pt=24, color=(200, 30, 35))
        out.append(Sample(key, f"red handwriting {how}", _finish(pg, key, how), 0))
        key = f"grayseal-{how}"
        pg = _page(key)
        stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", DPI, key), (pg.px(150), pg.px(240)), 10)
        out.append(Sample(key, f"seal in black-and-white scan {how}", _finish(pg, key, "gray"), 0))
    key = "esign-unsigned"
    out.append(Sample(key, "e-signing screenshot, nothing stamped (red delete icon)",
                      esign_screenshot(_finish(_page(key), key, "clean"), key), 0))
    return out


def _score(samples: list[Sample], title: str) -> dict[str, float]:
    rows: dict[str, list[int]] = {}
    tp = fp = fn = 0
    t1 = time.perf_counter()
    for s in samples:
        found = len(detector.detect(s.image)[0])
        hit = min(found, s.seals)
        tp += hit
        fn += s.seals - hit
        fp += max(0, found - s.seals)
        r = rows.setdefault(s.condition, [0, 0, 0])
        r[0] += s.seals
        r[1] += hit
        r[2] += max(0, found - s.seals)
    det = time.perf_counter() - t1
    print(f"\n== {title}\n{'condition':60} {'seals':>5} {'found':>5} {'false+':>6}")
    for cond, (n, hit, extra) in sorted(rows.items()):
        flag = "" if hit == n and extra == 0 else "  <--"
        print(f"{cond[:60]:60} {n:5d} {hit:5d} {extra:6d}{flag}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"{title}: {len(samples)} images, {tp + fn} seals: precision {precision:.3f}  recall {recall:.3f}  "
          f"(tp {tp}, fp {fp}, fn {fn}); detect {det / max(1, len(samples)) * 1000:.0f} ms/image")
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "fn": fn}


def run(quick: bool = False, which: str = "both") -> dict[str, dict[str, float]]:
    out = {}
    if which in ("both", "realdev"):
        out["realdev"] = _score(realdev(), "realdev (real images made by others)")
    if which in ("both", "fixtures"):
        t0 = time.perf_counter()
        samples = positives(quick) + negatives(quick)
        print(f"(rendered {len(samples)} fixture pages in {time.perf_counter() - t0:.0f} s)")
        out["fixtures"] = _score(samples, "fixtures (rendered pages)")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small subset of the fixture pages")
    ap.add_argument("--set", default="both", choices=("both", "realdev", "fixtures"))
    a = ap.parse_args()
    run(a.quick, a.set)
