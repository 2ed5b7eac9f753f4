"""What an image file tells about the programs that saved it (worker side).

- Metadata: EXIF Software / Make / Model / DateTime, XMP (CreatorTool,
  history agents and actions), a Photoshop resource block (APP13), a PNG's
  Software text, a JPEG comment.
- Double JPEG compression.  A JPEG stores its DCT coefficients divided by the
  quantisation table of its last save (step q2) and rounded.  When the
  picture had been saved before with a coarser step q1 and was then opened
  and saved again with the finer q2, each coefficient can only take the
  values round(k·q1/q2): the histogram of a frequency has empty bins at a
  regular spacing (Popescu & Farid, "Statistical tools for digital
  forensics", 2004).  A scan or a camera photo is saved once and its
  histograms are full; an image sent through a chat app is saved again
  coarser (q1 < q2), which leaves no gaps and is not reported.  The
  coefficients are recomputed from the decoded luminance (JPEG's FDCT is
  the orthonormal 8×8 DCT-II); blocks with clipped pixels (pure white paper,
  pure black) are left out, and a frequency counts only when its gaps lie
  between well-filled bins.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from PIL import Image

from zjcheck import limits

MAX_PIXELS = 2_500_000       # luminance analysed (a centre crop of larger pictures)
FREQS = 15                   # AC frequencies looked at, in zig-zag order
RANGE = 24                   # |coefficient| values looked at
MIN_NEIGHBOUR = 25           # a gap counts when the bins around it hold at least this many
MAX_LEAK = 0.02              # share of the coefficients allowed outside the values q1 permits
MIN_GAPS = 2                 # gaps a frequency needs
MIN_FREQS = 3                # frequencies that must show the pattern

_ZIGZAG = [(0, 0), (0, 1), (1, 0), (2, 0), (1, 1), (0, 2), (0, 3), (1, 2), (2, 1), (3, 0), (4, 0), (3, 1), (2, 2),
           (1, 3), (0, 4), (0, 5), (1, 4), (2, 3), (3, 2), (4, 1), (5, 0)]


def _dct_matrix() -> np.ndarray:
    c = np.zeros((8, 8))
    for u in range(8):
        for x in range(8):
            c[u, x] = (np.sqrt(1 / 8) if u == 0 else np.sqrt(2 / 8)) * np.cos((2 * x + 1) * u * np.pi / 16)
    return c


_C = _dct_matrix()


def file_marks(path: str) -> dict[str, Any]:
    """Metadata and, for a JPEG, its quantisation and double-compression test."""
    from zjcheck.imaging.render import open_image
    out: dict[str, Any] = {}
    with open_image(path) as im:
        out["format"] = im.format
        try:
            exif = im.getexif()
        except Exception:  # noqa: BLE001 - damaged EXIF: nothing read
            exif = {}
        for tag, key in ((0x0131, "software"), (0x010F, "make"), (0x0110, "model"), (0x0132, "datetime")):
            v = exif.get(tag) if exif else None
            if isinstance(v, bytes):
                v = v.decode("utf-8", "replace")
            if isinstance(v, str) and v.strip("\x00 "):
                out[key] = v.strip("\x00 ")[:120]
        xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
        if isinstance(xmp, str):
            xmp = xmp.encode("utf-8", "replace")
        if isinstance(xmp, bytes):
            out.update(_xmp(xmp[:1 << 20]))
        writer = _irb_writer(im.info.get("photoshop"))
        if writer:
            out["photoshop_irb"] = writer
        for key in ("Software", "software", "comment", "Comment"):
            v = im.info.get(key)
            if isinstance(v, bytes):
                v = v.decode("utf-8", "replace")
            if isinstance(v, str) and v.strip():
                out.setdefault("texts", []).append(v.strip()[:120])
        if im.format == "JPEG":
            q = getattr(im, "quantization", None) or {}
            if q:
                out["quality"] = estimate_quality(list(q.get(0, [])))
            from zjcheck.imaging.render import DRAFT_FROM
            if q and 0 in q and im.width * im.height <= DRAFT_FROM:      # larger photos are only decoded reduced
                try:
                    out["double"] = double_compression(im, list(q[0]))
                except (MemoryError, limits.LimitExceeded):
                    raise
                except Exception:  # noqa: BLE001 - a JPEG the test cannot read: nothing said
                    out["double"] = None
    return out


def _irb_writer(irb: Any) -> str | None:
    """The program named in an image resource block's version info (resource
    0x0421, written by Photoshop itself).  A block holding only IPTC captions
    (0x0404) is written by many catalogue and scanner tools: no sign."""
    if not isinstance(irb, dict):
        return None
    data = irb.get(0x0421)
    if not isinstance(data, bytes) or len(data) < 9:
        return None
    text = data[5:].decode("utf-16-be", "replace")
    words = re.findall(r"[A-Za-z][A-Za-z .]{3,60}", text)
    return next((w.strip() for w in words if "photoshop" in w.lower()), None)


_XMP_FIELDS = re.compile(rb"(xmp:CreatorTool|stEvt:softwareAgent|stEvt:action|photoshop:History)"
                         rb"(?:>([^<]{1,200})<|=\"([^\"]{1,200})\")")


def _xmp(data: bytes) -> dict[str, Any]:
    tools: list[str] = []
    actions: list[str] = []
    for m in _XMP_FIELDS.finditer(data):
        v = (m.group(2) or m.group(3) or b"").decode("utf-8", "replace").strip()
        if not v:
            continue
        if m.group(1) == b"stEvt:action":
            if v not in actions:
                actions.append(v)
        elif v not in tools:
            tools.append(v)
        if len(tools) + len(actions) > 30:
            break
    out: dict[str, Any] = {}
    if tools:
        out["xmp_tools"] = tools
    if actions:
        out["xmp_actions"] = actions
    return out


_STD_LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
             29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
             121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]


def estimate_quality(table: list[int]) -> int | None:
    """The IJG quality (1-100) whose luminance table is closest to `table`."""
    if len(table) != 64:
        return None
    t = np.array(table, dtype=np.float64)
    best, err = None, float("inf")
    for q in range(1, 101):
        scale = 5000 / q if q < 50 else 200 - 2 * q
        std = np.clip(np.floor((np.array(_STD_LUMA) * scale + 50) / 100), 1, 255)
        e = float(np.abs(std - t).sum())
        if e < err:
            best, err = q, e
    return best


def double_compression(im: Image.Image, table: list[int]) -> dict[str, Any] | None:
    """The frequencies whose coefficient histogram only holds the values a
    first, coarser save permits, with the step of that save; None when the
    pattern is not there."""
    y = _luma(im)
    if y is None:
        return None
    blocks = _blocks(y)
    if blocks.shape[0] < 200:
        return None
    q = np.array(table, dtype=np.float64).reshape(8, 8)
    coef = np.matmul(np.matmul(_C, blocks - 128.0), _C.T)
    found = []
    for u, v in _ZIGZAG[1:FREQS + 1]:
        q2 = q[u, v]
        c = np.rint(coef[:, u, v] / q2).astype(np.int64)
        fit = _fit_first_step(c, int(q2))
        if fit is not None:
            found.append({"freq": [u, v], "q2": int(q2), "q1": fit[0], "gaps": fit[1]})
    if len(found) < MIN_FREQS:
        return None
    return {"frequencies": found, "blocks": int(blocks.shape[0])}


def _luma(im: Image.Image) -> np.ndarray | None:
    """The decoded luminance as stored (no colour conversion), a centre crop on the 8×8 grid."""
    if im.mode not in ("L", "RGB", "YCbCr"):
        return None
    if im.mode == "RGB":
        im.draft("YCbCr", im.size)       # the decoder's own YCbCr: no RGB round trip
    w, h = im.size
    side = int(np.sqrt(MAX_PIXELS))
    x0 = max(0, (w - side) // 2) // 8 * 8
    y0 = max(0, (h - side) // 2) // 8 * 8
    box = (x0, y0, min(w, x0 + side), min(h, y0 + side))
    part = im.crop(box)
    arr = np.asarray(part)
    return (arr if arr.ndim == 2 else arr[..., 0]).astype(np.float64)


def _blocks(y: np.ndarray) -> np.ndarray:
    h, w = (y.shape[0] // 8) * 8, (y.shape[1] // 8) * 8
    b = y[:h, :w].reshape(h // 8, 8, w // 8, 8).swapaxes(1, 2).reshape(-1, 8, 8)
    clipped = (b.min(axis=(1, 2)) <= 0) | (b.max(axis=(1, 2)) >= 255)
    return b[~clipped]


def _fit_first_step(c: np.ndarray, q2: int) -> tuple[int, int] | None:
    """(q1, gaps) when the coefficients take only the values round(k·q1/q2) of
    an earlier, coarser step q1 > q2, with at least MIN_GAPS runs of empty
    bins between well-filled ones; None otherwise."""
    vals = c[np.abs(c) <= RANGE]
    if vals.size < 500:
        return None
    hist = np.bincount(vals + RANGE, minlength=2 * RANGE + 1).astype(np.int64)
    total = max(1, int(hist.sum()))
    best: tuple[int, int] | None = None
    spread = min(0.45, 0.87 / q2)
    for q1 in range(q2 + 1, min(255, RANGE // 2 * q2) + 1):
        # the values a coefficient k·q1 lands on after dequantising, decoding
        # to rounded pixels (an error of std 0.29 per coefficient) and quantising
        # again with q2: round(k·q1/q2 ± 3·0.29/q2)
        ks = np.arange(-(RANGE * q2) // q1 - 2, (RANGE * q2) // q1 + 3)
        centres = ks * q1 / q2
        allowed = np.zeros(2 * RANGE + 1, dtype=bool)
        for d in (-spread, 0.0, spread):
            idx = np.rint(centres + d).astype(np.int64) + RANGE
            allowed[idx[(idx >= 0) & (idx < allowed.size)]] = True
        if allowed.all() or hist[~allowed].sum() / total > MAX_LEAK:
            continue
        gaps = _gap_runs(hist, allowed)
        if gaps >= MIN_GAPS and (best is None or gaps > best[1]):
            best = (q1, gaps)
    return best


def _gap_runs(hist: np.ndarray, allowed: np.ndarray) -> int:
    """Runs of not-allowed bins that are (nearly) empty while the allowed bins
    on both sides are well filled."""
    runs = 0
    i, n = 0, allowed.size
    while i < n:
        if allowed[i]:
            i += 1
            continue
        j = i
        while j < n and not allowed[j]:
            j += 1
        if i > 0 and j < n:
            lo = min(hist[i - 1], hist[j])
            if lo >= MIN_NEIGHBOUR and hist[i:j].max() <= 0.1 * lo:
                runs += 1
        i = j
    return runs
