"""Page clean-up before OCR.

Two things confuse Tesseract most on 职称 evidence: red seals stamped over
text (it reads the seal's ring and characters as garbage and loses reading
order around them) and ruled tables (it drops short cells such as 姓名 values
between the rules).  Red pixels are whitened (black text under a seal stays
black) and long horizontal/vertical rules are erased.  Seal detection runs on
the original colour image, not on this one.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

RED_MARGIN = 40          # red channel above green/blue by this much = seal ink
H_RULE_FRACTION = 12     # a horizontal rule is at least width/12 long (≈0.7 in on A4)
V_RULE_FRACTION = 25     # a vertical rule is at least height/25 long


def for_ocr(img: Image.Image) -> Image.Image:
    """Grayscale image with seal ink and table rules removed."""
    rgb = np.asarray(img.convert("RGB"))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    r = rgb[..., 0].astype(np.int16)
    gb = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    gray[(r - gb) > RED_MARGIN] = 255
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = gray.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, w // H_RULE_FRACTION), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(40, h // V_RULE_FRACTION))))
    rules = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    gray[rules > 0] = 255
    return Image.fromarray(gray)
