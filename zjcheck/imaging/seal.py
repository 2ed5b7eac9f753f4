"""Red seal (公章) detection in page images: colour mask plus shape, no model.

A seal is a red ring (round 公章 or elliptical 合同专用章) whose outline is
mostly red and whose inside is mostly not: that tells it from red headings,
red logos and filled red shapes.  Works at a fixed working size so that the
thresholds do not depend on the scan resolution.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image

from zjcheck.model import Seal

WORK_SIDE = 1000          # longest side of the working image, pixels
MIN_FRAC, MAX_FRAC = 0.05, 0.45   # seal diameter relative to the page's shorter side
RING_COVERAGE = 0.55      # share of the outline that must be red
MAX_FILL = 0.55           # share of the inner disc that may be red


def red_mask(rgb: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    r = rgb[..., 0].astype(np.int16)
    gb = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    hue_red = (h <= 12) | (h >= 160)
    return ((hue_red & (s >= 45) & (v >= 70) & (r - gb >= 40)).astype(np.uint8)) * 255


def detect(img: Image.Image) -> tuple[list[Seal], int]:
    """(seals found, number of other red marks) with boxes in `img` pixels."""
    scale = WORK_SIDE / max(img.size)
    small = img if scale >= 1 else img.resize((round(img.width * scale), round(img.height * scale)))
    scale = min(scale, 1.0)
    rgb = np.asarray(small.convert("RGB"))
    mask = red_mask(rgb)
    if mask.sum() < 255 * 50:
        return [], 0
    short = min(mask.shape)
    k = max(3, short // 120)
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    seals: list[Seal] = []
    others = 0
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if max(w, h) < short * 0.02:
            continue
        ok, score, shape = _is_seal(mask, c, short)
        if ok:
            box = tuple(int(round(v / scale)) for v in (x, y, x + w, y + h))
            seals.append(Seal(box, shape, round(score, 2)))  # type: ignore[arg-type]
        else:
            others += 1
    return seals, others


def _is_seal(mask: np.ndarray, contour: np.ndarray, short: int) -> tuple[bool, float, str]:
    if len(contour) < 20:
        return False, 0.0, ""
    (cx, cy), (d1, d2), angle = cv2.fitEllipse(contour)
    major, minor = max(d1, d2), min(d1, d2)
    if not (MIN_FRAC * short <= major <= MAX_FRAC * short * 1.6) or minor < MIN_FRAC * short:
        return False, 0.0, ""
    aspect = major / max(minor, 1)
    if aspect > 1.8:
        return False, 0.0, ""
    a, b = d1 / 2, d2 / 2
    t = math.radians(angle)
    hits = 0
    n = 90
    hh, ww = mask.shape
    band = max(2, int(min(a, b) * 0.08))
    for i in range(n):
        th = 2 * math.pi * i / n
        found = False
        for dr in (-band, -band // 2, 0, band // 2, band):
            px = cx + (a + dr) * math.cos(th) * math.cos(t) - (b + dr) * math.sin(th) * math.sin(t)
            py = cy + (a + dr) * math.cos(th) * math.sin(t) + (b + dr) * math.sin(th) * math.cos(t)
            xi, yi = int(round(px)), int(round(py))
            if 0 <= xi < ww and 0 <= yi < hh and mask[yi, xi]:
                found = True
                break
        hits += found
    coverage = hits / n
    inner = np.zeros_like(mask)
    cv2.ellipse(inner, ((cx, cy), (d1 * 0.6, d2 * 0.6), angle), 255, -1)
    inside = inner > 0
    fill = float((mask[inside] > 0).mean()) if inside.any() else 1.0
    ok = coverage >= RING_COVERAGE and fill <= MAX_FILL and fill >= 0.02
    return ok, coverage, "round" if aspect < 1.2 else "ellipse"
