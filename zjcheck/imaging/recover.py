"""A second look at ink the OCR engine skipped.

Tesseract's page segmentation drops short isolated text: a name alone in a
table cell, a 大写 amount in brackets.  Those are exactly the fields the
checkers need.  Text-like blobs of ink that no recognised line covers are cut
out, stacked into one strip with white gaps, and read in a single extra OCR
call; each line read is mapped back to the blob it came from.  Pages where
everything was read cost nothing extra.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from zjcheck.model import Line

MAX_BLOBS = 24          # bound the extra work per page
GAP = 28                # white pixels between stacked blobs
PAD = 6


def missed_blobs(gray: Image.Image, lines: list[Line]) -> list[tuple[int, int, int, int]]:
    """Boxes of text-like ink not covered by any recognised line box."""
    a = np.asarray(gray)
    h, w = a.shape
    ink = cv2.adaptiveThreshold(a, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    char = max(8, min(h, w) // 100)          # about one character at A4 scale
    merged = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (char * 2, max(3, char // 3))))
    n, _, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    covered = np.zeros((h, w), np.uint8)
    for ln in lines:
        if ln.box and ln.text.strip():
            x0, y0, x1, y1 = ln.box
            covered[max(0, y0 - 4): y1 + 4, max(0, x0 - 4): x1 + 4] = 1
    out: list[tuple[int, int, int, int, int]] = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if not (char * 1.2 <= bh <= char * 6 and bw >= char * 1.5 and bw <= w * 0.6):
            continue
        if covered[y: y + bh, x: x + bw].mean() > 0.3:
            continue
        density = ink[y: y + bh, x: x + bw].mean() / 255
        if not 0.05 <= density <= 0.6:      # specks and solid blocks are not text
            continue
        out.append((int(area), int(x), int(y), int(x + bw), int(y + bh)))
    out.sort(reverse=True)
    return sorted(((x0, y0, x1, y1) for _, x0, y0, x1, y1 in out[:MAX_BLOBS]), key=lambda b: (b[1], b[0]))


def stack(gray: Image.Image, blobs: list[tuple[int, int, int, int]]) -> tuple[Image.Image, list[tuple[int, int]]]:
    """One image with the blobs one under another; their y-ranges in it."""
    crops = [gray.crop((max(0, x0 - PAD), max(0, y0 - PAD), x1 + PAD, y1 + PAD)) for x0, y0, x1, y1 in blobs]
    width = max(c.width for c in crops) + 2 * GAP
    height = sum(c.height + GAP for c in crops) + GAP
    strip = Image.new("L", (width, height), 255)
    spans = []
    y = GAP
    for c in crops:
        strip.paste(c, (GAP, y))
        spans.append((y, y + c.height))
        y += c.height + GAP
    return strip, spans


def recover(gray: Image.Image, lines: list[Line], recognise) -> list[Line]:  # type: ignore[no-untyped-def]
    """Lines read from skipped ink, with boxes in page coordinates."""
    blobs = missed_blobs(gray, lines)
    if not blobs:
        return []
    strip, spans = stack(gray, blobs)
    found: list[Line] = []
    for ln in recognise(strip, block=True).lines:
        if not ln.box or not ln.text.strip() or (ln.conf is not None and ln.conf < 50):
            continue
        cy = (ln.box[1] + ln.box[3]) / 2
        for (s0, s1), blob in zip(spans, blobs):
            if s0 <= cy <= s1:
                found.append(Line(ln.text, blob, ln.conf))
                break
    return found
