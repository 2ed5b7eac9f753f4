"""Seal imprints compared across documents (TMP005).

A seal stamped twice never leaves the same ink twice: the pressure, the ink
on the pad and the paper give every imprint its own density (darker on one
side, lighter patches, voids).  A seal cut from one scan and pasted into
another document leaves the same ink, down to its uneven patches, on both.

Worker side, `signature(img, box)`: the imprint's crop as a redness map
(zjcheck.imaging.seal.redness) scaled to N×N.  Electronic seals drawn into
a generated PDF (text-layer pages) are the same image by design and are not
compared (checks/tamper.py); an electronic seal printed and scanned cannot
be told from a stamp by its ink here, and the finding says so.

Main side, `compare(a, b)`: the two maps aligned (small rotations and
shifts: two scans are never placed alike), then

- `ncc`, the normalised correlation of the aligned redness maps (the same
  design at the same angle is needed), and
- `field`, how much the ink density differs across the imprint: the spread
  of log(density A / density B) over the cells of a 6×6 grid that hold ink
  in both (median absolute deviation, so that a few cells where the
  alignment is off do not count).  A pasted copy has one density map, scaled at most (another
  scanner's brightness): the spread is small; two stampings have their own.

Both are reported; `pasted(…)` is the rule (thresholds below, measured on
stamped and pasted fixture imprints: tests/test_tamper.py).
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image

N = 96                    # side of the normalised redness map
INK = 40                  # redness (0-255) of ink in the normalised map
MIN_NCC = 0.9             # aligned maps this alike …
MAX_FIELD = 0.06          # … and ink densities this alike: one imprint, not two stampings
ANGLES = np.arange(-3.0, 3.01, 0.5)
SHIFTS = range(-2, 3)


def signature(img: Image.Image, box: tuple[float, float, float, float]) -> dict[str, Any] | None:
    """The normalised imprint of the seal at `box` (pixels of `img`)."""
    from zjcheck.imaging.seal import redness
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w < 24 or h < 24:
        return None
    pad = 0.04
    crop = img.crop((int(max(0, x0 - pad * w)), int(max(0, y0 - pad * h)),
                     int(min(img.width, x1 + pad * w)), int(min(img.height, y1 + pad * h)))).convert("RGB")
    rgb = np.asarray(crop)
    red = redness(rgb).astype(np.float32)
    ink = red > INK
    if ink.sum() < 50:
        return None
    small = cv2.resize(red, (N, N), interpolation=cv2.INTER_AREA)
    return {"red": _pack(small), "aspect": round(w / h, 3)}


def _pack(a: np.ndarray) -> str:
    return base64.b64encode(np.clip(a, 0, 255).astype(np.uint8).tobytes()).decode("ascii")


@lru_cache(maxsize=256)
def _unpack(s: str, n: int) -> np.ndarray:
    """The packed map (read-only: one array is shared by every pair it is in)."""
    a = np.frombuffer(base64.b64decode(s), dtype=np.uint8).reshape(n, n).astype(np.float32)
    a.flags.writeable = False
    return a


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float] | None:
    """How alike two imprints are (ncc, field); None when they cannot be the
    same seal at all (another shape), or another design or angle (a coarse
    look at 32×32 finds no alignment)."""
    if abs(float(a["aspect"]) / float(b["aspect"]) - 1) > 0.1:
        return None
    A, B = _unpack(a["red"], N), _unpack(b["red"], N)
    if _coarse(A, B) < COARSE:
        return None
    centre = (N / 2, N / 2)
    best = (-2.0, B)
    for ang in ANGLES:
        rot = cv2.warpAffine(B, cv2.getRotationMatrix2D(centre, float(ang), 1.0), (N, N), flags=cv2.INTER_LINEAR)
        stack = _shifts(rot)
        scores = _ncc_many(A, stack)
        i = int(np.argmax(scores))
        if scores[i] > best[0]:
            best = (float(scores[i]), stack[i])
    _, Bm = best
    return {"ncc": round(_ncc(A, Bm), 3), "field": round(_field(A, Bm), 3)}


def _shifts(img: np.ndarray) -> np.ndarray:
    """`img` shifted circularly by every (dy, dx) of SHIFTS (np.roll's values,
    taken as windows of the image tiled 3×3: a few copies instead of two
    rolls per shift, which made a warm run of a package with many seals slow)."""
    n = img.shape[0]
    t = np.tile(img, (3, 3))
    return np.stack([t[n - dy:2 * n - dy, n - dx:2 * n - dx] for dx in SHIFTS for dy in SHIFTS])


COARSE = 0.6              # a pair less alike than this at 32×32 (best of ±3°) is not looked at closer


def _coarse(A: np.ndarray, B: np.ndarray) -> float:
    a = cv2.resize(A, (32, 32), interpolation=cv2.INTER_AREA)
    b = cv2.resize(B, (32, 32), interpolation=cv2.INTER_AREA)
    rots = np.stack([cv2.warpAffine(b, cv2.getRotationMatrix2D((16, 16), float(ang), 1.0), (32, 32))
                     for ang in (-3, -1.5, 0, 1.5, 3)])
    return float(_ncc_many(a, rots).max())


def _ncc_many(a: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """Plain (unmasked) normalised correlation of `a` with each of `bs`."""
    x = (a - a.mean()).ravel()
    y = bs.reshape(bs.shape[0], -1)
    y = y - y.mean(axis=1, keepdims=True)
    d = np.sqrt((x * x).sum() * (y * y).sum(axis=1))
    return np.where(d > 0, (y @ x) / np.maximum(d, 1e-9), -1.0)


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    m = (a > INK / 2) | (b > INK / 2)
    if m.sum() < 50:
        return -1.0
    x, y = a[m] - a[m].mean(), b[m] - b[m].mean()
    d = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / d) if d > 0 else -1.0


def _field(a: np.ndarray, b: np.ndarray, cells: int = 6) -> float:
    """Spread of log(ink density A / ink density B) over the grid cells holding ink in both."""
    both = (a > INK) & (b > INK)
    step = N // cells
    logs = []
    for i in range(cells):
        for j in range(cells):
            m = both[i * step:(i + 1) * step, j * step:(j + 1) * step]
            if m.sum() < 0.04 * step * step:
                continue
            pa = a[i * step:(i + 1) * step, j * step:(j + 1) * step][m].mean()
            pb = b[i * step:(i + 1) * step, j * step:(j + 1) * step][m].mean()
            logs.append(np.log(pa / pb))
    if len(logs) < 6:
        return 1.0
    x = np.array(logs)
    return float(1.4826 * np.median(np.abs(x - np.median(x))))      # robust: a cell cut by a misaligned edge is no outlier


def pasted(sim: dict[str, float] | None) -> bool:
    return sim is not None and sim["ncc"] >= MIN_NCC and sim["field"] <= MAX_FIELD
