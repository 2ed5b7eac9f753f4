"""Precision and recall of the red-seal detector (zjcheck/imaging/seal.py).

Renders pages with the fixture toolkit (the same seals, fonts, scan and
photo effects as the sample packages): seals of varying ink strength,
rotation, overlap with text, round and oval, squashed as seen at an angle,
scanned or photographed; and pages with red marks that are not seals (a red
company logo, a red 红头 heading, a red rule, a square name chop, a red pen
circle, a seal turned gray by a black-and-white scan).  Prints a table per
condition and the totals.

    .venv/bin/python bench/seal_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.render import effects  # noqa: E402
from fixtures.render.canvas import Page, RED  # noqa: E402
from fixtures.render.seal import oval_seal, red_logo, round_seal, stamp  # noqa: E402
from zjcheck.imaging import seal as detector  # noqa: E402

DPI = 150
TEXT = ("甲方（委托方）：浙江恒锐机电科技有限公司　法定代表人：王立群　委托代理人：周建华　"
        "乙方（受托方）：浙江工业大学　签订日期：2023年3月15日　开户银行：中国工商银行杭州分行　"
        "本合同一式四份，甲乙双方各执两份，具有同等法律效力。")


@dataclass
class Sample:
    name: str
    condition: str
    image: Image.Image
    seals: int          # how many real seals are on it


def _page(key: str) -> Page:
    pg = Page(dpi=DPI)
    pg.center(20, "技术开发（委托）合同", 18, bold=True)
    y = 40.0
    for _ in range(6):
        y = pg.paragraph(20, y, 170, TEXT, 11) + 2
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


def _name_chop(pg: Page, x: float, y: float) -> None:
    """A square personal name chop (not a 公章)."""
    d = pg.draw
    s = pg.px(16)
    x0, y0 = pg.px(x), pg.px(y)
    d.rectangle([x0, y0, x0 + s, y0 + s], outline=(200, 30, 35), width=pg.px(1.2))
    f = pg.font(22, "serif", True)
    for i, ch in enumerate("王印立群"):
        d.text((x0 + s * (0.28 + 0.45 * (i // 2)), y0 + s * (0.28 + 0.45 * (i % 2))), ch, font=f,
               fill=(200, 30, 35), anchor="mm")


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
        key = f"chop-{how}"
        pg = _page(key)
        _name_chop(pg, 150, 240)
        out.append(Sample(key, f"square name chop {how}", _finish(pg, key, how), 0))
        key = f"pen-{how}"
        pg = _page(key)
        ImageDraw.Draw(pg.img).ellipse([pg.px(120), pg.px(45), pg.px(175), pg.px(80)], outline=(200, 30, 35),
                                        width=pg.px(0.7))
        out.append(Sample(key, f"red pen circle round text {how}", _finish(pg, key, how), 0))
        key = f"grayseal-{how}"
        pg = _page(key)
        stamp(pg.img, round_seal("浙江恒锐机电科技有限公司", DPI, key), (pg.px(150), pg.px(240)), 10)
        out.append(Sample(key, f"seal in black-and-white scan {how}", _finish(pg, key, "gray"), 0))
    return out


def run(quick: bool = False) -> dict[str, float]:
    rows: dict[str, list[int]] = {}
    tp = fp = fn = 0
    t0 = time.perf_counter()
    samples = positives(quick) + negatives(quick)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    for s in samples:
        found = len(detector.detect(s.image)[0])
        hit = min(found, s.seals)
        tp += hit
        fn += s.seals - hit
        fp += max(0, found - s.seals)
        group = s.condition
        r = rows.setdefault(group, [0, 0, 0])
        r[0] += s.seals
        r[1] += hit
        r[2] += max(0, found - s.seals)
    det = time.perf_counter() - t1
    print(f"{'condition':52} {'seals':>5} {'found':>5} {'false+':>6}")
    for cond, (n, hit, extra) in sorted(rows.items()):
        flag = "" if hit == n and extra == 0 else "  <--"
        print(f"{cond:52} {n:5d} {hit:5d} {extra:6d}{flag}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\n{len(samples)} pages, {tp + fn} seals: precision {precision:.3f}  recall {recall:.3f}  "
          f"(tp {tp}, fp {fp}, fn {fn}); detect {det / len(samples) * 1000:.0f} ms/page, render {build:.0f} s")
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "fn": fn}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small subset")
    run(ap.parse_args().quick)
