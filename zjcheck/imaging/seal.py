"""Red seal (公章) detection in page images: colour mask plus shape, no model.

A seal is a red ring (round 公章, elliptical 合同专用章, or either one seen at
an angle in a photo) with red writing inside.  What tells it from other red
marks:

- the red pixels of the mark have an outline that an ellipse fits closely
  (a red square logo or a red heading does not: corners, long bars);
- most of that ellipse's outline is red (coverage), even where the seal is
  faint, speckled or crossed by black text;
- the inside is partly red (the name, star or 合同专用章) but not filled.

Colour: "red" is measured as R - max(G, B) with a red hue, with a low
threshold so faint stamps count, and hysteresis (a mark needs some clearly
red pixels) so pinkish paper or a warm photo cast does not.  Everything runs
at a fixed working size so thresholds do not depend on the scan resolution.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from zjcheck.model import Seal

WORK_SIDE = 1000          # longest side of the working image, pixels
WEAK_RED, STRONG_RED = 22, 35     # `redness` of faint / clear seal ink
FAINT_RED = 14            # writing inside a ring already found
MIN_STRONG_PIXELS = 30    # a mark needs this many clearly red pixels (working size)
MIN_FRAC, MAX_FRAC = 0.07, 0.5    # seal major axis relative to the page's shorter side
MAX_ASPECT = 2.8          # a 45x30 mm oval photographed at a steep angle stays below this
RING_COVERAGE = 0.5       # share of the outline (angular bins) that must be red
HULL_FIT = 0.12           # 90th percentile of |rho - 1| of the outline points
MIN_FILL, MAX_FILL = 0.0008, 0.6    # red share of the inner ellipse (rho < 0.7)
BINS = 72


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


def red_mask(rgb: np.ndarray, threshold: int = WEAK_RED) -> np.ndarray:
    """uint8 mask (0/255) of pixels at least `threshold` red (see `redness`)."""
    return (redness(rgb) >= threshold).astype(np.uint8) * 255


def detect(img: Image.Image) -> tuple[list[Seal], int]:
    """(seals found, number of other red marks) with boxes in `img` pixels."""
    scale = min(1.0, WORK_SIDE / max(img.size))
    small = img if scale >= 1 else img.resize((round(img.width * scale), round(img.height * scale)),
                                              Image.BILINEAR)
    rgb = np.asarray(small.convert("RGB"))
    red_level = redness(rgb)
    weak = (red_level >= WEAK_RED).astype(np.uint8) * 255
    if int(np.count_nonzero(weak)) < 50:
        return [], 0
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
    seals: list[Seal] = []
    others = 0
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if max(w, h) < short * 0.02:
            continue                                   # specks
        sub = labels[y:y + h, x:x + w] == i
        red = (weak[y:y + h, x:x + w] > 0) & sub
        if int(np.count_nonzero(strong[y:y + h, x:x + w] & sub)) < MIN_STRONG_PIXELS:
            continue                                   # a tint, not ink
        ok, score, shape = _is_seal(red, faint[y:y + h, x:x + w] & sub, short)
        if ok:
            box = tuple(int(round(v / scale)) for v in (x, y, x + w, y + h))
            seals.append(Seal(box, shape, round(score, 2)))  # type: ignore[arg-type]
        else:
            others += 1
    seals.sort(key=lambda s: (s.box[1], s.box[0]))
    return seals, others


def _is_seal(red: np.ndarray, faint: np.ndarray, short: int) -> tuple[bool, float, str]:
    """Whether the red pixels of one mark (bool array of its box) form a seal;
    `faint` (a lower threshold) is used for the thin writing inside."""
    ys, xs = np.nonzero(red)
    if len(xs) < 60:
        return False, 0.0, ""
    pts = np.stack([xs, ys], axis=1).astype(np.int32)
    hull = cv2.convexHull(pts)
    if len(hull) < 5:
        return False, 0.0, ""
    # densify the hull outline so that long straight edges weigh as they should
    outline = _densify(hull.reshape(-1, 2).astype(np.float64), step=2.0)
    (cx, cy), (d1, d2), angle = cv2.fitEllipse(outline.astype(np.float32))
    major, minor = max(d1, d2), min(d1, d2)
    if not (MIN_FRAC * short <= major <= MAX_FRAC * short) or minor < MIN_FRAC * short * 0.6:
        return False, 0.0, ""
    aspect = major / max(minor, 1.0)
    if aspect > MAX_ASPECT:
        return False, 0.0, ""
    a, b = d1 / 2.0, d2 / 2.0
    t = np.radians(angle)
    cos_t, sin_t = np.cos(t), np.sin(t)

    def rho_theta(px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx, dy = px - cx, py - cy
        u = (dx * cos_t + dy * sin_t) / a
        v = (-dx * sin_t + dy * cos_t) / b
        return np.hypot(u, v), np.arctan2(v, u)

    # 1. the outline is an ellipse (not a square, not a word)
    rho_hull, _ = rho_theta(outline[:, 0], outline[:, 1])
    fit = float(np.quantile(np.abs(rho_hull - 1.0), 0.9))
    if fit > HULL_FIT:
        return False, 0.0, ""
    # 2. the outline is red most of the way round
    rho, theta = rho_theta(xs.astype(np.float64), ys.astype(np.float64))
    band = (rho >= 0.82) & (rho <= 1.08)
    bins = np.unique(((theta[band] + np.pi) / (2 * np.pi) * BINS).astype(np.int32) % BINS)
    coverage = len(bins) / BINS
    if coverage < RING_COVERAGE:
        return False, 0.0, ""
    # 3. something red inside, but not a filled blob
    inner_area = np.pi * a * b * 0.49
    fys, fxs = np.nonzero(faint)
    frho, _ = rho_theta(fxs.astype(np.float64), fys.astype(np.float64))
    fill = float(np.count_nonzero(frho < 0.7)) / max(inner_area, 1.0)
    if not (MIN_FILL <= fill <= MAX_FILL):
        return False, 0.0, ""
    # 4. a ring is thin: the band holds much of the ink, the ring is not a wide annulus
    ring_share = float(np.count_nonzero(band)) / len(xs)
    if ring_share < 0.15:
        return False, 0.0, ""
    score = min(1.0, 0.6 * coverage + 0.4 * (1.0 - fit / HULL_FIT))
    return True, score, "round" if aspect < 1.15 else "ellipse"


def _densify(poly: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` pixels along a closed polygon."""
    out = []
    nxt = np.roll(poly, -1, axis=0)
    for p, q in zip(poly, nxt):
        d = float(np.hypot(*(q - p)))
        k = max(1, int(d / step))
        for j in range(k):
            out.append(p + (q - p) * (j / k))
    return np.array(out)
