"""Perceptual hashes of a page image, for near-duplicate pages across
applicants (BAT001, zjcheck/crossapp.py).

The two hashes of imagehash (pHash: the signs of the 8×8 lowest DCT
frequencies against their median; dHash: the signs of horizontal gradients on
a 9×8 thumbnail), computed with OpenCV so that no SciPy is needed; the bits
are not imagehash's bit for bit (OpenCV's DCT is orthonormal), their meaning
is.  Before hashing, the page is brought to one frame: grey, about 600 px,
straightened (a scanner's skew of up to 2.5° moves more bits than a JPEG
re-encoding does) and cropped to its ink, so a rescan, another JPEG quality or
a slightly cropped copy of one page hash alike.  A hash says that two pages
*look* alike: two forms of one template filled for two people do too, so
crossapp confirms a candidate with the pages' text.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

SIDE = 600            # the long side the page is brought to before hashing
SKEW_MAX = 2.5        # degrees searched either way
SKEW_STEP = 0.25


def _gray(img: Image.Image) -> np.ndarray:
    g = np.asarray(img.convert("L"))
    h, w = g.shape
    s = SIDE / max(h, w, 1)
    if s < 1:
        g = cv2.resize(g, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return g


def _deskew(g: np.ndarray) -> np.ndarray:
    """Straightened by the angle whose horizontal projection is sharpest
    (text lines and table rules fall into few rows)."""
    h, w = g.shape
    small = g if max(h, w) <= 300 else cv2.resize(g, (max(1, w * 300 // max(h, w)), max(1, h * 300 // max(h, w))),
                                                  interpolation=cv2.INTER_AREA)
    inv = 255.0 - small.astype(np.float32)
    sh, sw = inv.shape
    best, angle = -1.0, 0.0
    for a in np.arange(-SKEW_MAX, SKEW_MAX + 1e-6, SKEW_STEP):
        m = cv2.getRotationMatrix2D((sw / 2, sh / 2), float(a), 1.0)
        rows = cv2.warpAffine(inv, m, (sw, sh), flags=cv2.INTER_LINEAR, borderValue=0).sum(1)
        score = float(np.var(np.diff(rows)))
        if score > best + 1e-9:
            best, angle = score, float(a)
    if abs(angle) < 1e-6:
        return g
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(g, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=int(np.median(g)))


def _crop(g: np.ndarray) -> np.ndarray:
    """The part of the page that has ink (margins, scanner bed and a slight
    crop no longer count); the whole page when nothing stands out."""
    bg = float(np.median(g))
    ink = g < min(bg - 60, 150)
    rows = np.flatnonzero(ink.mean(1) > 0.004)
    cols = np.flatnonzero(ink.mean(0) > 0.004)
    if len(rows) < 8 or len(cols) < 8:
        return g
    return g[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _bits(a: np.ndarray) -> int:
    out = 0
    for b in a.flatten():
        out = (out << 1) | int(bool(b))
    return out


def phash(g: np.ndarray, n: int = 8) -> int:
    a = cv2.resize(g, (4 * n, 4 * n), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(a)[:n, :n]
    return _bits(low > np.median(low))


def dhash(g: np.ndarray, n: int = 8) -> int:
    a = cv2.resize(g, (n + 1, n), interpolation=cv2.INTER_AREA).astype(np.int16)
    return _bits(a[:, 1:] > a[:, :-1])


def page_hash(img: Image.Image) -> str:
    """'pppppppppppppppp:dddddddddddddddd': the page's 64-bit pHash and dHash in hex."""
    g = _crop(_deskew(_gray(img)))
    return f"{phash(g):016x}:{dhash(g):016x}"


def parse(h: str | None) -> tuple[int, int] | None:
    """(pHash, dHash) of a stored hash; None for none or a malformed one."""
    if not h or ":" not in h:
        return None
    try:
        p, d = h.split(":", 1)
        return int(p, 16), int(d, 16)
    except ValueError:
        return None


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()
